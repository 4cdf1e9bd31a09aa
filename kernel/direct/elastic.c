/*
 * What the guest holds with no hypervisor: the memory the machine has, for
 * good (the elastic calls refuse: pvh/elastic_none.c).
 */
#include <tide/mem_boot.h>
#include <tide/platform.h>
#include "../pvh/host.h"

static struct platform_stats stats;

const struct platform_stats *platform_stats(void) { return &stats; }
long platform_reservation_pages(void) { return (long)mem_boot_info()->boot_pages; }
long platform_max_pages(void) { return (long)mem_boot_info()->boot_pages; }
void host_memory_ready(unsigned long populated) { (void)populated; } /* nothing beyond RAM to leave out */
