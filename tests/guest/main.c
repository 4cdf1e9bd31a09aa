/*
 * In-guest tests, run under real Xen. Each boot runs one scenario, named on
 * the guest command line (test=NAME). Booted as dom0, it runs one of
 * dom0_tests and prints "ok - dom0/NAME" or "not ok - dom0/NAME"; the exit
 * status is 0 only when it passed. tools/run-tests boots one guest per line
 * of tests/guest/dom0.list, which must name every entry of dom0_tests (a
 * unit-suite check sees to it). Booted as a domU by the tests in
 * tests/domu/, it runs one of domu_tests, workloads that the dom0 side
 * judges.
 */
#include <tide/heap.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/mem_check.h>
#include <tide/mem_report.h>
#include <tide/buddy.h>
#include <tide/mem_boot.h>
#include "elastic_tests.h"
#include "guest_test.h"
#include "timer_tests.h"
#include "xenstore_tests.h"

static int test_boot(void)
{
	CHECK(cmdline_ulong("answer", 0) == 42);
	CHECK(cmdline_ulong("absent", 7) == 7);
	uint64_t t0 = monotonic_ns();
	sleep_until_ns(t0 + 20 * 1000 * 1000);
	uint64_t t1 = monotonic_ns();
	CHECK(t1 - t0 >= 20 * 1000 * 1000);
	CHECK(t1 - t0 < 2000ULL * 1000 * 1000);
	return 0;
}

static int test_reservation(void)
{
	const struct mem_boot_info *i = mem_boot_info();
	CHECK_INVARIANTS();
	CHECK(frames_populated() == i->boot_pages);
	CHECK((long)frames_populated() == i->boot_reservation);
	CHECK(frames_in_state(FRAME_UNPOPULATED) + frames_in_state(FRAME_HOLE) + frames_populated() ==
	      i->space_blocks * BLOCK_PAGES);
	CHECK(blocks_in_state(BLOCK_ONLINE) == i->boot_blocks);
	return 0;
}

/* Allocate every free page, keeping them on a list threaded through the pages. */
static int test_exhaustion(void)
{
	unsigned long free_before = nr_free_pages(), n = 0;
	unsigned long populated = frames_populated(), reserved = frames_in_state(FRAME_RESERVED);
	void **list = NULL, **page;
	while ((page = alloc_page())) {
		page[0] = list;
		page[1] = (void *)(n * 2654435761UL);
		list = page;
		n++;
	}
	printk("allocated %lu pages before NULL\n", n);
	/* every free page, and every page the balloon could grow by but what growing took for metadata */
	unsigned long grown = frames_populated() - populated - (frames_in_state(FRAME_RESERVED) - reserved);
	CHECK(n == free_before + grown);
	CHECK(nr_free_pages() == 0);
	CHECK(heap_alloc(64) == NULL);
	CHECK_INVARIANTS();
	while (list) {
		page = list;
		list = page[0];
		CHECK(page[1] == (void *)(--n * 2654435761UL));
		free_page(page);
	}
	CHECK(nr_free_pages() == free_before + grown);
	CHECK_INVARIANTS();
	void *again = alloc_page();
	CHECK(again != NULL);
	free_page(again);
	return 0;
}

static int test_buddy(void)
{
	unsigned long free_before = nr_free_pages();
	unsigned long blocks_before = buddy_chunks(PAGE_MAX_ORDER);
	void *chunk[PAGE_MAX_ORDER + 1];
	for (unsigned o = 0; o <= PAGE_MAX_ORDER; o++) {
		chunk[o] = alloc_pages(o);
		CHECK(chunk[o] != NULL);
		CHECK(((uintptr_t)chunk[o] & ((PAGE_SIZE << o) - 1)) == 0);
		memset(chunk[o], (int)o + 1, PAGE_SIZE << o);
	}
	CHECK_INVARIANTS();
	for (unsigned o = 0; o <= PAGE_MAX_ORDER; o++) {
		unsigned char *m = chunk[o];
		for (unsigned long j = 0; j < (PAGE_SIZE << o); j += 4093)
			CHECK(m[j] == o + 1);
		free_pages(chunk[o], o);
	}
	CHECK(nr_free_pages() == free_before);
	CHECK(buddy_chunks(PAGE_MAX_ORDER) == blocks_before);
	CHECK_INVARIANTS();
	return 0;
}

static int test_heap(void)
{
	unsigned long free_before = nr_free_pages();
	enum { N = 3000 };
	static unsigned char *obj[N];
	for (int i = 0; i < N; i++) {
		size_t size = (size_t)(8 + (i * 7919) % (i % 10 == 0 ? 60000 : 1500));
		obj[i] = heap_alloc(size);
		CHECK(obj[i] != NULL);
		obj[i][0] = (unsigned char)i;
		obj[i][size - 1] = (unsigned char)i;
	}
	CHECK_INVARIANTS();
	for (int i = 0; i < N; i += 2)
		heap_free(obj[i]);
	for (int i = 1; i < N; i += 2) {
		CHECK(obj[i][0] == (unsigned char)i);
		heap_free(obj[i]);
	}
	CHECK(heap_bytes_in_use() == 0);
	CHECK(nr_free_pages() == free_before);
	CHECK_INVARIANTS();
	return 0;
}

static int test_null_guard(void)
{
	printk("dereferencing NULL: expect a fatal exception 14\n");
	volatile int *null = NULL;
	return *null;
}

static int test_report(void)
{
	mem_report_states();
	CHECK_INVARIANTS();
	return 0;
}

static const struct guest_test dom0_tests[] = {
	{"boot", test_boot},
	{"reservation", test_reservation},
	{"exhaustion", test_exhaustion},
	{"buddy", test_buddy},
	{"heap", test_heap},
	{"null_guard", test_null_guard},
	{"report", test_report},
	{"grow_by_allocation", test_grow_by_allocation},
	{"shrink_and_floor", test_shrink_and_floor},
	{"up_down_cycles", test_up_down_cycles},
	{"at_limit", test_at_limit},
	{"xen_out_of_memory", test_xen_out_of_memory},
	{"fallback_4k", test_fallback_4k},
	{"unplug_replug", test_unplug_replug},
	{"fragmented_growth", test_fragmented_growth},
	{"odd_targets", test_odd_targets},
	{"pinned_metadata_moves", test_pinned_metadata_moves},
	{"timers", test_timers},
};

static const struct guest_test domu_tests[] = {
	{"xenstore_echo", test_xenstore_echo},
	{"fragment_host", test_fragment_host},
	{"grow_without_2m", test_grow_without_2m},
};

int app_main(void)
{
	if (kernel_is_dom0())
		return guest_test_run(dom0_tests, ARRAY_SIZE(dom0_tests), "dom0");
	return guest_test_run(domu_tests, ARRAY_SIZE(domu_tests), "domu");
}
