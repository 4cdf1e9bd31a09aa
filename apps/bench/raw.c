/*
 * The raw limits (see bench.h, tide/raw_limits.h): the hypervisor alone
 * (hypercall_raw_*), the hypervisor plus the least mapping the platform
 * must do (map_raw_*), and the bound of growth on shortage (grow_bound:
 * map_raw populate plus the first write to every page). Each runs on the highest run of absent blocks,
 * sized so that Tide's own holding plus the pass stays under Xen's maximum.
 */
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/platform.h>
#include <tide/raw_limits.h>
#include "bench.h"

static unsigned long raw_bases[GIB_BLOCKS];
static struct samples hypercall_up, hypercall_down, map_up, map_down, grow_bound;

/* The highest run of absent blocks (holes skipped), at most 1 GiB and what Xen's maximum allows: its length. */
static unsigned long raw_region(unsigned long *first)
{
	long room = platform_max_pages() - platform_reservation_pages();
	unsigned long want = MIN((unsigned long)GIB_BLOCKS, room > 0 ? (unsigned long)room / BLOCK_PAGES : 0);
	unsigned long b = frames_nr_blocks();
	while (b > 0 && block_state(b - 1) != BLOCK_ABSENT) /* holes above the top of the map (PVH) */
		b--;
	unsigned long end = b;
	while (b > 0 && end - b < want && block_state(b - 1) == BLOCK_ABSENT)
		b--;
	if (end - b < GIB_BLOCKS / 4)
		panic("bench: room for only %lu MiB of raw passes under Xen's maximum of %ld MiB",
		      (end - b) * PAGES_TO_MIB(BLOCK_PAGES), PAGES_TO_MIB(platform_max_pages()));
	*first = b;
	return end - b;
}

static uint64_t timed_populate(bool map, unsigned long first, unsigned long n)
{
	uint64_t t0 = monotonic_ns();
	long got = map ? raw_map_populate(first, n, raw_bases) : raw_hypercall_populate(first, n, raw_bases);
	if (got != (long)n)
		panic("bench: raw populate of %lu blocks gave %ld", n, got);
	return monotonic_ns() - t0;
}

static uint64_t timed_release(bool map, unsigned long first, unsigned long n)
{
	uint64_t t0 = monotonic_ns();
	long gone = map ? raw_map_release(first, n, raw_bases) : raw_hypercall_release(n, raw_bases);
	if (gone != (long)n)
		panic("bench: raw release of %lu blocks gave %ld", n, gone);
	return monotonic_ns() - t0;
}

void raw_pass(bool counted)
{
	unsigned long first, n = raw_region(&first), pages = n * BLOCK_PAGES;
	uint64_t up = timed_populate(false, first, n), down = timed_release(false, first, n);
	if (counted) {
		samples_add(&hypercall_up, mib_per_s(pages, up));
		samples_add(&hypercall_down, mib_per_s(pages, down));
	}
	up = timed_populate(true, first, n);
	down = timed_release(true, first, n);
	if (counted) {
		samples_add(&map_up, mib_per_s(pages, up));
		samples_add(&map_down, mib_per_s(pages, down));
	}
}

void raw_grow_bound_pass(bool counted)
{
	unsigned long first, n = raw_region(&first), pages = n * BLOCK_PAGES;
	uint64_t t0 = monotonic_ns();
	timed_populate(true, first, n);
	for (unsigned long i = 0; i < pages; i++)
		*(volatile unsigned long *)frame_to_virt(pfn(first * BLOCK_PAGES + i)) = i;
	uint64_t ns = monotonic_ns() - t0;
	if (counted)
		samples_add(&grow_bound, mib_per_s(pages, ns));
	timed_release(true, first, n);
}

static void print_suffixed(const char *name, const char *suffix, const struct samples *s)
{
	char full[64];
	snprintf(full, sizeof(full), "%s.%s", name, suffix);
	if (s->n)
		samples_print(full, s, "MiB/s");
}

void raw_report(const char *suffix)
{
	print_suffixed("hypercall_raw_populate", suffix, &hypercall_up);
	print_suffixed("hypercall_raw_release", suffix, &hypercall_down);
	print_suffixed("map_raw_populate", suffix, &map_up);
	print_suffixed("map_raw_release", suffix, &map_down);
	print_suffixed("grow_bound", suffix, &grow_bound);
}
