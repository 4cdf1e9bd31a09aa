/*
 * What a PVH guest holds under Xen and may hold: Xen's count and limit
 * (XENMEM_current_reservation, XENMEM_maximum_reservation), the count less
 * the frames the toolstack populated outside the guest's RAM (a domU's
 * console and xenstore rings and its ACPI tables), which Xen counts as the
 * guest's and which the guest never hands out (growing and giving back:
 * elastic.c).
 */
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/platform.h>
#include "../pvh/host.h"
#include "../xen/hypercall.h"

static long outside_ram;

/*
 * A PVH guest has no populate-on-demand: when the toolstack's memory map
 * shows more RAM than Xen populated (xl's maxmem above memory at creation),
 * the guest cannot tell which frames are there, and stops with one line
 * saying how to create it instead.
 */
void host_memory_ready(unsigned long populated)
{
	long held = hyp_reservation(XENMEM_current_reservation);
	if (held >= 0 && held < (long)populated)
		panic("pvh: the memory map shows %lu MiB of RAM but Xen holds %ld MiB for this guest: create a PVH "
		      "guest with maxmem equal to memory, then raise Xen's limit (xl mem-max) to let it grow",
		      PAGES_TO_MIB(populated), (long)PAGES_TO_MIB(held));
	outside_ram = held > (long)populated ? held - (long)populated : 0;
}

unsigned long host_space_blocks(unsigned long ram_end)
{
	unsigned long limit_pages = MIB_TO_PAGES(cmdline_ulong("hotplug_limit_mib", 512 * 1024));
	long max = hyp_reservation(XENMEM_maximum_reservation);
	unsigned long pages = MAX(max > 0 ? (unsigned long)max : 0, limit_pages);
	return MAX(MIN(DIV_ROUND_UP(pages, BLOCK_PAGES), MAX_BLOCKS), ram_end);
}

long platform_reservation_pages(void)
{
	long held = hyp_reservation(XENMEM_current_reservation);
	return held < 0 ? held : held - outside_ram;
}
long platform_max_pages(void) { return hyp_reservation(XENMEM_maximum_reservation); }
