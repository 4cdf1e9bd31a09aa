/* The tests main.c runs, one TAP line each. */
#ifndef TIDED_TESTS_TESTS_H
#define TIDED_TESTS_TESTS_H

void test_reserve_held(void);
void test_bounds_held(void);
void test_no_oscillation(void);
void test_burst_served_from_idle(void);
void test_free_first_then_give(void);
void test_shared_fairly(void);
void test_uncooperative_detected(void);
void test_liar_bounded(void);
void test_nonsense_reports(void);
void test_restart_rebuilds(void);
void test_appear_disappear(void);
void test_deterministic(void);
void test_config_parse(void);
void test_bounds_resolve(void);
void test_no_xen_clear_error(void);
void test_qmp_values(void);
void test_qmp_replies(void);
void test_operator_target_taken_back(void);
void test_late_report_shares_fairly(void);
void test_liar_held_to_fair_share(void);
void test_liar_taken_back(void);
void test_cache_counts_as_free(void);
void test_restart_keeps_pace(void);
void test_floor_spike_during_reclaim(void);
void test_roster_events(void);
void test_reserve_breach_noted_once(void);
void test_saved_state_text(void);
void test_events_format(void);
void test_events_refused(void);
void test_events_wrap(void);
void test_json_strings(void);
void test_fuzz(void);
void test_fluid_burst_grows_at_once(void);
void test_fluid_reclaims_within_3s(void);
void test_fluid_headroom_within_reserve(void);
void test_fluid_reserve_held(void);
void test_fluid_no_thrash(void);
void test_fluid_liar_gains_nothing(void);
/* The fuzz (fuzz.c): rounds from seed, the number of violations. */
unsigned long long fuzz_run(unsigned long long rounds, unsigned long long seed);

#endif
