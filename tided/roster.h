/*
 * The domains of one round as tided saw them, kept until the next, to say
 * what changed in between: which managed guests went or stopped being
 * managed (one line each, once), and which domain took the memory when the
 * host falls below its reserve. Pure C, no Xen: the unit tests drive it.
 */
#ifndef TIDED_ROSTER_H
#define TIDED_ROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROSTER_MAX 256
#define ROSTER_NAME_MAX 64

struct roster_entry {
	uint32_t domid;
	char name[ROSTER_NAME_MAX];
	bool managed;
	uint64_t current_kib;
};

struct roster {
	size_t n;
	struct roster_entry e[ROSTER_MAX];
};

/* Add a domain (ignored beyond ROSTER_MAX). */
void roster_add(struct roster *r, uint32_t domid, const char *name, bool managed, uint64_t current_kib);
/* The entry of domid, or NULL. */
const struct roster_entry *roster_find(const struct roster *r, uint32_t domid);

/*
 * The next guest, from *pos on, that was managed in before and is gone from
 * now or no longer managed there: its entry in before, with why in *why
 * ("gone", "no longer advertises feature-balloon"); NULL when there is none.
 */
const struct roster_entry *roster_next_dropped(const struct roster *before, const struct roster *now, size_t *pos,
					       const char **why);

/* The domain of now whose memory grew most since before (a new one: all it holds); NULL if none grew. */
const struct roster_entry *roster_biggest_growth(const struct roster *before, const struct roster *now,
						 uint64_t *grew_kib);

#endif
