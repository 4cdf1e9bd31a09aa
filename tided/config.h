/*
 * tided's configuration file and the bounds of each guest.
 *
 * /etc/tided.conf (or tided -c FILE): one setting a line, `#` starts a comment:
 *   reserve=MiB              host memory kept free (default 64; at least 16,
 *                            and tided refuses one not below the host's memory)
 *   policy=fluid|conservative  how tided balances (default fluid; policy.h)
 *   pool=MiB                 tided-qemu only: the memory the host gives its
 *                            QEMU guests (default: the host's MemAvailable)
 *   NAME min=MiB max=MiB     bounds of the guest called NAME (either may be left out)
 *
 * A guest's bounds, each one from the first of: tidectl set (xenstore
 * /tool/tided/bounds/NAME/{min,max}, KiB), this file, the default (min: the
 * guest's memory/static-min, else its memory when tided first saw it; max:
 * memory/static-max). max is never above memory/static-max (the guest
 * refuses targets above it), and min is never above max.
 */
#ifndef TIDED_CONFIG_H
#define TIDED_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_GUESTS 256
#define CONFIG_NAME_MAX 64

struct guest_bounds {
	char name[CONFIG_NAME_MAX];
	bool has_min, has_max;
	uint64_t min_kib, max_kib;
};

/* The balancing policy a config file names (policy.h says what each does). */
enum config_policy { CONFIG_POLICY_FLUID, CONFIG_POLICY_CONSERVATIVE };

struct tided_config {
	bool has_reserve;
	uint64_t reserve_kib;
	enum config_policy policy; /* fluid unless the file says policy=conservative */
	bool has_policy;           /* the file names one */
	bool has_pool;
	uint64_t pool_kib;         /* tided-qemu: the memory its guests share */
	size_t n;
	struct guest_bounds g[CONFIG_MAX_GUESTS];
};

/* Parse a whole number of MiB ("512"), at most 16 TiB, into KiB: 0 or -1. */
int parse_mib(const char *s, uint64_t *kib);
#define CONFIG_RESERVE_MIN_KIB (16 * 1024ULL) /* the least reserve: Xen's and the toolstack's own needs */

/* Parse "min=M" / "max=M" words into b (keeping what b has; the same word twice is refused): 0, or -1 with err set. */
int parse_bound_word(const char *word, struct guest_bounds *b, char *err, size_t errlen);
/* Parse a whole file's text: 0, or -1 with "line N: ..." in err. */
int config_parse(const char *text, struct tided_config *c, char *err, size_t errlen);
/* Load a file: 0; 1 if it does not exist (c empty); -1 with err set. */
int config_load(const char *path, struct tided_config *c, char *err, size_t errlen);
const struct guest_bounds *config_bounds(const struct tided_config *c, const char *name);

/* Where a resolved bound came from. */
enum bound_from { FROM_TIDECTL, FROM_CONFIG, FROM_STATIC, FROM_FIRST_SEEN, FROM_NONE };
const char *bound_from_name(enum bound_from f);
const char *config_policy_name(enum config_policy p);
struct policy_params;
/* The numbers of the policy c names, with its reserve. */
void config_policy_params(const struct tided_config *c, struct policy_params *p);

/* The sources of one guest's bounds; a 0 means "not given". */
struct bound_sources {
	uint64_t set_min_kib, set_max_kib;   /* tidectl set (xenstore) */
	uint64_t static_min_kib, static_max_kib;
	uint64_t first_seen_kib;             /* its memory when tided first saw it */
};
/* The bounds, and where each came from (min_from is where the min would
 * have come from when max capped it). */
void bounds_resolve(const struct tided_config *c, const char *name, const struct bound_sources *src,
		    uint64_t *min_kib, uint64_t *max_kib, enum bound_from *min_from, enum bound_from *max_from);

#endif
