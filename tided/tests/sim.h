/*
 * A simulated host for tided's policy tests: Xen's memory accounting and
 * Tide guests that follow their targets (or not), run a workload, grow on
 * shortage up to Xen's maximum, and report like the real ones (or lie).
 * Time moves in rounds (of 500 ms unless step_ms says otherwise); within a
 * round the policy decides first, then the guests act on its decisions.
 */
#ifndef TIDED_SIM_H
#define TIDED_SIM_H

#include "../policy.h"

#define SIM_MAX 8
#define KIB_PER_MIB 1024ULL
#define MiB(x) ((uint64_t)(x) * KIB_PER_MIB)

enum sim_report { REPORT_TRUE, REPORT_LIE, REPORT_NONSENSE, REPORT_NONE };

struct sim;
struct sim_guest;
/* Rewrites a guest's report after the simulator made it (the fuzz's hostile guests). */
typedef void sim_mangle_fn(struct sim *s, struct sim_guest *g, struct guest_facts *f);

struct sim_guest {
	bool present;
	char name[16];
	uint32_t domid;
	uint64_t cur, xen_max;      /* Xen's view */
	uint64_t target;            /* memory/target in xenstore */
	uint64_t seen_target;       /* the last memory/target the guest read */
	uint64_t balloon;           /* the target its balloon follows */
	bool marked;                /* memory/uncooperative */
	uint64_t used;              /* what the workload holds */
	uint64_t cache;             /* on top of used: what its shrinkers drop when memory is short (droppable) */
	uint64_t min, max;          /* bounds */
	bool ignore_targets;
	enum sim_report report;
	bool floor_zero;            /* reports floor 0, as a guest did before its first shrink */
	bool report_lag;            /* its report reaches tided one round late */
	struct guest_facts lagged;  /* ... the report it made last round */
	sim_mangle_fn *mangle;      /* NULL, or rewrites its report */
	char saved[POLICY_SAVED_MAX]; /* what tided kept of it in xenstore */
	uint64_t waits, failures;
	/* workload: used memory wanted at time t (ms); NULL = constant used */
	uint64_t (*demand)(const struct sim_guest *g, uint64_t t_ms);
	uint64_t a, b, c, d, e, f;  /* workload parameters */
	uint64_t failures_while_idle_elsewhere;
	uint64_t rng;
};

struct sim {
	struct policy pol;
	uint64_t host_total;        /* memory for guests (after Xen and dom0) */
	uint64_t now;
	uint64_t step_ms;           /* how long a round lasts (500 ms, as tided's; less when watches bring one forward) */
	size_t n;
	struct sim_guest g[SIM_MAX];
	struct decision out[SIM_MAX];
	struct host_decision hd;
	struct guest_facts facts[SIM_MAX];
	size_t nfacts;
	uint64_t min_host_free;     /* lowest host free seen after any round */
	unsigned target_changes;
	char err[256];              /* first invariant broken, if any */
};

void sim_init(struct sim *s, uint64_t host_total_kib);
struct sim_guest *sim_add(struct sim *s, const char *name, uint64_t boot, uint64_t min, uint64_t max);
uint64_t sim_host_free(const struct sim *s);
/* One round: the policy decides, the guests act; checks the invariants
 * (reserve, bounds, Xen max) and records the first one broken in s->err. */
void sim_round(struct sim *s);
/* A round with tided down: the guests act, time passes, nothing is decided. */
void sim_round_without_tided(struct sim *s);
/* Facts as tided would gather them now (for restart tests). */
void sim_facts(struct sim *s);

/* Workloads */
uint64_t demand_burst(const struct sim_guest *g, uint64_t t);   /* a: base, b: start ms, c: MiB/s, d: peak */
uint64_t demand_random(const struct sim_guest *g, uint64_t t);  /* a..b: range, changes every c ms */
uint64_t demand_wave(const struct sim_guest *g, uint64_t t);    /* a + b * tri((t - d) / c), from its low */
/* from b, every f ms: up from a by d at c KiB/s, held e ms, back to a */
uint64_t demand_cycle(const struct sim_guest *g, uint64_t t);

#endif
