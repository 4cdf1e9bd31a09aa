/*
 * What a PVH guest holds under Xen and may hold: Xen's count and limit
 * (XENMEM_current_reservation, XENMEM_maximum_reservation). Growing and
 * giving back are not built yet on PVH (pvh/elastic_none.c refuses them).
 */
#include <tide/platform.h>
#include "../xen/hypercall.h"

static struct platform_stats stats;

const struct platform_stats *platform_stats(void) { return &stats; }
long platform_reservation_pages(void) { return hyp_reservation(XENMEM_current_reservation); }
long platform_max_pages(void) { return hyp_reservation(XENMEM_maximum_reservation); }
