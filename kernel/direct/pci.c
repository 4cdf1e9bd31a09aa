/* PCI configuration space through the legacy ports, bus 0; see tide/pci.h. */
#include <tide/pci.h>
#include "../pvh/pvh.h"

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc
#define PCI_SLOTS 32
#define PCI_FUNCTIONS 8
#define HEADER_TYPE 0x0e
#define MULTI_FUNCTION 0x80
#define COMMAND 0x04
#define COMMAND_MEMORY 0x2
#define COMMAND_BUS_MASTER 0x4
#define STATUS 0x06
#define STATUS_CAPABILITIES 0x10
#define CAPABILITIES 0x34
#define BAR0 0x10
#define BAR_IO 0x1
#define BAR_TYPE_64 0x4
#define BAR_TYPE_MASK 0x6
#define MAX_CAPABILITIES 48 /* (256 - 64) / 4: a longer list loops */

static void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static uint32_t read_config(uint8_t dev, uint8_t fn, uint8_t offset)
{
	outl(CONFIG_ADDRESS, 0x80000000u | (uint32_t)dev << 11 | (uint32_t)fn << 8 | (offset & 0xfc));
	return inl(CONFIG_DATA);
}

uint32_t pci_read32(const struct pci_function *f, uint8_t offset) { return read_config(f->dev, f->fn, offset); }
void pci_write32(const struct pci_function *f, uint8_t offset, uint32_t v)
{
	outl(CONFIG_ADDRESS, 0x80000000u | (uint32_t)f->dev << 11 | (uint32_t)f->fn << 8 | (offset & 0xfc));
	outl(CONFIG_DATA, v);
}

void pci_enable(const struct pci_function *f)
{
	uint32_t v = read_config(f->dev, f->fn, COMMAND); /* command, and status above it (written 0: left as is) */
	outl(CONFIG_DATA, (v & 0xffff) | COMMAND_MEMORY | COMMAND_BUS_MASTER); /* CONFIG_ADDRESS still selects it */
}
uint16_t pci_read16(const struct pci_function *f, uint8_t offset)
{
	return (uint16_t)(pci_read32(f, offset) >> ((offset & 2) * 8));
}
uint8_t pci_read8(const struct pci_function *f, uint8_t offset)
{
	return (uint8_t)(pci_read32(f, offset) >> ((offset & 3) * 8));
}

/* Function fn of slot dev, if present (its vendor is not all ones). */
static bool probe(uint8_t dev, uint8_t fn, struct pci_function *out)
{
	uint32_t id = read_config(dev, fn, 0);
	if ((id & 0xffff) == 0xffff)
		return false;
	uint32_t class = read_config(dev, fn, 0x08);
	*out = (struct pci_function){dev, fn, (uint16_t)id, (uint16_t)(id >> 16), (uint8_t)(class >> 24),
				     (uint8_t)(class >> 16)};
	return true;
}

unsigned pci_scan(struct pci_function *out, unsigned max)
{
	unsigned n = 0;
	for (uint8_t dev = 0; dev < PCI_SLOTS; dev++) {
		struct pci_function f;
		if (!probe(dev, 0, &f))
			continue;
		bool multi = pci_read8(&f, HEADER_TYPE) & MULTI_FUNCTION;
		for (uint8_t fn = 0; fn < (multi ? PCI_FUNCTIONS : 1) && n < max; fn++)
			if (probe(dev, fn, &out[n]))
				n++;
	}
	return n;
}

static bool is_memory_64(uint32_t bar_low) { return !(bar_low & BAR_IO) && (bar_low & BAR_TYPE_MASK) == BAR_TYPE_64; }

uint64_t pci_bar_address(const struct pci_function *f, unsigned bar)
{
	if (bar > 5 || (bar > 0 && is_memory_64(pci_read32(f, (uint8_t)(BAR0 + 4 * (bar - 1))))))
		return 0;
	uint32_t low = pci_read32(f, (uint8_t)(BAR0 + 4 * bar));
	if (low & BAR_IO)
		return 0;
	uint64_t address = low & ~0xfu;
	if (is_memory_64(low))
		address |= bar < 5 ? (uint64_t)pci_read32(f, (uint8_t)(BAR0 + 4 * (bar + 1))) << 32 : 0;
	return address;
}

uint8_t pci_next_capability(const struct pci_function *f, uint8_t from, uint8_t id)
{
	if (!(pci_read16(f, STATUS) & STATUS_CAPABILITIES))
		return 0;
	uint8_t at = from ? pci_read8(f, (uint8_t)(from + 1)) : pci_read8(f, CAPABILITIES);
	for (unsigned i = 0; i < MAX_CAPABILITIES && at >= 0x40; i++) {
		at &= 0xfc;
		if (pci_read8(f, at) == id)
			return at;
		at = pci_read8(f, (uint8_t)(at + 1));
	}
	return 0;
}
