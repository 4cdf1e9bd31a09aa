/*
 * The raw limits of growing and shrinking, for `make bench` (apps/bench):
 * what the platform's hypervisor and its least mapping cost, with no frame
 * states, no allocator and no balloon, to set the memory core's paths
 * against. Each platform that can grow implements them.
 *
 * Over nblocks absent blocks from first_block; bases holds one number per
 * block between a populate and its release (the frame the hypervisor gave,
 * or the block's own first frame where frames are the guest's). The blocks
 * must be absent and unused by Tide; they are left absent.
 *   raw_map_*        2 MiB extents in batches, plus the least mapping that
 *                    makes each block usable (PV: an L1 table per block,
 *                    written through the hypervisor; PVH: one large page)
 *   raw_hypercall_*  the hypercall alone, every extent in one request,
 *                    nothing mapped
 * Each returns nblocks, or fewer / -errno if the hypervisor refused.
 */
#ifndef TIDE_RAW_LIMITS_H
#define TIDE_RAW_LIMITS_H

#include <tide/types.h>

long raw_map_populate(unsigned long first_block, unsigned long nblocks, unsigned long *bases);
long raw_map_release(unsigned long first_block, unsigned long nblocks, unsigned long *bases);
long raw_hypercall_populate(unsigned long first_block, unsigned long nblocks, unsigned long *bases);
long raw_hypercall_release(unsigned long nblocks, unsigned long *bases);

#endif
