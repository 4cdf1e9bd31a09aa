/*
 * tided's balancing policy: pure C, no Xen, no clock, no I/O. The daemon
 * (tided.c) gathers one round of facts from Xen and xenstore, calls
 * policy_round(), and applies what comes back (targets, Xen maximums,
 * uncooperative marks). The unit tests drive it with generated reports.
 *
 * All memory sizes are in KiB, all times in ms on a monotonic clock.
 *
 * One round:
 *  (a) sanitize each guest's report: free is clamped to [0, current]; a report
 *      whose total disagrees with Xen's current, or whose counters are
 *      nonsense (above 2^40, or going backwards), carries no pressure;
 *  (b) classify (by the guest's peak use over the last peak_window_ms, so that
 *      a guest whose use comes and goes is not squeezed at every low):
 *      pressured (alloc_waits or alloc_failures grew since the last
 *      round, or free < pressure_free_pct of current, or free would run out
 *      within runway_ms at the pace used memory grew since the last report),
 *      idle (current - peak > idle_free_pct of current, no pressure for
 *      idle_quiet_ms, and free lasts idle_runway_ms at that pace), else steady;
 *  (c) take back from idle guests: target = max(min, floor + margin, peak +
 *      peak / 8, current - step), step = min(take_step, (current - peak) / 2);
 *  (d) give to pressured guests what the host has free above the reserve,
 *      less what guests may still take (Xen max above current): memory a
 *      guest was asked to give back counts only once it is gone ("free
 *      first, then give"); up to give_step each, shared evenly, never above
 *      max;
 *  (e) a guest whose distance to its target has not shrunk for uncoop_ms
 *      after a change is uncooperative: no more memory for it, and Xen's
 *      maximum for it drops to what it holds (its promise is not counted
 *      on); the mark clears when it reaches its target;
 *  (f) hysteresis: no move in the opposite direction within hysteresis_ms
 *      of a change, except to give memory to a guest whose allocations
 *      waited or failed since the last round, or whose free memory runs out
 *      within runway_ms (urgent pressure); at most one
 *      move per guest per move_period_ms.
 * Bounds come first: a target below min is raised to min (as the host can
 * afford), one above max is lowered to max at once.
 */
#ifndef TIDED_POLICY_H
#define TIDED_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POLICY_NAME_MAX 64
#define POLICY_MAX_GUESTS 256

struct policy_params {
	uint64_t reserve_kib;      /* host memory kept free */
	uint64_t give_step_kib;    /* most given to one guest per move */
	uint64_t take_step_kib;    /* most taken from one guest per move */
	unsigned pressure_free_pct; /* free below this share of current: pressured */
	uint64_t runway_ms;        /* ... or free would run out this soon at the current pace */
	unsigned idle_free_pct;    /* free above this share of current: may be idle */
	uint64_t idle_quiet_ms;    /* ... after this long without pressure */
	uint64_t idle_runway_ms;   /* ... and its free memory lasts this long at its pace */
	uint64_t peak_window_ms;   /* idle and reclaim judge by the peak use over this window */
	uint64_t uncoop_ms;        /* no progress towards the target for this long */
	uint64_t hysteresis_ms;    /* no reversal within this long of a move */
	uint64_t move_period_ms;   /* at most one move per guest per period */
	uint64_t slack_kib;        /* Xen's max for a guest = target + slack */
	uint64_t margin_kib;       /* kept above the guest's reported floor */
	uint64_t reached_kib;      /* |current - target| at most this: target reached */
	uint64_t progress_kib;     /* the distance must shrink by this to count as progress */
};

void policy_default_params(struct policy_params *p);

/* What the daemon learned about one domain this round. */
struct guest_facts {
	uint32_t domid;
	char name[POLICY_NAME_MAX];
	bool balloon;              /* advertises feature-balloon: managed */
	uint64_t current_kib;      /* Xen's tot_pages */
	uint64_t xen_max_kib;      /* Xen's max_pages */
	/* memory/target as found in xenstore; used when the guest is first seen */
	bool has_target;
	uint64_t target_kib;
	bool marked_uncooperative; /* memory/uncooperative = 1 in xenstore */
	/* the guest's report; a field that is missing or not a number is !valid */
	struct report_field {
		bool valid;
		int64_t value;
	} total, free, floor, waits, failures;
	/* bounds as resolved by the daemon (config, tidectl, defaults) */
	uint64_t min_kib, max_kib;
};

struct host_facts {
	uint64_t now_ms;
	uint64_t free_kib;         /* Xen's free memory */
};

enum guest_class { CLASS_UNMANAGED, CLASS_STEADY, CLASS_PRESSURED, CLASS_IDLE };

/* What to do for one domain; one per guest_facts, in the same order. */
struct decision {
	uint32_t domid;
	bool managed;
	bool set_target;           /* write memory/target = target_kib */
	uint64_t target_kib;       /* the target tided holds for the guest */
	bool set_xen_max;          /* xc_domain_setmaxmem(xen_max_kib) */
	uint64_t xen_max_kib;
	bool uncooperative;
	bool uncoop_changed;       /* write (or remove) memory/uncooperative */
	enum guest_class cls;
	char pressure[32];         /* why pressured ("waits", "failures", "free 3%"), or "-" */
	char state[16];            /* pressured, idle, steady, growing, shrinking, uncooperative */
	char why[96];              /* the reason for a target change, for the log */
	bool report_ok;            /* the report passed the sanity checks */
	int64_t free_kib;          /* the sanitized free memory (-1: no report) */
};

/* The policy's memory of each guest between rounds. */
struct guest_state {
	bool used;
	uint32_t domid;
	uint64_t target_kib;       /* what tided holds as the guest's target */
	uint64_t changed_ms;       /* last move */
	int dir;                   /* its direction: +1, -1, 0 (none yet) */
	uint64_t gap_ref_kib;      /* distance to target at the last progress */
	uint64_t progress_ms;      /* when it last made progress (or was moved) */
	bool uncooperative;
	bool have_counters;
	uint64_t waits, failures;  /* last sane counter values */
	uint64_t pressure_ms;      /* last time it was pressured (or first seen) */
	bool have_used;
	uint64_t used_kib, used_ms; /* used memory (total - free) at the last sane report */
	uint64_t peak_kib, peak_ms; /* the most it used within the peak window, and when */
	uint64_t seen_round;
};

struct policy {
	struct policy_params p;
	struct guest_state g[POLICY_MAX_GUESTS];
	uint64_t round;
};

void policy_init(struct policy *pol, const struct policy_params *params);

/*
 * One round over n domains (n <= POLICY_MAX_GUESTS); fills out[0..n-1].
 * Domains not listed are forgotten. Deterministic: the same facts and state
 * give the same decisions.
 */
void policy_round(struct policy *pol, const struct host_facts *host, const struct guest_facts *facts,
		  size_t n, struct decision *out);

/* The host memory the policy would still hand out this round (after its decisions). */
int64_t policy_available_kib(const struct policy *pol, const struct host_facts *host,
			     const struct guest_facts *facts, const struct decision *out, size_t n);

const char *policy_class_name(enum guest_class c);

#endif
