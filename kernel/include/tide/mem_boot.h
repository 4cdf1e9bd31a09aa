/*
 * What the platform found at start of day, for reports, tests and
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

#endif
