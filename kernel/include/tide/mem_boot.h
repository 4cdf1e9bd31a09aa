/*
 * Start of day between a platform and the memory core. The platform finds
 * the memory (start_info, a memory map), maps it and sets up the core's
 * tables (frames_init, buddy_init, metapool_init); then it says what each
 * boot block and frame is through the calls below, and the core alone
 * writes the states (a platform never does: tide/platform.h).
 *
 * mem_boot_info() is what the platform found, for reports, tests and
 * benchmarks: the same facts on every platform (on one without a
 * hypervisor, the reservations are the memory the machine has).
 */
#ifndef TIDE_MEM_BOOT_H
#define TIDE_MEM_BOOT_H

#include <tide/types.h>

struct mem_boot_info {
	unsigned long boot_pages;     /* frames populated at boot */
	unsigned long boot_blocks;    /* blocks online at boot, all below the boot boundary */
	unsigned long space_blocks;   /* blocks of pfn space reserved (the limit) */
	long max_reservation;	      /* the hypervisor's limit at boot (XENMEM_maximum_reservation) */
	long boot_reservation;	      /* what the hypervisor said the guest held at boot */
	unsigned long frontier_pages; /* frames start of day took for tables and metadata */
};

const struct mem_boot_info *mem_boot_info(void);

/* Boot block b holds RAM the guest has: ONLINE, its frames UNPOPULATED until said below. Panics if it cannot. */
void mem_boot_online(unsigned long b);
/* Bytes [start, end) are not RAM: every ABSENT block that overlaps them becomes a HOLE. */
void mem_boot_hole(uint64_t start, uint64_t end);
/* n frames from first, all in online blocks, hold what the kernel or the platform keeps: RESERVED of kind k. */
void mem_boot_reserve(pfn_t first, unsigned long n, unsigned k);
/* n frames from first, all in online blocks, are free memory: to the page allocator. */
void mem_boot_free(pfn_t first, unsigned long n);

#endif
