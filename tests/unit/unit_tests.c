/*
 * Host-native unit tests of the memory core. Each test prints one line,
 * "ok - unit/NAME" or "not ok - unit/NAME", which tools/run-tests numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <tide/heap.h>
#include <tide/lib.h>
#include <tide/mem_check.h>
#include <tide/metapool.h>
#include <tide/buddy.h>
#include <tide/platform.h>

#include "host_platform.h"
#include "unit.h"

static void setup(unsigned long space_blocks, unsigned long online_blocks)
{
	host_reset(space_blocks);
	for (unsigned long b = 0; b < online_blocks; b++)
		host_online_block(b);
}

static int test_counts_after_online(void)
{
	setup(16, 4);
	CHECK(nr_free_pages() == 4 * BLOCK_PAGES);
	CHECK(frames_in_state(FRAME_UNPOPULATED) == 12 * BLOCK_PAGES);
	CHECK(blocks_in_state(BLOCK_ONLINE) == 4 && blocks_in_state(BLOCK_ABSENT) == 12);
	CHECK(buddy_chunks(PAGE_MAX_ORDER) == 4);
	CHECK(host_meta_pages() == 2); /* one page of frame states, one of the block table */
	CHECK_INVARIANTS();
	return 0;
}

/* Run fn in a child: true when it panicked (aborted) rather than returning. */
static bool panics(void (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		_exit(0);
	}
	int status;
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void free_page_twice(void)
{
	void *p = alloc_page();
	free_page(p);
	free_page(p);
}

static void free_chunk_twice(void)
{
	void *p = alloc_pages(3);
	free_pages(p, 3);
	free_pages(p, 3);
}

static void free_never_allocated(void) { free_pages(alloc_pages(2), 3); }

/* The fast paths keep the double-free check: a second free, or a chunk larger than allocated, panics. */
static int test_double_free_panics(void)
{
	setup(4, 2);
	CHECK(panics(free_page_twice));
	CHECK(panics(free_chunk_twice));
	CHECK(panics(free_never_allocated));
	void *p = alloc_page(); /* and a correct pair does not */
	free_page(p);
	CHECK_INVARIANTS();
	return 0;
}

static int test_split_and_coalesce(void)
{
	setup(2, 1);
	pfn_t p;
	CHECK(buddy_alloc(0, &p) == 0 && p.n == 0);
	for (unsigned o = 0; o < PAGE_MAX_ORDER; o++)
		CHECK(buddy_chunks(o) == 1);
	CHECK(buddy_chunks(PAGE_MAX_ORDER) == 0);
	CHECK_INVARIANTS();
	buddy_free(p, 0);
	for (unsigned o = 0; o < PAGE_MAX_ORDER; o++)
		CHECK(buddy_chunks(o) == 0);
	CHECK(buddy_chunks(PAGE_MAX_ORDER) == 1);
	CHECK_INVARIANTS();
	return 0;
}

static int test_orders_aligned_and_disjoint(void)
{
	setup(8, 8);
	pfn_t got[40];
	unsigned order[40];
	int n = 0;
	for (unsigned o = 0; o <= PAGE_MAX_ORDER; o++)
		for (int k = 0; k < 3; k++, n++) {
			order[n] = o;
			CHECK(buddy_alloc(o, &got[n]) == 0);
			CHECK((got[n].n & ((1UL << o) - 1)) == 0);
			memset(frame_to_virt(got[n]), n + 1, PAGE_SIZE << o);
		}
	CHECK_INVARIANTS();
	for (int i = 0; i < n; i++) {
		unsigned char *m = frame_to_virt(got[i]);
		for (unsigned long j = 0; j < (PAGE_SIZE << order[i]); j += 509)
			CHECK(m[j] == (unsigned char)(i + 1));
	}
	for (int i = 0; i < n; i++)
		buddy_free(got[i], order[i]);
	CHECK(nr_free_pages() == 8 * BLOCK_PAGES && buddy_chunks(PAGE_MAX_ORDER) == 8);
	CHECK_INVARIANTS();
	return 0;
}

static int test_exhaustion_then_restore(void)
{
	setup(4, 4);
	static pfn_t pages[4 * BLOCK_PAGES];
	unsigned long n = 0;
	pfn_t p;
	while (buddy_alloc(0, &p) == 0)
		pages[n++] = p;
	CHECK(n == 4 * BLOCK_PAGES);
	CHECK(nr_free_pages() == 0);
	CHECK(alloc_page() == NULL);
	CHECK(heap_alloc(16) == NULL);
	CHECK_INVARIANTS();
	for (unsigned long i = 0; i < n; i++)
		buddy_free(pages[i], 0);
	CHECK(nr_free_pages() == 4 * BLOCK_PAGES && buddy_chunks(PAGE_MAX_ORDER) == 4);
	CHECK_INVARIANTS();
	return 0;
}

static int test_prefers_low_blocks(void)
{
	setup(8, 4);
	pfn_t p;
	CHECK(buddy_alloc(0, &p) == 0 && pfn_to_block(p) == 0);
	CHECK(buddy_alloc(PAGE_MAX_ORDER, &p) == 0 && pfn_to_block(p) == 1);
	unsigned long b;
	CHECK(buddy_take_free_block(&b) && b == 3);
	CHECK(buddy_take_free_block(&b) && b == 2);
	CHECK(!buddy_take_free_block(&b));
	return 0;
}

/* A block given back reported keeps the mark while it stays one free chunk, and loses it once used. */
static int test_reported_blocks(void)
{
	setup(8, 4);
	unsigned long b, other;
	CHECK(buddy_take_free_block(&b) && b == 3);
	buddy_add_reported_block(b);
	CHECK(block_info(b)->flags & BLOCK_REPORTED);
	CHECK_INVARIANTS();
	CHECK(buddy_take_free_block_where(NULL, &other) && other == 3 && !(block_info(3)->flags & BLOCK_REPORTED));
	buddy_add_reported_block(3);
	pfn_t p;
	CHECK(buddy_alloc_in_block(3, 0, &p) == 0 && pfn_to_block(p) == 3);
	CHECK(!(block_info(3)->flags & BLOCK_REPORTED));
	buddy_free(p, 0);
	CHECK(!(block_info(3)->flags & BLOCK_REPORTED)); /* free whole again, but used since its report */
	CHECK_INVARIANTS();
	return 0;
}

static int test_heap(void)
{
	setup(8, 8);
	unsigned long free_before = nr_free_pages();
	static const size_t sizes[] = {1, 15, 16, 17, 100, 1000, 2048, 2049, 5000, 100000, HEAP_MAX_BYTES};
	void *objs[ARRAY_SIZE(sizes) * 20];
	size_t n = 0;
	for (int round = 0; round < 20; round++)
		for (size_t i = 0; i < ARRAY_SIZE(sizes) && (round < 2 || sizes[i] < 200000); i++) {
			objs[n] = heap_alloc(sizes[i]);
			CHECK(objs[n] != NULL);
			CHECK(((uintptr_t)objs[n] & 15) == 0);
			memset(objs[n], (int)(n & 0xff), sizes[i]);
			n++;
		}
	CHECK(heap_alloc(HEAP_MAX_BYTES + 1) == NULL);
	CHECK(heap_bytes_in_use() > 0);
	CHECK_INVARIANTS();
	for (size_t i = 0; i < n; i++)
		CHECK(((unsigned char *)objs[i])[0] == (unsigned char)(i & 0xff));
	for (size_t i = 0; i < n; i++)
		heap_free(objs[i]);
	CHECK(heap_bytes_in_use() == 0);
	CHECK(nr_free_pages() == free_before);
	CHECK_INVARIANTS();
	return 0;
}

static int test_page_cache(void)
{
	setup(4, 2);
	void *p[10];
	pfn_t cached[PAGE_CACHE_PAGES];
	CHECK((p[0] = alloc_page()) != NULL);
	/* an empty cache takes a whole chunk of 2^PAGE_CACHE_REFILL_ORDER pages */
	CHECK(page_cache_frames(cached) == (1U << PAGE_CACHE_REFILL_ORDER) - 1);
	CHECK(p[0] == frame_to_virt(pfn(0))); /* lowest first */
	for (int i = 1; i < 10; i++)
		CHECK((p[i] = alloc_page()) != NULL);
	for (int i = 0; i < 10; i++)
		free_page(p[i]);
	CHECK(page_cache_frames(cached) == (1U << PAGE_CACHE_REFILL_ORDER));
	CHECK(nr_free_pages() == 2 * BLOCK_PAGES); /* cached pages count as free */
	CHECK(buddy_chunks(PAGE_MAX_ORDER) == 1);  /* ... but are not merged yet */
	CHECK_INVARIANTS();
	CHECK(alloc_page() == p[9]);		   /* the last freed comes back first */
	free_page(p[9]);
	unsigned long b;
	CHECK(buddy_take_free_block(&b) && b == 1); /* taking blocks drains the cache first */
	CHECK(page_cache_frames(cached) == 0);
	CHECK(buddy_chunks(PAGE_MAX_ORDER) == 1);
	buddy_add_frames(block_to_pfn(1), BLOCK_PAGES);
	CHECK_INVARIANTS();
	return 0;
}

static int test_checker_catches_state_corruption(void)
{
	setup(4, 2);
	CHECK_INVARIANTS();
	uint8_t *bytes = host_frame_bytes();
	uint8_t saved = bytes[700];
	bytes[700] = FRAME_USED; /* a free frame now claims to be used */
	CHECK(mem_check() != 0);
	bytes[700] = saved;
	CHECK_INVARIANTS();
	bytes[701] |= 0x80; /* a free frame inside a chunk claims to head one */
	CHECK(mem_check() != 0);
	bytes[701] = saved;
	CHECK_INVARIANTS();
	return 0;
}

static int test_checker_catches_reservation_mismatch(void)
{
	setup(4, 2);
	host_skew_reservation(1);
	CHECK(mem_check() != 0);
	host_skew_reservation(-1);
	CHECK_INVARIANTS();
	return 0;
}

static int test_checker_catches_broken_free_list(void)
{
	setup(4, 2);
	pfn_t p;
	CHECK(buddy_alloc(0, &p) == 0); /* leaves one chunk of each order 0..8 */
	pfn_t head = pfn(p.n + 1);	/* the order-0 chunk */
	void **node = frame_to_virt(head);
	void *saved = node[0];
	node[0] = node; /* next points at itself: a cycle */
	CHECK(mem_check() != 0);
	node[0] = saved;
	CHECK_INVARIANTS();
	return 0;
}

static int test_offline_releases_metadata(void)
{
	setup(16, 1);
	host_online_block(9); /* a second page of frame states */
	CHECK(host_meta_pages() == 3);
	buddy_take_block_chunks(9);
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		frame_set_state(pfn(9 * BLOCK_PAGES + i), FRAME_UNPOPULATED, 0, false);
	host_depopulate(block_to_pfn(9), BLOCK_PAGES);
	CHECK(block_set_state(9, BLOCK_ABSENT, 0) == 0);
	CHECK(host_meta_pages() == 2);
	CHECK(nr_free_pages() == BLOCK_PAGES);
	CHECK_INVARIANTS();
	return 0;
}

static int test_hole_blocks(void)
{
	setup(16, 2);
	CHECK(block_set_state(5, BLOCK_HOLE, 0) == 0);
	CHECK(frames_in_state(FRAME_HOLE) == BLOCK_PAGES);
	CHECK(frame_state(pfn(5 * BLOCK_PAGES + 3)) == FRAME_HOLE);
	CHECK(frame_state(pfn(6 * BLOCK_PAGES)) == FRAME_UNPOPULATED);
	CHECK_INVARIANTS();
	return 0;
}

static int test_metapool(void)
{
	setup(4, 2);
	CHECK(metapool_refill() == 0);
	CHECK(metapool_frames() == METAPOOL_FRAMES);
	CHECK(frames_reserved(RESERVED_POOL) == METAPOOL_FRAMES);
	pfn_t p;
	CHECK(metapool_take(RESERVED_PAGETABLE, &p) == 0);
	CHECK(frame_state(p) == FRAME_RESERVED && frame_aux(p) == RESERVED_PAGETABLE);
	CHECK_INVARIANTS();
	metapool_put(p);
	CHECK(frames_reserved(RESERVED_POOL) == METAPOOL_FRAMES);
	CHECK_INVARIANTS();
	return 0;
}

static int test_random_stress(void)
{
	setup(16, 16);
	enum { SLOTS = 512 };
	static pfn_t slot[SLOTS];
	static unsigned slot_order[SLOTS];
	static bool live[SLOTS];
	memset(live, 0, sizeof(live));
	srand(12345);
	for (int op = 0; op < 20000; op++) {
		int i = rand() % SLOTS;
		if (live[i]) {
			unsigned char *m = frame_to_virt(slot[i]);
			CHECK(m[0] == (unsigned char)i && m[(PAGE_SIZE << slot_order[i]) - 1] == (unsigned char)i);
			buddy_free(slot[i], slot_order[i]);
			live[i] = false;
		} else {
			unsigned o = (unsigned)(rand() % 6);
			if (buddy_alloc(o, &slot[i]) == 0) {
				slot_order[i] = o;
				live[i] = true;
				memset(frame_to_virt(slot[i]), i, PAGE_SIZE << o);
			}
		}
		if (op % 1000 == 0)
			CHECK_INVARIANTS();
	}
	for (int i = 0; i < SLOTS; i++)
		if (live[i])
			buddy_free(slot[i], slot_order[i]);
	CHECK(nr_free_pages() == 16 * BLOCK_PAGES && buddy_chunks(PAGE_MAX_ORDER) == 16);
	CHECK_INVARIANTS();
	return 0;
}

static const struct {
	int (*fn)(void);
	const char *name;
} tests[] = {
	{test_counts_after_online, "counts_after_online"},
	{test_double_free_panics, "double_free_panics"},
	{test_split_and_coalesce, "buddy_split_and_coalesce"},
	{test_orders_aligned_and_disjoint, "buddy_orders_aligned_and_disjoint"},
	{test_exhaustion_then_restore, "exhaustion_returns_null_then_restores"},
	{test_prefers_low_blocks, "buddy_prefers_low_blocks"},
	{test_reported_blocks, "buddy_reported_blocks"},
	{test_heap, "heap_small_and_large"},
	{test_page_cache, "page_cache"},
	{test_checker_catches_state_corruption, "checker_catches_state_corruption"},
	{test_checker_catches_reservation_mismatch, "checker_catches_reservation_mismatch"},
	{test_checker_catches_broken_free_list, "checker_catches_broken_free_list"},
	{test_offline_releases_metadata, "offline_releases_metadata"},
	{test_hole_blocks, "hole_blocks"},
	{test_metapool, "metapool"},
	{test_random_stress, "random_alloc_free_stress"},
	{test_whole_only_gives_boot_memory, "whole_only_gives_boot_memory"},
	{test_virtio_used_as_offered, "virtio_used_as_offered"},
	{test_virtio_used_other_buffer, "virtio_used_other_buffer"},
	{test_virtio_wrote_too_much, "virtio_wrote_too_much"},
	{test_virtio_needs_reset, "virtio_needs_reset"},
	{test_virtio_stops_answering, "virtio_stops_answering"},
	{test_shrinker_drops_to_target_below_used, "shrinker_drops_to_target_below_used"},
	{test_shrinker_before_allocation_fails, "shrinker_before_allocation_fails"},
	{test_shrinker_that_lies_keeps_the_margin, "shrinker_that_lies_keeps_the_margin"},
	{test_shrinker_before_growth, "shrinker_before_growth"},
	{test_shrinker_report_counts_once, "shrinker_report_counts_once"},
	{test_balloon_grows_by_hotplug, "balloon_grows_by_hotplug"},
	{test_balloon_hold_stops_every_change, "balloon_hold_stops_every_change"},
	{test_balloon_shrink_for_suspend_keeps_blocks, "balloon_shrink_for_suspend_keeps_blocks"},
	{test_balloon_shrink_for_suspend_fits_restore, "balloon_shrink_for_suspend_fits_restore"},
	{test_balloon_shrinks_unplug_first, "balloon_shrinks_unplug_first"},
	{test_balloon_floor, "balloon_floor"},
	{test_balloon_backoff_doubles_then_cancels, "balloon_backoff_doubles_then_cancels"},
	{test_balloon_half_fulfilled, "balloon_half_fulfilled"},
	{test_shortage_grows_then_fails_cheaply, "shortage_grows_then_fails_cheaply"},
	{test_balloon_cycles_leak_nothing, "balloon_cycles_leak_nothing"},
	{test_refill_batch_then_partial_block, "refill_batch_then_partial_block"},
	{test_fragmented_alloc_grows, "fragmented_alloc_grows"},
	{test_odd_targets_met_exactly, "odd_targets_met_exactly"},
	{test_floor_is_live, "floor_is_live"},
	{test_idle_at_floor_returns_memory_later, "idle_at_floor_returns_memory_later"},
	{test_target_above_limit_idles, "target_above_limit_idles"},
	{test_same_target_rearms_cancelled, "same_target_rearms_cancelled"},
	{test_balloon_log_is_rate_limited, "balloon_log_is_rate_limited"},
	{test_pinned_block_unplugs, "pinned_block_unplugs"},
	{test_refused_unplug_keeps_block, "refused_unplug_keeps_block"},
	{test_unplug_scan_costs_what_it_returns, "unplug_scan_costs_what_it_returns"},
	{test_grow_scan_costs_what_it_adds, "grow_scan_costs_what_it_adds"},
};

int main(int argc, char **argv)
{
	int failed = 0;
	setvbuf(stdout, NULL, _IONBF, 0);
	for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
		if (argc > 1 && strcmp(argv[1], tests[i].name))
			continue;
		int rc = tests[i].fn();
		printf("%s - unit/%s\n", rc ? "not ok" : "ok", tests[i].name);
		failed += rc != 0;
	}
	return failed ? 1 : 0;
}
