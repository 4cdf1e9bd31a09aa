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
 *
 * When Xen has no 2 MiB extent, the rest of that request goes in 4 KiB
 * frames (the next request tries 2 MiB again). Frames that Xen would not
 * take back (a decrease refused or half-done, after they were unmapped) are
 * never lost: they wait in a pending list, are offered again with the
 * balloon's backoff (balloon_backoff_next, one log line a time), and are
 * left out of platform_reservation_pages() meanwhile, so the invariant
 * checker still compares like with like.
 */
#include <tide/balloon_worker.h>
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/platform.h>
#include <tide/raw_limits.h>
#include "hypercall.h"
#include "layout.h"
#include "pv.h"
#include "pv_p2m.h"
#include "pv_pt.h"
#include "suspend.h"

#define META_FRAMES 2 /* the L1 table and the p2m page */
#define RAW_BATCH 64  /* 2 MiB extents per populate or decrease request */

static struct platform_stats stats;
static xen_pfn_t extents[BLOCK_PAGES];
static bool superpages_allowed = true;

/* Machine extents Xen would not take back; see above. */
#define PENDING_MAX (2 * BLOCK_PAGES)
static struct {
	xen_pfn_t mfn[PENDING_MAX];
	uint8_t order[PENDING_MAX];
	unsigned len;
	unsigned long frames;
	uint64_t retry_at_ns, backoff_ns;
} pending;

void pv_elastic_resume(void)
{
	if (pending.len)
		printk("pv: restored: the %lu frames Xen kept stayed with the old domain\n", pending.frames);
	pending.len = 0;
	pending.frames = 0;
	pending.backoff_ns = 0;
}

void pv_elastic_init(void) { superpages_allowed = cmdline_ulong("superpages", 1) != 0; }

long platform_max_pages(void) { return hyp_reservation(XENMEM_maximum_reservation); }
bool platform_hotplugged_whole_only(void) { return false; } /* Xen takes any frame back */
unsigned platform_block_meta_frames(void) { return META_FRAMES; }
const struct platform_stats *platform_stats(void) { return &stats; }

static long reservation_op(unsigned cmd, xen_pfn_t *list, unsigned long n, unsigned order)
{
	return hyp_reservation_op(&stats, cmd, list, n, order);
}

/* Keep n unmapped extents of the given order that Xen did not take back. */
static void pend(const xen_pfn_t *mfns, unsigned long n, unsigned order)
{
	BUG_ON(pending.len + n > PENDING_MAX); /* callers check pending_room() first */
	for (unsigned long i = 0; i < n; i++) {
		pending.mfn[pending.len] = mfns[i];
		pending.order[pending.len++] = (uint8_t)order;
		pending.frames += 1UL << order;
	}
	pending.retry_at_ns = balloon_backoff_next(monotonic_ns(), &pending.backoff_ns);
	printk("pv: Xen kept %lu unmapped frames it was given back; offering them again in %lu s\n",
	       pending.frames, (unsigned long)(pending.backoff_ns / 1000000000ULL));
}

/* Give back n unmapped extents; what Xen keeps goes to the pending list. */
static void release_or_pend(xen_pfn_t *mfns, unsigned long n, unsigned order)
{
	long rc = n ? reservation_op(XENMEM_decrease_reservation, mfns, n, order) : 0;
	unsigned long gone = rc > 0 ? (unsigned long)rc : 0;
	if (gone < n)
		pend(mfns + gone, n - gone, order);
}

/* Offer the pending extents again once their backoff is over. */
static void pending_retry(void)
{
	if (!pending.len || monotonic_ns() < pending.retry_at_ns)
		return;
	unsigned kept = 0;
	for (unsigned i = 0; i < pending.len; i++) {
		if (reservation_op(XENMEM_decrease_reservation, &pending.mfn[i], 1, pending.order[i]) == 1) {
			pending.frames -= 1UL << pending.order[i];
			continue;
		}
		pending.mfn[kept] = pending.mfn[i];
		pending.order[kept++] = pending.order[i];
	}
	pending.len = kept;
	if (kept) {
		pending.retry_at_ns = balloon_backoff_next(monotonic_ns(), &pending.backoff_ns);
		printk("pv: Xen still keeps %lu frames given back; next offer in %lu s\n", pending.frames,
		       (unsigned long)(pending.backoff_ns / 1000000000ULL));
	} else {
		pending.backoff_ns = 0;
		printk("pv: Xen took back every pending frame\n");
	}
}

/* Room in the pending list for a whole block of 4 KiB frames, after a retry. */
static bool pending_room(void)
{
	pending_retry();
	return pending.len + BLOCK_PAGES <= PENDING_MAX;
}

long platform_reservation_pages(void)
{
	long held = hyp_reservation(XENMEM_current_reservation);
	return held < 0 ? held : held - (long)pending.frames;
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

static void contiguous_mfns(xen_pfn_t base, xen_pfn_t *mfns)
{
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		mfns[i] = base + i;
}

/* Record block b as backed by the 2 MiB extent at base, or by nothing when base is INVALID_MFN. */
static void p2m_set_block(unsigned long b, xen_pfn_t base)
{
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		pv_p2m_set(pfn(b * BLOCK_PAGES + i), mfn(base == INVALID_MFN ? INVALID_MFN : base + i));
}

/*
 * set_block_l1 for k whole blocks at once: block j mapped to the 2 MiB
 * extent at bases[j], or unmapped when bases is NULL. The tables of boot
 * blocks are unhooked and made writable in one mmu_update batch, the TLB
 * flushed once, written, and made read-only and hooked back (validated) in
 * a second batch: four hypercalls per block become two per call.
 */
static void set_blocks_l1(const unsigned long *blocks, const xen_pfn_t *bases, unsigned long k)
{
	static struct pt_batch batch;
	static xen_pfn_t mfns[BLOCK_PAGES];
	static unsigned long boot[RAW_BATCH];
	static pfn_t table[RAW_BATCH];
	unsigned long nboot = 0;
	BUG_ON(k > RAW_BATCH);
	for (unsigned long j = 0; j < k; j++) {
		pfn_t l1 = pt_l1_frame(blocks[j] * BLOCK_BYTES);
		if (pfn_to_block(l1) != blocks[j]) {
			boot[nboot] = j;
			table[nboot++] = l1;
			pt_batch_set_l2(&batch, blocks[j] * BLOCK_BYTES, 0);
			pt_batch_set(&batch, (unsigned long)frame_to_virt(l1), pte_make(pv_p2m_get(l1), PTE_DATA));
		} else if (bases) {
			contiguous_mfns(bases[j], mfns);
			set_block_l1(blocks[j], mfns, BLOCK_PAGES);
		} else {
			set_block_l1(blocks[j], NULL, 0);
		}
	}
	if (nboot == 0)
		return;
	if (pt_batch_flush(&batch))
		panic("pv: cannot unhook the L1 tables of %lu blocks", nboot);
	pt_flush_tlb(); /* the tables were mapped read-only: no stale entry may stay */
	for (unsigned long i = 0; i < nboot; i++) {
		uint64_t *entries = frame_to_virt(table[i]);
		for (unsigned long e = 0; e < BLOCK_PAGES; e++)
			entries[e] = bases ? pte_make(mfn(bases[boot[i]] + e), PTE_DATA) : 0;
		mfn_t m = pv_p2m_get(table[i]);
		pt_batch_set(&batch, (unsigned long)entries, pte_make(m, PTE_READONLY));
		pt_batch_set_l2(&batch, blocks[boot[i]] * BLOCK_BYTES, pte_make(m, PTE_TABLE));
	}
	if (pt_batch_flush(&batch))
		panic("pv: cannot hook the L1 tables of %lu blocks back", nboot);
}

/* Record block b's first n frames as backed by mfns[] and map them. */
static void map_block(unsigned long b, const xen_pfn_t *mfns, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		pv_p2m_set(pfn(b * BLOCK_PAGES + i), mfn(mfns[i]));
	set_block_l1(b, mfns, n);
}

/* Populate up to k whole blocks as 2 MiB extents, one request, and map them: blocks done. */
static unsigned long populate_superpages(const unsigned long *blocks, unsigned long k)
{
	static xen_pfn_t bases[RAW_BATCH];
	for (unsigned long j = 0; j < k; j++)
		bases[j] = blocks[j] * BLOCK_PAGES;
	long rc = reservation_op(XENMEM_populate_physmap, bases, k, BLOCK_ORDER);
	unsigned long got = rc > 0 ? (unsigned long)rc : 0;
	stats.extents_2m += got;
	for (unsigned long j = 0; j < got; j++)
		p2m_set_block(blocks[j], bases[j]);
	set_blocks_l1(blocks, bases, got);
	return got;
}

/* The guest frame numbers of block b's first n frames, as extents for a 4 KiB populate. */
static void block_gpfns(unsigned long b, xen_pfn_t *list, unsigned long n)
{
	for (unsigned long j = 0; j < n; j++)
		list[j] = b * BLOCK_PAGES + j;
}

/* Populate block b in 4 KiB frames and map them: frames done (a prefix) or -errno. */
static long populate_block_4k(unsigned long b)
{
	static xen_pfn_t mfns[BLOCK_PAGES];
	block_gpfns(b, mfns, BLOCK_PAGES);
	long rc = populate_4k(mfns, BLOCK_PAGES);
	if (rc > 0)
		map_block(b, mfns, (unsigned long)rc);
	return rc;
}

long platform_populate_blocks(const unsigned long *blocks, unsigned long n)
{
	bool superpages = superpages_allowed;
	unsigned long done = 0;
	for (unsigned long i = 0; i < n;) {
		if (superpages) {
			unsigned long k = MIN(n - i, (unsigned long)RAW_BATCH), got = populate_superpages(blocks + i, k);
			done += got * BLOCK_PAGES;
			i += got;
			if (got == k)
				continue;
			superpages = false; /* Xen has no 2 MiB extent now: the rest of this request in 4 KiB */
		}
		if (superpages_allowed)
			stats.fallbacks_2m++;
		long rc = populate_block_4k(blocks[i]);
		done += rc > 0 ? (unsigned long)rc : 0;
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

/* Unmap and give back the k blocks whose 2 MiB extents are in bases[]; remap those Xen kept. */
static unsigned long release_superpages(const unsigned long *blocks, xen_pfn_t *bases, unsigned long k)
{
	if (k == 0)
		return 0;
	set_blocks_l1(blocks, NULL, k);
	pt_flush_tlb(); /* one flush for the whole batch of emptied tables */
	long rc = reservation_op(XENMEM_decrease_reservation, bases, k, BLOCK_ORDER);
	unsigned long gone = rc > 0 ? (unsigned long)rc : 0;
	for (unsigned long j = 0; j < gone; j++)
		p2m_set_block(blocks[j], INVALID_MFN);
	set_blocks_l1(blocks + gone, bases + gone, k - gone);
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
		release_or_pend(mfns, n, 0);
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
		release_or_pend(mfns, n, 0);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Hot-add the first k blocks as 2 MiB extents, one request: blocks plugged;
 * *unpluggable when one could not be set up (no frame for a shared table).
 */
static unsigned long plug_superpages(const unsigned long *blocks, unsigned long k, bool *unpluggable)
{
	static xen_pfn_t bases[PLATFORM_PLUG_BATCH], mfns[BLOCK_PAGES];
	for (unsigned long i = 0; i < k; i++)
		bases[i] = blocks[i] * BLOCK_PAGES;
	long rc = k ? reservation_op(XENMEM_populate_physmap, bases, k, BLOCK_ORDER) : 0;
	unsigned long whole = rc > 0 ? (unsigned long)rc : 0;
	stats.extents_2m += whole;
	for (unsigned long i = 0; i < whole; i++) {
		contiguous_mfns(bases[i], mfns);
		if (plug_populated_block(blocks[i], mfns, BLOCK_PAGES)) {
			release_or_pend(bases + i + 1, whole - i - 1, BLOCK_ORDER); /* the extents not plugged */
			*unpluggable = true;
			return i;
		}
	}
	return whole;
}

/* Hot-add block b with its first frames frames in 4 KiB extents: frames plugged, or -errno. */
static long plug_4k(unsigned long b, unsigned long frames)
{
	static xen_pfn_t mfns[BLOCK_PAGES];
	block_gpfns(b, mfns, frames);
	long rc = populate_4k(mfns, frames);
	if (rc < META_FRAMES) {
		if (rc > 0)
			release_or_pend(mfns, (unsigned long)rc, 0);
		return -ENOMEM;
	}
	if (plug_populated_block(b, mfns, (unsigned long)rc))
		return -ENOMEM;
	return rc;
}

long platform_plug_blocks(const unsigned long *blocks, unsigned long n, unsigned long last_frames)
{
	BUG_ON(n > PLATFORM_PLUG_BATCH || last_frames < META_FRAMES || last_frames > BLOCK_PAGES);
	if (!pending_room())
		return -EAGAIN;
	unsigned long whole_blocks = last_frames == BLOCK_PAGES ? n : n - 1, i = 0, done = 0;
	if (superpages_allowed) {
		bool unpluggable = false;
		i = plug_superpages(blocks, whole_blocks, &unpluggable);
		done = i * BLOCK_PAGES;
		if (unpluggable)
			return done ? (long)done : -ENOMEM;
		stats.fallbacks_2m += whole_blocks - i; /* Xen had no 2 MiB extent for these */
	}
	/* the rest in 4 KiB frames, until Xen comes up short */
	for (; i < n; i++) {
		unsigned long want = i + 1 == n ? last_frames : BLOCK_PAGES;
		long rc = plug_4k(blocks[i], want);
		if (rc < 0)
			break;
		done += (unsigned long)rc;
		if (rc < (long)want)
			break;
	}
	return done ? (long)done : -ENOMEM;
}

int platform_unplug_block(unsigned long b)
{
	static xen_pfn_t mfns[BLOCK_PAGES];
	unsigned long first = b * BLOCK_PAGES, n = 0;
	if (!pending_room())
		return -EAGAIN;
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
		return 0;
	release_or_pend(mfns, n, 0);
	return 0;
}

/*
 * The raw limits (tide/raw_limits.h). On PV the least mapping is one L1
 * table per block for the direct map, hooked through the hypervisor; no
 * p2m. bases holds the machine frames Xen gave.
 */

long raw_map_populate(unsigned long first_block, unsigned long nblocks, xen_pfn_t *bases)
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

long raw_map_release(unsigned long first_block, unsigned long nblocks, xen_pfn_t *bases)
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

long raw_hypercall_populate(unsigned long first_block, unsigned long nblocks, xen_pfn_t *bases)
{
	for (unsigned long i = 0; i < nblocks; i++)
		bases[i] = (first_block + i) * BLOCK_PAGES;
	return reservation_op(XENMEM_populate_physmap, bases, nblocks, BLOCK_ORDER);
}

long raw_hypercall_release(unsigned long nblocks, xen_pfn_t *bases)
{
	return reservation_op(XENMEM_decrease_reservation, bases, nblocks, BLOCK_ORDER);
}
