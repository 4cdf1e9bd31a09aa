/*
 * The virtio 1.x PCI transport, polled; see tide/virtio.h. Layouts from the
 * virtio specification v1.2: the common configuration structure (4.1.4.3),
 * the device status bits (2.1) and the split virtqueue's descriptor table,
 * driver (available) ring and device (used) ring (2.7). x86 is
 * little-endian, as virtio 1.x is, and keeps stores in order, so a compiler
 * barrier orders the rings' writes.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/page_alloc.h>
#include <tide/platform.h>
#include <tide/sched.h>
#include <tide/virtio.h>
#include "../pvh/pt.h"
#include "layout.h"

/* the common configuration structure */
#define DEVICE_FEATURE_SELECT 0x00
#define DEVICE_FEATURE 0x04
#define DRIVER_FEATURE_SELECT 0x08
#define DRIVER_FEATURE 0x0c
#define NUM_QUEUES 0x12
#define DEVICE_STATUS 0x14
#define QUEUE_SELECT 0x16
#define QUEUE_SIZE 0x18
#define QUEUE_ENABLE 0x1c
#define QUEUE_NOTIFY_OFF 0x1e
#define QUEUE_DESC 0x20
#define QUEUE_DRIVER 0x28
#define QUEUE_DEVICE 0x30

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8
#define STATUS_NEEDS_RESET 64
#define STATUS_FAILED 128

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define RESET_TIMEOUT_NS 1000000000ULL
#define AVAIL_AT 1024 /* the rings' places in a queue's page */
#define USED_AT 2048
#define NONE_IN_FLIGHT 0xffff

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
struct virtq_avail {
	uint16_t flags, idx, ring[VIRTIO_QUEUE_SIZE];
};
struct virtq_used_elem {
	uint32_t id, len;
};
struct virtq_used {
	uint16_t flags, idx;
	struct virtq_used_elem ring[VIRTIO_QUEUE_SIZE];
};

static unsigned long next_device_va = DEVICE_VA;

static void barrier(void) { __asm__ volatile("" ::: "memory"); }

static uint8_t rd8(volatile uint8_t *b, unsigned o) { return b[o]; }
static uint16_t rd16(volatile uint8_t *b, unsigned o) { return *(volatile uint16_t *)(b + o); }
static uint32_t rd32(volatile uint8_t *b, unsigned o) { return *(volatile uint32_t *)(b + o); }
static void wr8(volatile uint8_t *b, unsigned o, uint8_t v) { b[o] = v; }
static void wr16(volatile uint8_t *b, unsigned o, uint16_t v) { *(volatile uint16_t *)(b + o) = v; }
static void wr32(volatile uint8_t *b, unsigned o, uint32_t v) { *(volatile uint32_t *)(b + o) = v; }
static void wr64(volatile uint8_t *b, unsigned o, uint64_t v)
{
	wr32(b, o, (uint32_t)v);
	wr32(b, o + 4, (uint32_t)(v >> 32));
}

/* Map region r's pages at the next device addresses: its first byte, or NULL. */
static volatile uint8_t *map_region(const struct virtio_pci_region *r)
{
	uint64_t first = r->address & ~(uint64_t)(PAGE_SIZE - 1), end = r->address + r->length;
	unsigned long va = next_device_va;
	for (uint64_t a = first; a < end; a += PAGE_SIZE, next_device_va += PAGE_SIZE)
		if (pt_map_device(next_device_va, pfn(a >> PAGE_SHIFT)))
			return NULL;
	return (volatile uint8_t *)(va + (r->address - first));
}

/* The device cannot be trusted any more: one line, and it is not used again. */
static int give_up(struct virtio_device *d, const char *why)
{
	if (!d->broken)
		printk("virtio: device %02x.%u (type %u): %s; no longer used\n", d->found.pci.dev, d->found.pci.fn,
		       d->found.type, why);
	d->broken = true;
	if (d->common)
		wr8(d->common, DEVICE_STATUS, rd8(d->common, DEVICE_STATUS) | STATUS_FAILED);
	return -EIO;
}

static int reset(struct virtio_device *d)
{
	wr8(d->common, DEVICE_STATUS, 0);
	uint64_t deadline = monotonic_ns() + RESET_TIMEOUT_NS;
	while (rd8(d->common, DEVICE_STATUS) != 0)
		if (monotonic_ns() > deadline)
			return give_up(d, "it does not reset");
	return 0;
}

static uint64_t device_features(struct virtio_device *d)
{
	wr32(d->common, DEVICE_FEATURE_SELECT, 0);
	uint64_t low = rd32(d->common, DEVICE_FEATURE);
	wr32(d->common, DEVICE_FEATURE_SELECT, 1);
	return low | (uint64_t)rd32(d->common, DEVICE_FEATURE) << 32;
}

int virtio_start(struct virtio_device *d, const struct virtio_pci_device *found, uint64_t wanted)
{
	memset(d, 0, sizeof(*d));
	d->found = *found;
	pci_enable(&found->pci);
	if (!(d->common = map_region(&found->common)) || !(d->notify_base = map_region(&found->notify)) ||
	    (found->device.length && !(d->device = map_region(&found->device))))
		return give_up(d, "its structures cannot be mapped");
	if (reset(d))
		return -EIO;
	wr8(d->common, DEVICE_STATUS, STATUS_ACKNOWLEDGE);
	wr8(d->common, DEVICE_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
	d->features = device_features(d) & (wanted | VIRTIO_F_VERSION_1);
	if (!(d->features & VIRTIO_F_VERSION_1))
		return give_up(d, "it does not offer VIRTIO_F_VERSION_1");
	wr32(d->common, DRIVER_FEATURE_SELECT, 0);
	wr32(d->common, DRIVER_FEATURE, (uint32_t)d->features);
	wr32(d->common, DRIVER_FEATURE_SELECT, 1);
	wr32(d->common, DRIVER_FEATURE, (uint32_t)(d->features >> 32));
	wr8(d->common, DEVICE_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
	if (!(rd8(d->common, DEVICE_STATUS) & STATUS_FEATURES_OK))
		return give_up(d, "it refused the features agreed");
	return 0;
}

int virtio_queue_setup(struct virtio_device *d, uint16_t index, struct virtqueue *q)
{
	if (d->broken)
		return -EIO;
	if (index >= rd16(d->common, NUM_QUEUES))
		return give_up(d, "it has fewer queues than its type needs");
	wr16(d->common, QUEUE_SELECT, index);
	uint16_t size = rd16(d->common, QUEUE_SIZE);
	if (size == 0)
		return give_up(d, "a queue its type needs is not there");
	size = MIN(size, (uint16_t)VIRTIO_QUEUE_SIZE);
	uint8_t *page = alloc_page();
	if (!page)
		return -ENOMEM;
	memset(page, 0, PAGE_SIZE);
	*q = (struct virtqueue){.index = index, .size = size, .in_flight = NONE_IN_FLIGHT};
	q->desc = (struct virtq_desc *)page;
	q->avail = (struct virtq_avail *)(page + AVAIL_AT);
	q->used = (struct virtq_used *)(page + USED_AT);
	q->notify = (volatile uint16_t *)(d->notify_base +
					  (unsigned long)rd16(d->common, QUEUE_NOTIFY_OFF) * d->found.notify_off_multiplier);
	uint64_t phys = (uint64_t)virt_to_frame(page).n << PAGE_SHIFT;
	wr16(d->common, QUEUE_SIZE, size);
	wr64(d->common, QUEUE_DESC, phys);
	wr64(d->common, QUEUE_DRIVER, phys + AVAIL_AT);
	wr64(d->common, QUEUE_DEVICE, phys + USED_AT);
	wr16(d->common, QUEUE_ENABLE, 1);
	return 0;
}

void virtio_ready(struct virtio_device *d)
{
	if (!d->broken)
		wr8(d->common, DEVICE_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
}

int virtqueue_post_chain(struct virtio_device *d, struct virtqueue *q, const struct virtio_buffer *b, unsigned n)
{
	if (d->broken)
		return -EIO;
	if (q->in_flight != NONE_IN_FLIGHT)
		return give_up(d, "the driver offered a second buffer on a queue");
	if (n == 0 || n > q->size)
		return give_up(d, "the driver offered a chain longer than the queue");
	uint16_t head = q->avail->idx % q->size;
	q->offered = 0;
	for (unsigned i = 0; i < n; i++) {
		uint16_t slot = (uint16_t)((head + i) % q->size), next = (uint16_t)((slot + 1) % q->size);
		uint16_t flags = (b[i].device_writes ? DESC_F_WRITE : 0) | (i + 1 < n ? DESC_F_NEXT : 0);
		q->desc[slot] = (struct virtq_desc){b[i].phys, b[i].len, flags, i + 1 < n ? next : 0};
		q->offered += b[i].device_writes ? b[i].len : 0;
	}
	q->avail->ring[head] = head;
	barrier();
	q->avail->idx++;
	barrier();
	q->in_flight = head;
	*q->notify = q->index;
	return 0;
}

int virtqueue_post(struct virtio_device *d, struct virtqueue *q, uint64_t phys, uint32_t len, bool device_writes)
{
	const struct virtio_buffer b = {phys, len, device_writes};
	return virtqueue_post_chain(d, q, &b, 1);
}

long virtqueue_poll(struct virtio_device *d, struct virtqueue *q)
{
	if (d->broken)
		return -EIO;
	if (rd8(d->common, DEVICE_STATUS) & STATUS_NEEDS_RESET)
		return give_up(d, "it needs a reset");
	if (*(volatile uint16_t *)&q->used->idx == q->last_used)
		return -EAGAIN;
	barrier();
	struct virtq_used_elem e = q->used->ring[q->last_used % q->size];
	q->last_used++;
	uint16_t slot = q->in_flight;
	q->in_flight = NONE_IN_FLIGHT;
	if (e.id != slot)
		return give_up(d, "it used a buffer it was not given");
	if (e.len > q->offered)
		return give_up(d, "it wrote more than it was given");
	return (long)e.len;
}

long virtqueue_send_chain(struct virtio_device *d, struct virtqueue *q, const struct virtio_buffer *b, unsigned n,
			  uint64_t timeout_ns)
{
	if (virtqueue_post_chain(d, q, b, n))
		return -EIO;
	uint64_t deadline = monotonic_ns() + timeout_ns;
	long rc;
	while ((rc = virtqueue_poll(d, q)) == -EAGAIN) {
		if (monotonic_ns() > deadline)
			return give_up(d, "it did not use a buffer in time");
		thread_yield();
	}
	return rc;
}

long virtqueue_send(struct virtio_device *d, struct virtqueue *q, uint64_t phys, uint32_t len, bool device_writes,
		    uint64_t timeout_ns)
{
	const struct virtio_buffer b = {phys, len, device_writes};
	return virtqueue_send_chain(d, q, &b, 1, timeout_ns);
}

uint32_t virtio_config_read32(const struct virtio_device *d, unsigned offset) { return rd32(d->device, offset); }
uint64_t virtio_config_read64(const struct virtio_device *d, unsigned offset)
{
	uint64_t low = rd32(d->device, offset), high = rd32(d->device, offset + 4);
	return low | high << 32; /* the device may change it between the halves: callers read twice where it matters */
}
void virtio_config_write32(struct virtio_device *d, unsigned offset, uint32_t v) { wr32(d->device, offset, v); }
