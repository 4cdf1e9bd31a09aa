/* virtio-mem on a guest with no hypervisor below it (virtio_mem.c). */
#ifndef TIDE_DIRECT_VIRTIO_MEM_H
#define TIDE_DIRECT_VIRTIO_MEM_H

#include <tide/types.h>

/* Before the page tables: find a virtio-mem device and read its region (once). True when there is a usable one. */
bool virtio_mem_probe(void);
/* The region's address and size in bytes; false when no device was probed. */
bool virtio_mem_region(uint64_t *addr, uint64_t *size);
/* Does frame pfn lie in the device's region? */
bool virtio_mem_owns(unsigned long pfn);
/* Memory and threads are up: start the device (unplugging what a previous guest left). False without one. */
bool virtio_mem_start(void);
/* The host's requested size, within the usable region, in pages (0 without a device). */
unsigned long virtio_mem_requested_pages(void);
/* Pages of the region the guest holds now (whole Tide blocks; the device may have more plugged). */
unsigned long virtio_mem_held_pages(void);
/*
 * pvh/host.h's host_take and host_give for frames in the region: plug or
 * unplug 2 MiB extents, never past the requested size. host_give also
 * takes a block's 512 frames at order 0 (a block mapped page by page).
 * Extents done, a prefix, or -errno.
 */
long virtio_mem_take(const unsigned long *list, unsigned long n, unsigned order);
long virtio_mem_give(const unsigned long *list, unsigned long n, unsigned order);
/*
 * For make bench's raw pass (raw.c): one request to plug or unplug nb_blocks
 * (at most 65535) 2 MiB blocks from addr, not counted as the guest's: 0,
 * -EAGAIN when the device said no, or -EINVAL (also for a device whose
 * blocks are larger) / -EIO.
 */
int virtio_mem_request(bool plug, uint64_t addr, unsigned long nb_blocks);

#endif
