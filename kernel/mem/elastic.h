/* Internal interface between the balloon state machine and the grow/shrink mechanics. */
#ifndef TIDE_MEM_ELASTIC_H
#define TIDE_MEM_ELASTIC_H

#include <tide/types.h>

/* Blocks below boot_boundary_blocks are never hot-added or unplugged. */
void elastic_init(unsigned long boot_boundary_blocks);
/*
 * Grow by up to want pages: pages gained; *refused when the hypervisor or a
 * limit stopped it short. chunk_pages > 0: an allocation needs a free chunk
 * of that many contiguous pages, so bring whole free blocks only (empty boot
 * blocks; hot-added ones when they can hold such a chunk); want is then a
 * multiple of a block.
 */
long elastic_grow(unsigned long want, unsigned long chunk_pages, bool *refused);
/* Shrink by up to want pages: pages released; *refused when the hypervisor stopped it short. */
long elastic_shrink(unsigned long want, bool *refused);
/* elastic_shrink() that keeps every block online and every metadata frame where it is. */
long elastic_shrink_in_place(unsigned long want, bool *refused);

struct elastic_stats {
	unsigned long blocks_plugged, blocks_unplugged;
	unsigned long blocks_scanned;	   /* block-table entries the unplug scan read */
	unsigned long grow_blocks_scanned; /* block-table entries the refill and hot-add scans read */
	unsigned long meta_moved;     /* frames of shared metadata moved out of blocks to unplug them */
};
const struct elastic_stats *elastic_stats(void);

#endif
