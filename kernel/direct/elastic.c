/*
 * The elastic half of tide/platform.h with no hypervisor: the guest has the
 * memory the machine has, for good, and every request for more or for less
 * is refused (-EOPNOTSUPP), as a host that says no.
 */
#include <tide/lib.h>
#include <tide/mem_boot.h>
#include <tide/platform.h>
#include "../pvh/host.h"

static struct platform_stats stats;

const struct platform_stats *platform_stats(void) { return &stats; }
long platform_reservation_pages(void) { return (long)mem_boot_info()->boot_pages; }
long platform_max_pages(void) { return (long)mem_boot_info()->boot_pages; }
void host_memory_ready(unsigned long populated) { (void)populated; } /* nothing beyond RAM to leave out */
unsigned long host_backed_pages(void) { return ~0UL; }
void host_tables_ready(void) {}
unsigned long host_space_blocks(unsigned long ram_end) { return ram_end; }

long platform_populate(const pfn_t *frames, unsigned long n) { (void)frames, (void)n; return -EOPNOTSUPP; }
long platform_populate_blocks(const unsigned long *blocks, unsigned long n) { (void)blocks, (void)n; return -EOPNOTSUPP; }
long platform_release(const pfn_t *frames, unsigned long n) { (void)frames, (void)n; return -EOPNOTSUPP; }
long platform_release_blocks(const unsigned long *blocks, unsigned long n) { (void)blocks, (void)n; return -EOPNOTSUPP; }
unsigned platform_block_meta_frames(void) { return 0; }
long platform_plug_blocks(const unsigned long *blocks, unsigned long n, unsigned long last_frames)
{
	(void)blocks, (void)n, (void)last_frames;
	return -EOPNOTSUPP;
}
int platform_unplug_block(unsigned long b) { (void)b; return -EOPNOTSUPP; }
