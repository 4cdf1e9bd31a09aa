/*
 * Elastic memory of a PVH guest (the elastic half of tide/platform.h),
 * over what its host takes and gives by frame number (host.h): Xen's
 * XENMEM_populate_physmap and XENMEM_decrease_reservation, 2 MiB extents
 * for whole blocks when it has them. With no p2m and page tables the guest
 * writes itself, growing is taking frames at their own numbers and mapping
 * them, and giving back is the reverse.
 *
 * Mapping: a block whose 512 frames are all populated is mapped by one
 * 2 MiB page (no L1 table); a block with some frames given back has an
 * L1 table of 4 KiB pages, taken when the block first loses a frame and
 * kept for the next block that needs one when this one goes back whole or
 * is mapped whole again (pvh_table_put). A hot-added block needs no metadata of its own
 * (platform_block_meta_frames() is 0): its frame-state bytes are shared
 * pages, backed by the core.
 *
 * Every call may be half-fulfilled by the host: what was not populated is
 * not mapped, a frame is unmapped only once the host took it back (the
 * core does not touch frames it is giving back), and the count returned is
 * the prefix that went through.
 */
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/platform.h>
#include "host.h"
#include "pt.h"
#include "pvh.h"

#define BATCH 512

static struct platform_stats stats;
static unsigned long list[BATCH];

const struct platform_stats *platform_stats(void) { return &stats; }
unsigned platform_block_meta_frames(void) { return 0; }

static unsigned long va_of(pfn_t p) { return (unsigned long)frame_to_virt(p); }
static unsigned long block_va(unsigned long b) { return va_of(block_to_pfn(b)); }

enum direction { GIVE, TAKE };

/* One request to the host over list[0..n), extents of 2^order frames: extents done (a prefix), or -errno; counted. */
static long reservation_op(enum direction d, unsigned long n, unsigned order)
{
	long rc = d == TAKE ? host_take(list, n, order) : host_give(list, n, order);
	if (d == TAKE)
		stats.populate_hypercalls++;
	else
		stats.release_hypercalls++;
	if (rc != (long)n)
		stats.refused_hypercalls++;
	return rc;
}

/* Give frames [0, n) of frames back to the host at once (they are unmapped): how many went. */
static unsigned long give_back(const pfn_t *frames, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		list[i] = frames[i].n;
	long rc = n ? reservation_op(GIVE, n, 0) : 0;
	return rc > 0 ? (unsigned long)rc : 0;
}

/* Populate frames one by one, BATCH at a time, mapping each: frames populated (a prefix), or -errno. */
long platform_populate(const pfn_t *frames, unsigned long n)
{
	unsigned long done = 0;
	while (done < n) {
		unsigned long k = MIN(n - done, (unsigned long)BATCH);
		for (unsigned long i = 0; i < k; i++)
			list[i] = frames[done + i].n;
		long rc = reservation_op(TAKE, k, 0);
		unsigned long got = rc > 0 ? (unsigned long)rc : 0;
		stats.frames_4k += got;
		for (unsigned long i = 0; i < got; i++)
			if (pt_map_page(va_of(frames[done + i]), frames[done + i])) { /* no table: what is not mapped goes back */
				if (give_back(frames + done + i, got - i) != got - i)
					panic("pvh: the host will not take back frames it just gave");
				done += i;
				return done ? (long)done : -ENOMEM;
			}
		done += got;
		if (got < k)
			break;
	}
	return done ? (long)done : -ENOMEM;
}

/* Map block b, populated whole as a 2 MiB extent, with one large page (its old L1 table kept for reuse). */
static int map_block_large(unsigned long b)
{
	pfn_t table;
	if (pt_clear_region(block_va(b), &table))
		pvh_table_put(table);
	return pt_map_large(block_va(b), block_to_pfn(b));
}

/* Populate the first want frames of block b as 4 KiB frames (mapped): frames populated. */
static unsigned long populate_block_frames(unsigned long b, unsigned long want)
{
	static pfn_t frames[BLOCK_PAGES];
	for (unsigned long i = 0; i < want; i++)
		frames[i] = pfn(block_to_pfn(b).n + i);
	long got = platform_populate(frames, want);
	return got > 0 ? (unsigned long)got : 0;
}

/*
 * Populate n blocks, the last one's first last_frames frames only: one
 * request of 2 MiB extents for the whole blocks (unless superpages=0),
 * then 4 KiB frames, block by block, for whatever the host had no 2 MiB extent
 * for. Frames populated, a prefix in block order.
 */
static unsigned long populate_blocks(const unsigned long *blocks, unsigned long n, unsigned long last_frames)
{
	static int superpages = -1;
	if (superpages < 0)
		superpages = cmdline_ulong("superpages", 1) != 0;
	unsigned long whole = last_frames == BLOCK_PAGES ? n : n - 1, large = 0, done = 0;
	if (superpages && whole) {
		for (unsigned long i = 0; i < whole; i++)
			list[i] = block_to_pfn(blocks[i]).n;
		long rc = reservation_op(TAKE, whole, BLOCK_ORDER);
		large = rc > 0 ? (unsigned long)rc : 0;
		stats.extents_2m += large;
		stats.fallbacks_2m += whole - large;
	}
	for (unsigned long i = 0; i < large; i++) {
		if (map_block_large(blocks[i])) { /* no table above it: what is not mapped goes back */
			for (unsigned long j = i; j < large; j++)
				list[j - i] = block_to_pfn(blocks[j]).n;
			if (reservation_op(GIVE, large - i, BLOCK_ORDER) != (long)(large - i))
				panic("pvh: the host will not take back extents it just gave");
			return done;
		}
		done += BLOCK_PAGES;
	}
	for (unsigned long i = large; i < n; i++) {
		unsigned long want = i < whole ? BLOCK_PAGES : last_frames;
		unsigned long got = populate_block_frames(blocks[i], want);
		done += got;
		if (got < want)
			break;
	}
	return done;
}

long platform_populate_blocks(const unsigned long *blocks, unsigned long n)
{
	unsigned long done = populate_blocks(blocks, n, BLOCK_PAGES);
	return done ? (long)done : -ENOMEM;
}

long platform_plug_blocks(const unsigned long *blocks, unsigned long n, unsigned long last_frames)
{
	unsigned long done = populate_blocks(blocks, n, last_frames);
	return done ? (long)done : -ENOMEM;
}

/*
 * Give frames [0, n) an L1 table each can be unmapped from (splitting a
 * large page): how many have one (a prefix; no table frame for the rest).
 */
static unsigned long split_for(const pfn_t *frames, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		unsigned long region = va_of(frames[i]) & ~(BLOCK_BYTES - 1);
		if (pt_is_large(region) && pt_split(region))
			return i;
	}
	return n;
}

/*
 * The frames are the core's, untouched while it gives them back, so they
 * are unmapped once the host has taken them: what it kept stays mapped as it was.
 */
long platform_release(const pfn_t *frames, unsigned long n)
{
	unsigned long went = give_back(frames, split_for(frames, n));
	for (unsigned long i = 0; i < went; i++)
		pt_unmap_page(va_of(frames[i]));
	return went ? (long)went : -EBUSY;
}

/*
 * Give block b's 512 frames back. A block mapped by one large
 * page came as one 2 MiB extent and goes back as one (Xen need not split
 * its own 2 MiB mapping, which takes memory from its paging pool); any
 * other goes back as 512 frames in one request (Xen takes an extent page
 * by page, and one that fails half-way would be left half-freed). True
 * when all went; when only some frames did, they are taken again.
 */
static bool give_back_block(pfn_t first, bool large)
{
	list[0] = first.n;
	if (large)
		return reservation_op(GIVE, 1, BLOCK_ORDER) == 1;
	static pfn_t frames[BLOCK_PAGES];
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		frames[i] = pfn(first.n + i);
	unsigned long went = give_back(frames, BLOCK_PAGES);
	if (went == BLOCK_PAGES)
		return true;
	for (unsigned long i = 0; i < went; i++)
		list[i] = first.n + i;
	if (went && reservation_op(TAKE, went, 0) != (long)went)
		panic("pvh: the host took back part of block %lu and will not give it again", pfn_to_block(first));
	return false;
}

/*
 * Give back whole block b (every frame populated, none in use), then unmap
 * it: frames given back, or 0 if the host kept it (mapped as it was).
 */
static unsigned long release_block(unsigned long b)
{
	pfn_t table;
	if (!give_back_block(block_to_pfn(b), pt_is_large(block_va(b))))
		return 0;
	if (pt_clear_region(block_va(b), &table))
		pvh_table_put(table);
	return BLOCK_PAGES;
}

long platform_release_blocks(const unsigned long *blocks, unsigned long n)
{
	unsigned long done = 0;
	for (unsigned long i = 0; i < n; i++) {
		unsigned long went = release_block(blocks[i]);
		done += went;
		if (!went)
			break;
	}
	return done ? (long)done : -EBUSY;
}

int platform_unplug_block(unsigned long b)
{
	pfn_t first = block_to_pfn(b), table;
	if (pt_is_large(block_va(b)))
		return release_block(b) ? 0 : -EBUSY;
	static pfn_t frames[BLOCK_PAGES];
	unsigned long n = 0;
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		if (frame_state(pfn(first.n + i)) != FRAME_UNPOPULATED)
			frames[n++] = pfn(first.n + i);
	long went = n ? platform_release(frames, n) : 0;
	if (went != (long)n) {
		/* the block must be as it was: take back what went (the host takes back frames whole; not seen) */
		if (went > 0 && platform_populate(frames, (unsigned long)went) != went)
			panic("pvh: the host took back part of block %lu and will not give it again", b);
		return -EBUSY;
	}
	if (pt_clear_region(block_va(b), &table))
		pvh_table_put(table);
	return 0;
}
