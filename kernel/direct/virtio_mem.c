/*
 * virtio-mem for a guest with no hypervisor below it (QEMU, KVM): device
 * memory the host plugs into the guest and unplugs from it, block by block,
 * in a region of guest-physical addresses of its own. Facts from the virtio
 * specification v1.2, 5.15: the configuration holds block_size (le64 at 0),
 * addr (16), region_size (24), usable_region_size (32), plugged_size (40)
 * and requested_size (48); the one queue (0) carries a request (le16 type,
 * then le64 addr and le16 nb_blocks at 8) and its response (le16 type:
 * ACK, NACK, BUSY, ERROR).
 *
 * The region is room to hot-add into: a Tide block there is plugged when
 * the core hot-adds it (host_take, 2 MiB extents) and unplugged when the
 * core gives it back whole (host_give), so every plugged block is whole in
 * the core's tables and the guest's count and the device's agree. The
 * region is known before the guest's page tables are up (virtio_mem_probe,
 * through the PCI configuration window), because the pfn space must cover
 * it; the device is started once memory and threads are (virtio_mem_start),
 * and a block plugged by a guest before this one (a reboot) is unplugged
 * then.
 *
 * The host's requested_size is this device's target. A request that would
 * take the device past it (plugging above it, unplugging below it) is
 * refused, so the guest grows here only when the host asked, and growth on
 * shortage cannot plug: on this platform the guest reports its pressure
 * (the balloon's statistics) and waits for the host.
 *
 * A device block larger than 2 MiB (a power of two, up to 1 GiB) is a run
 * of Tide blocks: it is plugged when the core hot-adds the first of them,
 * and unplugged when the core gives back the last one it holds. The core's
 * count (held_pages, what the guest reports) covers the Tide blocks it
 * holds; the device's (plugged_pages, held to the requested size) covers
 * whole device blocks, so a device block the application still uses part
 * of stays plugged whole until that part is freed.
 */
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/page_alloc.h>
#include <tide/platform.h>
#include <tide/virtio.h>
#include "virtio_mem.h"

#define GUEST_QUEUE 0
#define BLOCK_SIZE 0
#define ADDR 16
#define REGION_SIZE 24
#define USABLE_REGION_SIZE 32
#define PLUGGED_SIZE 40
#define REQUESTED_SIZE 48
#define VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE (1ULL << 1)
#define REQ_PLUG 0
#define REQ_UNPLUG 1
#define REQ_UNPLUG_ALL 2
#define RESP_ACK 0
#define RESP_NACK 1
#define RESP_BUSY 2
#define MAX_NB_BLOCKS 0xffff
#define REQUEST_TIMEOUT_NS 5000000000ULL

struct mem_request {
	uint16_t type, padding[3];
	uint64_t addr;
	uint16_t nb_blocks, padding2[3];
};
struct mem_response {
	uint16_t type, padding[3];
	uint16_t state;
};

static struct virtio_pci_device found;
static struct virtio_device device;
static struct virtqueue queue;
static bool probed, started;
static uint64_t region_addr, region_size;
static unsigned long per_device = 1;  /* Tide blocks per device block */
static unsigned long plugged_pages;   /* the device's count: whole device blocks */
static unsigned long held_pages;      /* the core's: the Tide blocks it holds in the region */
static struct mem_request *request; /* a page: the request, then the response at RESPONSE_AT */
#define RESPONSE_AT 64

/* A 64-bit field through the configuration window, read until two reads agree (the device may change it). */
static int window_read64(unsigned offset, uint64_t *out)
{
	for (int tries = 0; tries < 4; tries++) {
		uint32_t lo, hi, lo2;
		if (virtio_pci_window_read32(&found, &found.device, offset, &lo) ||
		    virtio_pci_window_read32(&found, &found.device, offset + 4, &hi) ||
		    virtio_pci_window_read32(&found, &found.device, offset, &lo2))
			return -EINVAL;
		if (lo == lo2) {
			*out = (uint64_t)hi << 32 | lo;
			return 0;
		}
	}
	return -EBUSY;
}

/* Is the region usable as room for Tide's blocks? The reason it is not, or NULL. */
static const char *region_unusable(uint64_t block_size)
{
	if (block_size < BLOCK_BYTES || block_size > GIB(1) || (block_size & (block_size - 1)))
		return "its block size is not a power of two from 2 MiB to 1 GiB";
	if (!region_size || region_addr % block_size || region_size % block_size)
		return "its region is not whole device blocks";
	if ((region_addr + region_size) / BLOCK_BYTES > MAX_BLOCKS)
		return "its region ends above 512 GiB";
	return NULL;
}

bool virtio_mem_probe(void)
{
	static bool tried;
	if (tried)
		return probed;
	tried = true;
	static struct pci_function functions[32];
	unsigned n = pci_scan(functions, ARRAY_SIZE(functions)), i = 0;
	while (i < n && (virtio_pci_probe(&functions[i], &found) || found.type != VIRTIO_ID_MEM))
		i++;
	if (i == n)
		return false;
	uint64_t block_size = 0;
	if (window_read64(BLOCK_SIZE, &block_size) || window_read64(ADDR, &region_addr) ||
	    window_read64(REGION_SIZE, &region_size)) {
		printk("virtio-mem: device %02x.%u has no configuration window; not used\n", found.pci.dev, found.pci.fn);
		return false;
	}
	const char *why = region_unusable(block_size);
	if (why) {
		printk("virtio-mem: device %02x.%u: %s (block %lu KiB, region %lu MiB at 0x%lx); not used\n",
		       found.pci.dev, found.pci.fn, why, (unsigned long)(block_size >> 10),
		       (unsigned long)(region_size >> 20), (unsigned long)region_addr);
		return false;
	}
	per_device = (unsigned long)(block_size / BLOCK_BYTES);
	probed = true;
	return true;
}

bool virtio_mem_region(uint64_t *addr, uint64_t *size)
{
	*addr = region_addr;
	*size = region_size;
	return probed;
}

bool virtio_mem_owns(unsigned long pfn)
{
	uint64_t a = (uint64_t)pfn << PAGE_SHIFT;
	return probed && a >= region_addr && a - region_addr < region_size;
}

/* Send one request: 0 on ACK, -EAGAIN when the device said no (NACK, BUSY), -EIO otherwise. */
static int send(uint16_t type, uint64_t addr, uint16_t nb_blocks)
{
	struct mem_response *response = (struct mem_response *)((uint8_t *)request + RESPONSE_AT);
	*request = (struct mem_request){.type = type, .addr = addr, .nb_blocks = nb_blocks};
	memset(response, 0xff, sizeof(*response));
	uint64_t phys = (uint64_t)virt_to_frame(request).n << PAGE_SHIFT;
	const struct virtio_buffer chain[2] = {{phys, sizeof(*request), false},
					       {phys + RESPONSE_AT, sizeof(*response), true}};
	long len = virtqueue_send_chain(&device, &queue, chain, 2, REQUEST_TIMEOUT_NS);
	if (len < 0)
		return -EIO;
	if (len < 2)
		return -EIO; /* no response type written */
	if (response->type == RESP_ACK)
		return 0;
	return response->type == RESP_NACK || response->type == RESP_BUSY ? -EAGAIN : -EIO;
}

int virtio_mem_request(bool plug, uint64_t addr, unsigned long nb_blocks)
{
	if (!started || device.broken || per_device != 1 || nb_blocks == 0 || nb_blocks > MAX_NB_BLOCKS)
		return -EINVAL;
	return send(plug ? REQ_PLUG : REQ_UNPLUG, addr, (uint16_t)nb_blocks);
}

/* What the host asks for now, in pages: the requested size, within the usable part of the region. */
static unsigned long limit_pages(void)
{
	uint64_t requested = virtio_config_read64(&device, REQUESTED_SIZE);
	uint64_t usable = virtio_config_read64(&device, USABLE_REGION_SIZE);
	return (unsigned long)(MIN(requested, usable) >> PAGE_SHIFT);
}

unsigned long virtio_mem_requested_pages(void) { return started && !device.broken ? limit_pages() : 0; }
unsigned long virtio_mem_held_pages(void) { return held_pages; }

static unsigned long device_block(unsigned long pfn) { return (pfn >> BLOCK_ORDER) / per_device; }
static uint64_t device_addr(unsigned long d) { return (uint64_t)d * per_device * BLOCK_BYTES; }
static unsigned long device_pages(void) { return per_device * BLOCK_PAGES; }

/*
 * Does the core hold a Tide block of device block d other than those in
 * list[0..n)? Then d is plugged (the core's blocks in a request are already
 * online, or still are).
 */
static bool held_elsewhere(unsigned long d, const unsigned long *list, unsigned long n)
{
	for (unsigned long b = d * per_device; b < (d + 1) * per_device; b++) {
		bool listed = false;
		for (unsigned long i = 0; i < n && !listed; i++)
			listed = list[i] >> BLOCK_ORDER == b;
		if (!listed && block_state(b) == BLOCK_ONLINE)
			return true;
	}
	return false;
}

/*
 * From extent from on: the extents whose device blocks follow one another
 * and need plugging, as many as the device's limit allows: the index past
 * them, with their device blocks' number in *ndev (0: none).
 */
static unsigned long plug_run(const unsigned long *list, unsigned long n, unsigned long from, unsigned long limit,
			      unsigned long *ndev)
{
	unsigned long end = from, last = 0;
	*ndev = 0;
	for (; end < n; end++) {
		unsigned long d = device_block(list[end]);
		if (*ndev && d == last)
			continue;
		if ((*ndev && d != last + 1) || held_elsewhere(d, list, n) || *ndev == MAX_NB_BLOCKS ||
		    plugged_pages + (*ndev + 1) * device_pages() > limit)
			break;
		last = d;
		(*ndev)++;
	}
	return end;
}

long virtio_mem_take(const unsigned long *list, unsigned long n, unsigned order)
{
	if (!started || device.broken || order != BLOCK_ORDER)
		return -EOPNOTSUPP; /* a block is plugged whole or not at all */
	unsigned long limit = limit_pages(), done = 0, ndev;
	while (done < n) {
		if (held_elsewhere(device_block(list[done]), list, n)) { /* plugged already: nothing to ask */
			done++;
			continue;
		}
		unsigned long end = plug_run(list, n, done, limit, &ndev);
		if (ndev == 0 || send(REQ_PLUG, device_addr(device_block(list[done])), (uint16_t)ndev))
			break;
		plugged_pages += ndev * device_pages();
		done = end;
	}
	held_pages += done * BLOCK_PAGES;
	return done ? (long)done : -EAGAIN;
}

/* Are frames list[0..n) the whole of what the core holds of one block (its unplug, 4 KiB at a time)? */
static bool whole_block(const unsigned long *list, unsigned long n)
{
	unsigned long b = list[0] >> BLOCK_ORDER;
	for (unsigned long i = 0; i < n; i++)
		if (list[i] >> BLOCK_ORDER != b)
			return false;
	return n == BLOCK_PAGES && block_info(b)->nr_populated == BLOCK_PAGES;
}

/*
 * Give back Tide blocks (their first frames in blocks[0..n)): a device block
 * is unplugged with the last of them the core holds, within the device's
 * limit. Blocks given back (a prefix).
 */
static unsigned long give_blocks(const unsigned long *blocks, unsigned long n)
{
	unsigned long limit = limit_pages(), done = 0, unplugged = ~0UL;
	for (; done < n; done++) {
		unsigned long d = device_block(blocks[done]);
		if (d == unplugged || held_elsewhere(d, blocks, n))
			continue; /* it stays plugged for the blocks still held */
		if (plugged_pages < limit + device_pages() || send(REQ_UNPLUG, device_addr(d), 1))
			break;
		plugged_pages -= device_pages();
		unplugged = d;
	}
	held_pages -= done * BLOCK_PAGES;
	return done;
}

long virtio_mem_give(const unsigned long *list, unsigned long n, unsigned order)
{
	if (!started || device.broken)
		return -EOPNOTSUPP;
	if (order == 0) { /* a block mapped page by page goes back as its 512 frames, in one call */
		if (!whole_block(list, n))
			return -EOPNOTSUPP;
		return give_blocks(list, 1) ? (long)n : -EAGAIN;
	}
	if (order != BLOCK_ORDER)
		return -EOPNOTSUPP;
	unsigned long done = give_blocks(list, n);
	return done ? (long)done : -EAGAIN;
}

bool virtio_mem_start(void)
{
	if (!probed)
		return false;
	if (virtio_start(&device, &found, VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE) ||
	    virtio_queue_setup(&device, GUEST_QUEUE, &queue) || !(request = alloc_page()))
		return false;
	virtio_ready(&device);
	started = true;
	if (virtio_config_read64(&device, PLUGGED_SIZE) && send(REQ_UNPLUG_ALL, 0, 0)) {
		printk("virtio-mem: the device will not unplug what a previous guest left plugged; not used\n");
		started = false;
		return false;
	}
	printk("tide: virtio-mem at %02x.%u: %lu MiB of room at 0x%lx, following the host's requested size\n",
	       found.pci.dev, found.pci.fn, (unsigned long)(region_size >> 20), (unsigned long)region_addr);
	return true;
}
