/*
 * The PVH platform (x86-64, entered through the PVH ABI: Xen's type =
 * "pvh", or QEMU's -kernel). What its files share: the start info found at
 * entry, port I/O, the page tables (pt.c), memory at start of day (mem.c).
 *
 * This first cut runs without a hypervisor (QEMU booting the image
 * directly): output on QEMU's debug console port, time from the TSC timed
 * against the PIT, and memory from the start info's memory map, with
 * nothing to grow into or give back to. Under Xen it would find its
 * services through CPUID; that is the next step (issue 12).
 */
#ifndef TIDE_PVH_H
#define TIDE_PVH_H

#include <tide/types.h>

/* One range of the memory map (hvm_memmap_table_entry's fields). */
struct pvh_range {
	uint64_t addr, size;
	uint32_t type; /* 1: RAM */
};
#define PVH_MAX_RANGES 64
#define PVH_RAM 1

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* The memory map the start info gave, copied at entry. */
const struct pvh_range *pvh_memmap(unsigned *n);

void pvh_traps_init(void);
void pvh_time_init(void);
void pvh_mem_init(void);

#endif
