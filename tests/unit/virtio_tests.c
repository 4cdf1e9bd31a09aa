/*
 * The virtio transport's distrust of its device (kernel/direct/virtio.c,
 * tide/virtio.h), host-native: the device's common configuration and
 * notify structures are process memory the test writes as a device would,
 * and the queue's rings come from the memory core's allocator over the
 * host platform. Each test makes the device misbehave one way and checks
 * that the driver gets -EIO, the device is marked broken and FAILED, and
 * every later call fails without touching the rings.
 */
#include <string.h>
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/page_alloc.h>
#include <tide/virtio.h>
#include "host_platform.h"
#include "unit.h"
#include "../../kernel/pvh/pt.h"

/* The calls virtio.c makes that a host test has no use for. */
int pt_map_device(unsigned long va, pfn_t p) { (void)va, (void)p; return -EINVAL; }
void pci_enable(const struct pci_function *f) { (void)f; }
void thread_yield(void) { host_advance_ns(1000000); } /* a millisecond passes per poll */

#define NUM_QUEUES 0x12
#define DEVICE_STATUS 0x14
#define QUEUE_SIZE 0x18
#define STATUS_NEEDS_RESET 64
#define STATUS_FAILED 128

struct used_elem {
	uint32_t id, len;
};
struct used_ring {
	uint16_t flags, idx;
	struct used_elem ring[VIRTIO_QUEUE_SIZE];
};

static uint8_t common[64];
static uint16_t notify[8];
static struct virtio_device dev;
static struct virtqueue q;

/* A running device with queue 0 of VIRTIO_QUEUE_SIZE entries, over a fresh core. */
static int start(void)
{
	unit_boot(32, 6);
	memset(common, 0, sizeof(common));
	memset(&dev, 0, sizeof(dev));
	dev.common = common;
	dev.notify_base = (volatile uint8_t *)notify;
	common[NUM_QUEUES] = 1;
	common[QUEUE_SIZE] = VIRTIO_QUEUE_SIZE;
	CHECK(virtio_queue_setup(&dev, 0, &q) == 0);
	return 0;
}

/* The device uses the buffer at descriptor id, having written len bytes. */
static void device_uses(uint16_t id, uint32_t len)
{
	struct used_ring *u = (struct used_ring *)q.used;
	u->ring[u->idx % q.size] = (struct used_elem){id, len};
	u->idx++;
}

/* Broken for good: -EIO now and for every later call, FAILED set for the device to see. */
static int broken_for_good(long rc)
{
	CHECK(rc == -EIO && dev.broken && (common[DEVICE_STATUS] & STATUS_FAILED));
	uint16_t avail_before = ((volatile uint16_t *)q.avail)[1];
	CHECK(virtqueue_post(&dev, &q, 0x1000, 8, false) == -EIO);
	CHECK(((volatile uint16_t *)q.avail)[1] == avail_before); /* nothing offered */
	CHECK(virtqueue_poll(&dev, &q) == -EIO);
	return 0;
}

int test_virtio_used_as_offered(void)
{
	CHECK(start() == 0);
	CHECK(virtqueue_post(&dev, &q, 0x2000, 64, true) == 0);
	CHECK(virtqueue_poll(&dev, &q) == -EAGAIN);
	device_uses(0, 10);
	CHECK(virtqueue_poll(&dev, &q) == 10 && !dev.broken);
	const struct virtio_buffer chain[2] = {{0x3000, 24, false}, {0x3040, 10, true}};
	CHECK(virtqueue_post_chain(&dev, &q, chain, 2) == 0);
	device_uses(1, 10);
	CHECK(virtqueue_poll(&dev, &q) == 10 && !dev.broken);
	return 0;
}

int test_virtio_used_other_buffer(void)
{
	CHECK(start() == 0);
	CHECK(virtqueue_post(&dev, &q, 0x2000, 64, true) == 0);
	device_uses(5, 0); /* a descriptor it was not given */
	return broken_for_good(virtqueue_poll(&dev, &q));
}

int test_virtio_wrote_too_much(void)
{
	CHECK(start() == 0);
	const struct virtio_buffer chain[2] = {{0x3000, 24, false}, {0x3040, 10, true}};
	CHECK(virtqueue_post_chain(&dev, &q, chain, 2) == 0);
	device_uses(0, 11); /* one byte more than the writable part */
	return broken_for_good(virtqueue_poll(&dev, &q));
}

int test_virtio_needs_reset(void)
{
	CHECK(start() == 0);
	CHECK(virtqueue_post(&dev, &q, 0x2000, 64, false) == 0);
	common[DEVICE_STATUS] |= STATUS_NEEDS_RESET;
	return broken_for_good(virtqueue_poll(&dev, &q));
}

int test_virtio_stops_answering(void)
{
	CHECK(start() == 0);
	uint64_t t0 = monotonic_ns();
	long rc = virtqueue_send(&dev, &q, 0x2000, 64, false, 5000000000ULL);
	CHECK(monotonic_ns() - t0 >= 5000000000ULL); /* it waited the whole timeout, yielding */
	return broken_for_good(rc);
}
