/*
 * Tests of what tided says once per event (a guest dropped, the host below
 * its reserve, a misbehaving report at a bounded rate) and of the state it
 * keeps for a restart.
 */
#include <stdio.h>
#include <string.h>

#include "../policy.h"
#include "../roster.h"
#include "check.h"
#include "tests.h"

/* Dropped guests and who took the memory, between two rounds' rosters. */
void test_roster_events(void)
{
	static struct roster before, now;
	memset(&before, 0, sizeof(before));
	memset(&now, 0, sizeof(now));
	roster_add(&before, 1, "gone", true, MiB(100));
	roster_add(&before, 2, "quits", true, MiB(100));
	roster_add(&before, 3, "stays", true, MiB(100));
	roster_add(&before, 4, "other", false, MiB(50));
	roster_add(&now, 2, "quits", false, MiB(100));
	roster_add(&now, 3, "stays", true, MiB(120));
	roster_add(&now, 4, "other", false, MiB(400));
	roster_add(&now, 5, "new", false, MiB(200));
	const struct roster_entry *e;
	const char *why;
	size_t pos = 0;
	char seen[128] = "";
	while ((e = roster_next_dropped(&before, &now, &pos, &why)))
		snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s:%s;", e->name, why);
	CHECK(!strcmp(seen, "gone:gone (destroyed, shut down or dying);quits:no longer advertises feature-balloon;"),
	      "dropped: %s", seen);
	pos = 0;
	CHECK(!roster_next_dropped(&now, &now, &pos, &why), "a guest dropped between two identical rounds");
	uint64_t grew;
	e = roster_biggest_growth(&before, &now, &grew);
	CHECK(e && e->domid == 4 && grew == MiB(350), "biggest growth: %s by %llu MiB", e ? e->name : "none", mib(grew));
	CHECK(!roster_biggest_growth(&now, &now, &grew), "growth between two identical rounds");
}

/* Host free falls below the reserve (an outside domain took it): said once, and once when it is back. */
void test_reserve_breach_noted_once(void)
{
	static struct sim s;
	sim_init(&s, MiB(1000));
	struct sim_guest *g = sim_add(&s, "g", MiB(300), MiB(300), MiB(300));
	g->used = MiB(200);
	unsigned below = 0, back = 0;
	uint64_t outside = 0;
	for (unsigned r = 0; r < 40; r++) {
		if (r == 10)
			outside = MiB(700); /* a domain tided does not manage is built */
		if (r == 25)
			outside = 0;
		s.host_total = MiB(1000) - outside;
		sim_round(&s);
		below += s.hd.reserve_changed && s.hd.below_reserve;
		back += s.hd.reserve_changed && !s.hd.below_reserve;
		CHECK(s.hd.below_reserve == (r >= 10 && r < 25), "round %u: below the reserve: %d", r, s.hd.below_reserve);
	}
	CHECK(below == 1 && back == 1, "noted %u times below and %u times back", below, back);
}

/* The saved state reads back as it was written; anything else is refused whole. */
void test_saved_state_text(void)
{
	struct guest_state a, b;
	memset(&a, 0, sizeof(a));
	a.target_kib = MiB(300), a.restore_kib = 0, a.changed_ms = 5000, a.dir = -1, a.gap_ref_kib = 12;
	a.progress_ms = 4000, a.have_counters = true, a.waits = 7, a.failures = 3, a.quiet_ms = 4500;
	a.pressed_ms = 4400, a.have_used = true, a.used_kib = MiB(200), a.used_ms = 5100, a.pace_kib_s = MiB(40);
	a.peak_kib = MiB(210), a.peak_ms = 3000, a.granted_kib = MiB(100), a.granted_ms = 5000, a.starved = true;
	a.cur_kib = MiB(310), a.credible_ms = 5100, a.headroom_kib = MiB(128), a.delay_ms = 4000, a.reclaimed_ms = 4900;
	char text[POLICY_SAVED_MAX];
	policy_state_format(&a, text, sizeof(text));
	memset(&b, 0, sizeof(b));
	CHECK(policy_state_parse(text, 6000, &b) == 0, "refused its own text: %s", text);
	char again[POLICY_SAVED_MAX];
	policy_state_format(&b, again, sizeof(again));
	CHECK(!strcmp(text, again), "round trip: %s -> %s", text, again);
	CHECK(policy_state_parse(text, 5000, &b), "accepted times later than now (another boot)");
	static const char *bad[] = {"", "v2", "v1", "v3", "garbage", "v2 target=1", "v2 target=-5 restore=0",
				    "v2 target=1e3 restore=0"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&b, 0x5a, sizeof(b));
		struct guest_state before = b;
		CHECK(policy_state_parse(bad[i], 6000, &b) && !memcmp(&b, &before, sizeof(b)), "accepted \"%s\"", bad[i]);
	}
	char longer[POLICY_SAVED_MAX + 8];
	snprintf(longer, sizeof(longer), "%s x=1", text);
	CHECK(policy_state_parse(longer, 6000, &b), "accepted a trailing field");
	char *starved = strstr(text, "starved=1");
	CHECK(starved != NULL, "no starved=1 in %s", text);
	starved[8] = '7';
	CHECK(policy_state_parse(text, 6000, &b), "accepted starved=7");
	char old[POLICY_SAVED_MAX];
	policy_state_format(&a, old, sizeof(old));
	old[1] = '1'; /* an older tided's line (v1, without the fluid fields) is refused: the guest is adopted afresh */
	CHECK(policy_state_parse(old, 6000, &b), "accepted a v1 line");
}
