/*
 * What a PVH guest holds under Xen and may hold: Xen's count and limit
 * (XENMEM_current_reservation, XENMEM_maximum_reservation), the count less
 * the frames the toolstack populated outside the guest's RAM (a domU's
 * console and xenstore rings and its ACPI tables), which Xen counts as the
 * guest's and which the guest never hands out; and the frames it takes and
 * gives (host_take, host_give: populating and decreasing the reservation,
 * for pvh/elastic.c).
 */
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/platform.h>
#include "../pvh/host.h"
#include "../xen/hypercall.h"
#include "pvhxen.h"

/* Frames Xen counts that the guest's RAM is not (negative: frames of RAM that hold Xen's pages). */
static long outside_ram;

unsigned long host_backed_pages(void)
{
	long held = hyp_reservation(XENMEM_current_reservation);
	return held < 0 ? ~0UL : (unsigned long)held;
}

/* Memory is set up: what Xen counts beyond the guest's RAM is left out of the reservation from here on. */
void host_memory_ready(unsigned long populated)
{
	long held = hyp_reservation(XENMEM_current_reservation);
	outside_ram = held >= 0 ? held - (long)populated : 0;
}

void pvhxen_frame_replaced(void) { outside_ram--; }

uint64_t host_room_start(void) { return 0; } /* Xen: from 4 GiB or the end of RAM */
bool platform_hotplugged_whole_only(void) { return false; } /* Xen takes any frame back */

unsigned long host_space_blocks(unsigned long ram_end)
{
	unsigned long limit_pages = MIB_TO_PAGES(cmdline_ulong("hotplug_limit_mib", 512 * 1024));
	long max = hyp_reservation(XENMEM_maximum_reservation);
	unsigned long pages = MAX(max > 0 ? (unsigned long)max : 0, limit_pages);
	return MAX(MIN(DIV_ROUND_UP(pages, BLOCK_PAGES), MAX_BLOCKS), ram_end);
}

static long memory_op(unsigned cmd, unsigned long *list, unsigned long n, unsigned order)
{
	struct xen_memory_reservation r = {.nr_extents = n, .extent_order = order, .domid = DOMID_SELF};
	set_xen_guest_handle(r.extent_start, list);
	return hyp_memory_op(cmd, &r);
}

long host_take(unsigned long *list, unsigned long n, unsigned order)
{
	return memory_op(XENMEM_populate_physmap, list, n, order);
}

long host_give(unsigned long *list, unsigned long n, unsigned order)
{
	return memory_op(XENMEM_decrease_reservation, list, n, order);
}

long platform_reservation_pages(void)
{
	long held = hyp_reservation(XENMEM_current_reservation);
	return held < 0 ? held : held - outside_ram;
}
long platform_max_pages(void) { return hyp_reservation(XENMEM_maximum_reservation); }
