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

#endif
