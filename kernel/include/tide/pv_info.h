/* Facts about the PV platform's memory, for reports and tests. */
#ifndef TIDE_PV_INFO_H
#define TIDE_PV_INFO_H

#include <tide/types.h>

struct pv_mem_info {
	unsigned long boot_pages;      /* start_info.nr_pages */
	unsigned long boot_blocks;     /* blocks below the boot boundary */
	unsigned long space_blocks;    /* blocks of pfn space reserved (the limit) */
	long max_reservation;	       /* XENMEM_maximum_reservation at boot */
	long boot_reservation;	       /* XENMEM_current_reservation at boot */
	unsigned long frontier_pages;  /* frames start of day took for tables and metadata */
};

const struct pv_mem_info *pv_mem_info(void);
/* Mark the blocks above the boot boundary that overlap [start, end) (bytes) as holes. */
void pv_mem_mark_hole(uint64_t start, uint64_t end);

/*
 * The raw limits for benchmarks, over nblocks absent blocks from first_block;
 * bases holds their nblocks machine frames between a populate and its
 * release. pv_raw_*: 2 MiB extents and the direct map's L1 tables, nothing
 * else. pv_hypercall_raw_*: the hypercall alone, every extent in one request,
 * nothing mapped. Each returns nblocks, or fewer / -errno if Xen refused.
 */
long pv_raw_populate(unsigned long first_block, unsigned long nblocks, unsigned long *bases);
long pv_raw_release(unsigned long first_block, unsigned long nblocks, unsigned long *bases);
long pv_hypercall_raw_populate(unsigned long first_block, unsigned long nblocks, unsigned long *bases);
long pv_hypercall_raw_release(unsigned long nblocks, unsigned long *bases);

#endif
