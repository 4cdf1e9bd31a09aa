/*
 * The devices application (booted by QEMU directly: tide-devices-direct.elf):
 * lists the PCI functions on bus 0 and, for each virtio 1.x device, where
 * its configuration structures are. tests/guest/qemu_devices.sh boots it
 * with a virtio-balloon and a virtio-mem device and checks what it finds;
 * with hold_s=S it then runs S seconds, saying twice a second how many
 * frames it holds (tests/guest/qemu_balloon.sh moves its balloon meanwhile),
 * with alloc_at_s=T alloc_mib=M it allocates M MiB T seconds in (and with
 * free_at_s=F frees them F seconds in), and it checks the memory
 * invariants at the end. With burst_at_s=T burst_mib=M it allocates M MiB
 * from T seconds in, 4 MiB every 50 ms, a failed allocation tried again
 * the next time (free_at_s frees it too), and says how long that took:
 *   burst: 500 MiB in 23140 ms, 8812 allocations failed on the way
 * With raw_mib=M raw_passes=K (make bench:
 * tests/guest/bench_kvm.sh) it first holds its balloon, waits until the
 * host has asked virtio-mem for M MiB, and times K raw passes of plugging
 * and unplugging M MiB (tide/raw_limits.h), plugging and mapping then
 * writing one word into each block (what hot-add must at least do while
 * the allocator's list node lives in the block), one line each:
 *   raw pass plug_map 812 plug_touch 700 unplug_map 1903 plug_request 2230 unplug_request 4301 MiB/s One line per function:
 *   pci 03.0 1af4:1045 class 00.ff
 *   virtio 03.0 type 5: common bar 4 +0x0 (0x1000) at 0xfe004000 notify ... notify x4
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/frame.h>
#include <tide/mem_check.h>
#include <tide/balloon.h>
#include <tide/page_alloc.h>
#include <tide/platform.h>
#include <tide/raw_limits.h>
#include <tide/sched.h>
#include <tide/pci.h>
#include <tide/virtio_pci.h>

#define MAX_FUNCTIONS 64

static void print_region(const char *name, const struct virtio_pci_region *r)
{
	printk(" %s bar %u +0x%x (0x%x) at 0x%lx", name, r->bar, r->offset, r->length, (unsigned long)r->address);
}

/* Take 4 KiB pages, linked through their first word, until the list holds pages or one fails: how many. */
static unsigned long take_pages(void ***list, unsigned long pages)
{
	unsigned long n = 0;
	void **p;
	while (n < pages && (p = alloc_page())) {
		p[0] = *list;
		*list = p;
		n++;
	}
	return n;
}

/* Free the pages of a list take_pages() made: how many. */
static unsigned long free_list(void **list)
{
	unsigned long n = 0;
	while (list) {
		void **next = list[0];
		free_page(list);
		list = next;
		n++;
	}
	return n;
}

/* What the application does while it runs (its command-line options). */
struct plan {
	unsigned long hold_s;                /* how long it runs */
	unsigned long alloc_at_s, alloc_mib; /* one allocation of alloc_mib, alloc_at_s in */
	unsigned long free_at_s;             /* ... freed then, when later */
	unsigned long burst_at_s, burst_mib; /* a burst: 4 MiB every 50 ms from burst_at_s, failures retried */
};

#define TICK_NS 50000000ULL
#define BURST_STEP_PAGES MIB_TO_PAGES(4)

/* One tick of the burst: up to 4 MiB more. True once it holds all it wants (said in one line). */
static bool burst_step(const struct plan *p, void ***held, unsigned long *got, uint64_t began)
{
	unsigned long want = MIB_TO_PAGES(p->burst_mib);
	*got += take_pages(held, MIN(BURST_STEP_PAGES, want - *got));
	if (*got < want)
		return false;
	printk("burst: %lu MiB in %lu ms, %lu allocations failed on the way\n", p->burst_mib,
	       (unsigned long)((monotonic_ns() - began) / 1000000), page_alloc_failures());
	return true;
}

/*
 * Run for p->hold_s seconds, saying what the guest holds twice a second,
 * allocating and freeing as p says; 0 if the memory invariants hold at the
 * end.
 */
static int hold(const struct plan *p)
{
	static int token;
	void **held = NULL, **burst = NULL;
	uint64_t start = monotonic_ns(), end = start + p->hold_s * 1000000000ULL, burst_began = 0;
	bool allocated = p->alloc_mib == 0, freed = p->free_at_s <= p->alloc_at_s, burst_done = p->burst_mib == 0;
	unsigned long burst_got = 0;
	for (unsigned long tick = 0; monotonic_ns() < end; tick++) {
		uint64_t now = monotonic_ns();
		if (tick % 10 == 0)
			printk("holding %lu frames\n", frames_populated());
		if (!allocated && now >= start + p->alloc_at_s * 1000000000ULL) {
			unsigned long got = take_pages(&held, MIB_TO_PAGES(p->alloc_mib));
			printk("allocated %lu of %lu MiB\n", PAGES_TO_MIB(got), p->alloc_mib);
			allocated = true;
		}
		if (allocated && !freed && now >= start + p->free_at_s * 1000000000ULL) {
			printk("freed %lu MiB\n", PAGES_TO_MIB(free_list(held) + free_list(burst)));
			held = burst = NULL;
			burst_done = freed = true;
		}
		if (!burst_done && now >= start + p->burst_at_s * 1000000000ULL) {
			burst_began = burst_began ? burst_began : now;
			burst_done = burst_step(p, &burst, &burst_got, burst_began);
		}
		thread_block_on(&token, now + TICK_NS);
	}
	return mem_check() ? 1 : 0;
}

/* The lowest run of n absent blocks (room to plug into): its first block, or 0 when there is none. */
static unsigned long absent_run(unsigned long n)
{
	for (unsigned long b = 0, run = 0; b < frames_nr_blocks(); b++) {
		run = block_state(b) == BLOCK_ABSENT ? run + 1 : 0;
		if (run == n)
			return b + 1 - n;
	}
	return 0;
}

static unsigned long mib_per_s(unsigned long mib, uint64_t ns) { return ns ? (unsigned long)(mib * 1000000000ULL / ns) : 0; }

/* Time one raw operation over n blocks from first: MiB/s, or 0 (with a line) when it fell short. */
static unsigned long timed(long (*op)(unsigned long, unsigned long, unsigned long *), unsigned long first,
			   unsigned long n, unsigned long *bases)
{
	uint64_t t0 = monotonic_ns();
	long done = op(first, n, bases);
	uint64_t ns = monotonic_ns() - t0;
	if (done != (long)n)
		printk("raw: %ld of %lu blocks\n", done, n);
	return done == (long)n ? mib_per_s(n * 2, ns) : 0;
}

/* raw_map_populate, then one word written into each block */
static long map_and_touch(unsigned long first, unsigned long n, unsigned long *bases)
{
	long done = raw_map_populate(first, n, bases);
	for (long i = 0; i < done; i++)
		*(volatile unsigned long *)frame_to_virt(block_to_pfn(first + (unsigned long)i)) = (unsigned long)i;
	return done;
}

static long hypercall_release(unsigned long first, unsigned long n, unsigned long *bases)
{
	(void)first;
	return raw_hypercall_release(n, bases);
}

/* make bench's raw passes: virtio-mem's own plug path, with the balloon held. 0, or 1 when the room never came. */
static int raw_passes(unsigned long mib, unsigned long passes)
{
	static int token;
	static unsigned long bases[MAX_BLOCKS / 64];
	unsigned long n = mib / 2;
	if (n == 0 || n > ARRAY_SIZE(bases))
		return 1;
	balloon_hold(true);
	printk("raw: waiting for %lu MiB requested\n", mib);
	uint64_t give_up = monotonic_ns() + 60000000000ULL;
	while (platform_max_pages() - platform_reservation_pages() < (long)MIB_TO_PAGES(mib)) {
		if (monotonic_ns() > give_up)
			return 1;
		thread_block_on(&token, monotonic_ns() + 10000000ULL);
	}
	unsigned long first = absent_run(n);
	for (unsigned long i = 0; first && i < passes; i++) {
		unsigned long pm = timed(raw_map_populate, first, n, bases), um = timed(raw_map_release, first, n, bases);
		unsigned long pt = timed(map_and_touch, first, n, bases);
		timed(raw_map_release, first, n, bases);
		unsigned long pr = timed(raw_hypercall_populate, first, n, bases), ur = timed(hypercall_release, first, n, bases);
		printk("raw pass plug_map %lu plug_touch %lu unplug_map %lu plug_request %lu unplug_request %lu MiB/s\n", pm,
		       pt, um, pr, ur);
	}
	printk("raw: done\n");
	balloon_hold(false);
	return first ? 0 : 1;
}

int app_main(void)
{
	static struct pci_function found[MAX_FUNCTIONS];
	unsigned n = pci_scan(found, MAX_FUNCTIONS), virtio = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct pci_function *f = &found[i];
		printk("pci %02x.%u %04x:%04x class %02x.%02x\n", f->dev, f->fn, f->vendor, f->device, f->class_code,
		       f->subclass);
		struct virtio_pci_device d;
		if (virtio_pci_probe(f, &d))
			continue;
		virtio++;
		printk("virtio %02x.%u type %u:", f->dev, f->fn, d.type);
		print_region("common", &d.common);
		print_region("notify", &d.notify);
		print_region("isr", &d.isr);
		print_region("device", &d.device);
		printk(" notify x%u\n", d.notify_off_multiplier);
	}
	printk("devices: %u PCI functions on bus 0, %u virtio 1.x devices\n", n, virtio);
	unsigned long raw_mib = cmdline_ulong("raw_mib", 0);
	if (raw_mib && raw_passes(raw_mib, cmdline_ulong("raw_passes", 5)))
		return 1;
	const struct plan p = {
		.hold_s = cmdline_ulong("hold_s", 0),
		.alloc_at_s = cmdline_ulong("alloc_at_s", 0),
		.alloc_mib = cmdline_ulong("alloc_mib", 0),
		.free_at_s = cmdline_ulong("free_at_s", 0),
		.burst_at_s = cmdline_ulong("burst_at_s", 0),
		.burst_mib = cmdline_ulong("burst_mib", 0),
	};
	return hold(&p);
}
