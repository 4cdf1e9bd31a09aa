/* Shared by the unit-test files: CHECK and the test functions of each file. */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>

#define CHECK(cond)                                                                         \
	do {                                                                                \
		if (!(cond)) {                                                              \
			printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			return 1;                                                           \
		}                                                                           \
	} while (0)

#define CHECK_INVARIANTS() CHECK(mem_check() == 0)

/* space_blocks of pfn space, boot_blocks online, the metadata reserve full, the balloon started. */
void unit_boot(unsigned long space_blocks, unsigned long boot_blocks);

int test_balloon_grows_by_hotplug(void);
int test_balloon_hold_stops_every_change(void);
int test_balloon_shrink_for_suspend_keeps_blocks(void);
int test_balloon_shrink_for_suspend_fits_restore(void);
int test_balloon_shrinks_unplug_first(void);
int test_balloon_floor(void);
int test_balloon_backoff_doubles_then_cancels(void);
int test_balloon_half_fulfilled(void);
int test_shortage_grows_then_fails_cheaply(void);
int test_balloon_cycles_leak_nothing(void);
int test_refill_batch_then_partial_block(void);
int test_fragmented_alloc_grows(void);
int test_odd_targets_met_exactly(void);
int test_floor_is_live(void);
int test_idle_at_floor_returns_memory_later(void);
int test_target_above_limit_idles(void);
int test_same_target_rearms_cancelled(void);
int test_refused_unplug_keeps_block(void);
int test_unplug_scan_costs_what_it_returns(void);
int test_grow_scan_costs_what_it_adds(void);
int test_balloon_log_is_rate_limited(void);
int test_pinned_block_unplugs(void);
int test_whole_only_gives_boot_memory(void);
int test_shrinker_drops_to_target_below_used(void);
int test_shrinker_before_allocation_fails(void);
int test_shrinker_that_lies_keeps_the_margin(void);
int test_shrinker_before_growth(void);
int test_shrinker_report_counts_once(void);
int test_virtio_used_as_offered(void);
int test_virtio_used_other_buffer(void);
int test_virtio_wrote_too_much(void);
int test_virtio_needs_reset(void);
int test_virtio_stops_answering(void);

#endif
