/*
 * virtio-balloon for a guest with no hypervisor below it (QEMU, KVM): the
 * host's target is the device's num_pages, the 4 KiB pages it wants in
 * the balloon; the guest's target has boot memory less that (follow.c),
 * and the same balloon as on Xen (tide/balloon.h) meets it, floor
 * included. The
 * frames the balloon gives back go to the host through the inflate queue
 * (pvh/elastic.c's host_give), and frames it takes again come back through
 * the deflate queue (host_take) before they are touched
 * (VIRTIO_BALLOON_F_MUST_TELL_HOST is honoured whether agreed or not).
 * Facts from the virtio specification v1.2, 5.5: queues 0 (inflate) and 1
 * (deflate) carry arrays of 32-bit page frame numbers; the configuration
 * has num_pages at 0 and actual (what the guest says the balloon holds)
 * at 4.
 *
 * The device's num_pages is one of the guest's two targets (follow.c
 * composes them), so the balloon moves only toward it: a request to inflate
 * past num_pages, or to deflate below it, is refused (a prefix at most).
 * The one exception is growth on shortage, which takes frames back from the
 * balloon beyond the host's target; the specification allows that only once
 * VIRTIO_BALLOON_F_DEFLATE_ON_OOM is agreed (QEMU: deflate-on-oom=on), so
 * without it the allocator gets no shortage hook, and an allocation past
 * what the target leaves fails. A device that misbehaves is dropped by the
 * transport; the guest keeps what it holds.
 *
 * Statistics (VIRTIO_BALLOON_F_STATS_VQ, 5.5.6.3): the guest keeps one
 * buffer of (le16 tag, le64 value) entries offered on queue 2; when the
 * device uses it (the host polls), follow.c's thread fills it again
 * (virtio_balloon_report), as fresh as now, and offers it back. Tags: free, total and available memory in
 * bytes, and Tide's own counts under the nearest standard tags: allocations
 * that waited for the balloon to grow as major faults, allocations that
 * failed as huge-page allocation failures.
 *
 * Free page reporting (VIRTIO_BALLOON_F_PAGE_REPORTING, 5.5.6.7; QEMU:
 * free-page-reporting=on): once a second the thread takes whole free
 * blocks of boot memory out of the allocator, up to a queue's worth at a
 * time, offers them on the reporting queue (the next after the statistics
 * queue) as buffers the device may write, and when the device has used
 * them (it discarded their backing) gives them back to the allocator,
 * marked BLOCK_REPORTED. A block is reported again only once it has been
 * used: the allocator clears the mark when the block's free chunk leaves
 * its lists. The frames stay the guest's, free; the host backs them again
 * when they are touched. A block's first page is not reported: it holds
 * the allocator's list node for the free chunk, written when the block
 * goes back on the lists, and a host with transparent huge pages would back
 * the whole 2 MiB again for that one write. Hot-added memory is
 * virtio-mem's and is not reported.
 */
#include <tide/balloon_worker.h>
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/mem_boot.h>
#include <tide/buddy.h>
#include <tide/platform.h>
#include <tide/sched.h>
#include <tide/virtio.h>
#include "virtio_balloon.h"

#define INFLATE_QUEUE 0
#define DEFLATE_QUEUE 1
#define STATS_QUEUE 2
#define NUM_PAGES 0
#define ACTUAL 4
#define VIRTIO_BALLOON_F_MUST_TELL_HOST (1ULL << 0)
#define VIRTIO_BALLOON_F_STATS_VQ (1ULL << 1)
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM (1ULL << 2)
#define VIRTIO_BALLOON_F_PAGE_REPORTING (1ULL << 5)
#define REPORT_PERIOD_NS 1000000000ULL
#define REPORT_BATCHES 16 /* queues' worths per pass: 512 MiB */
#define STAT_MAJOR_FAULTS 2
#define STAT_FREE 4
#define STAT_TOTAL 5
#define STAT_AVAILABLE 6
#define STAT_HUGE_FAILURES 9
#define NR_STATS 5
#define PFNS_PER_REQUEST (PAGE_SIZE / sizeof(uint32_t))
#define REQUEST_TIMEOUT_NS 5000000000ULL

static struct virtio_device device;
static struct virtqueue inflate_queue, deflate_queue, stats_queue, report_queue;
static bool reporting;
static uint64_t next_report_ns;
static unsigned long reported_blocks;

struct stat_entry {
	uint16_t tag;
	uint64_t value;
} __attribute__((packed));
static struct stat_entry *stats; /* a page of its own: the device reads it */
static uint32_t *pfns; /* one page: the frame numbers of one request */
static unsigned long in_balloon;
static bool present, in_shortage;

unsigned long virtio_balloon_frames(void) { return in_balloon; }

/* Send the frames of extents list[0..n) (2^order frames each) on q: extents done, a prefix, or -errno. */
static long send_extents(struct virtqueue *q, const unsigned long *list, unsigned long n, unsigned order)
{
	if (!present || device.broken)
		return -EOPNOTSUPP;
	unsigned long per_extent = 1UL << order, done = 0, filled = 0, frames_sent = 0;
	for (unsigned long e = 0; e < n; e++) {
		for (unsigned long i = 0; i < per_extent; i++) {
			pfns[filled++] = (uint32_t)(list[e] + i);
			bool last = e == n - 1 && i == per_extent - 1;
			if (filled < PFNS_PER_REQUEST && !last)
				continue;
			uint64_t phys = (uint64_t)virt_to_frame(pfns).n << PAGE_SHIFT;
			if (virtqueue_send(&device, q, phys, (uint32_t)(filled * sizeof(uint32_t)), false,
					   REQUEST_TIMEOUT_NS) < 0)
				return done ? (long)done : -EIO; /* the device took whole extents at most */
			frames_sent += filled;
			filled = 0;
		}
		done = frames_sent / per_extent;
	}
	return (long)done;
}

/* Of n extents of 2^order frames, how many keep the balloon at or below num_pages (inflating) or at or above it. */
static unsigned long toward_target(unsigned long n, unsigned order, bool inflating)
{
	unsigned long wanted = virtio_balloon_wanted();
	unsigned long room = inflating ? (wanted > in_balloon ? wanted - in_balloon : 0)
				       : (in_balloon > wanted ? in_balloon - wanted : 0);
	if (!inflating && in_shortage)
		room = in_balloon;
	return MIN(n, room >> order);
}

long virtio_balloon_inflate(const unsigned long *list, unsigned long n, unsigned order)
{
	unsigned long allowed = toward_target(n, order, true);
	long done = allowed ? send_extents(&inflate_queue, list, allowed, order) : -EAGAIN;
	if (done > 0)
		in_balloon += (unsigned long)done << order;
	return done;
}

long virtio_balloon_deflate(const unsigned long *list, unsigned long n, unsigned order)
{
	unsigned long allowed = toward_target(n, order, false);
	long done = allowed ? send_extents(&deflate_queue, list, allowed, order) : -EAGAIN;
	if (done > 0)
		in_balloon -= (unsigned long)done << order;
	return done;
}

/* Fill the statistics buffer as things are now and offer it to the device. */
static void offer_stats(void)
{
	const struct stat_entry now[NR_STATS] = {
		{STAT_FREE, (uint64_t)nr_free_pages() * PAGE_SIZE},
		{STAT_TOTAL, (uint64_t)frames_populated() * PAGE_SIZE},
		{STAT_AVAILABLE, (uint64_t)nr_free_pages() * PAGE_SIZE},
		{STAT_MAJOR_FAULTS, balloon_stats()->shortage_grown},
		{STAT_HUGE_FAILURES, page_alloc_failures()},
	};
	memcpy(stats, now, sizeof(now));
	virtqueue_post(&device, &stats_queue, (uint64_t)virt_to_frame(stats).n << PAGE_SHIFT, sizeof(now), false);
}

unsigned long virtio_balloon_wanted(void)
{
	return present && !device.broken ? virtio_config_read32(&device, NUM_PAGES) : 0;
}

/* A block free page reporting takes: boot memory, not reported since its free chunk last formed. */
static bool reportable(unsigned long b) { return !(block_info(b)->flags & (BLOCK_HOTPLUGGED | BLOCK_REPORTED)); }

/* Report up to a queue's worth of whole free blocks (taken out of the allocator meanwhile): how many. */
static unsigned report_batch(void)
{
	unsigned long blocks[VIRTIO_QUEUE_SIZE];
	struct virtio_buffer chain[VIRTIO_QUEUE_SIZE];
	unsigned n = 0;
	while (n < report_queue.size && buddy_take_free_block_where(reportable, &blocks[n])) {
		chain[n] = (struct virtio_buffer){(uint64_t)blocks[n] * BLOCK_BYTES + PAGE_SIZE, BLOCK_BYTES - PAGE_SIZE, true};
		n++;
	}
	bool sent = n && virtqueue_send_chain(&device, &report_queue, chain, n, REQUEST_TIMEOUT_NS) >= 0;
	for (unsigned i = 0; i < n; i++) {
		if (sent)
			buddy_add_reported_block(blocks[i]);
		else
			buddy_add_frames(block_to_pfn(blocks[i]), BLOCK_PAGES);
	}
	reported_blocks += sent ? n : 0;
	return sent ? n : 0;
}

unsigned long virtio_balloon_reported_blocks(void) { return reported_blocks; }

void virtio_balloon_report(void)
{
	if (!present || device.broken)
		return;
	virtio_config_write32(&device, ACTUAL, (uint32_t)in_balloon);
	if (stats && virtqueue_poll(&device, &stats_queue) >= 0)
		offer_stats();
	if (reporting && monotonic_ns() >= next_report_ns) {
		for (unsigned i = 0; i < REPORT_BATCHES && report_batch() == report_queue.size; i++)
			;
		next_report_ns = monotonic_ns() + REPORT_PERIOD_NS;
	}
}

/* Growth on shortage, with deflate on OOM agreed: the balloon's own hook, which may deflate below num_pages. */
static int on_shortage(unsigned long need_pages, bool contiguous)
{
	in_shortage = true;
	int rc = balloon_on_shortage(need_pages, contiguous);
	in_shortage = false;
	return rc;
}

bool virtio_balloon_start(void)
{
	static struct pci_function found[32];
	unsigned n = pci_scan(found, ARRAY_SIZE(found));
	struct virtio_pci_device d;
	unsigned i = 0;
	while (i < n && (virtio_pci_probe(&found[i], &d) || d.type != VIRTIO_ID_BALLOON))
		i++;
	if (i == n)
		return false;
	if (virtio_start(&device, &d,
			 VIRTIO_BALLOON_F_MUST_TELL_HOST | VIRTIO_BALLOON_F_STATS_VQ | VIRTIO_BALLOON_F_DEFLATE_ON_OOM |
				 VIRTIO_BALLOON_F_PAGE_REPORTING) ||
	    virtio_queue_setup(&device, INFLATE_QUEUE, &inflate_queue) ||
	    virtio_queue_setup(&device, DEFLATE_QUEUE, &deflate_queue) || !(pfns = alloc_page()))
		return false;
	bool with_stats = device.features & VIRTIO_BALLOON_F_STATS_VQ;
	if (with_stats && (virtio_queue_setup(&device, STATS_QUEUE, &stats_queue) || !(stats = alloc_page())))
		return false;
	reporting = device.features & VIRTIO_BALLOON_F_PAGE_REPORTING;
	if (reporting && virtio_queue_setup(&device, with_stats ? STATS_QUEUE + 1 : STATS_QUEUE, &report_queue))
		return false;
	virtio_ready(&device);
	present = true;
	if (with_stats)
		offer_stats(); /* the device holds it until it wants fresh figures */
	bool deflate_on_oom = device.features & VIRTIO_BALLOON_F_DEFLATE_ON_OOM;
	page_alloc_set_shortage_hook(deflate_on_oom ? on_shortage : NULL, BALLOON_LOW_WATERMARK);
	printk("tide: virtio-balloon at %02x.%u follows the host's target; growth on shortage %s; free page reporting %s\n",
	       d.pci.dev, d.pci.fn, deflate_on_oom ? "on (deflate on OOM agreed)" : "off (the host does not offer deflate on OOM)",
	       reporting ? "on" : "off");
	return true;
}
