/* What changed between two rounds; see roster.h. */
#include "roster.h"

#include <stdio.h>
#include <string.h>

void roster_add(struct roster *r, uint32_t domid, const char *name, bool managed, uint64_t current_kib)
{
	if (r->n == ROSTER_MAX)
		return;
	struct roster_entry *e = &r->e[r->n++];
	e->domid = domid;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->managed = managed;
	e->current_kib = current_kib;
}

const struct roster_entry *roster_find(const struct roster *r, uint32_t domid)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->e[i].domid == domid)
			return &r->e[i];
	return NULL;
}

const struct roster_entry *roster_next_dropped(const struct roster *before, const struct roster *now, size_t *pos,
					       const char **why)
{
	for (; *pos < before->n; (*pos)++) {
		const struct roster_entry *was = &before->e[*pos];
		if (!was->managed)
			continue;
		const struct roster_entry *is = roster_find(now, was->domid);
		if (is && is->managed)
			continue;
		*why = is ? "no longer advertises feature-balloon" : "gone (destroyed, shut down or dying)";
		(*pos)++;
		return was;
	}
	return NULL;
}

const struct roster_entry *roster_biggest_growth(const struct roster *before, const struct roster *now,
						 uint64_t *grew_kib)
{
	const struct roster_entry *best = NULL;
	*grew_kib = 0;
	for (size_t i = 0; i < now->n; i++) {
		const struct roster_entry *was = roster_find(before, now->e[i].domid);
		uint64_t had = was ? was->current_kib : 0;
		if (now->e[i].current_kib > had && now->e[i].current_kib - had > *grew_kib) {
			*grew_kib = now->e[i].current_kib - had;
			best = &now->e[i];
		}
	}
	return best;
}
