/*
 * The checks. After every operation, exactly:
 *   - the frames the core holds (FREE + USED + RESERVED) are the frames the
 *     simulated hypervisor gave, by its own count;
 *   - USED frames are the frames the model says the application holds;
 *   - RESERVED frames are the metadata frames of each block the hypervisor
 *     plugged, the frames in the metadata reserve, and those the fuzzer took
 *     from it;
 *   - the free count is what is left of what the hypervisor gave;
 *   - heap bytes in use are the model's;
 *   - page_alloc_failures() (which the guest reports to the host) counts
 *     exactly the NULLs the application got from alloc_pages and the heap.
 *
 * The target and where the balloon settles are checked with bounds, not
 * exactly, so that the checks hold across the policy changes the contract
 * allows (a target met to the 4 KiB page or to the 2 MiB block above it; an
 * allocation of any order, or only one that runs the free count low, asking
 * for growth):
 *   - a new target is what was asked, clamped to the pfn space with or
 *     without its holes; 0 is ignored;
 *   - otherwise the target only rises, by growth on shortage, and never above
 *     the most the guest has held since the target was last set; after a
 *     growth on shortage it is at least what the guest holds, so that the
 *     worker does not shrink the new memory back;
 *   - after settling with no faults, the guest holds at least the target or
 *     all it can get (cap: Xen's limit, Xen's free memory, the pfn space; less
 *     at most one frame, which cannot plug a block without its metadata), and
 *     less than one block above max(target, floor), and never more than the
 *     larger of Xen's limit and what it held before. If it shrank, it holds
 *     at least max(target, floor); it may hold less than the floor when it
 *     did not shrink (a target below the floor stops shrinking there, it does
 *     not grow to it). It is IDLE, or CANCELLED when it could not reach the
 *     target.
 * With every full check (checks_full), the metadata pages the platform backs
 * are exactly those the block states need: a page of frame states for each
 * group of blocks sharing one with an online block, a page of the block table
 * for each group with a block that is not absent.
 */
#include <limits.h>

#include <tide/balloon_worker.h>
#include <tide/floor.h>
#include <tide/heap.h>
#include <tide/kernel.h>
#include <tide/metapool.h>
#include <tide/page_alloc.h>
#include <tide/platform.h>

#include "../unit/host_platform.h"
#include "checks.h"
#include "fuzz.h"
#include "model.h"

#define SECOND 1000000000ULL

static unsigned long space_pages, ram_pages; /* the pfn space, and the part of it that is not holes */
static unsigned long target, peak_held;	     /* the target as checked, the most held since it was set */
static unsigned long shortage_grown;	     /* growths on shortage so far */

void checks_reset(unsigned long space, unsigned long holes)
{
	space_pages = space;
	ram_pages = space - holes;
	target = balloon_stats()->target_pages;
	peak_held = frames_populated();
	shortage_grown = 0;
}

void checks_after_op(void)
{
	unsigned long given = (unsigned long)platform_reservation_pages();
	unsigned long used = model_used_pages();
	unsigned long reserved = platform_block_meta_frames() * host_plugged_blocks() + metapool_frames() +
				 model_meta_count();
	EXPECT(frames_populated() == given, "the core holds %lu frames, the hypervisor gave %lu", frames_populated(),
	       given);
	EXPECT(frames_in_state(FRAME_USED) == used, "%lu frames are used, the application holds %lu",
	       frames_in_state(FRAME_USED), used);
	EXPECT(frames_in_state(FRAME_RESERVED) == reserved,
	       "%lu frames are reserved, expected %lu (%lu plugged blocks, %u in the reserve, %lu taken from it)",
	       frames_in_state(FRAME_RESERVED), reserved, host_plugged_blocks(), metapool_frames(), model_meta_count());
	EXPECT(nr_free_pages() == given - used - reserved, "%lu frames are free, expected %lu", nr_free_pages(),
	       given - used - reserved);
	EXPECT(heap_bytes_in_use() == model_heap_bytes(), "the heap has %zu bytes in use, expected %zu",
	       heap_bytes_in_use(), model_heap_bytes());
	EXPECT(metapool_frames() <= METAPOOL_FRAMES, "the reserve holds %u frames", metapool_frames());
	unsigned long nulls = fuzz_progress->cov.alloc_failures + fuzz_progress->cov.heap_failures;
	EXPECT(page_alloc_failures() == nulls, "page_alloc_failures() says %lu, the application got %lu NULLs",
	       page_alloc_failures(), nulls);
	unsigned long t = balloon_stats()->target_pages;
	peak_held = MAX(peak_held, given);
	EXPECT(t == target || (t > target && t <= peak_held),
	       "the target moved from %lu to %lu pages; the guest held at most %lu since it was set", target, t,
	       peak_held);
	target = t;
	if (balloon_stats()->shortage_grown != shortage_grown)
		EXPECT(t >= given, "the guest grew on shortage to %lu pages, but its target is %lu", given, t);
	shortage_grown = balloon_stats()->shortage_grown;
}

void checks_target_set(unsigned long requested)
{
	unsigned long t = balloon_stats()->target_pages;
	if (requested == 0)
		EXPECT(t == target, "balloon_set_target(0) moved the target from %lu to %lu", target, t);
	else
		EXPECT(t >= MIN(requested, ram_pages) && t <= MIN(requested, space_pages),
		       "balloon_set_target(%lu) set %lu (pfn space %lu pages, %lu of them RAM)", requested, t,
		       space_pages, ram_pages);
	target = t;
	peak_held = frames_populated();
}

/* The most the guest can hold with no faults: Xen's limit, Xen's free memory, the RAM in its pfn space. */
static unsigned long growth_cap(void)
{
	long max = platform_max_pages(), free = host_hypervisor_free();
	unsigned long cap = MIN(ram_pages, (unsigned long)MAX(max, 0L));
	if (free != LONG_MAX)
		cap = MIN(cap, frames_populated() + (unsigned long)MAX(free, 0L));
	return cap;
}

void checks_settle(void)
{
	unsigned long before = frames_populated(), t = target, cap = growth_cap();
	unsigned long slack = platform_block_meta_frames() - 1;
	long max = platform_max_pages();
	balloon_set_target(t); /* a fresh start: no backoff, not cancelled */
	enum balloon_state s = balloon_settle(monotonic_ns() + 3600 * SECOND);
	unsigned long held = frames_populated();
	unsigned long floor = tide_floor_pages(frames_in_state(FRAME_USED) + frames_in_state(FRAME_RESERVED));
	unsigned long low = MIN(t, cap > slack ? cap - slack : 0), high = MAX(t, floor) + BLOCK_PAGES;
	EXPECT(held >= low && held < high,
	       "settled at %lu pages (from %lu), outside [%lu, %lu): target %lu, floor %lu, cap %lu", held, before, low,
	       high, t, floor, cap);
	EXPECT(held <= MAX((unsigned long)MAX(max, 0L), before), "settled at %lu pages, above Xen's limit %ld", held,
	       max);
	EXPECT(held >= before || held >= MAX(t, floor), "shrank from %lu to %lu pages, below target %lu or floor %lu",
	       before, held, t, floor);
	EXPECT(s == BALLOON_IDLE || (s == BALLOON_CANCELLED && held < t), "settled %s at %lu pages, target %lu",
	       balloon_state_name(s), held, t);
}

static unsigned long requests(void)
{
	return platform_stats()->populate_hypercalls + platform_stats()->release_hypercalls;
}

/* A backoff is 1 s doubling to 32 s. */
static bool backoff_valid(uint64_t ns)
{
	for (uint64_t b = BALLOON_BACKOFF_MIN_NS; b <= BALLOON_BACKOFF_MAX_NS; b *= 2)
		if (ns == b)
			return true;
	return false;
}

void checks_balloon_work(void)
{
	enum balloon_state s0 = balloon_state();
	uint64_t now = monotonic_ns(), retry_at = balloon_stats()->retry_at_ns;
	unsigned long calls = requests();
	bool resting = s0 == BALLOON_CANCELLED || (s0 == BALLOON_WAITING && now < retry_at);
	enum balloon_state s = balloon_work();
	if (resting) {
		EXPECT(s == s0 && requests() == calls, "balloon_work() %s (until %lu ms) went %s with %lu requests",
		       balloon_state_name(s0), (unsigned long)(retry_at / 1000000), balloon_state_name(s),
		       requests() - calls);
		return;
	}
	const struct balloon_stats *st = balloon_stats();
	if (s == BALLOON_WAITING)
		EXPECT(backoff_valid(st->backoff_ns) && st->retry_at_ns == now + st->backoff_ns,
		       "waiting with a backoff of %lu ms until %lu ms (now %lu ms)",
		       (unsigned long)(st->backoff_ns / 1000000), (unsigned long)(st->retry_at_ns / 1000000),
		       (unsigned long)(now / 1000000));
}

/* Groups of group_blocks blocks with at least one block in state s (or, with not, in any other state). */
static unsigned long groups_with(unsigned long group_blocks, enum block_state s, bool not)
{
	unsigned long n = 0, nr = frames_nr_blocks();
	for (unsigned long g = 0; g < nr; g += group_blocks) {
		bool any = false;
		for (unsigned long b = g; b < MIN(g + group_blocks, nr); b++)
			any |= (block_state(b) == s) != not;
		n += any;
	}
	return n;
}

void checks_full(void)
{
	unsigned long want = groups_with(BLOCKS_PER_STATE_PAGE, BLOCK_ONLINE, false) +
			     groups_with(BLOCKS_PER_TABLE_PAGE, BLOCK_ABSENT, true);
	EXPECT(host_meta_pages() == want, "the platform backs %lu metadata pages, the block states need %lu",
	       host_meta_pages(), want);
}
