/*
 * The seam between the memory core (kernel/mem) and the platform below it.
 * The core is plain C over these calls; kernel/xen implements them for an
 * x86-64 PV guest, unit/host_platform.c over ordinary process memory.
 *
 * All calls are made with the memory core's state consistent: a platform
 * may read frame states but never change them.
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
/* The same for every frame of online block b (all UNPOPULATED): one 2 MiB extent when possible. */
long platform_populate_block(unsigned long b);
/*
 * Unmap the n frames and give them back (the core holds them, off the free
 * lists). Returns frames released (a prefix; the rest stay mapped) or -errno.
 */
long platform_release(const pfn_t *frames, unsigned long n);
/* The same for every populated frame of block b: one 2 MiB extent when possible. */
long platform_release_block(unsigned long b);

/* Leading frames of a hot-added block that hold its own metadata. */
unsigned platform_block_meta_frames(void);
/*
 * Hot-add block b (ONLINE in the core, every frame UNPOPULATED): populate
 * it and set up its own metadata in its first platform_block_meta_frames()
 * frames. Returns frames populated (a prefix, at least the metadata frames)
 * or -errno, in which case nothing is left populated.
 */
long platform_plug_block(unsigned long b);
/* Tear down block b's own metadata and give back all its populated frames. */
void platform_unplug_block(unsigned long b);

struct platform_stats {
	unsigned long populate_hypercalls; /* populate requests sent to the hypervisor */
	unsigned long release_hypercalls;  /* decrease requests sent */
	unsigned long refused_hypercalls;  /* requests refused or half-fulfilled */
	unsigned long fallbacks_2m;	   /* 2 MiB extents Xen could not give (4 KiB used instead) */
	unsigned long extents_2m;	   /* 2 MiB extents populated */
	unsigned long frames_4k;	   /* frames populated as 4 KiB extents */
};
const struct platform_stats *platform_stats(void);

#endif
