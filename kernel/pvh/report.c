/* Start-of-day report of the PVH memory layout. */
#include <tide/frame.h>
#include <tide/lib.h>
#include <tide/mem_boot.h>
#include <tide/mem_report.h>
#include "host.h"
#include "layout.h"

void mem_report_boot(void)
{
	const struct mem_boot_info *i = mem_boot_info();
	unsigned long space = i->space_blocks * BLOCK_PAGES;
	printk("tide: memory at start of day\n");
	printk("  %s: %ld pages held, maximum reservation %ld pages (%ld MiB)\n", host_name(), i->boot_reservation,
	       i->max_reservation, (long)PAGES_TO_MIB(i->max_reservation));
	printk("  boot memory %lu MiB in %lu blocks; pfn space %lu MiB (%lu blocks are holes)\n",
	       PAGES_TO_MIB(i->boot_pages), i->boot_blocks, PAGES_TO_MIB(space), blocks_in_state(BLOCK_HOLE));
	printk("  virtual layout (reserved / backed):\n");
	printk("    %016lx direct map      %8lu MiB / %lu MiB (2 MiB pages)\n", DIRECTMAP_BASE,
	       PAGES_TO_MIB(space), PAGES_TO_MIB(frames_populated()));
	printk("    %016lx frame states    %8lu KiB / %lu KiB\n", FRAME_STATE_BASE, space / 1024,
	       blocks_in_state(BLOCK_ONLINE) * BLOCK_PAGES / 1024);
	printk("    %016lx block table     %8lu KiB\n", BLOCK_TABLE_BASE,
	       i->space_blocks * sizeof(struct block_info) / 1024);
	printk("  start of day took %lu frames for tables and metadata\n", i->frontier_pages);
	mem_report_states();
}
