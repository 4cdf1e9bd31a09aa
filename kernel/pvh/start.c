/*
 * C entry point of the PVH platform: called from pvh/head.S in long mode
 * with the physical address of struct hvm_start_info. The start info, its
 * command line and its memory map live in memory that start of day will
 * hand out, so they are copied first. Then: exceptions, the clock, memory,
 * the scheduler, and the application on the boot thread. With no
 * hypervisor there is no balloon, no xenstore and no toolstack: the guest
 * has the memory the machine has.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/mem_report.h>
#include <xen/xen.h>
#include <xen/arch-x86/hvm/start_info.h>
#include "pvh.h"

static char cmdline[1024];
static struct pvh_range memmap[PVH_MAX_RANGES];
static unsigned nr_memmap;

const char *kernel_cmdline(void) { return cmdline; }
/* Alone on the machine, as dom0 is: no toolstack, no xenstore; the application drives the memory. */
bool kernel_is_dom0(void) { return true; }
const struct pvh_range *pvh_memmap(unsigned *n)
{
	*n = nr_memmap;
	return memmap;
}

/* The start info's memory map and command line, copied (both may be in RAM start of day hands out). */
static void copy_start_info(const struct hvm_start_info *si)
{
	if (si->magic != XEN_HVM_START_MAGIC_VALUE)
		panic("pvh: no PVH start info (magic %x)", si->magic);
	if (si->cmdline_paddr)
		snprintf(cmdline, sizeof(cmdline), "%s", (const char *)si->cmdline_paddr);
	const struct hvm_memmap_table_entry *e = (const void *)si->memmap_paddr;
	if (si->version < 1 || !si->memmap_paddr)
		panic("pvh: the start info (version %u) has no memory map", si->version);
	for (unsigned i = 0; i < si->memmap_entries && nr_memmap < PVH_MAX_RANGES; i++)
		memmap[nr_memmap++] = (struct pvh_range){e[i].addr, e[i].size, e[i].type};
}

_Noreturn void pvh_start_of_day(unsigned long start_info_paddr);
_Noreturn void pvh_start_of_day(unsigned long start_info_paddr)
{
	copy_start_info((const struct hvm_start_info *)start_info_paddr);
	printk("tide: booting, PVH without a hypervisor, command line \"%s\"\n", cmdline);
	for (unsigned i = 0; i < nr_memmap; i++)
		printk("tide: memory map %012lx-%012lx type %u\n", (unsigned long)memmap[i].addr,
		       (unsigned long)(memmap[i].addr + memmap[i].size), memmap[i].type);
	pvh_traps_init();
	pvh_time_init();
	pvh_mem_init();
	mem_report_boot();
	printk("tide: app_main at %lu ms\n", (unsigned long)(monotonic_ns() / 1000000));
	kernel_exit(app_main());
}
