/*
 * What a PVH guest holds under Xen and may hold: Xen's count and limit
 * (XENMEM_current_reservation, XENMEM_maximum_reservation), the count less
 * the frames the toolstack populated outside the guest's RAM (a domU's
 * console and xenstore rings and its ACPI tables), which Xen counts as the
 * guest's and which the guest never hands out. Growing and giving back are
 * not built yet on PVH (pvh/elastic_none.c refuses them).
 */
#include <tide/platform.h>
#include "../pvh/host.h"
#include "../xen/hypercall.h"

static struct platform_stats stats;
static long outside_ram;

const struct platform_stats *platform_stats(void) { return &stats; }

void host_memory_ready(unsigned long populated)
{
	long held = hyp_reservation(XENMEM_current_reservation);
	outside_ram = held > (long)populated ? held - (long)populated : 0;
}

long platform_reservation_pages(void)
{
	long held = hyp_reservation(XENMEM_current_reservation);
	return held < 0 ? held : held - outside_ram;
}
long platform_max_pages(void) { return hyp_reservation(XENMEM_maximum_reservation); }
