/*
 * Host unit tests of tided's policy and configuration, over generated guest
 * reports in a simulated host (sim.c). One TAP line per test:
 * "ok - tided/NAME" or "not ok - tided/NAME", with "# " lines saying why.
 *
 *   build/tided-unit-tests [NAME]
 *   build/tided-unit-tests fuzz ROUNDS SEED   the hostile-guest fuzz (fuzz.c), as long as asked
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tests.h"

static int failed_checks;

void fail(const char *fmt, ...)
{
	va_list ap;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed_checks++;
}

int failed_count(void) { return failed_checks; }

void run_rounds(struct sim *s, unsigned rounds)
{
	for (unsigned i = 0; i < rounds && !s->err[0]; i++)
		sim_round(s);
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{"reserve_held", test_reserve_held},
	{"bounds_held", test_bounds_held},
	{"no_oscillation", test_no_oscillation},
	{"burst_served_from_idle", test_burst_served_from_idle},
	{"free_first_then_give", test_free_first_then_give},
	{"shared_fairly", test_shared_fairly},
	{"uncooperative_detected", test_uncooperative_detected},
	{"liar_bounded", test_liar_bounded},
	{"nonsense_reports", test_nonsense_reports},
	{"restart_rebuilds", test_restart_rebuilds},
	{"appear_disappear", test_appear_disappear},
	{"deterministic", test_deterministic},
	{"operator_target_taken_back", test_operator_target_taken_back},
	{"late_report_shares_fairly", test_late_report_shares_fairly},
	{"liar_held_to_fair_share", test_liar_held_to_fair_share},
	{"liar_taken_back", test_liar_taken_back},
	{"cache_counts_as_free", test_cache_counts_as_free},
	{"restart_keeps_pace", test_restart_keeps_pace},
	{"floor_spike_during_reclaim", test_floor_spike_during_reclaim},
	{"roster_events", test_roster_events},
	{"reserve_breach_noted_once", test_reserve_breach_noted_once},
	{"saved_state_text", test_saved_state_text},
	{"events_format", test_events_format},
	{"events_refused", test_events_refused},
	{"events_wrap", test_events_wrap},
	{"json_strings", test_json_strings},
	{"fuzz", test_fuzz},
	{"fluid_burst_grows_at_once", test_fluid_burst_grows_at_once},
	{"fluid_reclaims_within_3s", test_fluid_reclaims_within_3s},
	{"fluid_headroom_within_reserve", test_fluid_headroom_within_reserve},
	{"fluid_reserve_held", test_fluid_reserve_held},
	{"fluid_no_thrash", test_fluid_no_thrash},
	{"fluid_liar_gains_nothing", test_fluid_liar_gains_nothing},
	{"config_parse", test_config_parse},
	{"bounds_resolve", test_bounds_resolve},
	{"no_xen_clear_error", test_no_xen_clear_error},
	{"qmp_values", test_qmp_values},
	{"qmp_replies", test_qmp_replies},
};

/* "fuzz ROUNDS SEED": the exit status of a fuzz run, or -1 if the arguments are not that. */
static int fuzz_command(int argc, char **argv)
{
	char *end1, *end2;
	if (argc != 4 || strcmp(argv[1], "fuzz"))
		return -1;
	unsigned long long rounds = strtoull(argv[2], &end1, 10), seed = strtoull(argv[3], &end2, 10);
	if (*end1 || *end2 || !argv[2][0] || !argv[3][0]) {
		fprintf(stderr, "tided-unit-tests: fuzz ROUNDS SEED: whole numbers\n");
		return 2;
	}
	return fuzz_run(rounds, seed) ? 1 : 0;
}

int main(int argc, char **argv)
{
	int failed = 0, ran = 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	int rc = fuzz_command(argc, argv);
	if (rc >= 0)
		return rc;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (argc > 1 && strcmp(argv[1], tests[i].name))
			continue;
		failed_checks = 0;
		tests[i].fn();
		printf("%s - tided/%s\n", failed_checks ? "not ok" : "ok", tests[i].name);
		failed += failed_checks != 0;
		ran++;
	}
	if (!ran) {
		fprintf(stderr, "tided-unit-tests: no test %s\n", argc > 1 ? argv[1] : "");
		return 2;
	}
	return failed ? 1 : 0;
}
