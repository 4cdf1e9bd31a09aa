/*
 * The devices application (booted by QEMU directly: tide-devices-direct.elf):
 * lists the PCI functions on bus 0 and, for each virtio 1.x device, where
 * its configuration structures are. tests/guest/qemu_devices.sh boots it
 * with a virtio-balloon and a virtio-mem device and checks what it finds;
 * with hold_s=S it then runs S seconds, saying twice a second how many
 * frames it holds (tests/guest/qemu_balloon.sh moves its balloon meanwhile),
 * with alloc_at_s=T alloc_mib=M it allocates M MiB T seconds in (and with
 * free_at_s=F frees them F seconds in), and it checks the memory
 * invariants at the end. One line per function:
 *   pci 03.0 1af4:1045 class 00.ff
 *   virtio 03.0 type 5: common bar 4 +0x0 (0x1000) at 0xfe004000 notify ... notify x4
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/frame.h>
#include <tide/mem_check.h>
#include <tide/page_alloc.h>
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

/*
 * Run for seconds, saying what the guest holds twice a second (and, at
 * alloc_at_s, allocating alloc_mib MiB of pages, then saying how many it
 * got; at free_at_s, when later, freeing them); 0 if the memory invariants
 * hold at the end.
 */
static int hold(unsigned long seconds, unsigned long alloc_at_s, unsigned long alloc_mib, unsigned long free_at_s)
{
	static int token;
	void **held = NULL;
	uint64_t start = monotonic_ns(), end = start + seconds * 1000000000ULL;
	bool allocated = alloc_mib == 0, freed = free_at_s <= alloc_at_s;
	while (monotonic_ns() < end) {
		printk("holding %lu frames\n", frames_populated());
		if (!allocated && monotonic_ns() >= start + alloc_at_s * 1000000000ULL) {
			unsigned long got = take_pages(&held, MIB_TO_PAGES(alloc_mib));
			printk("allocated %lu of %lu MiB\n", PAGES_TO_MIB(got), alloc_mib);
			allocated = true;
		}
		if (allocated && !freed && monotonic_ns() >= start + free_at_s * 1000000000ULL) {
			printk("freed %lu MiB\n", PAGES_TO_MIB(free_list(held)));
			held = NULL;
			freed = true;
		}
		thread_block_on(&token, monotonic_ns() + 500000000ULL);
	}
	return mem_check() ? 1 : 0;
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
	return hold(cmdline_ulong("hold_s", 0), cmdline_ulong("alloc_at_s", 0), cmdline_ulong("alloc_mib", 0),
		    cmdline_ulong("free_at_s", 0));
}
