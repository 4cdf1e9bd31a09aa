/*
 * Memory with no hypervisor (pvh/host.h): the guest has the memory the
 * machine booted it with, and what two devices move. A virtio balloon
 * takes boot memory from the guest and gives it back (virtio_balloon.c);
 * virtio-mem plugs device memory into a region of its own above RAM, the
 * room this guest hot-adds into (virtio_mem.c). A request is routed by
 * frame number: frames in the device's region go to virtio-mem, the rest to
 * the balloon; without a device, every request for its frames is refused
 * (-EOPNOTSUPP), as a host that says no, and pvh/elastic.c backs off.
 *
 * What the guest holds is boot memory less the balloon plus what is
 * plugged; at most, boot memory plus the host's requested size.
 */
#include <tide/lib.h>
#include <tide/mem_boot.h>
#include <tide/platform.h>
#include "../pvh/host.h"
#include "virtio_balloon.h"
#include "virtio_mem.h"

long platform_reservation_pages(void)
{
	return (long)(mem_boot_info()->boot_pages - virtio_balloon_frames() + virtio_mem_held_pages());
}
long platform_max_pages(void) { return (long)(mem_boot_info()->boot_pages + virtio_mem_requested_pages()); }
void host_memory_ready(unsigned long populated) { (void)populated; } /* nothing beyond RAM to leave out */
unsigned long host_backed_pages(void) { return ~0UL; }
void host_tables_ready(void) {}

/* Room to grow into: virtio-mem's region, when there is a device (probed before the page tables). */
unsigned long host_space_blocks(unsigned long ram_end)
{
	uint64_t addr, size;
	if (!virtio_mem_probe() || !virtio_mem_region(&addr, &size))
		return ram_end;
	return MAX(ram_end, (unsigned long)((addr + size) / BLOCK_BYTES));
}

uint64_t host_room_start(void)
{
	uint64_t addr, size;
	return virtio_mem_region(&addr, &size) ? addr : 0;
}

typedef long (*move_fn)(const unsigned long *list, unsigned long n, unsigned order);

/* Move list[0..n) run by run, each run to the device that owns its frames: extents done (a prefix), or -errno. */
static long route(const unsigned long *list, unsigned long n, unsigned order, move_fn mem, move_fn balloon)
{
	unsigned long done = 0;
	while (done < n) {
		bool in_region = virtio_mem_owns(list[done]);
		unsigned long run = 1;
		while (done + run < n && virtio_mem_owns(list[done + run]) == in_region)
			run++;
		long rc = (in_region ? mem : balloon)(list + done, run, order);
		if (rc <= 0)
			return done ? (long)done : rc;
		done += (unsigned long)rc;
		if ((unsigned long)rc < run)
			break;
	}
	return (long)done;
}

long host_take(unsigned long *list, unsigned long n, unsigned order)
{
	return route(list, n, order, virtio_mem_take, virtio_balloon_deflate);
}
long host_give(unsigned long *list, unsigned long n, unsigned order)
{
	return route(list, n, order, virtio_mem_give, virtio_balloon_inflate);
}

bool platform_hotplugged_whole_only(void) { return true; } /* virtio-mem unplugs blocks, nothing less */
