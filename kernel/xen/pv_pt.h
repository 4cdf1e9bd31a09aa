/*
 * Page tables of an x86-64 PV guest. Xen owns the page-table frames' types:
 * every table is mapped read-only in the direct map and changed only through
 * mmu_update, which validates each entry. Tide keeps every table frame in the
 * direct map, so the walker reads tables through plain pointers.
 *
 * New intermediate tables come from a table source (the boot frontier at
 * start of day, the metadata reserve afterwards): a populated frame that is
 * mapped writable in the direct map, which pt_* zeroes and remaps read-only.
 */
#ifndef TIDE_XEN_PV_PT_H
#define TIDE_XEN_PV_PT_H

#include <tide/types.h>
#include <xen/xen.h>

#define PTE_PRESENT 0x001UL
#define PTE_RW 0x002UL
#define PTE_USER 0x004UL
#define PTE_ACCESSED 0x020UL
#define PTE_DIRTY 0x040UL
#define PTE_MFN_MASK 0x000ffffffffff000UL

#define PTE_DATA (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY)
#define PTE_READONLY (PTE_PRESENT | PTE_USER | PTE_ACCESSED)
#define PTE_TABLE (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED)

static inline uint64_t pte_make(mfn_t m, uint64_t flags) { return (m.n << PAGE_SHIFT) | flags; }

/* A source of frames for new tables: returns a mapped, writable frame or false. */
typedef bool (*pt_table_source_t)(pfn_t *out);

void pt_init(unsigned long l4_va);
void pt_set_table_source(pt_table_source_t src);

/* The L1 entry mapping va, or 0 when va is not mapped. */
uint64_t pt_lookup(unsigned long va);
/* True when the 2 MiB region around va has an L1 table. */
bool pt_has_l1(unsigned long va);

/* Turn the mapped, writable frame t into a page-table frame: zero it, map it read-only. */
int pt_make_table_frame(pfn_t t);
/* Map or unmap one page at va, creating intermediate tables as needed. */
int pt_map_page(unsigned long va, mfn_t m, uint64_t flags);
int pt_unmap_page(unsigned long va);

/*
 * Hook machine frame l1 in as the L1 table of the 2 MiB region at va. The
 * frame must hold the entries already and must not be mapped writable.
 * -ENOMEM when an intermediate table could not be had.
 */
int pt_hook_l1(unsigned long va, mfn_t l1);
/*
 * Unhook the region's L1 table; returns its frame. The caller flushes the
 * TLB (pt_flush_tlb) before the region's frames are reused, unless no entry
 * of the table was present.
 */
pfn_t pt_unhook_l1(unsigned long va);
void pt_flush_tlb(void);
/*
 * Move the table in frame t (any level below the root) to frame to, a
 * mapped, writable frame: its entries are copied, to becomes the table
 * (read-only), and t a plain writable page. 0, -ENOENT when no table
 * points at t, or -EINVAL when Xen refused (nothing changed).
 */
int pt_move_table(pfn_t t, pfn_t to);
/* The frame of the L1 table that maps the 2 MiB region at va (which must have one). */
pfn_t pt_l1_frame(unsigned long va);

/*
 * A batch of L1 entry updates, sent to Xen 256 at a time. It remembers the
 * L1 table of the last 2 MiB region it touched, so that consecutive frames
 * cost no page-table walk; the memory is forgotten at each flush, so an L1
 * unhooked between batches is never used.
 */
struct pt_batch {
	mmu_update_t req[256];
	unsigned n;
	long error;
	unsigned long l1_region; /* va >> 21 of the remembered L1, or ~0 */
	uint64_t l1_maddr;	 /* its machine address */
};
void pt_batch_set(struct pt_batch *b, unsigned long va, uint64_t pte);
/* Queue setting the L2 entry of the 2 MiB region at va (which has an L2 table): hooking or unhooking its L1. */
void pt_batch_set_l2(struct pt_batch *b, unsigned long va, uint64_t entry);
/* Send what is queued: 0, or the first error Xen returned. */
long pt_batch_flush(struct pt_batch *b);

#endif
