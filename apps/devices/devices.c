/*
 * The devices application (booted by QEMU directly: tide-devices-direct.elf):
 * lists the PCI functions on bus 0 and, for each virtio 1.x device, where
 * its configuration structures are. tests/guest/qemu_devices.sh boots it
 * with a virtio-balloon and a virtio-mem device and checks what it finds.
 * One line per function:
 *   pci 03.0 1af4:1045 class 00.ff
 *   virtio 03.0 type 5: common bar 4 +0x0 (0x1000) at 0xfe004000 notify ... notify x4
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/pci.h>
#include <tide/virtio_pci.h>

#define MAX_FUNCTIONS 64

static void print_region(const char *name, const struct virtio_pci_region *r)
{
	printk(" %s bar %u +0x%x (0x%x) at 0x%lx", name, r->bar, r->offset, r->length, (unsigned long)r->address);
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
	return 0;
}
