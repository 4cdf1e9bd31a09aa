/*
 * Tests of tided's policy over a simulated host (sim.c): the reserve, the
 * bounds, stability, bursts, free-first-then-give, uncooperative guests,
 * liars and nonsense, restarts, guests coming and going, determinism.
 */
#include <stdio.h>
#include <string.h>

#include "../policy.h"
#include "check.h"
#include "tests.h"

/* Three guests whose combined demand is above the host's memory; the host reserve holds. */
void test_reserve_held(void)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		static struct sim s;
		sim_init(&s, MiB(1400));
		struct sim_guest *a = sim_add(&s, "a", MiB(400), MiB(64), MiB(1024));
		struct sim_guest *b = sim_add(&s, "b", MiB(400), MiB(64), MiB(1024));
		struct sim_guest *c = sim_add(&s, "c", MiB(200), MiB(64), MiB(1024));
		a->demand = b->demand = c->demand = demand_random;
		a->a = MiB(8), a->b = MiB(700), a->c = 1000 * (seed % 7 + 1);
		b->a = MiB(8), b->b = MiB(600), b->c = 1500 * (seed % 5 + 1);
		c->a = MiB(8), c->b = MiB(900), c->c = 700 * (seed % 3 + 1);
		a->rng = seed;
		run_rounds(&s, 1200);
		CHECK(!s.err[0], "seed %llu: %s", (unsigned long long)seed, s.err);
		CHECK(s.min_host_free >= s.pol.p.reserve_kib, "seed %llu: host free fell to %llu MiB",
		      (unsigned long long)seed, mib(s.min_host_free));
	}
}

/* Targets and Xen's maximums stay within each guest's bounds, whatever the workloads do. */
void test_bounds_held(void)
{
	static struct sim s;
	sim_init(&s, MiB(3000));
	struct sim_guest *a = sim_add(&s, "a", MiB(128), MiB(96), MiB(256));
	struct sim_guest *b = sim_add(&s, "b", MiB(300), MiB(200), MiB(400));
	struct sim_guest *c = sim_add(&s, "c", MiB(64), MiB(64), MiB(2000));
	a->demand = demand_wave, a->a = MiB(4), a->b = MiB(600), a->c = 7000;  /* wants above its max */
	b->demand = demand_wave, b->a = MiB(4), b->b = MiB(300), b->c = 5000;  /* and below its min */
	c->demand = demand_random, c->a = MiB(4), c->b = MiB(1500), c->c = 3000;
	for (unsigned i = 0; i < 1200 && !s.err[0]; i++) {
		sim_round(&s);
		for (size_t j = 0; j < s.n; j++) {
			struct sim_guest *g = &s.g[j];
			CHECK(g->target >= g->min && g->target <= g->max, "round %u: %s target %llu MiB outside [%llu, %llu]",
			      i, g->name, mib(g->target), mib(g->min), mib(g->max));
			CHECK(g->xen_max <= g->max + MiB(1), "round %u: %s Xen max %llu MiB above max %llu", i, g->name,
			      mib(g->xen_max), mib(g->max));
		}
		if (failed_count())
			break;
	}
	CHECK(!s.err[0], "%s", s.err);
	/* a bound changed at run time (tidectl set) is applied */
	a->max = MiB(160);
	a->demand = NULL;
	a->used = MiB(140); /* its floor, 140 + 140 / 8, is below 160 */
	run_rounds(&s, 4);
	CHECK(a->target <= MiB(160) && a->cur <= MiB(161), "a: target %llu MiB, holds %llu after max=160",
	      mib(a->target), mib(a->cur));
	b->demand = NULL;
	b->used = MiB(20);
	b->min = MiB(380);
	run_rounds(&s, 4);
	CHECK(b->target >= MiB(380), "b: target %llu MiB after min=380", mib(b->target));
}

/* Steady workloads converge and then nothing moves; nothing ever reverses within 5 s. */
void test_no_oscillation(void)
{
	static struct sim s;
	sim_init(&s, MiB(1500));
	struct sim_guest *g[4];
	g[0] = sim_add(&s, "idle", MiB(512), MiB(64), MiB(1024));
	g[1] = sim_add(&s, "steady", MiB(128), MiB(64), MiB(1024));
	g[2] = sim_add(&s, "busy", MiB(64), MiB(64), MiB(1024));
	g[3] = sim_add(&s, "edge", MiB(200), MiB(64), MiB(1024));
	g[0]->used = MiB(10);
	g[1]->used = MiB(100);
	g[2]->used = MiB(60); /* under pressure: under 10 % free */
	/* hovering around the thresholds: used wanders between 70 % and 95 % of 200 MiB */
	g[3]->demand = demand_wave, g[3]->a = MiB(140), g[3]->b = MiB(50), g[3]->c = 3000;
	uint64_t last_change[4] = {0}, changes_after_settle = 0;
	int last_dir[4] = {0};
	for (unsigned r = 0; r < 600 && !s.err[0]; r++) {
		uint64_t before[4];
		for (int i = 0; i < 4; i++)
			before[i] = g[i]->target;
		sim_round(&s);
		for (int i = 0; i < 4; i++) {
			if (g[i]->target == before[i])
				continue;
			int dir = g[i]->target > before[i] ? 1 : -1;
			uint64_t t = s.now;
			CHECK(!(last_dir[i] == -dir && t - last_change[i] < 5000),
			      "%s reversed %llu ms after its last move", g[i]->name,
			      (unsigned long long)(t - last_change[i]));
			last_dir[i] = dir;
			last_change[i] = t;
			if (r >= 120 && i < 3)
				changes_after_settle++;
		}
	}
	CHECK(!s.err[0], "%s", s.err);
	CHECK(changes_after_settle == 0, "%llu moves of steady guests after 60 s",
	      (unsigned long long)changes_after_settle);
	/* the idle one gave memory back, the pressured one got some */
	CHECK(g[0]->target < MiB(100), "idle guest still at %llu MiB", mib(g[0]->target));
	CHECK(g[2]->cur > MiB(64) && (g[2]->cur - g[2]->used) * 10 >= g[2]->cur,
	      "busy guest at %llu MiB with %llu MiB used", mib(g[2]->cur), mib(g[2]->used));
	/* the edge guest moved, but not at every round */
	unsigned moves = s.target_changes;
	CHECK(moves < 200, "%u target changes in 600 rounds", moves);
}

/* A burst far above a guest's boot memory is served from idle guests without a failed allocation. */
void test_burst_served_from_idle(void)
{
	static struct sim s;
	sim_init(&s, MiB(1480));
	struct sim_guest *a = sim_add(&s, "idle1", MiB(400), MiB(64), MiB(512));
	struct sim_guest *b = sim_add(&s, "idle2", MiB(400), MiB(64), MiB(512));
	struct sim_guest *c = sim_add(&s, "burst", MiB(64), MiB(64), MiB(1200));
	a->used = b->used = MiB(6);
	c->demand = demand_burst, c->a = MiB(6), c->b = s.now + 3000, c->c = MiB(100), c->d = MiB(900);
	run_rounds(&s, 80);
	CHECK(!s.err[0], "%s", s.err);
	CHECK(c->used >= MiB(906), "burst got to %llu MiB used", mib(c->used));
	CHECK(c->failures == 0, "burst had %llu failed allocations", (unsigned long long)c->failures);
	CHECK(c->failures_while_idle_elsewhere == 0, "%llu failures while another guest idled above its min",
	      (unsigned long long)c->failures_while_idle_elsewhere);
	/* the same burst with no pacing can fail, but never while others idle above their min */
	sim_init(&s, MiB(1480));
	a = sim_add(&s, "idle1", MiB(400), MiB(64), MiB(512));
	b = sim_add(&s, "idle2", MiB(400), MiB(64), MiB(512));
	c = sim_add(&s, "burst", MiB(64), MiB(64), MiB(1200));
	a->used = b->used = MiB(6);
	c->demand = demand_burst, c->a = MiB(6), c->b = s.now, c->c = MiB(100000), c->d = MiB(1100);
	run_rounds(&s, 80);
	CHECK(!s.err[0], "%s", s.err);
	CHECK(c->used >= MiB(1100) - MiB(8) || a->cur <= MiB(70) || b->cur <= MiB(70),
	      "burst stuck at %llu MiB while idle guests hold %llu and %llu MiB", mib(c->used), mib(a->cur),
	      mib(b->cur));
}

/* Free first, then give: memory an idle guest is asked to give back is handed out only once it is gone. */
void test_free_first_then_give(void)
{
	static struct sim s;
	sim_init(&s, MiB(600) + MiB(64)); /* host free = the reserve exactly */
	struct sim_guest *idle = sim_add(&s, "idle", MiB(400), MiB(64), MiB(512));
	struct sim_guest *busy = sim_add(&s, "busy", MiB(200), MiB(64), MiB(512));
	idle->used = MiB(6);
	busy->used = MiB(195);
	idle->ignore_targets = true; /* asked, but gives nothing back */
	run_rounds(&s, 10);
	CHECK(!s.err[0], "%s", s.err);
	CHECK(idle->target < MiB(400), "idle guest never asked to shrink");
	CHECK(busy->target == MiB(200), "busy guest given %llu MiB the idle guest never gave back",
	      mib(busy->target - MiB(200)));
	idle->ignore_targets = false;
	idle->seen_target = 0; /* it reads its target again */
	run_rounds(&s, 10);
	CHECK(busy->target > MiB(200), "busy guest still at %llu MiB after the idle one shrank", mib(busy->target));
	CHECK(!s.err[0], "%s", s.err);
}

/* Two guests bursting at once, with less on the host than both need, share it evenly. */
void test_shared_fairly(void)
{
	static struct sim s;
	sim_init(&s, MiB(200) + MiB(64) + MiB(100));
	struct sim_guest *a = sim_add(&s, "a", MiB(100), MiB(64), MiB(1024));
	struct sim_guest *b = sim_add(&s, "b", MiB(100), MiB(64), MiB(1024));
	a->used = b->used = MiB(60);
	a->demand = b->demand = demand_burst;
	a->a = b->a = MiB(60), a->b = b->b = s.now + 1000, a->c = b->c = MiB(60), a->d = b->d = MiB(400);
	run_rounds(&s, 12);
	CHECK(!s.err[0], "%s", s.err);
	uint64_t ga = a->target - MiB(100), gb = b->target - MiB(100);
	CHECK(ga + gb <= MiB(100) && ga + gb >= MiB(90), "gave %llu + %llu MiB of 100", mib(ga), mib(gb));
	CHECK(ga >= MiB(44) && gb >= MiB(44), "unfair: %llu and %llu MiB", mib(ga), mib(gb));
}

/* A guest that ignores its targets is marked uncooperative, not counted on, and cleared when it complies. */
void test_uncooperative_detected(void)
{
	static struct sim s;
	sim_init(&s, MiB(1000));
	struct sim_guest *u = sim_add(&s, "u", MiB(400), MiB(64), MiB(512));
	struct sim_guest *p = sim_add(&s, "p", MiB(100), MiB(64), MiB(512));
	u->used = MiB(6);
	u->ignore_targets = true;
	p->used = MiB(40);
	unsigned asked = 0, marked = 0;
	for (unsigned r = 0; r < 60 && !marked; r++) {
		sim_round(&s);
		if (!asked && u->target < MiB(400))
			asked = r;
		if (u->marked)
			marked = r;
	}
	CHECK(asked, "never asked to shrink");
	CHECK(marked, "never marked uncooperative");
	CHECK(marked - asked <= 22, "marked %u rounds after the target change", marked - asked);
	CHECK(u->xen_max <= MiB(400) + MiB(1), "Xen max %llu MiB: it may still grow", mib(u->xen_max));
	/* no memory for it while marked, even under pressure */
	u->used = MiB(399);
	uint64_t t = u->target;
	run_rounds(&s, 20);
	CHECK(u->target <= t, "uncooperative guest given memory: %llu -> %llu MiB", mib(t), mib(u->target));
	CHECK(u->marked, "mark lost");
	/* it complies: the mark clears */
	u->used = MiB(6);
	u->ignore_targets = false;
	u->seen_target = 0;
	run_rounds(&s, 4);
	CHECK(!u->marked, "still marked after reaching its target (holds %llu, target %llu MiB)", mib(u->cur),
	      mib(u->target));
	CHECK(!s.err[0], "%s", s.err);
}

/* A guest that lies (nothing free, absurd alloc_waits) gets no more than its max. */
void test_liar_bounded(void)
{
	static struct sim s;
	sim_init(&s, MiB(1400));
	struct sim_guest *liar = sim_add(&s, "liar", MiB(64), MiB(64), MiB(256));
	struct sim_guest *a = sim_add(&s, "a", MiB(300), MiB(128), MiB(512));
	struct sim_guest *b = sim_add(&s, "b", MiB(300), MiB(128), MiB(512));
	liar->report = REPORT_LIE;
	a->used = b->used = MiB(20);
	run_rounds(&s, 120);
	CHECK(!s.err[0], "%s", s.err);
	CHECK(liar->target <= MiB(256) && liar->cur <= MiB(257), "liar: target %llu, holds %llu MiB",
	      mib(liar->target), mib(liar->cur));
	CHECK(a->target >= MiB(128) && b->target >= MiB(128), "others pushed below min: %llu, %llu MiB",
	      mib(a->target), mib(b->target));
}

/* Nonsense reports (negative, huge, wildly changing, missing) move nobody outside their bounds, and an
 * honest neighbour fares as well as beside guests that report nothing at all. */
static void nonsense_run(struct sim *s, enum sim_report mode)
{
	sim_init(s, MiB(1200));
	struct sim_guest *n1 = sim_add(s, "n1", MiB(128), MiB(96), MiB(300));
	struct sim_guest *n2 = sim_add(s, "n2", MiB(128), MiB(96), MiB(300));
	struct sim_guest *ok = sim_add(s, "ok", MiB(300), MiB(200), MiB(800));
	n1->report = mode;
	n2->report = REPORT_NONE;
	ok->used = MiB(100);
	ok->demand = demand_wave, ok->a = MiB(100), ok->b = MiB(600), ok->c = 8000, ok->d = s->now;
	for (unsigned r = 0; r < 800 && !s->err[0]; r++) {
		sim_round(s);
		CHECK(n1->target >= MiB(96) && n1->target <= MiB(300), "n1 target %llu MiB", mib(n1->target));
		CHECK(n2->target == MiB(128), "n2 (no reports) moved to %llu MiB", mib(n2->target));
		CHECK(ok->target >= MiB(200), "ok pushed to %llu MiB", mib(ok->target));
		if (failed_count())
			break;
	}
	CHECK(!s->err[0], "%s", s->err);
}

void test_nonsense_reports(void)
{
	static struct sim with, without;
	nonsense_run(&with, REPORT_NONSENSE);
	nonsense_run(&without, REPORT_NONE);
	CHECK(with.g[2].failures <= without.g[2].failures,
	      "the honest guest failed %llu allocations beside nonsense, %llu beside silence",
	      (unsigned long long)with.g[2].failures, (unsigned long long)without.g[2].failures);
	CHECK(without.g[2].failures == 0, "the honest guest failed %llu allocations",
	      (unsigned long long)without.g[2].failures);
}

/* A restarted tided (a fresh policy) rebuilds from what xenstore and Xen say: no jumps, marks kept. */
void test_restart_rebuilds(void)
{
	static struct sim s;
	sim_init(&s, MiB(1400));
	struct sim_guest *a = sim_add(&s, "a", MiB(400), MiB(64), MiB(512));
	struct sim_guest *b = sim_add(&s, "b", MiB(100), MiB(64), MiB(1024));
	struct sim_guest *u = sim_add(&s, "u", MiB(300), MiB(64), MiB(512));
	a->used = MiB(10);
	b->demand = demand_burst, b->a = MiB(10), b->b = s.now + 2000, b->c = MiB(50), b->d = MiB(300);
	u->used = MiB(10);
	u->ignore_targets = true;
	run_rounds(&s, 60);
	CHECK(u->marked, "u not marked before the restart");
	uint64_t targets[3] = {a->target, b->target, u->target};
	/* restart: new policy state, same xenstore and Xen */
	policy_init(&s.pol, NULL);
	sim_round(&s);
	CHECK(a->target == targets[0] && b->target == targets[1] && u->target == targets[2],
	      "targets moved at the first round after a restart: %llu/%llu/%llu -> %llu/%llu/%llu MiB",
	      mib(targets[0]), mib(targets[1]), mib(targets[2]), mib(a->target), mib(b->target), mib(u->target));
	CHECK(u->marked && s.out[2].uncooperative, "uncooperative mark lost in the restart");
	run_rounds(&s, 60);
	CHECK(u->marked, "uncooperative mark lost after the restart");
	CHECK(b->used == MiB(310) && b->failures == 0, "burst after restart: used %llu MiB, %llu failures",
	      mib(b->used), (unsigned long long)b->failures);
	CHECK(!s.err[0], "%s", s.err);
}

/* Guests that appear and disappear are picked up; a departed guest's memory goes to the others. */
void test_appear_disappear(void)
{
	static struct sim s;
	sim_init(&s, MiB(1000));
	struct sim_guest *a = sim_add(&s, "a", MiB(600), MiB(600), MiB(600));
	struct sim_guest *b = sim_add(&s, "b", MiB(200), MiB(64), MiB(800));
	b->used = MiB(195);
	run_rounds(&s, 10);
	CHECK(b->target <= MiB(200) + MiB(136), "b got %llu MiB with the host full", mib(b->target));
	a->present = false; /* destroyed */
	b->demand = demand_burst, b->a = MiB(195), b->b = s.now, b->c = MiB(50), b->d = MiB(500);
	run_rounds(&s, 30);
	CHECK(b->target >= MiB(700) && b->used == MiB(695), "b at %llu MiB (%llu used) after a went",
	      mib(b->target), mib(b->used));
	struct sim_guest *c = sim_add(&s, "c", MiB(64), MiB(64), MiB(128));
	c->used = MiB(62);
	run_rounds(&s, 10);
	CHECK(c->target > MiB(64) || sim_host_free(&s) < MiB(64) + MiB(2), "newcomer c never served");
	CHECK(!s.err[0], "%s", s.err);
	size_t used_slots = 0;
	for (size_t i = 0; i < POLICY_MAX_GUESTS; i++)
		used_slots += s.pol.g[i].used;
	CHECK(used_slots == 2, "%zu policy slots in use for 2 guests", used_slots);
}

/* The same inputs give the same decisions. */
void test_deterministic(void)
{
	static struct sim s1, s2;
	for (int k = 0; k < 2; k++) {
		struct sim *s = k ? &s2 : &s1;
		sim_init(s, MiB(1400));
		struct sim_guest *a = sim_add(s, "a", MiB(400), MiB(64), MiB(1024));
		struct sim_guest *b = sim_add(s, "b", MiB(200), MiB(64), MiB(1024));
		a->demand = b->demand = demand_random;
		a->a = b->a = MiB(8), a->b = MiB(700), b->b = MiB(900), a->c = 2000, b->c = 1300;
		run_rounds(s, 300);
	}
	CHECK(s1.target_changes == s2.target_changes && s1.g[0].cur == s2.g[0].cur && s1.g[1].cur == s2.g[1].cur,
	      "two identical runs differ");
}

