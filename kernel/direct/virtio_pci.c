/*
 * The virtio 1.x PCI transport's discovery; see tide/virtio_pci.h. Facts
 * from the virtio specification (v1.2, 4.1): modern devices have the
 * vendor 0x1af4 and a device id of 0x1040 + their type (transitional ones,
 * 0x1000-0x103f, which QEMU makes by default, give their type as the
 * subsystem id and have the same structures as well); each
 * configuration structure is described by a vendor-specific capability of
 * at least 16 bytes: cfg_type at byte 3, bar at 4, offset (le32) at 8,
 * length (le32) at 12; the notify capability adds notify_off_multiplier
 * (le32) at 16. Of several capabilities of one type, the first usable one
 * counts. The PCI configuration access capability (cfg_type 5) is a window
 * onto the structures through configuration space: write bar, offset and
 * length (1, 2 or 4) into it, then read its pci_cfg_data at byte 16. It
 * needs no mapping, so a driver can read a device's configuration before
 * the guest's page tables are up.
 */
#include <tide/lib.h>
#include <tide/virtio_pci.h>

#define TRANSITIONAL_FIRST 0x1000 /* the type is the subsystem id; the modern structures are there too */
#define TRANSITIONAL_LAST 0x103f
#define MODERN_DEVICE_BASE 0x1040
#define MODERN_DEVICE_LAST 0x107f
#define SUBSYSTEM_ID 0x2e
#define CAP_CFG_TYPE 3
#define CAP_BAR 4
#define CAP_OFFSET 8
#define CAP_LENGTH 12
#define CAP_LEN_MIN 16
#define CAP_NOTIFY_MULTIPLIER 16
#define CAP_PCI_CFG_DATA 16
#define CFG_TYPE_PCI_CFG 5

static struct virtio_pci_region *region_of(struct virtio_pci_device *d, uint8_t kind)
{
	switch (kind) {
	case VIRTIO_PCI_COMMON: return &d->common;
	case VIRTIO_PCI_NOTIFY: return &d->notify;
	case VIRTIO_PCI_ISR: return &d->isr;
	case VIRTIO_PCI_DEVICE: return &d->device;
	default: return NULL;
	}
}

/* Take the capability at cap if it describes a structure not found yet. */
static void take_capability(struct virtio_pci_device *d, uint8_t cap)
{
	const struct pci_function *f = &d->pci;
	uint8_t kind = pci_read8(f, (uint8_t)(cap + CAP_CFG_TYPE));
	if (kind == CFG_TYPE_PCI_CFG && !d->window && pci_read8(f, (uint8_t)(cap + 2)) >= CAP_PCI_CFG_DATA + 4) {
		d->window = cap;
		return;
	}
	struct virtio_pci_region *r = region_of(d, kind);
	uint8_t bar = pci_read8(f, (uint8_t)(cap + CAP_BAR));
	if (!r || r->length || pci_read8(f, (uint8_t)(cap + 2)) < CAP_LEN_MIN || bar > 5)
		return;
	uint64_t base = pci_bar_address(f, bar);
	uint32_t length = pci_read32(f, (uint8_t)(cap + CAP_LENGTH));
	if (!base || !length)
		return;
	*r = (struct virtio_pci_region){bar, pci_read32(f, (uint8_t)(cap + CAP_OFFSET)), length, 0};
	r->address = base + r->offset;
	if (r == &d->notify)
		d->notify_off_multiplier = pci_read32(f, (uint8_t)(cap + CAP_NOTIFY_MULTIPLIER));
}

int virtio_pci_probe(const struct pci_function *f, struct virtio_pci_device *out)
{
	if (f->vendor != VIRTIO_PCI_VENDOR || f->device < TRANSITIONAL_FIRST || f->device > MODERN_DEVICE_LAST)
		return -ENODEV;
	memset(out, 0, sizeof(*out));
	out->pci = *f;
	out->type = f->device >= MODERN_DEVICE_BASE ? (uint16_t)(f->device - MODERN_DEVICE_BASE)
						    : pci_read16(f, SUBSYSTEM_ID);
	for (uint8_t cap = pci_next_capability(f, 0, PCI_CAP_VENDOR); cap;
	     cap = pci_next_capability(f, cap, PCI_CAP_VENDOR))
		take_capability(out, cap);
	const char *missing = !out->common.length ? "common" : !out->notify.length ? "notify" : !out->isr.length ? "ISR" : NULL;
	if (missing) {
		if (f->device >= MODERN_DEVICE_BASE)
			printk("virtio: device %02x.%u (type %u) has no usable %s configuration; not used\n", f->dev,
			       f->fn, out->type, missing);
		return f->device >= MODERN_DEVICE_BASE ? -EINVAL : -ENODEV; /* a legacy-only device */
	}
	return 0;
}

int virtio_pci_window_read32(const struct virtio_pci_device *d, const struct virtio_pci_region *r, uint32_t offset,
			     uint32_t *out)
{
	if (!d->window || !r->length || offset + 4 > r->length)
		return -EINVAL;
	pci_write32(&d->pci, (uint8_t)(d->window + CAP_BAR), r->bar);
	pci_write32(&d->pci, (uint8_t)(d->window + CAP_OFFSET), r->offset + offset);
	pci_write32(&d->pci, (uint8_t)(d->window + CAP_LENGTH), 4);
	*out = pci_read32(&d->pci, (uint8_t)(d->window + CAP_PCI_CFG_DATA));
	return 0;
}
