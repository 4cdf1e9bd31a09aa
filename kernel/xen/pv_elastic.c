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
#define RAW_BATCH 64  /* 2 MiB extents per populate or decrease request */

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
	pt_flush_tlb();
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

/*
 * Set every entry of the L1 table that maps block b at once: the first n
 * frames to mfns[], the rest unmapped. When the table lives outside the block
 * (boot blocks), it is unhooked, rewritten through its own direct-map address
 * and hooked back, so Xen validates the 512 entries in one go; otherwise
 * (a hot-added block maps its own L1) entry by entry. When entries are
 * removed, the caller flushes the TLB before the frames are reused.
 */
static void set_block_l1(unsigned long b, const xen_pfn_t *mfns, unsigned long n)
{
	unsigned long va = b * BLOCK_BYTES;
	pfn_t l1 = pt_l1_frame(va);
	if (pfn_to_block(l1) == b) {
		static struct pt_batch batch;
		for (unsigned long i = 0; i < BLOCK_PAGES; i++)
			pt_batch_set(&batch, va + i * PAGE_SIZE, i < n ? pte_make(mfn(mfns[i]), PTE_DATA) : 0);
		if (pt_batch_flush(&batch))
			panic("pv: cannot update the L1 table of block %lu", b);
		return;
	}
	uint64_t *table = frame_to_virt(l1);
	mfn_t m = pv_p2m_get(l1);
	pt_unhook_l1(va);
	if (hyp_update_va_mapping((unsigned long)table, pte_make(m, PTE_DATA), UVMF_INVLPG | UVMF_LOCAL))
		panic("pv: cannot make the L1 table of block %lu writable", b);
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		table[i] = i < n ? pte_make(mfn(mfns[i]), PTE_DATA) : 0;
	if (hyp_update_va_mapping((unsigned long)table, pte_make(m, PTE_READONLY), UVMF_INVLPG | UVMF_LOCAL) ||
	    pt_hook_l1(va, m))
		panic("pv: cannot hook the L1 table of block %lu back", b);
}

/* Record block b's first n frames as backed by mfns[] and map them. */
static void map_block(unsigned long b, const xen_pfn_t *mfns, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		pv_p2m_set(pfn(b * BLOCK_PAGES + i), mfn(mfns[i]));
	set_block_l1(b, mfns, n);
}

static void contiguous_mfns(xen_pfn_t base, xen_pfn_t *mfns)
{
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		mfns[i] = base + i;
}

long platform_populate_blocks(const unsigned long *blocks, unsigned long n)
{
	static xen_pfn_t bases[RAW_BATCH], mfns[BLOCK_PAGES];
	unsigned long done = 0;
	for (unsigned long i = 0; i < n;) {
		unsigned long k = MIN(n - i, (unsigned long)RAW_BATCH), got = 0;
		if (superpages_allowed) {
			for (unsigned long j = 0; j < k; j++)
				bases[j] = blocks[i + j] * BLOCK_PAGES;
			long rc = reservation_op(XENMEM_populate_physmap, bases, k, BLOCK_ORDER);
			got = rc > 0 ? (unsigned long)rc : 0;
			stats.extents_2m += got;
			for (unsigned long j = 0; j < got; j++) {
				contiguous_mfns(bases[j], mfns);
				map_block(blocks[i + j], mfns, BLOCK_PAGES);
			}
		}
		done += got * BLOCK_PAGES;
		i += got;
		if (got == k)
			continue;
		/* Xen has no 2 MiB extent (or may not use them): this block in 4 KiB frames */
		if (superpages_allowed)
			stats.fallbacks_2m++;
		for (unsigned long j = 0; j < BLOCK_PAGES; j++)
			mfns[j] = blocks[i] * BLOCK_PAGES + j;
		long rc = populate_4k(mfns, BLOCK_PAGES);
		if (rc > 0) {
			map_block(blocks[i], mfns, (unsigned long)rc);
			done += (unsigned long)rc;
		}
		if (rc < (long)BLOCK_PAGES)
			break;
		i++;
	}
	return done ? (long)done : -ENOMEM;
}

/* Give back unmapped frames; remap any Xen kept. Returns frames released. */
static long give_back(const pfn_t *frames, xen_pfn_t *mfns, unsigned long n)
{
	long gone = reservation_op(XENMEM_decrease_reservation, mfns, n, 0);
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

static bool block_is_superpage(unsigned long b, xen_pfn_t *base)
{
	*base = pv_p2m_get(pfn(b * BLOCK_PAGES)).n;
	if (*base % BLOCK_PAGES)
		return false;
	for (unsigned long i = 1; i < BLOCK_PAGES; i++)
		if (pv_p2m_get(pfn(b * BLOCK_PAGES + i)).n != *base + i)
			return false;
	return true;
}

/* Give back the k unmapped blocks whose 2 MiB extents are in bases[]; remap those Xen kept. */
static unsigned long release_superpages(const unsigned long *blocks, xen_pfn_t *bases, unsigned long k)
{
	static xen_pfn_t mfns[BLOCK_PAGES];
	if (k)
		pt_flush_tlb(); /* one flush for the whole batch of unhooked tables */
	long rc = k ? reservation_op(XENMEM_decrease_reservation, bases, k, BLOCK_ORDER) : 0;
	unsigned long gone = rc > 0 ? (unsigned long)rc : 0;
	for (unsigned long j = 0; j < k; j++) {
		if (j < gone) {
			for (unsigned long i = 0; i < BLOCK_PAGES; i++)
				pv_p2m_set(pfn(blocks[j] * BLOCK_PAGES + i), mfn(INVALID_MFN));
		} else {
			contiguous_mfns(bases[j], mfns);
			set_block_l1(blocks[j], mfns, BLOCK_PAGES);
		}
	}
	return gone;
}

long platform_release_blocks(const unsigned long *blocks, unsigned long n)
{
	static xen_pfn_t bases[RAW_BATCH];
	static pfn_t frames[BLOCK_PAGES];
	unsigned long done = 0, pending = 0;
	for (unsigned long i = 0; i < n; i++) {
		xen_pfn_t base;
		if (block_is_superpage(blocks[i], &base) && pending < RAW_BATCH) {
			set_block_l1(blocks[i], NULL, 0);
			bases[pending++] = base;
			continue;
		}
		/* flush the superpages before this block, to keep the released ones a prefix */
		unsigned long gone = release_superpages(blocks + i - pending, bases, pending);
		done += gone * BLOCK_PAGES;
		if (gone < pending)
			return done ? (long)done : -EIO;
		pending = 0;
		if (block_is_superpage(blocks[i], &base)) {
			i--; /* the batch was full: start a new one with this block */
			continue;
		}
		block_frames(blocks[i], frames);
		unmap_frames(frames, extents, BLOCK_PAGES);
		long rc = give_back(frames, extents, BLOCK_PAGES);
		done += rc > 0 ? (unsigned long)rc : 0;
		if (rc < (long)BLOCK_PAGES)
			return done ? (long)done : -EIO;
	}
	done += release_superpages(blocks + n - pending, bases, pending) * BLOCK_PAGES;
	return done ? (long)done : -EIO;
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

/*
 * Give populated block b (its first n frames backed by mfns[]) its own
 * metadata: the L1 table in frame 0, the p2m page in frame 1. On failure
 * (no frame for a shared table) the block's frames go back to Xen.
 */
static int plug_populated_block(unsigned long b, xen_pfn_t *mfns, unsigned long n)
{
	unsigned long first = b * BLOCK_PAGES;
	write_block_l1(mfns, n);
	if (pt_hook_l1(first << PAGE_SHIFT, mfn(mfns[0]))) {
		reservation_op(XENMEM_decrease_reservation, mfns, n, 0);
		return -ENOMEM;
	}
	unsigned long *p2m_page = frame_to_virt(pfn(first + 1));
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		p2m_page[i] = i < n ? mfns[i] : INVALID_MFN;
	if (pt_map_page(P2M_BASE + b * PAGE_SIZE, mfn(mfns[1]), PTE_DATA) ||
	    p2m_lists_set(b, mfn(mfns[1]))) {
		pt_unmap_page(P2M_BASE + b * PAGE_SIZE);
		pt_unhook_l1(first << PAGE_SHIFT);
		pt_flush_tlb();
		reservation_op(XENMEM_decrease_reservation, mfns, n, 0);
		return -ENOMEM;
	}
	return 0;
}

long platform_plug_blocks(const unsigned long *blocks, unsigned long n)
{
	static xen_pfn_t bases[PLATFORM_PLUG_BATCH], mfns[BLOCK_PAGES];
	unsigned long done = 0, whole = 0;
	BUG_ON(n > PLATFORM_PLUG_BATCH);
	if (superpages_allowed) {
		for (unsigned long i = 0; i < n; i++)
			bases[i] = blocks[i] * BLOCK_PAGES;
		long rc = reservation_op(XENMEM_populate_physmap, bases, n, BLOCK_ORDER);
		whole = rc > 0 ? (unsigned long)rc : 0;
		stats.extents_2m += whole;
		if (whole < n)
			stats.fallbacks_2m++;
	}
	for (unsigned long i = 0; i < whole; i++) {
		contiguous_mfns(bases[i], mfns);
		if (plug_populated_block(blocks[i], mfns, BLOCK_PAGES)) {
			if (i + 1 < whole) /* hand back the extents not plugged */
				reservation_op(XENMEM_decrease_reservation, bases + i + 1, whole - i - 1, BLOCK_ORDER);
			return done ? (long)done : -ENOMEM;
		}
		done += BLOCK_PAGES;
	}
	/* the rest in 4 KiB frames, until Xen comes up short */
	for (unsigned long i = whole; i < n; i++) {
		for (unsigned long j = 0; j < BLOCK_PAGES; j++)
			mfns[j] = blocks[i] * BLOCK_PAGES + j;
		long rc = populate_4k(mfns, BLOCK_PAGES);
		if (rc < META_FRAMES) {
			if (rc > 0)
				reservation_op(XENMEM_decrease_reservation, mfns, (unsigned long)rc, 0);
			break;
		}
		if (plug_populated_block(blocks[i], mfns, (unsigned long)rc))
			break;
		done += (unsigned long)rc;
		if (rc < (long)BLOCK_PAGES)
			break;
	}
	return done ? (long)done : -ENOMEM;
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
	pt_flush_tlb();
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
	pt_flush_tlb();
	for (unsigned long done = 0; done < nblocks;) {
		unsigned long n = MIN((unsigned long)RAW_BATCH, nblocks - done);
		if (reservation_op(XENMEM_decrease_reservation, bases + done, n, BLOCK_ORDER) != (long)n)
			return -EIO;
		done += n;
	}
	return (long)nblocks;
}
