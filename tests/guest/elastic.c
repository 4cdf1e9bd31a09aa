/*
 * In-guest tests of elastic memory under real Xen: growth by allocation and
 * by target, shrinking and the floor, repeated cycles, the limit, Xen out of
 * memory, the 4 KiB fallback, and unplug/replug. Every step is followed by
 * the invariant checker, which also compares with Xen's reservation.
 */
#include <tide/balloon.h>
#include <tide/heap.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/page_alloc.h>
#include <tide/platform.h>
#include <tide/pv_info.h>
#include "guest_test.h"
#include "elastic_tests.h"

#define SETTLE_NS (60ULL * 1000 * 1000 * 1000)

/* A list of allocated pages threaded through the pages themselves. */
struct page_list {
	void **head;
	unsigned long n;
};

static void fill_page(void **page, unsigned long seed)
{
	uint64_t *w = (uint64_t *)page;
	for (unsigned i = 1; i < PAGE_SIZE / 8; i++)
		w[i] = seed * 0x9e3779b97f4a7c15ULL + i;
}

static bool page_intact(void **page, unsigned long seed)
{
	const uint64_t *w = (const uint64_t *)page;
	for (unsigned i = 1; i < PAGE_SIZE / 8; i++)
		if (w[i] != seed * 0x9e3779b97f4a7c15ULL + i)
			return false;
	return true;
}

/* Allocate up to max pages (or until NULL), each filled with its pattern. */
static void take_pages(struct page_list *l, unsigned long max)
{
	void **p;
	while (l->n < max && (p = alloc_page())) {
		fill_page(p, l->n);
		p[0] = l->head;
		l->head = p;
		l->n++;
	}
}

/* Verify and free every page; false if any pattern was damaged. */
static bool give_pages(struct page_list *l)
{
	bool intact = true;
	while (l->head) {
		void **p = l->head;
		l->head = p[0];
		intact &= page_intact(p, --l->n);
		free_page(p);
	}
	return intact;
}

int test_grow_by_allocation(void)
{
	struct page_list l = {0};
	unsigned long goal = MIB_TO_PAGES(cmdline_ulong("grow_mib", 1536));
	uint64_t t0 = monotonic_ns();
	take_pages(&l, goal);
	uint64_t t1 = monotonic_ns();
	printk("allocated %lu MiB in %lu ms; guest holds %lu MiB, %lu blocks hot-added\n",
	       PAGES_TO_MIB(l.n), (unsigned long)((t1 - t0) / 1000000), PAGES_TO_MIB(frames_populated()),
	       balloon_stats()->blocks_plugged);
	CHECK(l.n == goal);
	CHECK(frames_populated() > goal);
	CHECK_INVARIANTS();
	CHECK(give_pages(&l));
	CHECK_INVARIANTS();
	return 0;
}
