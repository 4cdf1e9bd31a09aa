/*
 * tided's policy against hostile guests, for many rounds (issue 9, part 3).
 *
 * A simulated host (sim.c) with three honest guests whose workloads jump,
 * wave and burst, and five hostile ones that every few seconds take up a
 * new way of misbehaving: random values in every field, huge or negative
 * numbers, counters that go backwards or creep up by one every report,
 * fields removed and put back, a report that flips between two values every
 * round, a floor that lies, a liar (nothing free, ever more waits) with or
 * without a floor, a guest that ignores every target; and now and then one
 * of them is destroyed and another created in its place. Rounds come at
 * irregular intervals (100-600 ms), as watches bring tided's forward.
 *
 * Two hosts, each under both policies (conservative, then fluid), a
 * quarter of the rounds each: a roomy one, where the hostile guests at
 * their max, the honest ones at their peak and the reserve together fit in
 * the host's memory, and a tight one, where they do not by far (tided
 * keeps to the reserve all the time there). After every round it checks,
 * and counts each breach as a violation:
 *  - no target above a guest's max, no Xen maximum above max + 1 MiB, no
 *    guest holding more than that, no target lowered below a guest's min;
 *  - Xen's free memory never below the reserve;
 *  - on the roomy host, an honest guest never fails allocations for longer
 *    than STARVE_MS on end;
 *  - at most LINES_PER_WINDOW lines about one guest's misbehaviour (notes
 *    on its report, uncooperative marks set or cleared) in any 10 s.
 * Crashes, leaks and undefined behaviour are ASan's and UBSan's to catch.
 * It prints "TIDED_FUZZ rounds N violations M", and with a violation the
 * seed and the command that replays the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../policy.h"
#include "check.h"
#include "tests.h"

#define HONEST 3
#define HOSTILE 5
#define STARVE_MS 3000        /* the policy's stated time to feed a guest short of memory */
#define LINES_PER_WINDOW 3    /* lines about one guest's misbehaviour ... */
#define LINE_WINDOW_MS 10000  /* ... in any window this long */
#define MAX_SHOWN 10          /* violations printed in full */
#define ROOMY_MIB 4096        /* 3 x 640 + 5 x 384 + 64 = 3904: everything fits */
#define TIGHT_MIB 2048        /* about half of what they could hold */

enum mode {
	M_HONEST, M_RANDOM, M_HUGE, M_NEGATIVE, M_BACKWARDS, M_CREEP, M_HOLES, M_FLIP, M_FLOOR_LIE,
	M_LIAR, M_LIAR_NO_FLOOR, M_IGNORE, NMODES
};

struct fuzz {
	struct sim s;
	bool roomy;
	uint64_t rng;
	unsigned long long round, violations;
	uint32_t next_domid;
	enum mode mode[SIM_MAX];
	int64_t creep[SIM_MAX];      /* the counter a creeping or backwards guest reports */
	uint64_t failing_since[SIM_MAX]; /* when an honest guest started failing (0: it is not) */
	uint64_t lines[SIM_MAX][LINES_PER_WINDOW]; /* times of its last lines about misbehaviour */
	uint32_t domid[SIM_MAX];     /* the domain in each slot, as last seen */
};

static uint64_t next(struct fuzz *z)
{
	uint64_t x = z->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	z->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(struct fuzz *z, uint64_t n) { return n ? next(z) % n : 0; }

static struct fuzz *the_fuzz; /* for the mangle hook, which gets only the simulator */

static void violation(struct fuzz *z, const char *fmt, const char *who, unsigned long long a, unsigned long long b)
{
	if (z->violations++ < MAX_SHOWN) {
		printf("# fuzz violation at round %llu (t=%llu ms): ", z->round, (unsigned long long)z->s.now);
		printf(fmt, who, a, b);
		printf("\n");
	}
}

/* An int64 that a hostile report might hold. */
static int64_t odd_value(struct fuzz *z)
{
	static const int64_t odd[] = {0, -1, 1, INT64_MAX, INT64_MIN, (int64_t)1 << 40, (int64_t)1 << 62, -(1LL << 40)};
	return next(z) & 1 ? odd[below(z, 8)] : (int64_t)next(z);
}

/* The hostile report modes: rewrite what the honest report said. */
static void mangle(struct sim *s, struct sim_guest *g, struct guest_facts *f)
{
	struct fuzz *z = the_fuzz;
	size_t i = (size_t)(g - s->g);
	struct report_field *fields[] = {&f->total, &f->free, &f->floor, &f->waits, &f->failures};
	switch (z->mode[i]) {
	case M_RANDOM:
		for (size_t k = 0; k < 5; k++)
			*fields[k] = (struct report_field){next(z) % 5 != 0, odd_value(z)};
		break;
	case M_HUGE:
		for (size_t k = 0; k < 5; k++)
			fields[k]->value = INT64_MAX - (int64_t)below(z, 1 << 20);
		break;
	case M_NEGATIVE:
		for (size_t k = 0; k < 5; k++)
			fields[k]->value = -(int64_t)below(z, 1ULL << 50) - 1;
		break;
	case M_BACKWARDS:
		f->waits.value = f->failures.value = z->creep[i] -= (int64_t)below(z, 5);
		break;
	case M_CREEP:
		f->waits.value = ++z->creep[i];
		break;
	case M_HOLES:
		for (size_t k = 0; k < 5; k++)
			fields[k]->valid = next(z) & 1;
		break;
	case M_FLIP:
		f->free.value = s->now / 100 % 2 ? 0 : f->total.value;
		break;
	case M_FLOOR_LIE:
		f->floor.value = next(z) & 1 ? (int64_t)below(z, 1 << 12) : (int64_t)(g->cur * (1 + below(z, 4)));
		break;
	default:
		break;
	}
}

/* A new way for hostile guest i to misbehave. */
static void pick_mode(struct fuzz *z, size_t i)
{
	struct sim_guest *g = &z->s.g[i];
	z->mode[i] = (enum mode)(1 + below(z, NMODES - 1));
	g->report = z->mode[i] == M_LIAR || z->mode[i] == M_LIAR_NO_FLOOR ? REPORT_LIE : REPORT_TRUE;
	g->floor_zero = z->mode[i] == M_LIAR_NO_FLOOR;
	g->ignore_targets = z->mode[i] == M_IGNORE;
	g->seen_target = 0; /* a guest that follows targets again reads its target afresh */
	g->mangle = mangle;
	z->creep[i] = (int64_t)below(z, 1000);
}

/*
 * Guest i is destroyed and another created in its place (a new domid, a
 * fresh boot), if the host has room for it beyond what tided keeps and has
 * promised (a domain built out of the reserve would take the host below it,
 * but not by tided's doing; test_reserve_breach_noted_once covers that).
 */
static void recreate(struct fuzz *z, size_t i)
{
	struct sim_guest *g = &z->s.g[i];
	uint64_t boot = MiB(64 + below(z, 193));
	if (z->s.now > 100000 && (z->s.hd.available_kib < 0 || (uint64_t)z->s.hd.available_kib < boot))
		return;
	memset(g, 0, sizeof(*g));
	g->present = true;
	snprintf(g->name, sizeof(g->name), "h%u", z->next_domid);
	g->domid = z->next_domid++;
	g->cur = g->target = g->seen_target = g->balloon = boot;
	g->xen_max = boot + MiB(1);
	g->used = MiB(4);
	g->demand = demand_random, g->a = MiB(4), g->b = MiB(4 + below(z, 120)), g->c = 1000 + below(z, 5000);
	g->min = MiB(64);
	g->max = MiB(384);
	g->rng = next(z);
	pick_mode(z, i);
}

/* Three honest guests and five hostile ones, on a roomy or a tight host, under either policy. */
static void build_world(struct fuzz *z, bool roomy, bool fluid)
{
	sim_init(&z->s, MiB(roomy ? ROOMY_MIB : TIGHT_MIB));
	if (fluid)
		policy_fluid_params(&z->s.pol.p);
	z->roomy = roomy;
	z->next_domid = 100;
	for (size_t i = 0; i < HONEST; i++) {
		char name[16];
		snprintf(name, sizeof(name), "honest%zu", i);
		struct sim_guest *g = sim_add(&z->s, name, MiB(128), MiB(64), MiB(640));
		g->used = MiB(16);
		g->rng = next(z);
	}
	struct sim_guest *g = &z->s.g[0];
	g->demand = demand_random, g->a = MiB(16), g->b = MiB(300), g->c = 2000 + below(z, 8000);
	g = &z->s.g[1];
	g->demand = demand_wave, g->a = MiB(16), g->b = MiB(280), g->c = 5000 + below(z, 20000), g->d = z->s.now;
	g = &z->s.g[2];
	g->demand = demand_burst, g->a = MiB(16), g->b = z->s.now + 5000, g->c = MiB(20 + below(z, 80)), g->d = MiB(280);
	for (size_t i = 0; i < HOSTILE; i++) {
		sim_add(&z->s, "x", MiB(64), MiB(64), MiB(384));
		recreate(z, HONEST + i);
	}
}

/* The honest burst ends, and another starts later: bursts come and go for the whole run. */
static void renew_burst(struct fuzz *z)
{
	struct sim_guest *g = &z->s.g[2];
	if (z->s.now > g->b + 30000) {
		g->b = z->s.now + 5000 + below(z, 20000);
		g->c = MiB(20 + below(z, 80));
	}
}

/* Before a round: hostile guests change their ways, go and come, and the round has its own length. */
static void stir(struct fuzz *z)
{
	for (size_t i = HONEST; i < HONEST + HOSTILE; i++) {
		struct sim_guest *g = &z->s.g[i];
		if (!g->present && below(z, 8) == 0)
			recreate(z, i);
		else if (g->present && below(z, 4000) == 0)
			g->present = false;
		else if (g->present && below(z, 40) == 0)
			pick_mode(z, i);
	}
	renew_burst(z);
	z->s.step_ms = 100 + below(z, 501);
}

/* Bounds and the reserve, after a round. */
static void check_bounds(struct fuzz *z)
{
	struct sim *s = &z->s;
	uint64_t free = sim_host_free(s);
	if (free < s->pol.p.reserve_kib)
		violation(z, "%shost free %llu MiB below the reserve %llu MiB", "", mib(free), mib(s->pol.p.reserve_kib));
	for (size_t i = 0; i < s->n; i++) {
		const struct sim_guest *g = &s->g[i];
		if (!g->present)
			continue;
		if (g->target > g->max)
			violation(z, "%s: target %llu MiB above its max %llu MiB", g->name, mib(g->target), mib(g->max));
		if (g->xen_max > g->max + MiB(1) || g->cur > g->max + MiB(1))
			violation(z, "%s: Xen max %llu MiB, holds %llu MiB: above its max + 1 MiB", g->name, mib(g->xen_max),
				  mib(g->cur));
	}
	for (size_t j = 0; j < s->nfacts; j++)
		if (s->out[j].set_target && s->out[j].target_kib < s->facts[j].min_kib &&
		    s->out[j].target_kib < s->facts[j].target_kib)
			violation(z, "%s: target lowered to %llu MiB, below its min %llu MiB", s->facts[j].name,
				  mib(s->out[j].target_kib), mib(s->facts[j].min_kib));
}

/* An honest guest failing for longer than STARVE_MS on end (on the roomy host). */
static void check_starving(struct fuzz *z, const uint64_t *failures_before)
{
	for (size_t i = 0; i < HONEST && z->roomy; i++) {
		const struct sim_guest *g = &z->s.g[i];
		bool failing = g->failures != failures_before[i];
		if (!failing) {
			z->failing_since[i] = 0;
			continue;
		}
		if (!z->failing_since[i])
			z->failing_since[i] = z->s.now;
		else if (z->s.now - z->failing_since[i] > STARVE_MS) {
			violation(z, "%s: failing for %llu ms, holds %llu MiB", g->name, z->s.now - z->failing_since[i],
				  mib(g->cur));
			z->failing_since[i] = z->s.now; /* once per STARVE_MS of it */
		}
	}
}

/* Lines about a guest's misbehaviour (notes, marks set or cleared) in the round at time now, at most
 * LINES_PER_WINDOW per window. */
static void check_lines(struct fuzz *z, uint64_t now)
{
	struct sim *s = &z->s;
	for (size_t j = 0; j < s->nfacts; j++) {
		size_t i = 0;
		while (i < s->n && s->g[i].domid != s->out[j].domid)
			i++;
		if (i == s->n || !(s->out[j].note[0] || s->out[j].uncoop_changed))
			continue;
		uint64_t *t = z->lines[i];
		if (t[0] && now - t[0] < LINE_WINDOW_MS)
			violation(z, "%s: %llu lines about it within %llu ms", s->g[i].name, LINES_PER_WINDOW + 1ULL,
				  now - t[0]);
		memmove(t, t + 1, (LINES_PER_WINDOW - 1) * sizeof(*t));
		t[LINES_PER_WINDOW - 1] = now;
	}
}

/* A guest destroyed and recreated in slot i starts with no lines against it, and not failing. */
static void forget_recreated(struct fuzz *z)
{
	for (size_t i = 0; i < z->s.n; i++)
		if (z->s.g[i].domid != z->domid[i]) {
			memset(z->lines[i], 0, sizeof(z->lines[i]));
			z->domid[i] = z->s.g[i].domid;
		}
}

/* Run rounds rounds on one host; its violations are added to z's. */
static void run_world(struct fuzz *z, bool roomy, bool fluid, unsigned long long rounds)
{
	build_world(z, roomy, fluid);
	memset(z->domid, 0, sizeof(z->domid));
	memset(z->failing_since, 0, sizeof(z->failing_since));
	for (unsigned long long r = 0; r < rounds; r++, z->round++) {
		uint64_t failures_before[SIM_MAX];
		stir(z);
		for (size_t i = 0; i < z->s.n; i++)
			failures_before[i] = z->s.g[i].failures;
		forget_recreated(z);
		uint64_t now = z->s.now;
		sim_round(&z->s);
		check_bounds(z);
		check_starving(z, failures_before);
		check_lines(z, now);
	}
}

/* Run rounds rounds from seed, a quarter on each host under each policy: the number of violations (and the summary line). */
unsigned long long fuzz_run(unsigned long long rounds, unsigned long long seed)
{
	static struct fuzz z;
	memset(&z, 0, sizeof(z));
	the_fuzz = &z;
	z.rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	printf("# fuzz: %llu rounds from seed %llu\n", rounds, seed);
	for (int world = 0; world < 4; world++)
		run_world(&z, world < 2, world & 1, world < 3 ? rounds / 4 : rounds - 3 * (rounds / 4));
	printf("TIDED_FUZZ rounds %llu violations %llu\n", rounds, z.violations);
	if (z.violations)
		printf("# seed %llu; replay: build/tided-unit-tests fuzz %llu %llu\n", seed, rounds, seed);
	return z.violations;
}

/* The short run of the unit suite: 10^4 rounds from a fixed seed. */
void test_fuzz(void)
{
	CHECK(fuzz_run(10000, 1) == 0, "violations (see above)");
}
