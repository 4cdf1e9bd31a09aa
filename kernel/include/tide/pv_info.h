/* The PV platform's own calls for tests and benchmarks (what every platform reports: tide/mem_boot.h). */
#ifndef TIDE_PV_INFO_H
#define TIDE_PV_INFO_H

#include <tide/types.h>


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
