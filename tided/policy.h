/*
 * tided's balancing policy: pure C, no Xen, no clock, no I/O. The daemon
 * (tided.c) gathers one round of facts from Xen and xenstore, calls
 * policy_round(), and applies what comes back (targets, Xen maximums,
 * uncooperative marks, the state to keep in xenstore, log lines). The unit
 * tests drive it with generated reports (tests/sim.c).
 *
 * All memory sizes are in KiB, all times in ms on a monotonic clock.
 *
 * One round (policy.c), step by step:
 *  (a) observe (observe.c): sanitize each guest's report (free clamped to
 *      [0, current]; a total that disagrees with Xen's current, or
 *      counters that are nonsense or go backwards, carry no pressure); a
 *      report whose use (total - free) is far above the guest's own floor
 *      is not credible: its counters are ignored and its use is its floor;
 *      track the pace of its use and its peak over peak_window_ms; classify:
 *      pressured (alloc_waits or alloc_failures grew, or free <
 *      pressure_free_pct of current, or free runs out within runway_ms at
 *      its pace), idle (current - peak > idle_free_pct of current, quiet for
 *      idle_quiet_ms, free lasts idle_runway_ms), else steady;
 *  (b) a memory/target written by someone else (xl mem-set) is taken back:
 *      down at once, up as the host can afford;
 *  (c) follow up (is the guest getting to its target? uncooperative after
 *      uncoop_ms without progress; a guest stopped at its floor is not);
 *  (d) bounds: a target above max comes down at once;
 *  (e) take back from idle guests, in steps (policy.c);
 *  (f) give (share.c): first up to min (and targets being taken back),
 *      then to pressured guests by need and fair share, then, if a guest
 *      is still failing, ask guests with spare memory to give some;
 *  (g) Xen's maximum for each guest, its state for tidectl, the state to
 *      keep for a restart (saved.c), and the lines worth logging.
 * Hysteresis: no move in the opposite direction within hysteresis_ms of a
 * move, except to feed a guest whose allocations wait, fail, or are about
 * to (urgent pressure); at most one move per guest per move_period_ms.
 *
 * Two policies share these steps. The conservative one (policy_default_params)
 * gives Xen's maximum only target + slack, so a guest grows by tided's
 * grants alone, and judges idle memory over a 20 s peak window. The fluid
 * one (policy_fluid_params, fluid.c) adds, in (c) and (g): headroom in
 * Xen's maximum above the target, shared out of what the host has above its
 * reserve, so that a burst grows on shortage at once, and what it grew into
 * is taken as its new target; and a reclaim delay instead of the peak
 * window and the hysteresis, short (1 s) for a guest that does not want
 * its memory back soon, doubled each time one does.
 */
#ifndef TIDED_POLICY_H
#define TIDED_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POLICY_NAME_MAX 64
#define POLICY_MAX_GUESTS 256
#define POLICY_SAVED_MAX 640 /* the text of a guest's saved state, with its NUL */

struct policy_params {
	uint64_t reserve_kib;      /* host memory kept free */
	uint64_t give_step_kib;    /* most given to one guest per move */
	uint64_t give_min_kib;     /* least given to a pressured guest whose need has no pace */
	uint64_t take_step_kib;    /* most taken from one idle guest per move */
	unsigned pressure_free_pct; /* free below this share of current: pressured */
	uint64_t runway_ms;        /* ... or free would run out this soon at the current pace */
	uint64_t need_ms;          /* a grant covers this long at the guest's pace */
	unsigned idle_free_pct;    /* free above this share of current: may be idle */
	uint64_t idle_quiet_ms;    /* ... after this long without pressure */
	uint64_t idle_runway_ms;   /* ... and its free memory lasts this long at its pace */
	uint64_t peak_window_ms;   /* idle and reclaim judge by the peak use over this window */
	uint64_t share_window_ms;  /* pressured within this long: competing for a fair share */
	uint64_t grant_halflife_ms; /* what a guest was given counts for its turn, halved this often */
	unsigned spare_free_pct;   /* a guest asked to give spare memory keeps this share free */
	uint64_t claim_slack_kib;  /* use above floor + max(this, current / 4): not credible */
	uint64_t uncoop_ms;        /* no progress towards the target for this long */
	uint64_t hysteresis_ms;    /* no reversal within this long of a move */
	uint64_t move_period_ms;   /* at most one move per guest per period */
	uint64_t note_period_ms;   /* at most one line about a guest's report per period */
	uint64_t slack_kib;        /* Xen's max for a guest = target + slack */
	uint64_t margin_kib;       /* kept above the guest's reported floor */
	uint64_t reached_kib;      /* |current - target| at most this: target reached */
	uint64_t progress_kib;     /* the distance must shrink by this to count as progress */
	/* the fluid policy (fluid.c); the conservative one has fluid = false and ignores the rest */
	bool fluid;
	uint64_t headroom_kib;     /* room above the target in Xen's maximum a guest gets, host allowing */
	uint64_t headroom_max_kib; /* ... up to this for a guest whose use grows fast (need_ms at its pace) */
	uint64_t reclaim_delay_ms; /* spare memory unused this long goes back (peak window and hysteresis) */
	uint64_t reclaim_delay_max_ms; /* ... doubled for a guest that grew back soon after, up to this */
	uint64_t thrash_window_ms; /* growing again this soon after a reclaim doubles the delay; calm this long halves it */
	uint64_t reclaim_min_kib;  /* less spare than this is left where it is */
};

/* The conservative policy's numbers (policy.c says why). */
void policy_default_params(struct policy_params *p);
/* The fluid policy's: the conservative ones and the fluid fields (fluid.c says why). */
void policy_fluid_params(struct policy_params *p);

/* One field of a guest's report: missing or not a number is !valid. */
struct report_field {
	bool valid;
	int64_t value;
};

/* What the daemon learned about one domain this round. */
struct guest_facts {
	uint32_t domid;
	char name[POLICY_NAME_MAX];
	bool balloon;              /* advertises feature-balloon: managed */
	uint64_t current_kib;      /* Xen's tot_pages */
	uint64_t xen_max_kib;      /* Xen's max_pages */
	bool has_target;           /* memory/target as found in xenstore */
	uint64_t target_kib;
	bool marked_uncooperative; /* memory/uncooperative = 1 in xenstore */
	struct report_field total, free, floor, waits, failures;
	struct report_field droppable; /* used, but the guest's shrinkers could drop it (data/tide/droppable_kib) */
	uint64_t min_kib, max_kib; /* bounds as resolved by the daemon (config, tidectl, defaults) */
	/* what tided kept of this guest in xenstore (its last round before a
	 * restart), read when it first sees the guest; "" if none */
	char saved[POLICY_SAVED_MAX];
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
	char pressure[32];         /* why pressured ("waits+3", "runway 800 ms", "free 3%"), else "-" */
	char state[16];            /* pressured, idle, steady, growing, shrinking, uncooperative */
	char why[128];             /* the reason for a target change or a mark, for the log */
	char note[256];            /* a line about the guest's report or an outside target, or "" */
	bool report_ok;            /* the report passed the sanity checks */
	bool credible;             /* ... and its use agrees with its floor */
	int64_t free_kib;          /* the sanitized free memory (-1: no report) */
	char saved[POLICY_SAVED_MAX]; /* the guest's state, to keep in xenstore for a restart */
};

/* What the round says about the host as a whole. */
struct host_decision {
	int64_t available_kib;     /* what tided could still hand out */
	bool below_reserve;        /* host free is below the reserve (not tided's doing) */
	bool reserve_changed;      /* ... and it was not (or was) last round: log it */
};

/* The policy's memory of each guest between rounds (saved.c keeps it in text). */
struct guest_state {
	bool used;
	uint32_t domid;
	uint64_t seen_round;
	uint64_t target_kib;       /* what tided holds as the guest's target */
	uint64_t restore_kib;      /* taking back an outside target: raise to this as the host can afford */
	uint64_t changed_ms;       /* last move */
	int dir;                   /* its direction: +1, -1, 0 (none yet) */
	uint64_t gap_ref_kib;      /* distance to target at the last progress */
	uint64_t progress_ms;      /* when it last made progress (or was moved) */
	bool uncooperative;
	bool have_counters;
	uint64_t waits, failures;  /* last sane counter values */
	uint64_t quiet_ms;         /* last time it was pressured, or first seen: idle counts from here */
	uint64_t pressed_ms;       /* last time it was pressured (0: never): competing for a share */
	bool have_used;
	uint64_t used_kib, used_ms; /* used memory at the last report that differed */
	uint64_t pace_kib_s;       /* how fast its use grew between the last two such reports */
	uint64_t peak_kib, peak_ms; /* the most it used within the peak window, and when */
	uint64_t granted_kib, granted_ms; /* given lately (halved every grant_halflife_ms since granted_ms) */
	bool starved;              /* pressured last round and given nothing */
	int verdict, noted;        /* its report's verdict (observe.c), and the last one noted */
	uint64_t verdict_ms;       /* since when the verdict holds */
	uint64_t note_ms;          /* when a note about it was last given (0: never) */
	uint64_t unnoted_changes;  /* verdict changes since the last note */
	uint64_t cur_kib;          /* Xen's current at its last round */
	uint64_t credible_ms;      /* when its report was last sane and credible (0: never) */
	uint64_t headroom_kib;     /* fluid: room above its target in Xen's maximum, as last decided */
	uint64_t delay_ms;         /* fluid: its reclaim delay (0: the base) */
	uint64_t reclaimed_ms;     /* fluid: idle memory taken from it then, and it has not grown since (0: none) */
};

struct policy {
	struct policy_params p;
	struct guest_state g[POLICY_MAX_GUESTS];
	uint64_t round;
	bool below_reserve;
};

void policy_init(struct policy *pol, const struct policy_params *params);

/*
 * One round over n domains (n <= POLICY_MAX_GUESTS); fills out[0..n-1] and
 * *hd. Domains not listed are forgotten. Deterministic: the same facts and
 * state give the same decisions.
 */
void policy_round(struct policy *pol, const struct host_facts *host, const struct guest_facts *facts,
		  size_t n, struct decision *out, struct host_decision *hd);

const char *policy_class_name(enum guest_class c);

/* A guest's state as one line of text (saved.c), and back: 0, or -1 if the
 * text is not one (then *s is untouched). */
void policy_state_format(const struct guest_state *s, char *buf, size_t size);
int policy_state_parse(const char *text, uint64_t now_ms, struct guest_state *s);

#endif
