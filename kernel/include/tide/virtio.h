/*
 * A virtio 1.x device on PCI, driven by polling (the virtio specification,
 * v1.2: 2.1 status, 2.2 features, 2.7 split virtqueues, 4.1 PCI). A driver
 * starts the device (reset, acknowledge, agree on features, which must
 * include VIRTIO_F_VERSION_1; any feature the driver does not name is
 * refused), sets up the queues it uses and says it is ready; then it sends
 * one buffer at a time and waits until the device has used it.
 *
 * The device is not trusted: a used entry that names another buffer, a
 * length beyond what was offered, a device that asks to be reset or does
 * not answer in time makes the transport log one line and stop using it
 * (every call fails from then on, and the device is marked FAILED), never
 * a crash.
 *
 * A device's states: reset -> (virtio_start) features agreed ->
 * (virtio_queue_setup, per queue) -> (virtio_ready) running; from any of
 * them -> broken.
 */
#ifndef TIDE_VIRTIO_H
#define TIDE_VIRTIO_H

#include <tide/virtio_pci.h>

#define VIRTIO_F_VERSION_1 (1ULL << 32)
#define VIRTIO_QUEUE_SIZE 16 /* the most entries a queue is given: one buffer is in flight at a time */

struct virtq_desc;
struct virtq_avail;
struct virtq_used;

struct virtqueue {
	uint16_t index, size, last_used, in_flight; /* in_flight: the slot offered, or none (0xffff) */
	uint32_t offered;			    /* bytes the device may write into it */
	volatile uint16_t *notify;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
};

struct virtio_device {
	struct virtio_pci_device found;
	volatile uint8_t *common, *device, *notify_base;
	uint64_t features; /* what was agreed */
	bool broken;
};

/*
 * Reset the device found (virtio_pci_probe), map its structures and agree
 * on features: those in wanted that it offers, and VIRTIO_F_VERSION_1,
 * which it must. 0, or -errno (the device is then broken).
 */
int virtio_start(struct virtio_device *d, const struct virtio_pci_device *found, uint64_t wanted);
/* Give queue index its rings (a page from the allocator) and enable it: 0, or -errno. */
int virtio_queue_setup(struct virtio_device *d, uint16_t index, struct virtqueue *q);
/* Every queue is set up: the driver is ready (DRIVER_OK). */
void virtio_ready(struct virtio_device *d);

/*
 * Offer the len bytes at guest-physical address phys to the device (for it
 * to read, or to write when device_writes) and notify it: 0, or -EIO.
 * virtqueue_poll: has the device used the buffer offered last? The length
 * it wrote, -EAGAIN while it holds it, or -EIO (it misbehaved, and is no
 * longer used). A queue has one buffer in flight at a time.
 */
int virtqueue_post(struct virtio_device *d, struct virtqueue *q, uint64_t phys, uint32_t len, bool device_writes);
/* A buffer of a chain: the device reads it, or writes it when device_writes. */
struct virtio_buffer {
	uint64_t phys;
	uint32_t len;
	bool device_writes;
};
/* The same for a chain of n buffers (a request and its response): it counts as one buffer in flight. */
int virtqueue_post_chain(struct virtio_device *d, struct virtqueue *q, const struct virtio_buffer *b, unsigned n);
long virtqueue_poll(struct virtio_device *d, struct virtqueue *q);
/*
 * Post, then wait, yielding, up to timeout_ns until the device has used
 * the buffer: the length it wrote, or -EIO (it misbehaved or did not
 * answer in time, and is no longer used).
 */
long virtqueue_send(struct virtio_device *d, struct virtqueue *q, uint64_t phys, uint32_t len, bool device_writes,
		    uint64_t timeout_ns);

long virtqueue_send_chain(struct virtio_device *d, struct virtqueue *q, const struct virtio_buffer *b, unsigned n,
			  uint64_t timeout_ns);
/* The device-specific configuration's 32- and 64-bit little-endian fields. */
uint32_t virtio_config_read32(const struct virtio_device *d, unsigned offset);
uint64_t virtio_config_read64(const struct virtio_device *d, unsigned offset);
void virtio_config_write32(struct virtio_device *d, unsigned offset, uint32_t v);

#endif
