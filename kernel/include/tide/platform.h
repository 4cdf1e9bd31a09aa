/*
 * The seam between the memory core (kernel/mem) and the platform below it.
 * The core is plain C over these calls; kernel/xen implements them for an
 * x86-64 PV guest, unit/host_platform.c over ordinary process memory.
 *
 * All calls are made with the memory core's state consistent: a platform
 * may read frame states but never change them (at start of day it says
 * what each boot frame is through tide/mem_boot.h, and the core writes it).
 */
#ifndef TIDE_PLATFORM_H
#define TIDE_PLATFORM_H

#include <tide/types.h>

/* Virtual address of a populated frame in the direct map. */
void *frame_to_virt(pfn_t p);
/* Frame behind a direct-map address. */
pfn_t virt_to_frame(const void *va);

/*
 * Back the page of metadata space containing va with a zeroed page, or
 * release it. -ENOMEM when no frame can be had.
 */
int platform_meta_back(void *va);
void platform_meta_release(void *va);

/*
 * Move what RESERVED frame p holds for the system or other blocks (a page
 * table, a metadata page, a p2m frame list; never a block's own first
 * frames) into frame to, which the core has taken off the allocator and
 * marked RESERVED of the same kind: the contents are copied and every
 * reference repointed, after which p is a plain mapped frame that the core
 * gives back to the allocator. 0, or -errno with nothing changed.
 */
int platform_meta_move(pfn_t p, pfn_t to);

/*
 * The platform's own invariants, run by mem_check(): every populated frame
 * is mapped where the platform says, and no unpopulated one is. 0, or
 * -EINVAL after logging the first violation.
 */
int platform_check(void);

/* Frames the hypervisor says this guest holds (XENMEM_current_reservation), or -errno. */
long platform_reservation_pages(void);

/*
 * Elastic memory. The core chooses frames and blocks and keeps their states;
 * the platform gets machine frames from the hypervisor or gives them back,
 * and keeps its mappings (on PV: the direct map and the p2m) in line.
 *
 * Every call that asks the hypervisor for memory may be half-fulfilled: it
 * then returns how many frames (a prefix of the request) it did populate,
 * and the core treats anything short of the request as a refusal.
 */

/* Xen's current limit for this guest (XENMEM_maximum_reservation), in pages, or -errno. */
long platform_max_pages(void);

/*
 * Populate n UNPOPULATED frames of online blocks that have their metadata,
 * and map them. Returns frames populated (a prefix) or -errno when none.
 */
long platform_populate(const pfn_t *frames, unsigned long n);
/*
 * The same for every frame of n online blocks (all UNPOPULATED), 2 MiB
 * extents when possible, many per request. Returns frames populated, a
 * prefix in block order (whole blocks, then part of one), or -errno.
 */
long platform_populate_blocks(const unsigned long *blocks, unsigned long n);
/*
 * Unmap the n frames and give them back (the core holds them, off the free
 * lists). Returns frames released (a prefix; the rest stay mapped) or -errno.
 */
long platform_release(const pfn_t *frames, unsigned long n);
/*
 * The same for n whole blocks, every frame populated: 2 MiB extents when
 * possible, many per request. Returns frames released, a prefix in block
 * order (the rest stay mapped), or -errno.
 */
long platform_release_blocks(const unsigned long *blocks, unsigned long n);

/* Leading frames of a hot-added block that hold its own metadata. */
unsigned platform_block_meta_frames(void);
/*
 * Does the host take hot-added memory back only as whole blocks, by unplug
 * (virtio-mem)? Then the balloon gives back free frames of boot memory only
 * (elastic.c). Xen takes any frame back.
 */
bool platform_hotplugged_whole_only(void);
/*
 * Hot-add n blocks (at most PLATFORM_PLUG_BATCH; ONLINE in the core, every
 * frame UNPOPULATED): populate them and set up each one's own metadata in its
 * first platform_block_meta_frames() frames. The last block gets only its
 * first last_frames frames (at least the metadata frames, at most a block).
 * Returns frames populated, a prefix in block order (whole blocks, then at
 * least the metadata frames of one more), or -errno; a block not plugged is
 * left with nothing populated. The batch is small so that the metadata
 * reserve always covers the shared tables it may need.
 */
#define PLATFORM_PLUG_BATCH 8
long platform_plug_blocks(const unsigned long *blocks, unsigned long n, unsigned long last_frames);
/*
 * Tear down block b's own metadata and give back all its populated frames
 * (the core holds its free frames, off the free lists). 0, or -errno when the
 * hypervisor refused: then the block is left plugged and mapped as it was.
 */
int platform_unplug_block(unsigned long b);

struct platform_stats {
	unsigned long populate_hypercalls; /* populate requests sent to the hypervisor */
	unsigned long release_hypercalls;  /* decrease requests sent */
	unsigned long refused_hypercalls;  /* requests refused or half-fulfilled, any extent size */
	unsigned long fallbacks_2m;	   /* blocks populated in 4 KiB frames because Xen had no 2 MiB extent */
	unsigned long extents_2m;	   /* 2 MiB extents populated */
	unsigned long frames_4k;	   /* frames populated as 4 KiB extents */
};
const struct platform_stats *platform_stats(void);

#endif
