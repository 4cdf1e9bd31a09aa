/*
 * The PVH platform (x86-64, entered through the PVH ABI: Xen's type =
 * "pvh", or QEMU's -kernel). What its files share: the start info found at
 * entry, port I/O, the page tables (pt.c), memory at start of day (mem.c).
 * The host below it (host.h) is linked in separately.
 */
#ifndef TIDE_PVH_H
#define TIDE_PVH_H

#include <tide/types.h>

/* One range of the memory map (hvm_memmap_table_entry's fields). */
struct pvh_range {
	uint64_t addr, size;
	uint32_t type; /* 1: RAM */
};
#define PVH_MAX_RANGES 64U
#define PVH_RAM 1
#define PVH_UNUSABLE 5 /* Xen's map for a PVH dom0: the host's RAM that dom0 was not given */

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* The start info's flags (SIF_INITDOMAIN for a PVH dom0). */
uint32_t pvh_start_flags(void);
/* The memory map the start info gave, copied at entry. */
const struct pvh_range *pvh_memmap(unsigned *n);

/* An L1 table frame a block no longer needs (still RESERVED_PAGETABLE): kept for the next one (mem.c). */
void pvh_table_put(pfn_t table);

void pvh_traps_init(void);
void pvh_mem_init(void);

#endif
