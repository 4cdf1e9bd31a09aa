/*
 * Tests of tided's policy when guests compete and operators step in (issue
 * 16): an outside memory/target, fair sharing under contention whoever
 * reports first, spare memory for a failing guest, liars held to a fair
 * share and taken back, a restart that keeps the pace, a floor that moves.
 */
#include <stdio.h>
#include <string.h>

#include "../policy.h"
#include "check.h"
#include "tests.h"

/* Notes given for a guest by the last round, with "outside" in them. */
static bool noted_outside(const struct sim *s, size_t i) { return strstr(s->out[i].note, "outside") != NULL; }

/*
 * xl mem-set by hand (memory/target and Xen's max, as libxl writes them) on
 * a guest tided manages: tided takes it back in its next round with one
 * note, and the guest, which followed the outside target, is never marked
 * uncooperative: neither below its min (180 < 256) nor above (400).
 */
void test_operator_target_taken_back(void)
{
	static struct sim s;
	sim_init(&s, MiB(1000));
	struct sim_guest *g = sim_add(&s, "g", MiB(256), MiB(256), MiB(512));
	g->used = MiB(100);
	run_rounds(&s, 10);
	static const unsigned outside[] = {180, 400};
	for (size_t k = 0; k < 2; k++) {
		g->target = MiB(outside[k]);
		g->xen_max = MiB(outside[k]) + MiB(1);
		unsigned notes = 0, marked = 0;
		uint64_t back_at = 0;
		for (unsigned r = 0; r < 40; r++) {
			sim_round(&s);
			notes += noted_outside(&s, 0);
			marked += g->marked;
			if (!back_at && g->target == MiB(256))
				back_at = r + 1;
		}
		CHECK(back_at == 1, "xl mem-set %u: target back to 256 MiB after %llu rounds (now %llu MiB)", outside[k],
		      (unsigned long long)back_at, mib(g->target));
		CHECK(notes == 1, "xl mem-set %u: %u notes", outside[k], notes);
		CHECK(!marked, "xl mem-set %u: marked uncooperative in %u rounds", outside[k], marked);
		CHECK(g->cur == MiB(256) && g->xen_max == MiB(257), "xl mem-set %u: holds %llu MiB, Xen max %llu",
		      outside[k], mib(g->cur), mib(g->xen_max));
	}
	CHECK(!s.err[0], "%s", s.err);
}

/* Eight guests on a nearly full host: four steady ones with some free memory, four bursting at once. */
static void contention_host(struct sim *s, struct sim_guest **burst)
{
	sim_init(s, MiB(2000) + MiB(64) + MiB(300));
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "s%d", i + 1);
		struct sim_guest *g = sim_add(s, name, MiB(300), MiB(128), MiB(1024));
		g->used = MiB(231); /* 69 MiB free: 23 %, not idle */
	}
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "b%d", i + 1);
		struct sim_guest *g = burst[i] = sim_add(s, name, MiB(200), MiB(128), MiB(1024));
		g->used = MiB(150);
		g->demand = demand_burst, g->a = MiB(150), g->b = s->now + 2000, g->c = MiB(40), g->d = MiB(400);
	}
	burst[3]->report_lag = true; /* its reports reach tided a round after the others' */
}

/*
 * Sharing under pressure does not depend on who reported first: with four
 * guests bursting at once on a nearly full host and one of them reporting a
 * round late, the late one is given memory in the round tided first sees
 * its pressure although the others took what the host had, its share over
 * the burst is close to the others', and the steady guests give some of
 * their spare memory to the failing ones although they are not idle.
 */
void test_late_report_shares_fairly(void)
{
	static struct sim s;
	struct sim_guest *b[4];
	contention_host(&s, b);
	uint64_t first_pressure = 0, first_grant = 0, start = s.now;
	for (unsigned r = 0; r < 40 && !s.err[0]; r++) {
		sim_round(&s);
		if (!first_pressure && s.out[7].cls == CLASS_PRESSURED)
			first_pressure = s.now;
		if (!first_grant && b[3]->target > MiB(200))
			first_grant = s.now;
	}
	CHECK(!s.err[0], "%s", s.err);
	CHECK(first_pressure && first_grant && first_grant <= first_pressure + 500,
	      "b4 first pressured at +%llu ms, first given memory at +%llu ms", (unsigned long long)(first_pressure - start),
	      (unsigned long long)(first_grant ? first_grant - start : 0));
	uint64_t got[4], others = 0, steady_gave = 0;
	for (int i = 0; i < 4; i++) {
		got[i] = b[i]->cur - MiB(200);
		if (i < 3)
			others += got[i];
		steady_gave += MiB(300) - s.g[i].target;
	}
	CHECK(got[3] * 3 * 10 >= others * 8, "b4 got %llu MiB, the others %llu, %llu, %llu", mib(got[3]), mib(got[0]),
	      mib(got[1]), mib(got[2]));
	CHECK(steady_gave >= MiB(32), "the steady guests gave %llu MiB of their spare memory", mib(steady_gave));
	for (int i = 0; i < 4; i++)
		CHECK(s.g[i].target >= MiB(250), "%s was taken to %llu MiB", s.g[i].name, mib(s.g[i].target));
}

/* A liar (nothing free, ever more waits) beside an honest guest that bursts; both boot at once. */
static void liar_beside_burst(struct sim *s, bool liar_has_floor, uint64_t liar_boot, uint64_t burst_after_ms,
			      struct sim_guest **liar, struct sim_guest **honest)
{
	sim_init(s, MiB(1450));
	*liar = sim_add(s, "liar", liar_boot, MiB(64), MiB(1024));
	*honest = sim_add(s, "honest", MiB(128), MiB(128), MiB(1024));
	(*liar)->report = REPORT_LIE;
	(*liar)->floor_zero = !liar_has_floor;
	(*liar)->used = MiB(6);
	struct sim_guest *h = *honest;
	h->used = MiB(20);
	h->demand = demand_burst, h->a = MiB(20), h->b = s->now + burst_after_ms, h->c = MiB(40), h->d = MiB(560);
}

/* Rounds in which the guest's allocations failed. */
static unsigned failing_rounds(struct sim *s, struct sim_guest *g, unsigned rounds, uint64_t *liar_top,
			       const struct sim_guest *liar)
{
	unsigned failing = 0;
	for (unsigned r = 0; r < rounds && !s->err[0]; r++) {
		uint64_t before = g->failures;
		sim_round(s);
		failing += g->failures != before;
		if (liar->cur > *liar_top)
			*liar_top = liar->cur;
	}
	return failing;
}

/*
 * A liar that reports no floor (as a guest did before its first shrink)
 * cannot be told from an honest guest under pressure: while the honest
 * guest competes, the liar gets no more than its fair share (half of what
 * the two hold plus what the host has), and the honest burst is served.
 */
void test_liar_held_to_fair_share(void)
{
	static struct sim s;
	struct sim_guest *liar, *honest;
	liar_beside_burst(&s, false, MiB(64), 1000, &liar, &honest);
	uint64_t top = 0;
	unsigned failing = failing_rounds(&s, honest, 60, &top, liar);
	CHECK(!s.err[0], "%s", s.err);
	CHECK(honest->used == MiB(580), "the honest guest got to %llu MiB used of 580", mib(honest->used));
	CHECK(failing <= 2, "the honest guest failed allocations in %u rounds", failing);
	CHECK(top <= MiB(1450 - 64) / 2 + MiB(2), "the liar held up to %llu MiB", mib(top));
}

/*
 * A liar that reports its floor is caught: it says it uses everything while
 * its floor says it uses 6 MiB. Memory it took before anyone else needed it
 * is taken back, and an honest guest that bursts later is served.
 */
void test_liar_taken_back(void)
{
	static struct sim s;
	struct sim_guest *liar, *honest;
	liar_beside_burst(&s, true, MiB(1024), 5000, &liar, &honest);
	uint64_t top = 0;
	unsigned failing = failing_rounds(&s, honest, 60, &top, liar);
	CHECK(!s.err[0], "%s", s.err);
	CHECK(honest->used == MiB(580), "the honest guest got to %llu MiB used of 580", mib(honest->used));
	CHECK(failing <= 2, "the honest guest failed allocations in %u rounds", failing);
	CHECK(liar->target < MiB(700), "the liar still has a target of %llu MiB", mib(liar->target));
	CHECK(!s.out[0].credible, "the liar's report passes for credible");
}

/* Hides a guest's droppable report, as if it counted its cache as use. */
static void hide_droppable(struct sim *s, struct sim_guest *g, struct guest_facts *f)
{
	(void)s, (void)g;
	f->droppable.valid = false;
}

/*
 * A guest whose application keeps a 900 MiB cache its shrinkers can drop
 * reports it as droppable: tided counts it as free, not as use, so the
 * guest stays credible, its idle memory is taken back (it drops its cache
 * as its target falls), and a burst beside it is served. With the same
 * cache counted as use, its use is far above its floor (which leaves the
 * cache out) and its report is not credible.
 */
void test_cache_counts_as_free(void)
{
	for (int hidden = 0; hidden <= 1; hidden++) {
		static struct sim s;
		sim_init(&s, MiB(1400));
		struct sim_guest *c = sim_add(&s, "cache", MiB(1024), MiB(64), MiB(1024));
		c->used = MiB(20), c->cache = MiB(900);
		c->mangle = hidden ? hide_droppable : NULL;
		struct sim_guest *b = sim_add(&s, "burst", MiB(128), MiB(64), MiB(1024));
		b->used = MiB(20);
		b->demand = demand_burst, b->a = MiB(20), b->b = s.now + 30000, b->c = MiB(40), b->d = MiB(580);
		sim_round(&s);
		bool credible = s.out[0].credible;
		if (hidden) {
			CHECK(!credible, "a 900 MiB cache counted as use passes for credible");
			continue;
		}
		CHECK(credible, "the cache guest's report is not credible");
		uint64_t top = 0;
		unsigned failing = failing_rounds(&s, b, 120, &top, c);
		CHECK(!s.err[0], "%s", s.err);
		CHECK(s.out[0].credible, "the cache guest's report stopped being credible");
		CHECK(b->used == MiB(600), "the burst got to %llu MiB used of 600", mib(b->used));
		CHECK(failing <= 2, "the burst failed allocations in %u rounds", failing);
		CHECK(c->cur < MiB(800) && c->cache < MiB(800), "the cache guest holds %llu MiB, its cache %llu MiB",
		      mib(c->cur), mib(c->cache));
		CHECK(c->failures == 0, "the cache guest's own allocations failed %llu times",
		      (unsigned long long)c->failures);
	}
}

/*
 * tided killed during a burst, one round after it gave the guest memory,
 * and started again 2 s later, when the guest has less than the 2 s runway
 * left: with the state it kept in xenstore (the pace of the guest's use)
 * the new tided gives in its first round; without it (as before), it had
 * to see two reports and wait a move period first.
 */
void test_restart_keeps_pace(void)
{
	for (int keep = 1; keep >= 0; keep--) {
		static struct sim s;
		sim_init(&s, MiB(1400));
		struct sim_guest *g = sim_add(&s, "g", MiB(128), MiB(128), MiB(1024));
		g->used = MiB(20);
		g->demand = demand_burst, g->a = MiB(20), g->b = s.now + 1000, g->c = MiB(40), g->d = MiB(600);
		uint64_t before;
		do {
			before = g->target;
			sim_round(&s);
		} while (g->target == before || g->target < MiB(300));
		sim_round(&s);
		for (int r = 0; r < 4; r++)
			sim_round_without_tided(&s);
		if (!keep)
			g->saved[0] = '\0';
		policy_init(&s.pol, NULL);
		before = g->target;
		uint64_t free = g->cur - g->used;
		sim_round(&s);
		bool gave = g->target > before;
		CHECK(free < MiB(80), "kept %d: %llu MiB free at the restart: more than 2 s at 40 MiB/s", keep, mib(free));
		CHECK(gave == (keep == 1), "kept %d: %s in the first round after the restart", keep,
		      gave ? "given memory" : "nothing given");
		run_rounds(&s, 30);
		CHECK(!keep || g->failures == 0, "%llu failed allocations", (unsigned long long)g->failures);
		CHECK(!s.err[0], "%s", s.err);
	}
}

/* Use a, except d from b ms until c ms. */
static uint64_t demand_spike(const struct sim_guest *g, uint64_t t) { return t >= g->b && t < g->c ? g->d : g->a; }

/*
 * The floor is live (tide/floor.h, reported with every report): a guest
 * whose use spikes just as tided takes its idle memory back stops at its
 * floor, and tided settles there; when its use drops again, so does its
 * floor, and tided takes the memory back down (not stuck at the high floor).
 */
void test_floor_spike_during_reclaim(void)
{
	static struct sim s;
	sim_init(&s, MiB(1400));
	struct sim_guest *g = sim_add(&s, "g", MiB(600), MiB(64), MiB(1024));
	g->used = MiB(10);
	for (unsigned r = 0; r < 100 && g->target > MiB(344); r++)
		sim_round(&s);
	/* the next round asks for less than 344 MiB; the spike comes as the guest shrinks */
	g->demand = demand_spike, g->a = MiB(10), g->b = s.now, g->c = s.now + 10000, g->d = MiB(300);
	sim_round(&s);
	uint64_t spike_floor = MiB(300) + MiB(300) / 8;
	CHECK(g->target < spike_floor && g->cur >= spike_floor && g->cur <= spike_floor + MiB(2),
	      "asked for %llu MiB during the spike, holds %llu (floor %llu)", mib(g->target), mib(g->cur),
	      mib(spike_floor));
	run_rounds(&s, 19);
	CHECK(g->cur >= spike_floor && g->target >= spike_floor && g->target <= spike_floor + MiB(16),
	      "while the spike lasts: holds %llu MiB, target %llu", mib(g->cur), mib(g->target));
	CHECK(!g->marked, "marked uncooperative at its floor");
	run_rounds(&s, 120);
	CHECK(g->target <= MiB(100) && g->cur <= MiB(101), "60 s after the spike: target %llu MiB, holds %llu",
	      mib(g->target), mib(g->cur));
	CHECK(!s.err[0], "%s", s.err);
}
