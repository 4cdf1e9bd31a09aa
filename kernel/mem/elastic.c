/*
 * The mechanics of growing and shrinking: which frames and blocks to
 * populate or give back, in which order, and the state changes that go with
 * it. The balloon state machine (balloon.c) decides when and how much.
 *
 * Growing: refill ballooned-out frames of online blocks, lowest first, then
 * hot-add absent blocks above the boot boundary, lowest first. A request is
 * met to the page: a last hot-added block may be populated only in part
 * (never less than its own metadata frames, so at most
 * platform_block_meta_frames() - 1 pages over). Growth for a contiguous
 * chunk (the allocator's lists are fragmented) skips partly ballooned blocks
 * and brings whole blocks only; a hot-added block serves chunks up to half a
 * block (its metadata sits in its first frames), so a whole-block chunk can
 * only come from a ballooned-out boot block.
 *
 * Shrinking: unplug drained hot-added blocks, highest first; then whole free
 * blocks (highest first, from the allocator's sorted order-9 list); then
 * single pages, 512 per request. The unplug scan walks hot-added blocks
 * only, from the highest one down, and stops when it has what it wants.
 * A block that nothing uses but that holds shared metadata (page tables,
 * metadata pages, reserve frames placed there when lower memory was full)
 * is not pinned for good: the metadata is moved to free frames below it,
 * boot memory first (platform_meta_move), and the block unplugged.
 *
 * Where the host takes hot-added memory back only whole
 * (platform_hotplugged_whole_only), free frames given back come from boot
 * memory only.
 *
 * A refused refill does not stop hot-add, nor a refused unplug the giving
 * back of free frames: a host may move boot memory and hot-added memory
 * through different devices, each toward a target of its own (KVM's virtio
 * balloon and virtio-mem), so one can say no while the other says yes. The
 * request counts as refused only when it fell short.
 */
#include <tide/balloon.h>
#include <tide/frame.h>
#include <tide/lib.h>
#include <tide/metapool.h>
#include <tide/buddy.h>
#include <tide/platform.h>
#include "elastic.h"

#define BATCH 512
#define BLOCK_BATCH 64 /* whole blocks per platform request */

static pfn_t batch[BATCH];
static unsigned long block_batch[BLOCK_BATCH];
static unsigned long boot_blocks;
static unsigned long plugged_top; /* one past the highest online hot-added block */
static unsigned long plug_from;	  /* no block in [boot_blocks, plug_from) is absent */
static struct elastic_stats stats;

void elastic_init(unsigned long boot_boundary_blocks)
{
	boot_blocks = plugged_top = plug_from = boot_boundary_blocks;
	memset(&stats, 0, sizeof(stats));
}

const struct elastic_stats *elastic_stats(void) { return &stats; }

/* Mark n populated frames of one block free, as runs of consecutive frames. */
static void give_to_allocator(const pfn_t *frames, unsigned long n)
{
	for (unsigned long i = 0; i < n;) {
		unsigned long j = i + 1;
		while (j < n && frames[j].n == frames[j - 1].n + 1 &&
		       pfn_to_block(frames[j]) == pfn_to_block(frames[i]))
			j++;
		buddy_add_frames(frames[i], j - i);
		i = j;
	}
}

static void mark_unpopulated(const pfn_t *frames, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		frame_set_state(frames[i], FRAME_UNPOPULATED, 0, false);
}

/* A boot block whose frames were all ballooned out: refilled whole, as one 2 MiB extent. */
static bool block_empty_boot(unsigned long b)
{
	const struct block_info *bi = block_info(b);
	return block_state(b) == BLOCK_ONLINE && bi->nr_populated == 0 && !(bi->flags & BLOCK_HOTPLUGGED);
}

/* Refill up to want frames of online block b, frame by frame. Returns frames gained; sets *refused. */
static unsigned long refill_frames(unsigned long b, unsigned long want, bool *refused)
{
	unsigned long n = 0;
	for (unsigned long i = 0; i < BLOCK_PAGES && n < MIN(want, (unsigned long)BATCH); i++)
		if (frame_state(pfn(b * BLOCK_PAGES + i)) == FRAME_UNPOPULATED)
			batch[n++] = pfn(b * BLOCK_PAGES + i);
	if (n == 0)
		return 0;
	long got = platform_populate(batch, n);
	if (got < (long)n)
		*refused = true;
	if (got <= 0)
		return 0;
	give_to_allocator(batch, (unsigned long)got);
	return (unsigned long)got;
}

/* Refill the nb empty boot blocks in block_batch. Returns frames gained; sets *refused. */
static unsigned long refill_blocks(unsigned long nb, bool *refused)
{
	long got = platform_populate_blocks(block_batch, nb);
	if (got < (long)(nb * BLOCK_PAGES))
		*refused = true;
	if (got <= 0)
		return 0;
	for (unsigned long i = 0; i < nb && (unsigned long)got > i * BLOCK_PAGES; i++)
		buddy_add_frames(block_to_pfn(block_batch[i]), MIN(BLOCK_PAGES, (unsigned long)got - i * BLOCK_PAGES));
	return (unsigned long)got;
}

/*
 * Refill ballooned-out frames, lowest blocks first: whole empty boot blocks in
 * batches; partly ballooned blocks frame by frame unless whole_blocks.
 */
static unsigned long refill(unsigned long want, bool whole_blocks, bool *refused)
{
	unsigned long gained = 0, nb = 0;
	if (frames_ballooned() == 0)
		return 0; /* the common case when hot-adding: no scan of every block */
	for (unsigned long b = block_next_present(0); b < frames_nr_blocks() && gained < want && !*refused;
	     b = block_next_present(b + 1)) {
		stats.grow_blocks_scanned++;
		if (block_state(b) != BLOCK_ONLINE || block_info(b)->nr_populated == BLOCK_PAGES)
			continue;
		if (block_empty_boot(b) && want - gained >= (nb + 1) * BLOCK_PAGES) {
			block_batch[nb++] = b;
			if (nb == BLOCK_BATCH) {
				gained += refill_blocks(nb, refused);
				nb = 0;
			}
		} else if (!whole_blocks && want - gained > nb * BLOCK_PAGES) {
			gained += refill_frames(b, want - gained - nb * BLOCK_PAGES, refused);
		}
	}
	if (nb && !*refused)
		gained += refill_blocks(nb, refused);
	return gained;
}

static bool block_can_plug(unsigned long b)
{
	return b >= boot_blocks && block_state(b) == BLOCK_ABSENT;
}

/* Mark hot-added block b's first got frames: its metadata, then free memory. */
static void mark_plugged(unsigned long b, unsigned long got)
{
	plugged_top = MAX(plugged_top, b + 1);
	unsigned meta = platform_block_meta_frames();
	pfn_t first = block_to_pfn(b);
	for (unsigned i = 0; i < meta; i++)
		frame_set_state(pfn(first.n + i), FRAME_RESERVED, i == 0 ? RESERVED_PAGETABLE : RESERVED_P2M,
				false);
	if (got > meta)
		buddy_add_frames(pfn(first.n + meta), got - meta);
	stats.blocks_plugged++;
}

/*
 * Hot-add the lowest absent blocks, up to want pages in one platform request,
 * the last block in part when want ends inside it. Returns frames populated
 * (metadata included); sets *refused. The scan starts at plug_from, so that
 * growing a large guest does not walk every plugged block each time.
 */
static unsigned long plug_blocks(unsigned long want, bool *refused)
{
	unsigned long nb = 0;
	for (unsigned long b = plug_from; b < frames_nr_blocks() && nb < PLATFORM_PLUG_BATCH &&
					  nb * BLOCK_PAGES < want; b++) {
		stats.grow_blocks_scanned++;
		if (!block_can_plug(b))
			continue;
		if (nb == 0)
			plug_from = b;
		if (block_set_state(b, BLOCK_ONLINE, BLOCK_HOTPLUGGED))
			break; /* no frame for its metadata */
		block_batch[nb++] = b;
	}
	if (nb == 0) {
		*refused = true; /* no room left in the pfn space, or no metadata */
		return 0;
	}
	unsigned long last = MAX(MIN(want - (nb - 1) * BLOCK_PAGES, BLOCK_PAGES),
				 (unsigned long)platform_block_meta_frames());
	long got = platform_plug_blocks(block_batch, nb, last);
	unsigned long done = got > 0 ? (unsigned long)got : 0;
	if (done < (nb - 1) * BLOCK_PAGES + last)
		*refused = true;
	for (unsigned long i = 0; i < nb; i++) {
		unsigned long went = done > i * BLOCK_PAGES ? MIN(BLOCK_PAGES, done - i * BLOCK_PAGES) : 0;
		if (went)
			mark_plugged(block_batch[i], went);
		else
			block_set_state(block_batch[i], BLOCK_ABSENT, 0);
	}
	metapool_refill();
	return done;
}

/*
 * A hot-added block's largest free chunk: its first frames hold its own
 * metadata, so the upper half (order 8) is the largest aligned chunk it has.
 */
#define PLUGGED_CHUNK_MAX (BLOCK_PAGES / 2)

long elastic_grow(unsigned long want, unsigned long chunk_pages, bool *refused)
{
	bool whole_blocks = chunk_pages > 0;
	long limit = platform_max_pages();
	unsigned long gained = 0;
	*refused = false;
	if (limit < 0 || (unsigned long)limit <= frames_populated()) {
		*refused = true;
		return 0;
	}
	want = MIN(want, (unsigned long)limit - frames_populated());
	if (whole_blocks && want < BLOCK_PAGES) {
		*refused = true; /* not even one whole block fits under the limit */
		return 0;
	}
	bool refill_refused = false;
	gained = refill(want, whole_blocks, &refill_refused);
	if (chunk_pages > PLUGGED_CHUNK_MAX) {
		*refused = refill_refused || gained == 0; /* only a refilled boot block has a whole free block */
		return (long)gained;
	}
	/* a host may refuse its boot frames and still plug (two devices, each at its own target) */
	while (gained < want && !*refused)
		gained += plug_blocks(want - gained, refused);
	*refused |= refill_refused && gained < want;
	return (long)gained;
}

/* A hot-added block holding nothing but free frames and its own metadata. */
static bool block_drained(unsigned long b)
{
	const struct block_info *bi = block_info(b);
	return block_state(b) == BLOCK_ONLINE && (bi->flags & BLOCK_HOTPLUGGED) && bi->nr_used == 0 &&
	       (unsigned)(bi->nr_populated - bi->nr_free) == platform_block_meta_frames();
}

#define NO_BLOCK (~0UL)

/* The highest online hot-added block below top, or NO_BLOCK. */
static unsigned long plugged_below(unsigned long top)
{
	while (top > boot_blocks) {
		stats.blocks_scanned++;
		top--;
		if (block_state(top) == BLOCK_ONLINE && (block_info(top)->flags & BLOCK_HOTPLUGGED))
			return top;
	}
	return NO_BLOCK;
}

/* Hand block b's FREE frames, taken off the free lists, back to the allocator run by run. */
static void free_runs_to_allocator(unsigned long b)
{
	pfn_t first = block_to_pfn(b);
	for (unsigned long i = 0, j; i < BLOCK_PAGES; i = j + 1) {
		for (j = i; j < BLOCK_PAGES && frame_state(pfn(first.n + j)) == FRAME_FREE; j++)
			;
		if (j > i)
			buddy_add_frames(pfn(first.n + i), j - i);
	}
}

/*
 * Unplug drained block b: frames given back, or 0 when the platform refused
 * (the block stays plugged, its free chunks back in the allocator).
 */
static unsigned long unplug_block(unsigned long b, bool *refused)
{
	unsigned long held = block_info(b)->nr_populated;
	buddy_take_block_chunks(b);
	if (platform_unplug_block(b)) {
		*refused = true;
		free_runs_to_allocator(b);
		return 0;
	}
	frame_set_state_range(block_to_pfn(b), BLOCK_PAGES, FRAME_UNPOPULATED);
	block_set_state(b, BLOCK_ABSENT, 0);
	plug_from = MIN(plug_from, b);
	stats.blocks_unplugged++;
	if (b + 1 == plugged_top) {
		unsigned long below = plugged_below(b);
		plugged_top = below == NO_BLOCK ? boot_blocks : below + 1;
	}
	return held;
}

/*
 * A hot-added block that nothing uses but that holds more than its own
 * metadata: reserve frames, or metadata shared with other blocks, placed
 * there when lower memory was full.
 */
static bool block_pinned(unsigned long b)
{
	const struct block_info *bi = block_info(b);
	return block_state(b) == BLOCK_ONLINE && (bi->flags & BLOCK_HOTPLUGGED) && bi->nr_used == 0 &&
	       (unsigned)(bi->nr_populated - bi->nr_free) > platform_block_meta_frames();
}

/*
 * Move what pins block b into free frames below it (boot memory first):
 * reserve frames, then each shared metadata frame through the platform.
 * True when b is drained afterwards; what could not move stays, accounted.
 */
static bool move_metadata_out(unsigned long b)
{
	pfn_t first = block_to_pfn(b), to;
	if (!metapool_move_out_of(b))
		return false;
	for (unsigned long i = platform_block_meta_frames(); i < BLOCK_PAGES; i++) {
		pfn_t p = pfn(first.n + i);
		if (frame_state(p) != FRAME_RESERVED)
			continue;
		if (!metapool_frame_below(b, &to))
			return false;
		frame_set_state(to, FRAME_RESERVED, frame_aux(p), false);
		if (platform_meta_move(p, to)) {
			buddy_add_frames(to, 1);
			return false;
		}
		buddy_add_frames(p, 1);
		stats.meta_moved++;
	}
	return block_drained(b);
}

/* Unplug drained hot-added blocks (pinned ones once unpinned), highest first, up to want pages. */
static unsigned long unplug_drained(unsigned long want, bool *refused)
{
	unsigned long released = 0;
	for (unsigned long b = plugged_below(plugged_top); b != NO_BLOCK && released < want && !*refused;
	     b = plugged_below(b)) {
		if (block_info(b)->nr_populated > want - released)
			continue;
		if (block_drained(b) || (block_pinned(b) && move_metadata_out(b)))
			released += unplug_block(b, refused);
	}
	return released;
}

/* May the balloon give back free frames of block b on their own? Not a hot-added one's where those go back whole only. */
static bool releasable(unsigned long b)
{
	return !(block_info(b)->flags & BLOCK_HOTPLUGGED) || !platform_hotplugged_whole_only();
}

/* Give back up to want/512 whole free blocks, highest first, in one request. */
static unsigned long release_blocks(unsigned long want, bool *refused)
{
	unsigned long nb = 0;
	while (nb < BLOCK_BATCH && (nb + 1) * BLOCK_PAGES <= want && buddy_take_free_block_where(releasable, &block_batch[nb]))
		nb++;
	if (nb == 0)
		return 0;
	long gone = platform_release_blocks(block_batch, nb);
	unsigned long done = gone > 0 ? (unsigned long)gone : 0;
	if (done < nb * BLOCK_PAGES)
		*refused = true;
	for (unsigned long i = 0; i < nb; i++) {
		pfn_t first = block_to_pfn(block_batch[i]);
		unsigned long went = done > i * BLOCK_PAGES ? MIN(BLOCK_PAGES, done - i * BLOCK_PAGES) : 0;
		if (went)
			frame_set_state_range(first, went, FRAME_UNPOPULATED);
		if (went < BLOCK_PAGES) /* what stayed is still mapped: back to the allocator */
			buddy_add_frames(pfn(first.n + went), BLOCK_PAGES - went);
	}
	return done;
}

/*
 * Take up to want single pages from the allocator into batch, releasable
 * ones only (the others go back; BATCH of them at most): how many.
 */
static unsigned long take_releasable_pages(unsigned long want)
{
	static pfn_t skipped[BATCH];
	unsigned long n = 0, nskipped = 0;
	while (n < MIN(want, (unsigned long)BATCH) && nskipped < BATCH && buddy_alloc(0, &batch[n]) == 0) {
		if (releasable(pfn_to_block(batch[n])))
			n++;
		else
			skipped[nskipped++] = batch[n];
	}
	for (unsigned long i = 0; i < nskipped; i++)
		buddy_free(skipped[i], 0);
	return n;
}

/* Give back up to want single pages taken from the allocator. */
static unsigned long release_pages(unsigned long want, bool *refused)
{
	unsigned long n = take_releasable_pages(want);
	if (n == 0)
		return 0;
	long gone = platform_release(batch, n);
	if (gone < (long)n) {
		*refused = true;
		for (unsigned long i = gone > 0 ? (unsigned long)gone : 0; i < n; i++)
			buddy_free(batch[i], 0);
	}
	if (gone <= 0)
		return 0;
	mark_unpopulated(batch, (unsigned long)gone);
	return (unsigned long)gone;
}

/* Give back free frames of online blocks: whole free blocks first, then single pages. */
static unsigned long release_free(unsigned long want, unsigned long released, bool *refused)
{
	while (want - released >= BLOCK_PAGES && !*refused) {
		unsigned long got = release_blocks(want - released, refused);
		if (got == 0)
			break;
		released += got;
	}
	while (released < want && !*refused) {
		unsigned long got = release_pages(want - released, refused);
		if (got == 0)
			break;
		released += got;
	}
	return released;
}

long elastic_shrink(unsigned long want, bool *refused)
{
	bool unplug_refused = false;
	*refused = false;
	metapool_move_low();
	/* a host may refuse an unplug and still take free frames (two devices, each at its own target) */
	unsigned long released = release_free(want, unplug_drained(want, &unplug_refused), refused);
	*refused |= unplug_refused && released < want;
	return (long)released;
}

long elastic_shrink_in_place(unsigned long want, bool *refused)
{
	*refused = false;
	return (long)release_free(want, 0, refused);
}
