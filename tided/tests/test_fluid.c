/*
 * Tests of the fluid policy (fluid.c) over the simulated host, each rule
 * against the conservative policy or against the rule switched off in the
 * same scenario, so that a test tells the two apart: bursts grow at once,
 * freed memory goes back within 3 s, the headroom of all guests together
 * stays within what the host has above its reserve, a guest that loops is
 * not drained every loop, and a liar gains nothing.
 */
#include <stdio.h>
#include <string.h>

#include "../policy.h"
#include "check.h"
#include "tests.h"

static void start(struct sim *s, uint64_t host_kib, bool fluid)
{
	sim_init(s, host_kib);
	if (fluid)
		policy_fluid_params(&s->pol.p);
}

/* A burst guest: a from its boot memory, up by d at c KiB/s from b ms on, held e ms, every f ms. */
static struct sim_guest *add_burst(struct sim *s, const char *name, uint64_t start_ms, uint64_t peak, uint64_t hold_ms,
				   uint64_t period_ms)
{
	struct sim_guest *g = sim_add(s, name, MiB(64), MiB(64), MiB(1200));
	g->used = MiB(6);
	g->demand = demand_cycle;
	g->a = MiB(6), g->b = start_ms, g->c = MiB(200), g->d = peak, g->e = hold_ms, g->f = period_ms;
	return g;
}

/* A burst grows on shortage into its headroom at its own pace, where the conservative grants leave it failing. */
void test_fluid_burst_grows_at_once(void)
{
	uint64_t failures[2] = {0, 0};
	for (int fluid = 0; fluid < 2; fluid++) {
		static struct sim s;
		start(&s, MiB(2048), fluid);
		struct sim_guest *g = add_burst(&s, "burst", s.now + 5000, MiB(700), 100000, 1000000);
		sim_add(&s, "quiet", MiB(128), MiB(64), MiB(512))->used = MiB(40);
		run_rounds(&s, 30);
		CHECK(!s.err[0], "%s: %s", fluid ? "fluid" : "conservative", s.err);
		CHECK(g->used >= MiB(706), "%s: the burst got to %llu MiB", fluid ? "fluid" : "conservative",
		      mib(g->used));
		failures[fluid] = g->failures;
	}
	CHECK(failures[1] == 0, "fluid: %llu failed allocations in the burst", (unsigned long long)failures[1]);
	CHECK(failures[0] > 0, "conservative: no failed allocation either: the test tells nothing apart");
}

/* ms from the guest freeing (at free_ms) until it holds 3/4 of the freed memory less, or 60 s. */
static uint64_t reclaim_ms(struct sim *s, struct sim_guest *g, uint64_t free_ms, uint64_t freed)
{
	while (s->now < free_ms && !s->err[0])
		sim_round(s);
	uint64_t held = g->cur;
	while (g->cur + freed * 3 / 4 > held && s->now < free_ms + 60000 && !s->err[0])
		sim_round(s);
	return s->now - free_ms;
}

/* 700 MiB freed are back with the host within 3 s, where the conservative peak window keeps them 20 s. */
void test_fluid_reclaims_within_3s(void)
{
	uint64_t took[2];
	for (int fluid = 0; fluid < 2; fluid++) {
		static struct sim s;
		start(&s, MiB(2048), fluid);
		uint64_t at = s.now + 2000, ramp = 3500, hold = 10000;
		struct sim_guest *g = add_burst(&s, "burst", at, MiB(700), hold, 1000000);
		took[fluid] = reclaim_ms(&s, g, at + ramp + hold, MiB(700));
		CHECK(!s.err[0], "%s: %s", fluid ? "fluid" : "conservative", s.err);
	}
	CHECK(took[1] <= 3000, "fluid: reclaimed in %llu ms", (unsigned long long)took[1]);
	CHECK(took[0] > 10000, "conservative: reclaimed in %llu ms: the test tells nothing apart",
	      (unsigned long long)took[0]);
}

/* What the guests may still take without tided: Xen's max above what each holds, summed. */
static uint64_t room_of_all(const struct sim *s)
{
	uint64_t room = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->g[i].xen_max > s->g[i].cur)
			room += s->g[i].xen_max - s->g[i].cur;
	return room;
}

/*
 * Four guests bursting at once on a host smaller than their peaks: the room
 * all guests have in Xen's maximums never exceeds what the host has above
 * its reserve, there is headroom while the host has room, none is left
 * near the reserve, and the reserve holds.
 */
void test_fluid_headroom_within_reserve(void)
{
	static struct sim s;
	start(&s, MiB(2048), true);
	static const char *const names[] = {"b0", "b1", "b2", "b3"};
	for (int i = 0; i < 4; i++)
		add_burst(&s, names[i], s.now + 5000, MiB(700), 8000, 30000);
	uint64_t reserve = s.pol.p.reserve_kib;
	for (unsigned r = 0; r < 240 && !s.err[0] && !failed_count(); r++) {
		sim_round(&s);
		uint64_t free_now = sim_host_free(&s), room = room_of_all(&s);
		CHECK(room + reserve <= free_now || room == 0, "round %u: room %llu MiB, host free %llu MiB", r, mib(room),
		      mib(free_now));
		if (r == 6)
			for (size_t i = 0; i < s.n; i++)
				CHECK(s.g[i].xen_max >= s.g[i].target + MiB(128), "%s: no headroom before its burst (max %llu, "
				      "target %llu MiB)", s.g[i].name, mib(s.g[i].xen_max), mib(s.g[i].target));
		if (free_now < reserve + MiB(8))
			CHECK(room <= MiB(8), "round %u: %llu MiB of room with the host at its reserve", r, mib(room));
	}
	CHECK(!s.err[0], "%s", s.err);
	CHECK(s.min_host_free >= reserve, "host free fell to %llu MiB", mib(s.min_host_free));
	CHECK(s.min_host_free < reserve + MiB(64), "the host never came near its reserve (%llu MiB): the test says little",
	      mib(s.min_host_free));
}

/* Random demands summing above the host, 20 seeds: the reserve holds under the fluid policy too. */
void test_fluid_reserve_held(void)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		static struct sim s;
		start(&s, MiB(1400), true);
		struct sim_guest *g[3] = {sim_add(&s, "a", MiB(400), MiB(64), MiB(1024)),
					  sim_add(&s, "b", MiB(400), MiB(64), MiB(1024)),
					  sim_add(&s, "c", MiB(200), MiB(64), MiB(1024))};
		for (int i = 0; i < 3; i++) {
			g[i]->demand = demand_random;
			g[i]->a = MiB(8), g[i]->b = MiB(600 + 150 * i), g[i]->c = 700 * (seed % (3 + i) + 1);
		}
		g[0]->rng = seed;
		run_rounds(&s, 1200);
		CHECK(!s.err[0], "seed %llu: %s", (unsigned long long)seed, s.err);
	}
}

/* Refills (the guest grew by 32 MiB or more in a round) in rounds rounds of a guest looping 400 MiB up and down every 5 s. */
static unsigned refills_of_a_loop(struct policy_params *p, unsigned rounds, uint64_t *delay)
{
	static struct sim s;
	sim_init(&s, MiB(2048));
	s.pol.p = *p;
	struct sim_guest *g = add_burst(&s, "loop", s.now + 2000, MiB(400), 1000, 5000);
	g->c = MiB(400);
	unsigned refills = 0;
	for (unsigned r = 0; r < rounds && !s.err[0]; r++) {
		uint64_t before = g->cur;
		sim_round(&s);
		refills += g->cur >= before + MiB(32);
	}
	CHECK(!s.err[0], "%s", s.err);
	*delay = s.pol.g[0].delay_ms;
	return refills;
}

/* A guest that frees and re-allocates in a loop is drained and refilled a few times, then its delay outlasts the loop. */
void test_fluid_no_thrash(void)
{
	struct policy_params p;
	uint64_t delay, fixed_delay;
	policy_fluid_params(&p);
	unsigned adaptive = refills_of_a_loop(&p, 240, &delay);
	p.reclaim_delay_max_ms = p.reclaim_delay_ms;
	unsigned fixed = refills_of_a_loop(&p, 240, &fixed_delay);
	CHECK(adaptive <= 8, "refilled %u times in 120 s (delay now %llu ms)", adaptive, (unsigned long long)delay);
	CHECK(delay >= 4000, "its delay is %llu ms, shorter than its 3 s idle phase", (unsigned long long)delay);
	CHECK(fixed >= 20, "with a fixed delay it was refilled only %u times: the test tells nothing apart", fixed);
}

/*
 * A liar (nothing free, its waits growing, while its floor says it uses
 * little) beside a bursting guest: it never has headroom, and holds no more
 * than under the conservative policy.
 */
void test_fluid_liar_gains_nothing(void)
{
	uint64_t most[2] = {0, 0};
	for (int fluid = 0; fluid < 2; fluid++) {
		static struct sim s;
		start(&s, MiB(1500), fluid);
		struct sim_guest *liar = sim_add(&s, "liar", MiB(256), MiB(64), MiB(1200));
		liar->report = REPORT_LIE;
		add_burst(&s, "burst", s.now + 3000, MiB(700), 5000, 20000);
		for (unsigned r = 0; r < 240 && !s.err[0] && !failed_count(); r++) {
			sim_round(&s);
			most[fluid] = liar->cur > most[fluid] ? liar->cur : most[fluid];
			if (fluid)
				CHECK(liar->xen_max <= liar->target + MiB(1), "round %u: the liar has %llu MiB of headroom", r,
				      mib(liar->xen_max - liar->target));
		}
		CHECK(!s.err[0], "%s", s.err);
	}
	CHECK(most[1] <= most[0], "the liar held %llu MiB (fluid) against %llu MiB (conservative)", mib(most[1]),
	      mib(most[0]));
}
