/*
 * Memory with no hypervisor (pvh/host.h): the guest has the memory the
 * machine has, for good, and every request for more or for less is refused
 * (-EOPNOTSUPP), as a host that says no; pvh/elastic.c backs off.
 */
#include <tide/lib.h>
#include <tide/mem_boot.h>
#include <tide/platform.h>
#include "../pvh/host.h"

long platform_reservation_pages(void) { return (long)mem_boot_info()->boot_pages; }
long platform_max_pages(void) { return (long)mem_boot_info()->boot_pages; }
void host_memory_ready(unsigned long populated) { (void)populated; } /* nothing beyond RAM to leave out */
unsigned long host_backed_pages(void) { return ~0UL; }
void host_tables_ready(void) {}
unsigned long host_space_blocks(unsigned long ram_end) { return ram_end; }

long host_take(unsigned long *list, unsigned long n, unsigned order)
{
	(void)list, (void)n, (void)order;
	return -EOPNOTSUPP;
}

long host_give(unsigned long *list, unsigned long n, unsigned order)
{
	(void)list, (void)n, (void)order;
	return -EOPNOTSUPP;
}
