/*
 * Finding a virtio 1.x device on PCI (the modern transport of the virtio
 * specification, section 4.1): its device type, and where each of its
 * configuration structures lies, as the device's vendor-specific
 * capabilities say (a BAR, an offset and a length each). The driver of a
 * device type maps and uses them; nothing is mapped or written here.
 */
#ifndef TIDE_VIRTIO_PCI_H
#define TIDE_VIRTIO_PCI_H

#include <tide/pci.h>

#define VIRTIO_PCI_VENDOR 0x1af4
#define VIRTIO_ID_BALLOON 5
#define VIRTIO_ID_MEM 24

/* The configuration structures, by their cfg_type in the capability. */
enum virtio_pci_region_kind {
	VIRTIO_PCI_COMMON = 1,
	VIRTIO_PCI_NOTIFY = 2,
	VIRTIO_PCI_ISR = 3,
	VIRTIO_PCI_DEVICE = 4,
};

struct virtio_pci_region {
	uint8_t bar;
	uint32_t offset, length;
	uint64_t address; /* the BAR's address + offset */
};

struct virtio_pci_device {
	struct pci_function pci;
	uint16_t type; /* VIRTIO_ID_* */
	struct virtio_pci_region common, notify, isr, device;
	uint32_t notify_off_multiplier;
	uint8_t window; /* the PCI configuration access capability's offset, or 0 */
};

/*
 * Is f a virtio 1.x device (modern, or transitional with the modern
 * structures), and where are its structures? 0; -ENODEV when it is not
 * (a legacy-only device included); -EINVAL
 * when a structure the transport needs (common, notify, ISR) is missing or
 * lies in no memory BAR. One log line says which.
 */
int virtio_pci_probe(const struct pci_function *f, struct virtio_pci_device *out);
/*
 * Read 4 bytes at offset into structure r through the configuration access
 * window (no mapping needed): 0, or -EINVAL when the device has no window
 * or offset lies outside r.
 */
int virtio_pci_window_read32(const struct virtio_pci_device *d, const struct virtio_pci_region *r, uint32_t offset,
			     uint32_t *out);

#endif
