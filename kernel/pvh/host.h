/*
 * The host below a PVH guest, as the PVH platform (kernel/pvh: entry, page
 * tables, memory from the memory map, traps) sees it. The build links one
 * host: kernel/direct (nothing below: QEMU booting the image directly) or,
 * next, Xen. The host gives the console, the clock and the idle hook, and
 * the elastic half of tide/platform.h (populate, release, plug, unplug, the
 * reservation): memory to grow into, or a refusal where there is none.
 */
#ifndef TIDE_PVH_HOST_H
#define TIDE_PVH_HOST_H

#include "pvh.h"

/* What it is, for the boot lines ("no hypervisor", "Xen"). */
const char *host_name(void);
/* Before anything is printed: find the host and what printk needs. */
void host_early_init(void);
/* The memory map, when the start info has none: ranges written, or 0. */
unsigned host_memory_map(struct pvh_range *out, unsigned max);
/*
 * The frames the host backs for the guest now, RAM and outside it (a domU's
 * rings), or ~0UL when all of the map's RAM is there. Xen backs fewer than
 * the map shows when the toolstack made the guest with less memory than its
 * maximum (populate-on-demand): the rest must be given back untouched.
 */
unsigned long host_backed_pages(void);
/*
 * RAM frames outside whole 2 MiB blocks, which Tide does not use: give
 * them back to the host if it takes them (Xen), so that what the host says
 * the guest holds is what the guest counts. Frames given back, or 0 when
 * the host keeps them (no hypervisor: the guest's memory is its whole
 * blocks, by definition).
 */
unsigned long host_give_back(pfn_t first, unsigned long n);
/*
 * Memory is set up and the partial RAM given back: populated is what the
 * guest holds. Frames the host counts beyond it (a PVH domU's rings and
 * ACPI tables, populated by the toolstack outside RAM) are left out of
 * platform_reservation_pages() from here on.
 */
void host_memory_ready(unsigned long populated);
/*
 * The pfn space, in blocks, for a guest whose RAM ends at block ram_end:
 * ram_end when there is nothing to grow into; else room up to the host's
 * limit for the guest or the hotplug_limit_mib option (the larger).
 */
unsigned long host_space_blocks(unsigned long ram_end);
/*
 * Where the room to hot-add into starts, in bytes, when the host puts it
 * somewhere of its own (virtio-mem's region); 0 for the default: from
 * 4 GiB or the end of RAM, the higher. Below it, what is not RAM is a hole.
 */
uint64_t host_room_start(void);
/* The guest's own page tables are live: map what the host needs (a Xen domU's console ring, for printk). */
void host_tables_ready(void);
/*
 * Frames from the host, or back to it, by guest frame number: n extents of
 * 2^order frames (order 0, or BLOCK_ORDER for a whole block) starting at
 * list[0..n). The extents done, a prefix, or -errno (a host with nothing
 * to give, or that takes nothing back, refuses). Xen populates and
 * decreases the reservation; with no hypervisor there is nothing to ask.
 */
long host_take(unsigned long *list, unsigned long n, unsigned order);
long host_give(unsigned long *list, unsigned long n, unsigned order);
/* Once memory is set up: the clock and the scheduler's idle hook. */
void host_init(void);

#endif
