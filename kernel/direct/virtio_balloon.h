/* The virtio balloon of a guest with no hypervisor below it (virtio_balloon.c). */
#ifndef TIDE_DIRECT_VIRTIO_BALLOON_H
#define TIDE_DIRECT_VIRTIO_BALLOON_H

#include <tide/types.h>

/*
 * Find the balloon device on PCI and start it (and, with deflate on OOM
 * agreed, the allocator's shortage hook; without, none). False without one.
 */
bool virtio_balloon_start(void);
/* The host's num_pages: pages it wants in the balloon (0 without a balloon). */
unsigned long virtio_balloon_wanted(void);
/* Frames the host holds in the balloon now. */
unsigned long virtio_balloon_frames(void);
/*
 * Tell the device what the balloon holds (actual), refresh its statistics
 * if it took them, and once a second report whole free blocks not reported
 * yet (with free page reporting agreed).
 */
void virtio_balloon_report(void);
/* Blocks reported as free so far. */
unsigned long virtio_balloon_reported_blocks(void);
/*
 * pvh/host.h's host_give and host_take, through the inflate and deflate
 * queues, only toward num_pages (deflating below it on shortage with
 * deflate on OOM): extents done, a prefix, or -errno (-EOPNOTSUPP without a
 * balloon, -EAGAIN at the target).
 */
long virtio_balloon_inflate(const unsigned long *list, unsigned long n, unsigned order);
long virtio_balloon_deflate(const unsigned long *list, unsigned long n, unsigned order);

#endif
