/*
 * The metadata reserve: a few free frames kept aside so that bringing new
 * memory online never needs memory the guest does not have. Page tables and
 * metadata pages for a new block are taken from here; the reserve is refilled
 * from the allocator right after growth, when memory is plentiful.
 *
 * Reserve frames are RESERVED/pool and stay mapped writable in the direct map.
 * They are taken from the lowest boot block with a free frame (then the
 * lowest hot-added one), so that they never pin a block that could drain.
 */
#ifndef TIDE_METAPOOL_H
#define TIDE_METAPOOL_H

#include <tide/frame.h>

#define METAPOOL_FRAMES 16

/* Start with an empty reserve (a new frame table: nothing in the old one is valid). */
void metapool_init(void);
/* Take one frame and mark it RESERVED of the given kind: 0, or -ENOMEM when empty. */
int metapool_take(enum reserved_kind kind, pfn_t *out);
/* Give back a RESERVED frame: into the reserve, or to the allocator when it is full. */
void metapool_put(pfn_t p);
/* Top the reserve up from the allocator; returns how many frames it still lacks. */
unsigned metapool_refill(void);
/*
 * Move reserve frames that sit in hot-added blocks (taken when lower memory
 * was full) down to boot blocks where there is room, so that they do not keep
 * those blocks from being unplugged.
 */
void metapool_move_low(void);
/*
 * A free frame taken off the allocator for metadata that must leave block b:
 * from the lowest boot block that has one, else the lowest hot-added block
 * below b. False when there is none.
 */
bool metapool_frame_below(unsigned long b, pfn_t *out);
/* Move the reserve frames in block b to frames below it: true when none is left in b. */
bool metapool_move_out_of(unsigned long b);
unsigned metapool_frames(void);

#endif
