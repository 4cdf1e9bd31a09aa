/*
 * Unit tests of the balloon state machine and the grow/shrink mechanics,
 * against the host platform's simulated hypervisor and clock.
 */
#include <stdio.h>
#include <string.h>

#include <tide/balloon_worker.h>
#include <tide/lib.h>
#include <tide/mem_check.h>
#include <tide/metapool.h>
#include <tide/buddy.h>
#include <tide/platform.h>

#include "host_platform.h"
#include "unit.h"

#define SECOND 1000000000ULL

void unit_boot(unsigned long space_blocks, unsigned long boot_blocks)
{
	host_reset(space_blocks);
	for (unsigned long b = 0; b < boot_blocks; b++)
		host_online_block(b);
	metapool_refill();
	balloon_init();
}

static void boot(unsigned long boot_blocks) { unit_boot(32, boot_blocks); }

int test_balloon_grows_by_hotplug(void)
{
	boot(2);
	balloon_set_target(frames_populated() + 3 * BLOCK_PAGES);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(frames_populated() == balloon_stats()->target_pages);
	CHECK(balloon_stats()->blocks_plugged == 3);
	CHECK(block_state(2) == BLOCK_ONLINE && (block_info(2)->flags & BLOCK_HOTPLUGGED));
	CHECK(frame_state(block_to_pfn(2)) == FRAME_RESERVED);
	CHECK_INVARIANTS();
	return 0;
}

/* Held, the guest changes size neither towards its target nor on shortage; let go, it carries on. */
int test_balloon_hold_stops_every_change(void)
{
	boot(2);
	unsigned long before = frames_populated();
	balloon_set_target(before + 3 * BLOCK_PAGES);
	balloon_hold(true);
	CHECK(balloon_work() == BALLOON_HELD && balloon_state() == BALLOON_HELD);
	CHECK(balloon_next_work_ns() == ~0ULL);
	CHECK(balloon_settle(~0ULL) == BALLOON_HELD);
	CHECK(balloon_on_shortage(BLOCK_PAGES, true) != 0);
	CHECK(balloon_shrink(BLOCK_PAGES) == -EBUSY);
	CHECK(frames_populated() == before && balloon_stats()->blocks_plugged == 0);
	CHECK_INVARIANTS();
	balloon_hold(false);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(frames_populated() == before + 3 * BLOCK_PAGES);
	CHECK_INVARIANTS();
	return 0;
}

/* Before a suspend: down to the target, every hot-added block kept online (its p2m page stays). */
int test_balloon_shrink_for_suspend_keeps_blocks(void)
{
	boot(2);
	unsigned long before = frames_populated();
	balloon_set_target(before + 3 * BLOCK_PAGES);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	balloon_set_target(before);
	balloon_hold(true);
	CHECK(balloon_shrink_for_suspend(~0UL) == 0);
	CHECK(frames_populated() == before && balloon_stats()->blocks_unplugged == 0);
	for (unsigned long b = 2; b < 5; b++)
		CHECK(block_state(b) == BLOCK_ONLINE);
	CHECK(balloon_shrink_for_suspend(~0UL) == 0 && frames_populated() == before);
	CHECK_INVARIANTS();
	balloon_hold(false);
	return 0;
}

/*
 * A guest whose own target is above what a restore would give it (it grew on
 * shortage): it gives back free frames down to the restore's limit; when what
 * it uses cannot fit, it gives back nothing and says so.
 */
int test_balloon_shrink_for_suspend_fits_restore(void)
{
	boot(2);
	unsigned long before = frames_populated();
	balloon_set_target(before + 3 * BLOCK_PAGES); /* as growth on shortage raises it */
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	balloon_hold(true);
	CHECK(balloon_shrink_for_suspend(before + BLOCK_PAGES) == 0);
	CHECK(frames_populated() <= before + BLOCK_PAGES && balloon_stats()->blocks_unplugged == 0);
	CHECK(nr_free_pages() >= BALLOON_LOW_WATERMARK);
	CHECK_INVARIANTS();
	balloon_hold(false);

	void *held[BLOCK_PAGES];
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		CHECK((held[i] = alloc_page()) != NULL);
	unsigned long used = frames_in_state(FRAME_USED) + frames_in_state(FRAME_RESERVED);
	unsigned long now = frames_populated();
	balloon_hold(true);
	CHECK(balloon_shrink_for_suspend(used - 1) == -ENOSPC);
	CHECK(frames_populated() == now);
	CHECK_INVARIANTS();
	balloon_hold(false);
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		free_page(held[i]);
	return 0;
}

int test_balloon_shrinks_unplug_first(void)
{
	boot(4);
	unsigned long boot_pages = frames_populated();
	unsigned long reserved_before = frames_in_state(FRAME_RESERVED);
	balloon_set_target(boot_pages + 2 * BLOCK_PAGES);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK_INVARIANTS();
	/* back to boot size: both hot-added blocks go, with their metadata */
	balloon_set_target(boot_pages);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(balloon_stats()->blocks_unplugged == 2);
	CHECK(block_state(4) == BLOCK_ABSENT && block_state(5) == BLOCK_ABSENT);
	CHECK(frames_in_state(FRAME_RESERVED) == reserved_before);
	CHECK_INVARIANTS();
	/* below boot size: a whole free boot block goes first, the highest one */
	balloon_set_target(boot_pages - BLOCK_PAGES - 10);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(frames_populated() == boot_pages - BLOCK_PAGES - 10);
	CHECK(block_info(3)->nr_populated == 0);
	CHECK(block_state(3) == BLOCK_ONLINE); /* boot blocks stay online, ballooned out */
	CHECK_INVARIANTS();
	/* and growing refills the ballooned-out frames before hot-adding */
	balloon_set_target(boot_pages);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(frames_populated() == boot_pages && balloon_stats()->blocks_plugged == 2);
	CHECK_INVARIANTS();
	return 0;
}

int test_balloon_floor(void)
{
	boot(8);
	void *held[1500];
	for (int i = 0; i < 1500; i++)
		CHECK((held[i] = alloc_page()) != NULL);
	unsigned long used = frames_in_state(FRAME_USED) + frames_in_state(FRAME_RESERVED);
	balloon_set_target(BLOCK_PAGES); /* far below what is used */
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(frames_populated() >= used + BLOCK_PAGES);
	CHECK(frames_populated() == balloon_stats()->floor_pages);
	CHECK_INVARIANTS();
	for (int i = 0; i < 1500; i++)
		free_page(held[i]);
	return 0;
}

int test_balloon_backoff_doubles_then_cancels(void)
{
	boot(2);
	host_set_hypervisor_free(0);
	balloon_set_target(frames_populated() + BLOCK_PAGES);
	uint64_t expect = SECOND;
	for (unsigned i = 1; i < BALLOON_MAX_RETRIES; i++) {
		unsigned long calls = platform_stats()->populate_hypercalls;
		CHECK(balloon_work() == BALLOON_WAITING);
		CHECK(platform_stats()->populate_hypercalls == calls + 1);
		CHECK(balloon_stats()->backoff_ns == expect);
		/* nothing is tried again before the backoff expires */
		host_advance_ns(expect - 1);
		CHECK(balloon_work() == BALLOON_WAITING);
		CHECK(platform_stats()->populate_hypercalls == calls + 1);
		host_advance_ns(1);
		expect = MIN(expect * 2, BALLOON_BACKOFF_MAX_NS);
	}
	CHECK(balloon_work() == BALLOON_CANCELLED);
	CHECK(balloon_stats()->refusals == BALLOON_MAX_RETRIES);
	/* a new target wakes it at once, with the backoff reset */
	host_set_hypervisor_free(BLOCK_PAGES);
	balloon_set_target(frames_populated() + BLOCK_PAGES);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK_INVARIANTS();
	return 0;
}

int test_balloon_half_fulfilled(void)
{
	boot(2);
	unsigned long start = frames_populated();
	host_set_hypervisor_free(700);
	balloon_set_target(start + 2 * BLOCK_PAGES);
	CHECK(balloon_work() == BALLOON_WAITING);
	CHECK(frames_populated() == start + 700); /* it keeps what it got */
	CHECK_INVARIANTS();
	host_set_hypervisor_free(10 * BLOCK_PAGES);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(host_sleeps() >= 1); /* it slept through the backoff rather than spinning */
	CHECK(frames_populated() == start + 2 * BLOCK_PAGES);
	CHECK_INVARIANTS();
	return 0;
}

int test_shortage_grows_then_fails_cheaply(void)
{
	boot(2);
	host_set_max_pages((long)frames_populated() + 4 * BLOCK_PAGES);
	unsigned long got = 0;
	while (alloc_page())
		got++;
	CHECK(balloon_stats()->shortage_grown >= 2);
	CHECK(frames_populated() == 6 * BLOCK_PAGES);
	unsigned long calls = platform_stats()->populate_hypercalls;
	for (int i = 0; i < 1000; i++)
		CHECK(alloc_page() == NULL);
	CHECK(platform_stats()->populate_hypercalls == calls); /* refusals cost nothing during the backoff */
	CHECK(balloon_stats()->shortage_denied >= 1000);
	CHECK_INVARIANTS();
	printf("# %lu pages allocated, %lu populate calls\n", got, calls);
	return 0;
}

int test_balloon_cycles_leak_nothing(void)
{
	boot(2);
	unsigned long base = frames_populated(), meta = host_meta_pages();
	unsigned long reserved = frames_in_state(FRAME_RESERVED);
	for (int i = 0; i < 20; i++) {
		balloon_set_target(base + 10 * BLOCK_PAGES + (unsigned long)i * 37);
		CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
		CHECK_INVARIANTS();
		balloon_set_target(base);
		CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
		CHECK_INVARIANTS();
	}
	CHECK(frames_populated() == base);
	CHECK(host_meta_pages() == meta);
	CHECK(frames_in_state(FRAME_RESERVED) == reserved);
	return 0;
}

/*
 * A refill whose want is exactly the empty blocks it batched, with a partly
 * ballooned block above them: the partial block must not become a refusal.
 */
int test_refill_batch_then_partial_block(void)
{
	boot(6);
	pfn_t held;
	CHECK(buddy_alloc_in_block(5, 0, &held) == 0);
	/* whole blocks 4..1 go, then one single page: the free buddy of the held frame, in block 5 */
	CHECK(balloon_shrink(4 * BLOCK_PAGES + 1) == (long)(4 * BLOCK_PAGES + 1));
	CHECK(block_info(5)->nr_populated == BLOCK_PAGES - 1);
	for (unsigned long b = 1; b <= 4; b++)
		CHECK(block_info(b)->nr_populated == 0);
	CHECK_INVARIANTS();
	balloon_set_target(frames_populated() + 4 * BLOCK_PAGES);
	CHECK(balloon_work() == BALLOON_IDLE);
	CHECK(balloon_stats()->refusals == 0);
	CHECK_INVARIANTS();
	buddy_free(held, 0);
	return 0;
}
