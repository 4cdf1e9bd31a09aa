/* The virtio balloon of a guest with no hypervisor below it (virtio_balloon.c). */
#ifndef TIDE_DIRECT_VIRTIO_BALLOON_H
#define TIDE_DIRECT_VIRTIO_BALLOON_H

#include <tide/types.h>

/* Find the balloon device on PCI; if there is one, start it and the thread that follows its target. */
void virtio_balloon_start(void);
/* Frames the host holds in the balloon now. */
unsigned long virtio_balloon_frames(void);
/* pvh/host.h's host_give and host_take, through the inflate and deflate queues; -EOPNOTSUPP without a balloon. */
long virtio_balloon_inflate(const unsigned long *list, unsigned long n, unsigned order);
long virtio_balloon_deflate(const unsigned long *list, unsigned long n, unsigned order);

#endif
