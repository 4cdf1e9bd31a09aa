/*
 * What the policy's files (policy.c, observe.c, share.c) share within one
 * round: the per-guest scratch and a few helpers. Not for the daemon.
 */
#ifndef TIDED_POLICY_IMPL_H
#define TIDED_POLICY_IMPL_H

#include "policy.h"

#define MIB 1024ULL

/* Per-guest scratch for one round; s is NULL for a domain tided does not manage. */
struct work {
	struct guest_state *s;
	const struct guest_facts *f;
	struct decision *d;
	uint64_t cur, lo, hi;      /* Xen's current, the bounds */
	uint64_t floor;            /* the reported floor if sane, else 0 */
	int64_t free;              /* sanitized free memory (from the floor if not credible); -1: no sane report */
	uint64_t peak;             /* its peak use within the window */
	uint64_t runway_need;      /* free memory that lasts runway_ms at its pace */
	uint64_t xen_cap;          /* Xen's maximum may not rise above this (0: no cap) */
	bool trusted;              /* fluid: its report was credible lately: it may have headroom */
	bool given;                /* given memory from what the host has, this round */
	bool report_ok, credible, pressured, urgent, idle, competing;
};

static inline uint64_t absdiff(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }
static inline uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static inline uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline uint64_t mib_down(uint64_t kib) { return kib / MIB * MIB; }
static inline uint64_t mib_up(uint64_t kib) { return (kib + MIB - 1) / MIB * MIB; }

/* Its peak window and its hysteresis: the reclaim delay in the fluid policy (fluid.c). */
uint64_t policy_peak_window(const struct policy *pol, const struct guest_state *s);
uint64_t policy_hysteresis(const struct policy *pol, const struct guest_state *s);

/* fluid.c: a guest that grew by itself into its headroom: take it as its target
 * (before follow-up); a guest calm since its last reclaim: shorter delay. */
void fluid_prepare(const struct policy *pol, struct work *w, uint64_t now);
/* fluid.c: tided took idle memory from the guest / the guest grew: for its delay. */
void fluid_reclaimed(struct guest_state *s, uint64_t now);
void fluid_grew(const struct policy *pol, struct guest_state *s, uint64_t now);
/* fluid.c: (g) share the host's memory above its reserve and the targets as headroom. */
void fluid_share_headroom(const struct policy *pol, const struct host_facts *host, struct work *w, size_t n);

/* Its pace in KiB/s, if measured lately (observe.c). */
uint64_t policy_pace(const struct guest_state *s, uint64_t now);

/* Sanitize the guest's report, track its use and classify it (observe.c). */
void policy_observe(const struct policy *pol, struct work *w, uint64_t now);

/* May the guest be moved in direction dir now? urgent: hysteresis does not apply. */
bool policy_can_move(const struct policy *pol, const struct guest_state *s, int dir, bool urgent, uint64_t now);

/* Move the guest's target (policy.c): the direction and time count for hysteresis. */
void policy_move(struct work *w, uint64_t target, uint64_t now, const char *why);

/* Xen's maximum for the guest: target + slack + its headroom within its max
 * and its cap; an uncooperative guest may not grow beyond what it holds.
 * _with: the same with another headroom. */
uint64_t policy_xen_max(const struct policy *pol, const struct work *w);
uint64_t policy_xen_max_with(const struct policy *pol, const struct work *w, uint64_t headroom);

/* (f): give what the host has (share.c). */
void policy_give(struct policy *pol, const struct host_facts *host, struct work *w, size_t n);

/* What tided may still hand out: host free - reserve - what guests may still take. */
int64_t policy_avail(const struct policy *pol, const struct host_facts *host, const struct work *w, size_t n);

#endif
