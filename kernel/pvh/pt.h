/*
 * Page tables of the PVH platform: four levels written directly (the guest
 * owns its tables; no hypervisor validates them). Every table frame is a
 * RAM frame the direct map covers, so tables are read and written through
 * frame_to_virt(). A 2 MiB region is mapped by one large page (a whole RAM
 * block: no L1 table at all) or by an L1 table of 4 KiB pages.
 *
 * New tables come from a table source (the boot frontier at start of day,
 * the metadata reserve afterwards), which returns a populated frame.
 */
#ifndef TIDE_PVH_PT_H
#define TIDE_PVH_PT_H

#include <tide/types.h>

#define PTE_PRESENT 0x001UL
#define PTE_RW 0x002UL
#define PTE_LARGE 0x080UL
#define PTE_UNCACHED 0x018UL /* PWT | PCD: device memory */
#define PTE_ADDR_MASK 0x000ffffffffff000UL
#define PTE_DATA (PTE_PRESENT | PTE_RW)

typedef bool (*pt_table_source_t)(pfn_t *out);

/* A fresh, empty top-level table from src; the tables in use are not touched until pt_activate(). */
void pt_init(pt_table_source_t src);
void pt_set_table_source(pt_table_source_t src);
/* Load the new tables (CR3). */
void pt_activate(void);

/* Map frame p at va (4 KiB), or the block starting at frame p at va (2 MiB). 0, or -ENOMEM. */
int pt_map_page(unsigned long va, pfn_t p);
int pt_map_large(unsigned long va, pfn_t p);
/* Map the device page at physical frame p (a BAR's) at va, uncached. 0, or -ENOMEM. */
int pt_map_device(unsigned long va, pfn_t p);
/* Unmap the 4 KiB page at va (its region must have an L1 table). */
void pt_unmap_page(unsigned long va);
/* The frame mapped at va and whether va is mapped at all (4 KiB or inside a large page). */
bool pt_lookup(unsigned long va, pfn_t *out);

/*
 * The 2 MiB region at va (aligned): is it one large page, and turn a large
 * page into an L1 table of the same 512 pages (0, or -ENOMEM when no table
 * frame could be had: nothing changed).
 */
bool pt_is_large(unsigned long va);
int pt_split(unsigned long va);
/*
 * Unmap the whole region: a large page, or an L1 table, whose frame is
 * returned in *table (for the caller to give back) with true. The TLB is
 * flushed.
 */
bool pt_clear_region(unsigned long va, pfn_t *table);
/* Unmap the large page at va (2 MiB aligned) without flushing the TLB: the caller does (pt_flush). */
void pt_unmap_large(unsigned long va);
/*
 * Every reference to frame from, now to (whose contents the caller copied):
 * a table entry that points at from as a lower table, or a 4 KiB page that
 * maps from anywhere but at its own direct-map address. How many entries
 * changed; the TLB is flushed. The top-level table cannot move (-EBUSY).
 */
long pt_repoint(pfn_t from, pfn_t to);
/* Reload the page tables: after many entries changed. */
void pt_flush(void);

#endif
