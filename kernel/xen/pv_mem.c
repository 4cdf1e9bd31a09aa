/*
 * Memory at start of day for an x86-64 PV guest, and the memory core's
 * platform calls (tide/platform.h) on PV.
 *
 * Xen hands over nr_pages populated frames, of which the first few (the
 * "bootstrap region": image, p2m list, start_info, page tables, padding) are
 * mapped at VIRT_BASE 0. Start of day then:
 *   1. takes frames for new tables and metadata from the boot frontier, the
 *      frames just past the bootstrap region, which Xen already maps;
 *   2. extends the direct map over all boot memory, one whole L1 table per
 *      2 MiB block, written while it is still a plain page and then handed to
 *      Xen in one mmu_update (Xen validates all 512 entries at once);
 *   3. sizes the pfn space (the larger of Xen's maximum reservation and the
 *      hotplug limit), brings the boot blocks online in the frame tables, and
 *      remaps Xen's p2m list into the P2M region so it can grow in place;
 *   4. marks every boot frame (reserved by kind, or free) and fills the
 *      metadata reserve, which replaces the frontier from then on;
 *   5. maps shared info and publishes the p2m frame lists for Xen's tools.
 */
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/metapool.h>
#include <tide/buddy.h>
#include <tide/platform.h>
#include <tide/mem_boot.h>
#include "hypercall.h"
#include "layout.h"
#include "pv.h"
#include "xen.h"
#include "pv_p2m.h"
#include "pv_pt.h"
#include "suspend.h"

static unsigned long *p2m;
static struct mem_boot_info info;

const struct mem_boot_info *mem_boot_info(void) { return &info; }

mfn_t pv_p2m_get(pfn_t p) { return mfn(p2m[p.n]); }
void pv_p2m_set(pfn_t p, mfn_t m) { p2m[p.n] = m.n; }
pfn_t pv_m2p(mfn_t m) { return pfn(((const unsigned long *)MACH2PHYS_VIRT_START)[m.n]); }

void *frame_to_virt(pfn_t p) { return (void *)(DIRECTMAP_BASE + (p.n << PAGE_SHIFT)); }
pfn_t virt_to_frame(const void *va) { return pfn(((unsigned long)va - DIRECTMAP_BASE) >> PAGE_SHIFT); }

/* ---- boot frontier ---- */

static bool booting = true;
static unsigned long frontier_next;
/* What each frontier frame became, as runs, replayed once the frame tables exist. */
static struct {
	uint8_t kind;
	uint32_t count;
} runs[64];
static unsigned nr_runs;

static bool frontier_take(enum reserved_kind kind, pfn_t *out)
{
	if (frontier_next >= info.boot_pages || !pt_lookup(frontier_next << PAGE_SHIFT))
		panic("pv_mem: boot frontier at pfn %lx left the mapped region", frontier_next);
	if (nr_runs && runs[nr_runs - 1].kind == kind) {
		runs[nr_runs - 1].count++;
	} else {
		BUG_ON(nr_runs == ARRAY_SIZE(runs));
		runs[nr_runs].kind = (uint8_t)kind;
		runs[nr_runs++].count = 1;
	}
	*out = pfn(frontier_next++);
	return true;
}

static bool take_frame(enum reserved_kind kind, pfn_t *out)
{
	if (booting)
		return frontier_take(kind, out);
	return metapool_take(kind, out) == 0;
}

static bool take_table_frame(pfn_t *out) { return take_frame(RESERVED_PAGETABLE, out); }

int platform_meta_back(void *va)
{
	pfn_t f;
	if (!take_frame(RESERVED_META, &f))
		return -ENOMEM;
	memset(frame_to_virt(f), 0, PAGE_SIZE);
	int rc = pt_map_page((unsigned long)va & ~(PAGE_SIZE - 1), pv_p2m_get(f), PTE_DATA);
	if (rc && !booting)
		metapool_put(f);
	return rc;
}

void platform_meta_release(void *va)
{
	unsigned long page = (unsigned long)va & ~(PAGE_SIZE - 1);
	uint64_t pte = pt_lookup(page);
	BUG_ON(!(pte & PTE_PRESENT));
	pt_unmap_page(page);
	metapool_put(pv_m2p(mfn((pte & PTE_MFN_MASK) >> PAGE_SHIFT)));
}

/* The page of the frame-state or block-table region that frame p backs, or 0. */
static unsigned long meta_page_of(pfn_t p)
{
	const struct {
		unsigned long base, bytes_per_block;
	} regions[] = {{FRAME_STATE_BASE, BLOCK_PAGES}, {BLOCK_TABLE_BASE, sizeof(struct block_info)}};
	mfn_t m = pv_p2m_get(p);
	for (unsigned r = 0; r < ARRAY_SIZE(regions); r++) {
		unsigned long end = regions[r].base + frames_nr_blocks() * regions[r].bytes_per_block;
		for (unsigned long va = regions[r].base; va < end; va += PAGE_SIZE) {
			uint64_t pte = pt_lookup(va);
			if ((pte & PTE_PRESENT) && (pte & PTE_MFN_MASK) >> PAGE_SHIFT == m.n)
				return va;
		}
	}
	return 0;
}

static int move_meta_page(pfn_t p, pfn_t to)
{
	unsigned long va = meta_page_of(p);
	if (!va)
		return -ENOENT;
	memcpy(frame_to_virt(to), (void *)va, PAGE_SIZE);
	return hyp_update_va_mapping(va, pte_make(pv_p2m_get(to), PTE_DATA), UVMF_INVLPG | UVMF_LOCAL) ? -EINVAL
													   : 0;
}

int platform_meta_move(pfn_t p, pfn_t to)
{
	switch (frame_aux(p)) {
	case RESERVED_PAGETABLE:
		return pt_move_table(p, to);
	case RESERVED_META:
		return move_meta_page(p, to);
	case RESERVED_P2M:
		return p2m_lists_move(p, to);
	default:
		return -ENOENT;
	}
}

/* ---- direct map ---- */

/* Map boot block c: fill the gaps of an existing L1, or build a new one whole. */
static void map_boot_block(unsigned long c)
{
	unsigned long first = c * BLOCK_PAGES, end = MIN(first + BLOCK_PAGES, info.boot_pages);
	unsigned long va = first << PAGE_SHIFT;
	if (pt_has_l1(va)) {
		static struct pt_batch batch;
		for (unsigned long p = first; p < end; p++)
			if (!pt_lookup(p << PAGE_SHIFT))
				pt_batch_set(&batch, p << PAGE_SHIFT, pte_make(mfn(p2m[p]), PTE_DATA));
		if (pt_batch_flush(&batch))
			panic("pv_mem: cannot map boot block %lu", c);
		return;
	}
	pfn_t t;
	frontier_take(RESERVED_PAGETABLE, &t);
	uint64_t *l1 = frame_to_virt(t);
	memset(l1, 0, PAGE_SIZE);
	for (unsigned long p = first; p < end; p++)
		l1[p - first] = pte_make(mfn(p2m[p]), PTE_DATA);
	if (hyp_update_va_mapping((unsigned long)l1, pte_make(pv_p2m_get(t), PTE_READONLY),
				  UVMF_INVLPG | UVMF_LOCAL) ||
	    pt_hook_l1(va, pv_p2m_get(t)))
		panic("pv_mem: cannot install the L1 table of boot block %lu", c);
}

/* ---- p2m ---- */

/* Map Xen's p2m list at P2M_BASE (same frames) and use it from there. */
static void p2m_move_to_region(const start_info_t *si)
{
	unsigned long pages = DIV_ROUND_UP(info.boot_blocks * BLOCK_PAGES * sizeof(long), PAGE_SIZE);
	BUG_ON(si->mfn_list & (PAGE_SIZE - 1));
	for (unsigned long i = 0; i < pages; i++) {
		pfn_t src = virt_to_frame((void *)(si->mfn_list + i * PAGE_SIZE));
		if (pt_map_page(P2M_BASE + i * PAGE_SIZE, pv_p2m_get(src), PTE_DATA))
			panic("pv_mem: cannot map the p2m list");
	}
	p2m = (unsigned long *)P2M_BASE;
	for (unsigned long p = info.boot_pages; p < info.boot_blocks * BLOCK_PAGES; p++)
		p2m[p] = INVALID_MFN;
}

/* ---- memory map ---- */

/* Blocks above the boot boundary (the boot blocks are online) that overlap non-RAM ranges become holes. */
static void mark_holes(void)
{
	static struct e820entry {
		uint64_t addr, size;
		uint32_t type;
	} __attribute__((packed)) map[32];
	struct xen_memory_map mm = {.nr_entries = ARRAY_SIZE(map)};
	set_xen_guest_handle(mm.buffer, map);
	if (hyp_memory_op(XENMEM_memory_map, &mm))
		mm.nr_entries = 0;
	for (unsigned i = 0; i < mm.nr_entries; i++) {
		printk("tide: memory map %012lx-%012lx type %u\n", (unsigned long)map[i].addr,
		       (unsigned long)(map[i].addr + map[i].size), map[i].type);
		if (map[i].type != 1)
			mem_boot_hole(map[i].addr, map[i].addr + map[i].size);
	}
	char buf[48];
	unsigned long lo, hi;
	char *dash;
	if (cmdline_get("hole_mib", buf, sizeof(buf)) > 0 && (dash = strchr(buf, '-')) &&
	    !parse_ulong(buf, (size_t)(dash - buf), &lo) && !parse_ulong(dash + 1, strlen(dash + 1), &hi))
		mem_boot_hole(MIB(lo), MIB(hi));
}

/* ---- shared info (not a frame of the guest's: unmapped while suspended) ---- */

void pv_shared_info_map(void)
{
	if (pt_map_page(SHARED_INFO_VA, mfn(pv_start_info()->shared_info >> PAGE_SHIFT), PTE_DATA))
		panic("pv_mem: cannot map shared info");
	xen_shared_info()->vcpu_info[0].evtchn_upcall_mask = 1; /* events are polled, never delivered */
}

void pv_shared_info_unmap(void) { pt_unmap_page(SHARED_INFO_VA); }

/* ---- start of day ---- */

static unsigned long pfn_space_blocks(void)
{
	unsigned long limit_pages = MIB_TO_PAGES(cmdline_ulong("hotplug_limit_mib", 512 * 1024));
	unsigned long pages = MAX((unsigned long)info.max_reservation, limit_pages);
	unsigned long blocks = MIN(DIV_ROUND_UP(pages, BLOCK_PAGES), MAX_BLOCKS);
	return MAX(blocks, info.boot_blocks);
}

static void mark_boot_frames(const start_info_t *si, unsigned long frontier_first)
{
	unsigned long p2m_first = si->mfn_list >> PAGE_SHIFT;
	unsigned long p2m_end = p2m_first + DIV_ROUND_UP(info.boot_pages * sizeof(long), PAGE_SIZE);
	unsigned long pt_first = si->pt_base >> PAGE_SHIFT, pt_end = pt_first + si->nr_pt_frames;
	for (unsigned long p = 0; p < frontier_first; p++) {
		enum reserved_kind k = RESERVED_KERNEL;
		if (p >= p2m_first && p < p2m_end)
			k = RESERVED_P2M;
		else if (p >= pt_first && p < pt_end)
			k = RESERVED_PAGETABLE;
		mem_boot_reserve(pfn(p), 1, k);
	}
	unsigned long p = frontier_first;
	for (unsigned r = 0; r < nr_runs; r++) {
		mem_boot_reserve(pfn(p), runs[r].count, runs[r].kind);
		p += runs[r].count;
	}
	mem_boot_free(pfn(p), info.boot_pages - p);
}

void pv_mem_init(const start_info_t *si)
{
	p2m = (unsigned long *)si->mfn_list;
	info.boot_pages = si->nr_pages;
	info.boot_blocks = DIV_ROUND_UP(si->nr_pages, BLOCK_PAGES);
	info.max_reservation = hyp_reservation(XENMEM_maximum_reservation);
	info.boot_reservation = hyp_reservation(XENMEM_current_reservation);
	pt_init(si->pt_base);
	pt_set_table_source(take_table_frame);

	unsigned long frontier_first = (si->pt_base >> PAGE_SHIFT) + si->nr_pt_frames;
	frontier_next = frontier_first;
	for (unsigned long c = 0; c < info.boot_blocks; c++)
		map_boot_block(c);

	info.space_blocks = pfn_space_blocks();
	frames_init((uint8_t *)FRAME_STATE_BASE, (struct block_info *)BLOCK_TABLE_BASE, info.space_blocks);
	buddy_init();
	metapool_init();
	p2m_move_to_region(si);
	for (unsigned long b = 0; b < info.boot_blocks; b++)
		mem_boot_online(b);
	mark_holes();
	mark_boot_frames(si, frontier_first);
	booting = false;
	metapool_refill();
	pt_unmap_page(0); /* NULL guard */
	info.frontier_pages = frontier_next - frontier_first;
	pv_shared_info_map();
	p2m_lists_init(info.boot_blocks);
	metapool_refill();
	pv_elastic_init();
}
