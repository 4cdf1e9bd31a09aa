/* Internal interface between the balloon state machine and the grow/shrink mechanics. */
#ifndef TIDE_MEM_ELASTIC_H
#define TIDE_MEM_ELASTIC_H

#include <tide/types.h>

/* Blocks below boot_boundary_blocks are never hot-added or unplugged. */
void elastic_init(unsigned long boot_boundary_blocks);
/* Grow by up to want pages: pages gained; *refused when the hypervisor or a limit stopped it short. */
long elastic_grow(unsigned long want, bool *refused);
/* Shrink by up to want pages: pages released; *refused when the hypervisor stopped it short. */
long elastic_shrink(unsigned long want, bool *refused);

/* Blocks hot-added and unplugged so far. */
void elastic_block_counts(unsigned long *plugged, unsigned long *unplugged);

#endif
