/*
 * Memory with no hypervisor (pvh/host.h): the guest has the memory the
 * machine has. With a virtio balloon it gives frames to the host and takes
 * them back (virtio_balloon.c), never more than it booted with; without
 * one every request is refused (-EOPNOTSUPP), as a host that says no, and
 * pvh/elastic.c backs off.
 */
#include <tide/lib.h>
#include <tide/mem_boot.h>
#include <tide/platform.h>
#include "../pvh/host.h"
#include "virtio_balloon.h"

long platform_reservation_pages(void) { return (long)(mem_boot_info()->boot_pages - virtio_balloon_frames()); }
long platform_max_pages(void) { return (long)mem_boot_info()->boot_pages; }
void host_memory_ready(unsigned long populated) { (void)populated; } /* nothing beyond RAM to leave out */
unsigned long host_backed_pages(void) { return ~0UL; }
void host_tables_ready(void) {}
unsigned long host_space_blocks(unsigned long ram_end) { return ram_end; }

long host_take(unsigned long *list, unsigned long n, unsigned order) { return virtio_balloon_deflate(list, n, order); }
long host_give(unsigned long *list, unsigned long n, unsigned order) { return virtio_balloon_inflate(list, n, order); }
