/*
 * PCI functions on bus 0, for the device drivers of a platform that owns
 * its devices (QEMU or KVM with no hypervisor below Tide: kernel/direct).
 * Configuration space is read and written through the legacy ports
 * 0xCF8/0xCFC, which QEMU's q35 and i440fx machines both have; only bus 0
 * is scanned, where QEMU puts its devices unless told otherwise. Nothing
 * here maps a BAR: a driver maps what it uses.
 */
#ifndef TIDE_PCI_H
#define TIDE_PCI_H

#include <tide/types.h>

#define PCI_CAP_VENDOR 0x09 /* a vendor-specific capability (virtio's are) */

struct pci_function {
	uint8_t dev, fn;
	uint16_t vendor, device;
	uint8_t class_code, subclass;
};

/* The functions present on bus 0, up to max of them: how many were written. */
unsigned pci_scan(struct pci_function *out, unsigned max);

uint8_t pci_read8(const struct pci_function *f, uint8_t offset);
uint16_t pci_read16(const struct pci_function *f, uint8_t offset);
uint32_t pci_read32(const struct pci_function *f, uint8_t offset);
/* A 32-bit write at offset (rounded down to 4 bytes); the function ignores what is read-only. */
void pci_write32(const struct pci_function *f, uint8_t offset, uint32_t v);
/* Let the function answer at its memory BARs and read and write memory (bus master). */
void pci_enable(const struct pci_function *f);

/*
 * BAR bar's memory address (a 64-bit BAR read whole), or 0 when it is
 * absent, an I/O BAR, or the upper half of a 64-bit one.
 */
uint64_t pci_bar_address(const struct pci_function *f, unsigned bar);

/*
 * The configuration-space offset of the first capability with this id
 * after offset from (0: from the start of the list), or 0 when there is
 * none. A list that loops or points outside the header ends the walk.
 */
uint8_t pci_next_capability(const struct pci_function *f, uint8_t from, uint8_t id);

#endif
