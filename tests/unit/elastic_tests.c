/*
 * Unit tests of elastic memory that must not strand memory or refuse what it
 * could have had (issue 8): growth for fragmented free lists, targets met to
 * the page, a live floor, idling at Xen's limit, re-checks while away from
 * the target, a re-set target re-arming a cancelled balloon, a refused unplug,
 * and an unplug scan that costs what it returns.
 */
#include <stdio.h>
#include <limits.h>
#include <string.h>

#include <tide/balloon_worker.h>
#include <tide/floor.h>
#include <tide/heap.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/log_limit.h>
#include <tide/mem_check.h>
#include <tide/metapool.h>
#include <tide/buddy.h>
#include <tide/platform.h>

#include "../../kernel/mem/elastic.h"
#include "host_platform.h"
#include "unit.h"

#define SECOND 1000000000ULL

static unsigned long used_pages(void) { return frames_in_state(FRAME_USED) + frames_in_state(FRAME_RESERVED); }

/* Hold every free page, then free every other one: about half free, no chunk above order 0. */
static unsigned long fragment(void **held, unsigned long max)
{
	unsigned long n = 0;
	void *p;
	while (n < max && (p = alloc_page()))
		held[n++] = p;
	for (unsigned long i = 0; i < n; i += 2) {
		free_page(held[i]);
		held[i] = NULL;
	}
	return n;
}

static void release_all(void **held, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		free_page(held[i]);
}

int test_fragmented_alloc_grows(void)
{
	static void *held[4 * BLOCK_PAGES];
	unit_boot(32, 6);
	CHECK(balloon_shrink(2 * BLOCK_PAGES) == (long)(2 * BLOCK_PAGES)); /* boot blocks 5 and 4 out */
	host_set_max_pages((long)frames_populated()); /* nothing may grow while fragmenting */
	unsigned long n = fragment(held, ARRAY_SIZE(held));
	CHECK(nr_free_pages() >= 1000 && buddy_chunks(PAGE_MAX_ORDER) == 0);
	/* at the limit: NULL, and no hypercall */
	unsigned long calls = platform_stats()->populate_hypercalls;
	CHECK(alloc_pages(PAGE_MAX_ORDER) == NULL);
	CHECK(platform_stats()->populate_hypercalls == calls);
	host_set_max_pages(LONG_MAX);
	host_advance_ns(40 * SECOND); /* past the shortage backoff the refusal above started */
	/* a whole block for order 9: a ballooned-out boot block comes back whole */
	void *big = alloc_pages(PAGE_MAX_ORDER);
	CHECK(big != NULL);
	CHECK(block_info(pfn_to_block(virt_to_frame(big)))->nr_used == BLOCK_PAGES);
	/* order 8 and a 100000-byte heap object: hot-added blocks serve them once boot blocks are in */
	void *half = alloc_pages(PAGE_MAX_ORDER - 1), *half2 = alloc_pages(PAGE_MAX_ORDER - 1);
	CHECK(half != NULL && half2 != NULL);
	void *obj = heap_alloc(100000);
	CHECK(obj != NULL);
	CHECK(balloon_stats()->blocks_plugged >= 1);
	CHECK_INVARIANTS();
	heap_free(obj);
	free_pages(half, PAGE_MAX_ORDER - 1);
	free_pages(half2, PAGE_MAX_ORDER - 1);
	free_pages(big, PAGE_MAX_ORDER);
	release_all(held, n);
	CHECK_INVARIANTS();
	return 0;
}

int test_odd_targets_met_exactly(void)
{
	unit_boot(32, 2);
	unsigned long base = frames_populated();
	unsigned long targets[] = {base + 3 * BLOCK_PAGES + 256, base + 7, base + 5 * BLOCK_PAGES + 3,
				   base + BLOCK_PAGES - 1, base - 300, base + 2 * BLOCK_PAGES + 100};
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
		balloon_set_target(targets[i]);
		CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
		CHECK(frames_populated() == targets[i]);
		CHECK_INVARIANTS();
	}
	return 0;
}

int test_floor_is_live(void)
{
	static void *held[1500];
	unit_boot(32, 8);
	/* reported before any shrink, and following what is used */
	CHECK(balloon_stats()->floor_pages == tide_floor_pages(used_pages()));
	for (int i = 0; i < 1500; i++)
		CHECK((held[i] = alloc_page()) != NULL);
	CHECK(balloon_stats()->floor_pages == tide_floor_pages(used_pages()));
	release_all(held, 1500);
	CHECK(balloon_stats()->floor_pages == tide_floor_pages(used_pages()));
	return 0;
}

int test_idle_at_floor_returns_memory_later(void)
{
	static void *held[1500];
	unit_boot(32, 8);
	for (int i = 0; i < 1500; i++)
		CHECK((held[i] = alloc_page()) != NULL);
	balloon_set_target(BLOCK_PAGES);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	unsigned long at_floor = frames_populated();
	CHECK(at_floor > BLOCK_PAGES);
	CHECK(balloon_next_work_ns() == monotonic_ns() + BALLOON_RECHECK_NS);
	release_all(held, 1500);
	/* no new target: the re-check gives back what was freed, down to the new floor */
	host_advance_ns(BALLOON_RECHECK_NS);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(frames_populated() < at_floor);
	CHECK(frames_populated() == MAX(BLOCK_PAGES, tide_floor_pages(used_pages())));
	CHECK_INVARIANTS();
	return 0;
}

int test_target_above_limit_idles(void)
{
	unit_boot(32, 2);
	unsigned long base = frames_populated();
	host_set_max_pages((long)(base + BLOCK_PAGES));
	balloon_set_target(base + 4 * BLOCK_PAGES);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(frames_populated() == base + BLOCK_PAGES);
	CHECK(balloon_stats()->refusals == 0);
	/* nothing more is asked of Xen while the limit stands */
	unsigned long calls = platform_stats()->populate_hypercalls;
	for (int i = 0; i < 100; i++) {
		host_advance_ns(BALLOON_RECHECK_NS);
		CHECK(balloon_work() == BALLOON_IDLE);
	}
	CHECK(platform_stats()->populate_hypercalls == calls);
	/* a raised limit is grown into at the next re-check, without a new target */
	host_set_max_pages(LONG_MAX);
	CHECK(balloon_next_work_ns() != ~0ULL);
	host_advance_ns(BALLOON_RECHECK_NS);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(frames_populated() == base + 4 * BLOCK_PAGES);
	CHECK(balloon_next_work_ns() == ~0ULL);
	CHECK_INVARIANTS();
	return 0;
}

int test_same_target_rearms_cancelled(void)
{
	unit_boot(32, 2);
	unsigned long goal = frames_populated() + BLOCK_PAGES;
	host_set_hypervisor_free(0);
	balloon_set_target(goal);
	while (balloon_work() != BALLOON_CANCELLED)
		host_advance_ns(BALLOON_BACKOFF_MAX_NS);
	CHECK(balloon_next_work_ns() == ~0ULL);
	host_set_hypervisor_free(LONG_MAX);
	balloon_set_target(goal); /* the same value, written again */
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(frames_populated() == goal);
	CHECK_INVARIANTS();
	return 0;
}

int test_refused_unplug_keeps_block(void)
{
	unit_boot(32, 2);
	unsigned long base = frames_populated();
	balloon_set_target(base + 2 * BLOCK_PAGES);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	host_refuse_releases(true);
	balloon_set_target(base);
	CHECK(balloon_work() == BALLOON_WAITING);
	CHECK(frames_populated() == base + 2 * BLOCK_PAGES);
	CHECK(block_state(3) == BLOCK_ONLINE && (block_info(3)->flags & BLOCK_HOTPLUGGED));
	CHECK(nr_free_pages() + used_pages() == frames_populated());
	CHECK_INVARIANTS();
	/* the block's free memory is usable again meanwhile */
	void *p = alloc_pages(PAGE_MAX_ORDER - 1);
	CHECK(p != NULL);
	free_pages(p, PAGE_MAX_ORDER - 1);
	host_refuse_releases(false);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(frames_populated() == base && balloon_stats()->blocks_unplugged == 2);
	CHECK_INVARIANTS();
	return 0;
}

static unsigned long refuse_unplugs(enum host_request r, unsigned long n) { return r == HOST_UNPLUG ? 0 : n; }

/*
 * A host that takes hot-added memory back only whole (virtio-mem) and
 * refuses an unplug (its device at its own target) still takes boot
 * memory (its balloon): the balloon gives boot frames then, never single
 * frames or whole free blocks of a hot-added block. With Xen's rules the
 * same shrink gives back the hot-added blocks' frames instead.
 */
int test_whole_only_gives_boot_memory(void)
{
	for (int whole_only = 1; whole_only >= 0; whole_only--) {
		unit_boot(32, 4);
		host_set_hotplugged_whole_only(whole_only);
		unsigned long base = frames_populated();
		balloon_set_target(base + 2 * BLOCK_PAGES);
		CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
		host_set_fault_hook(refuse_unplugs);
		balloon_set_target(base + BLOCK_PAGES - 100); /* a whole block and 100 pages less */
		CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
		CHECK(frames_populated() == base + BLOCK_PAGES - 100);
		unsigned long hotplugged_held = 0;
		for (unsigned long b = 0; b < frames_nr_blocks(); b++)
			if (block_state(b) == BLOCK_ONLINE && (block_info(b)->flags & BLOCK_HOTPLUGGED))
				hotplugged_held += block_info(b)->nr_populated;
		CHECK(host_plugged_blocks() == 2);
		if (whole_only)
			CHECK(hotplugged_held == 2 * BLOCK_PAGES);
		else
			CHECK(hotplugged_held < 2 * BLOCK_PAGES); /* Xen's rules: the highest free frames went */
		CHECK_INVARIANTS();
		host_set_fault_hook(NULL);
	}
	return 0;
}

int test_unplug_scan_costs_what_it_returns(void)
{
	unit_boot(64, 2);
	unsigned long base = frames_populated();
	/* nothing hot-added: shrinking reads no block-table entry */
	balloon_set_target(base - BLOCK_PAGES);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(elastic_stats()->blocks_scanned == 0);
	/* two blocks hot-added at the bottom of a 64-block space: a few entries, not 62 */
	balloon_set_target(base + 2 * BLOCK_PAGES);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	balloon_set_target(base);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(balloon_stats()->blocks_unplugged == 2);
	CHECK(elastic_stats()->blocks_scanned <= 6);
	CHECK_INVARIANTS();
	return 0;
}

/*
 * Growing a block at a time reads a few block-table entries per block, not
 * every plugged block each time (the time per GiB of a large guest stays flat).
 */
int test_grow_scan_costs_what_it_adds(void)
{
	unit_boot(64, 2);
	unsigned long base = frames_populated();
	for (unsigned long n = 1; n <= 60; n++) {
		balloon_set_target(base + n * BLOCK_PAGES);
		CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	}
	CHECK(balloon_stats()->blocks_plugged == 60);
	CHECK(elastic_stats()->grow_blocks_scanned <= 3 * 60);
	/* unplugging a low block moves the scan back down to it */
	balloon_set_target(base);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	balloon_set_target(base + BLOCK_PAGES);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(block_state(2) == BLOCK_ONLINE);
	CHECK_INVARIANTS();
	return 0;
}

/*
 * A host that writes targets the guest cannot follow, as fast as it likes,
 * gets LOG_LIMIT_BURST lines at once, then one a second; the lines held back
 * are counted in the next one printed.
 */
int test_balloon_log_is_rate_limited(void)
{
	unit_boot(32, 2);
	unsigned long base = frames_populated();
	host_set_max_pages((long)base);
	unsigned long lines = host_log_lines();
	for (int i = 0; i < 1000; i++) { /* above Xen's limit: one notice per target */
		balloon_set_target(base + 1 + (unsigned long)i);
		CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	}
	CHECK(host_log_lines() - lines == LOG_LIMIT_BURST);
	host_advance_ns(5 * 1000000000ULL);
	for (int i = 0; i < 1000; i++) {
		balloon_set_target(base + 1 + (unsigned long)i);
		CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	}
	CHECK(host_log_lines() - lines == LOG_LIMIT_BURST + 5);
	CHECK(frames_populated() == base);
	CHECK_INVARIANTS();
	return 0;
}

/*
 * Shared metadata that had to go into a hot-added block (boot memory was
 * full) does not pin it: when the block is otherwise drained, the metadata
 * moves to a free frame below it and the block is unplugged.
 */
static pfn_t shared_meta; /* the frame the test holds as shared metadata */

static bool follow_shared_meta(pfn_t p, pfn_t to)
{
	if (p.n != shared_meta.n)
		return false;
	shared_meta = to;
	return true;
}

int test_pinned_block_unplugs(void)
{
	unit_boot(32, 2);
	unsigned long boot = frames_populated();
	balloon_set_target(boot + 3 * BLOCK_PAGES);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	/* boot memory full, and the reserve empty: its next frame comes from a hot-added block */
	page_alloc_set_shortage_hook(NULL, 0);
	void **held = NULL, **p;
	while ((p = alloc_page())) {
		p[0] = held;
		held = p;
	}
	pfn_t taken[METAPOOL_FRAMES];
	unsigned n = 0;
	while (metapool_take(RESERVED_PAGETABLE, &taken[n]) == 0)
		n++;
	for (void ***link = (void ***)&held; *link; link = (void ***)*link) { /* free one page of block 4 */
		if (pfn_to_block(virt_to_frame(*link)) != 4)
			continue;
		p = *link;
		*link = p[0];
		free_page(p);
		break;
	}
	CHECK(metapool_refill() == METAPOOL_FRAMES - 1);
	CHECK(metapool_take(RESERVED_META, &shared_meta) == 0);
	CHECK(pfn_to_block(shared_meta) == 4);
	memset(frame_to_virt(shared_meta), 0x6b, PAGE_SIZE);
	host_set_meta_move_hook(follow_shared_meta);
	/* everything else is freed; shrinking to the boot size moves the metadata down */
	while (held) {
		p = held[0];
		free_page(held);
		held = p;
	}
	while (n)
		metapool_put(taken[--n]);
	page_alloc_set_shortage_hook(balloon_on_shortage, BALLOON_LOW_WATERMARK);
	balloon_set_target(boot);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(balloon_stats()->blocks_unplugged == 3 && balloon_stats()->meta_moved == 1);
	CHECK(block_state(4) == BLOCK_ABSENT);
	CHECK(pfn_to_block(shared_meta) < 2 && frame_state(shared_meta) == FRAME_RESERVED);
	CHECK(((unsigned char *)frame_to_virt(shared_meta))[PAGE_SIZE - 1] == 0x6b);
	CHECK(frames_populated() == boot);
	CHECK_INVARIANTS();
	metapool_put(shared_meta);
	CHECK_INVARIANTS();
	return 0;
}
