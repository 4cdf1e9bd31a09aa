/*
 * Elastic memory on x86-64 PV: the platform calls of tide/platform.h that get
 * machine frames from Xen and give them back.
 *
 * Populating: XENMEM_populate_physmap with the guest frames as extents (one
 * 2 MiB extent for a whole block when Xen has one, else 4 KiB extents, up to
 * 512 per call); Xen returns the machine frames in place and updates its M2P.
 * Tide then records them in the p2m and maps them with batched mmu_updates.
 * Releasing is the reverse: unmap, XENMEM_decrease_reservation, p2m INVALID.
 *
 * Hot-add keeps a block's metadata inside the block: frame 0 becomes the L1
 * table that maps the block (written through the scratch window while still
 * a plain page, then validated by Xen in one go), frame 1 the block's page of
 * the p2m list. Unplugging drops both with the block.
 */
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/platform.h>
#include "hypercall.h"
#include "layout.h"
#include "pv.h"
#include "pv_p2m.h"
#include "pv_pt.h"

#define META_FRAMES 2 /* the L1 table and the p2m page */

static struct platform_stats stats;
static xen_pfn_t extents[BLOCK_PAGES];
static bool superpages_allowed = true;

void pv_elastic_init(void) { superpages_allowed = cmdline_ulong("superpages", 1) != 0; }

long platform_max_pages(void) { return hyp_reservation(XENMEM_maximum_reservation); }
unsigned platform_block_meta_frames(void) { return META_FRAMES; }
const struct platform_stats *platform_stats(void) { return &stats; }

static long reservation_op(unsigned cmd, xen_pfn_t *list, unsigned long n, unsigned order)
{
	struct xen_memory_reservation r = {.nr_extents = n, .extent_order = order, .domid = DOMID_SELF};
	set_xen_guest_handle(r.extent_start, list);
	long rc = hyp_memory_op(cmd, &r);
	if (cmd == XENMEM_populate_physmap)
		stats.populate_hypercalls++;
	else
		stats.release_hypercalls++;
	if (rc != (long)n && order == 0)
		stats.refused_hypercalls++;
	return rc;
}

/* Populate the n guest frames in list (4 KiB each); list then holds their mfns. A prefix count. */
static long populate_4k(xen_pfn_t *list, unsigned long n)
{
	long rc = reservation_op(XENMEM_populate_physmap, list, n, 0);
	if (rc > 0)
		stats.frames_4k += (unsigned long)rc;
	return rc;
}

/* Populate all of block b into mfns[]: one 2 MiB extent, or 4 KiB frames. A prefix count. */
static long populate_whole_block(unsigned long b, xen_pfn_t *mfns)
{
	if (superpages_allowed) {
		mfns[0] = b * BLOCK_PAGES;
		if (reservation_op(XENMEM_populate_physmap, mfns, 1, BLOCK_ORDER) == 1) {
			stats.extents_2m++;
			for (unsigned long i = 1; i < BLOCK_PAGES; i++)
				mfns[i] = mfns[0] + i;
			return BLOCK_PAGES;
		}
		stats.fallbacks_2m++;
	}
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		mfns[i] = b * BLOCK_PAGES + i;
	return populate_4k(mfns, BLOCK_PAGES);
}

/* Record and direct-map n frames, frame i backed by mfns[i]. */
static void map_frames(const pfn_t *frames, const xen_pfn_t *mfns, unsigned long n)
{
	static struct pt_batch batch;
	for (unsigned long i = 0; i < n; i++) {
		pv_p2m_set(frames[i], mfn(mfns[i]));
		pt_batch_set(&batch, (unsigned long)frame_to_virt(frames[i]), pte_make(mfn(mfns[i]), PTE_DATA));
	}
	if (pt_batch_flush(&batch))
		panic("pv: Xen refused to map frames it just gave us");
}

/* Unmap n frames; their mfns go to mfns[]. */
static void unmap_frames(const pfn_t *frames, xen_pfn_t *mfns, unsigned long n)
{
	static struct pt_batch batch;
	for (unsigned long i = 0; i < n; i++) {
		mfns[i] = pv_p2m_get(frames[i]).n;
		pt_batch_set(&batch, (unsigned long)frame_to_virt(frames[i]), 0);
	}
	if (pt_batch_flush(&batch))
		panic("pv: cannot unmap frames");
	struct mmuext_op flush = {.cmd = MMUEXT_TLB_FLUSH_LOCAL};
	hyp_mmuext_op(&flush, 1);
}

long platform_populate(const pfn_t *frames, unsigned long n)
{
	BUG_ON(n > BLOCK_PAGES);
	for (unsigned long i = 0; i < n; i++)
		extents[i] = frames[i].n;
	long got = populate_4k(extents, n);
	if (got <= 0)
		return got < 0 ? got : -ENOMEM;
	map_frames(frames, extents, (unsigned long)got);
	return got;
}

static void block_frames(unsigned long b, pfn_t *frames)
{
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		frames[i] = pfn(b * BLOCK_PAGES + i);
}

long platform_populate_block(unsigned long b)
{
	static pfn_t frames[BLOCK_PAGES];
	long got = populate_whole_block(b, extents);
	if (got <= 0)
		return got < 0 ? got : -ENOMEM;
	block_frames(b, frames);
	map_frames(frames, extents, (unsigned long)got);
	return got;
}

/* Give back unmapped frames; remap any Xen kept. Returns frames released. */
static long give_back(const pfn_t *frames, xen_pfn_t *mfns, unsigned long n)
{
	bool whole = n == BLOCK_PAGES && mfns[0] % BLOCK_PAGES == 0;
	for (unsigned long i = 1; whole && i < n; i++)
		whole = mfns[i] == mfns[0] + i;
	long gone;
	if (whole && reservation_op(XENMEM_decrease_reservation, mfns, 1, BLOCK_ORDER) == 1)
		gone = BLOCK_PAGES;
	else
		gone = reservation_op(XENMEM_decrease_reservation, mfns, n, 0);
	unsigned long done = gone > 0 ? (unsigned long)gone : 0;
	for (unsigned long i = 0; i < done; i++)
		pv_p2m_set(frames[i], mfn(INVALID_MFN));
	if (done < n)
		map_frames(frames + done, mfns + done, n - done);
	return done ? (long)done : -EIO;
}

long platform_release(const pfn_t *frames, unsigned long n)
{
	BUG_ON(n > BLOCK_PAGES);
	unmap_frames(frames, extents, n);
	return give_back(frames, extents, n);
}

long platform_release_block(unsigned long b)
{
	static pfn_t frames[BLOCK_PAGES];
	block_frames(b, frames);
	unmap_frames(frames, extents, BLOCK_PAGES);
	return give_back(frames, extents, BLOCK_PAGES);
}

/* Write block b's L1 table into its frame 0 (mfns[0]) through the scratch window. */
static void write_block_l1(const xen_pfn_t *mfns, unsigned long populated)
{
	uint64_t *l1 = (uint64_t *)SCRATCH_VA;
	if (pt_map_page(SCRATCH_VA, mfn(mfns[0]), PTE_DATA))
		panic("pv: cannot map the scratch window");
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		l1[i] = i >= populated ? 0 : pte_make(mfn(mfns[i]), i == 0 ? PTE_READONLY : PTE_DATA);
	pt_unmap_page(SCRATCH_VA);
}

long platform_plug_block(unsigned long b)
{
	static xen_pfn_t mfns[BLOCK_PAGES];
	unsigned long first = b * BLOCK_PAGES;
	long got = populate_whole_block(b, mfns);
	if (got < META_FRAMES) {
		if (got > 0)
			reservation_op(XENMEM_decrease_reservation, mfns, (unsigned long)got, 0);
		return -ENOMEM;
	}
	write_block_l1(mfns, (unsigned long)got);
	int rc = pt_hook_l1(first << PAGE_SHIFT, mfn(mfns[0]));
	if (rc) {
		reservation_op(XENMEM_decrease_reservation, mfns, (unsigned long)got, 0);
		return rc;
	}
	unsigned long *p2m_page = frame_to_virt(pfn(first + 1));
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		p2m_page[i] = i < (unsigned long)got ? mfns[i] : INVALID_MFN;
	if (pt_map_page(P2M_BASE + b * PAGE_SIZE, mfn(mfns[1]), PTE_DATA) ||
	    p2m_lists_set(b, mfn(mfns[1]))) {
		pt_unmap_page(P2M_BASE + b * PAGE_SIZE);
		pt_unhook_l1(first << PAGE_SHIFT);
		reservation_op(XENMEM_decrease_reservation, mfns, (unsigned long)got, 0);
		return -ENOMEM;
	}
	return got;
}

void platform_unplug_block(unsigned long b)
{
	static xen_pfn_t mfns[BLOCK_PAGES];
	unsigned long first = b * BLOCK_PAGES, n = 0;
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		if (pv_p2m_get(pfn(first + i)).n != INVALID_MFN)
			mfns[n++] = pv_p2m_get(pfn(first + i)).n;
	p2m_lists_clear(b);
	pt_unmap_page(P2M_BASE + b * PAGE_SIZE);
	pt_unhook_l1(first << PAGE_SHIFT);
	bool whole = n == BLOCK_PAGES && mfns[0] % BLOCK_PAGES == 0;
	for (unsigned long i = 1; whole && i < n; i++)
		whole = mfns[i] == mfns[0] + i;
	if (whole && reservation_op(XENMEM_decrease_reservation, mfns, 1, BLOCK_ORDER) == 1)
		return;
	if (reservation_op(XENMEM_decrease_reservation, mfns, n, 0) != (long)n)
		panic("pv: Xen did not take back the frames of unplugged block %lu", b);
}

/*
 * The raw limit, for `make bench`: the least work that makes nblocks blocks
 * usable on PV (2 MiB extents, up to 64 per populate call, and one L1 table
 * per block for the direct map) and that gives them back, with no p2m, no
 * frame states and no allocator. The blocks must be absent and unused by
 * Tide; they are left absent.
 */
#define RAW_BATCH 64

long pv_raw_populate(unsigned long first_block, unsigned long nblocks, xen_pfn_t *bases)
{
	static xen_pfn_t mfns[BLOCK_PAGES];
	for (unsigned long done = 0; done < nblocks;) {
		unsigned long n = MIN((unsigned long)RAW_BATCH, nblocks - done);
		for (unsigned long i = 0; i < n; i++)
			bases[done + i] = (first_block + done + i) * BLOCK_PAGES;
		if (reservation_op(XENMEM_populate_physmap, bases + done, n, BLOCK_ORDER) != (long)n)
			return -ENOMEM;
		for (unsigned long i = 0; i < n; i++) {
			for (unsigned long j = 0; j < BLOCK_PAGES; j++)
				mfns[j] = bases[done + i] + j;
			write_block_l1(mfns, BLOCK_PAGES);
			if (pt_hook_l1((first_block + done + i) * BLOCK_BYTES, mfn(mfns[0])))
				return -ENOMEM;
		}
		done += n;
	}
	return (long)nblocks;
}

long pv_raw_release(unsigned long first_block, unsigned long nblocks, xen_pfn_t *bases)
{
	for (unsigned long i = 0; i < nblocks; i++)
		pt_unhook_l1((first_block + i) * BLOCK_BYTES);
	for (unsigned long done = 0; done < nblocks;) {
		unsigned long n = MIN((unsigned long)RAW_BATCH, nblocks - done);
		if (reservation_op(XENMEM_decrease_reservation, bases + done, n, BLOCK_ORDER) != (long)n)
			return -EIO;
		done += n;
	}
	return (long)nblocks;
}
