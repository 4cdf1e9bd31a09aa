/*
 * C entry point of the PVH platform: called from pvh/head.S in long mode
 * with the physical address of struct hvm_start_info. The start info, its
 * command line and its memory map live in memory that start of day will
 * hand out, so they are copied first. Then: the host's early services (the
 * console), exceptions, memory, the host's clock and idle hook, and the
 * application on the boot thread.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/mem_report.h>
#include <tide/metapool.h>
#include <xen/xen.h>
#include <xen/arch-x86/hvm/start_info.h>
#include "host.h"
#include "pvh.h"

static char cmdline[1024];
static struct pvh_range memmap[PVH_MAX_RANGES];
static unsigned nr_memmap;
static uint32_t start_flags;

uint32_t pvh_start_flags(void) { return start_flags; }
const char *kernel_cmdline(void) { return cmdline; }
const struct pvh_range *pvh_memmap(unsigned *n)
{
	*n = nr_memmap;
	return memmap;
}

/*
 * The start info's flags, command line and memory map, copied (they may be
 * in RAM start of day hands out). A version 0 start info (Xen's for a PVH
 * dom0) has no memory map: the host gives it then.
 */
static void copy_start_info(const struct hvm_start_info *si)
{
	if (si->magic != XEN_HVM_START_MAGIC_VALUE)
		panic("pvh: no PVH start info (magic %x)", si->magic);
	start_flags = si->flags;
	if (si->cmdline_paddr)
		snprintf(cmdline, sizeof(cmdline), "%s", (const char *)si->cmdline_paddr);
	const struct hvm_memmap_table_entry *e = (const void *)si->memmap_paddr;
	for (unsigned i = 0; si->version >= 1 && e && i < si->memmap_entries && nr_memmap < PVH_MAX_RANGES; i++)
		memmap[nr_memmap++] = (struct pvh_range){e[i].addr, e[i].size, e[i].type};
}

_Noreturn void pvh_start_of_day(unsigned long start_info_paddr);
_Noreturn void pvh_start_of_day(unsigned long start_info_paddr)
{
	copy_start_info((const struct hvm_start_info *)start_info_paddr);
	host_early_init();
	if (!nr_memmap && !(nr_memmap = host_memory_map(memmap, PVH_MAX_RANGES)))
		panic("pvh: neither the start info nor the host gives a memory map");
	printk("tide: booting, PVH on %s, command line \"%s\"\n", host_name(), cmdline);
	for (unsigned i = 0; i < nr_memmap; i++)
		printk("tide: memory map %012lx-%012lx type %u\n", (unsigned long)memmap[i].addr,
		       (unsigned long)(memmap[i].addr + memmap[i].size), memmap[i].type);
	pvh_traps_init();
	pvh_mem_init();
	host_init();
	metapool_refill(); /* what the host's own mappings took from it */
	mem_report_boot();
	printk("tide: app_main at %lu ms\n", (unsigned long)(monotonic_ns() / 1000000));
	kernel_exit(app_main());
}
