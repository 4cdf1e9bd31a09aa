/*
 * In-guest tests of elastic memory under real Xen: growth by allocation and
 * by target, shrinking and the floor, repeated cycles, the limit, Xen out of
 * memory, the 4 KiB fallback, and unplug/replug. Every step is followed by
 * the invariant checker, which also compares with Xen's reservation.
 */
#include <tide/balloon_worker.h>
#include <tide/heap.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/metapool.h>
#include <tide/buddy.h>
#include <tide/platform.h>
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

/* Move to target_mib and settle; CHECK-style failure if it does not get there. */
static int settle_at(unsigned long target_pages)
{
	balloon_set_target(target_pages);
	enum balloon_state s = balloon_settle(monotonic_ns() + SETTLE_NS);
	if (s != BALLOON_IDLE) {
		printk("# balloon stopped %s at %lu pages, target %lu\n", balloon_state_name(s),
		       frames_populated(), target_pages);
		return 1;
	}
	return 0;
}

int test_shrink_and_floor(void)
{
	unsigned long boot = frames_populated();
	CHECK(settle_at(MIB_TO_PAGES(256)) == 0);
	CHECK(platform_reservation_pages() == (long)MIB_TO_PAGES(256));
	CHECK_INVARIANTS();
	struct page_list l = {0};
	take_pages(&l, MIB_TO_PAGES(100));
	CHECK(l.n == MIB_TO_PAGES(100));
	/* a target below what is used stops at the floor */
	balloon_set_target(MIB_TO_PAGES(64));
	CHECK(balloon_settle(monotonic_ns() + SETTLE_NS) == BALLOON_IDLE);
	unsigned long used = frames_in_state(FRAME_USED) + frames_in_state(FRAME_RESERVED);
	printk("floor: holding %lu MiB with %lu MiB in use\n", PAGES_TO_MIB(frames_populated()),
	       PAGES_TO_MIB(used));
	CHECK(frames_populated() == balloon_stats()->floor_pages);
	CHECK(frames_populated() >= used + BLOCK_PAGES);
	CHECK(platform_reservation_pages() == (long)frames_populated());
	CHECK_INVARIANTS();
	/* after freeing, the memory really goes back to Xen */
	CHECK(give_pages(&l));
	CHECK(settle_at(MIB_TO_PAGES(64)) == 0);
	CHECK(platform_reservation_pages() == (long)MIB_TO_PAGES(64));
	CHECK_INVARIANTS();
	CHECK(settle_at(boot / 2) == 0); /* below boot memory: boot blocks balloon out */
	CHECK(platform_reservation_pages() == (long)(boot / 2));
	CHECK_INVARIANTS();
	return 0;
}

int test_up_down_cycles(void)
{
	unsigned long boot = frames_populated(), free0 = nr_free_pages();
	unsigned long res[RESERVED_NR_KINDS];
	for (int k = 0; k < RESERVED_NR_KINDS; k++)
		res[k] = frames_reserved(k);
	for (int i = 0; i < 20; i++) {
		/*
		 * Whole blocks: from an odd target, going back to boot size may
		 * leave one hot-added block partly populated while boot frames
		 * stay ballooned out (accounted, not lost); see README limits.
		 */
		CHECK(settle_at(MIB_TO_PAGES(256) + (unsigned long)i * 2 * BLOCK_PAGES) == 0);
		CHECK_INVARIANTS();
		CHECK(settle_at(boot) == 0);
		CHECK_INVARIANTS();
	}
	printk("20 cycles: %lu blocks hot-added, %lu unplugged\n", balloon_stats()->blocks_plugged,
	       balloon_stats()->blocks_unplugged);
	CHECK(balloon_stats()->blocks_plugged == balloon_stats()->blocks_unplugged);
	/* every frame is back, but for page tables of address space reached for the first time (PVH: above 4 GiB) */
	CHECK(nr_free_pages() + (frames_reserved(RESERVED_PAGETABLE) - res[RESERVED_PAGETABLE]) == free0);
	for (int k = 0; k < RESERVED_NR_KINDS; k++)
		if (k != RESERVED_POOL && k != RESERVED_PAGETABLE && k != RESERVED_META)
			CHECK(frames_reserved(k) == res[k]);
	/* tables for the new address range may stay; the reserve and metadata may not grow */
	CHECK(frames_in_state(FRAME_RESERVED) <= res[RESERVED_KERNEL] + res[RESERVED_P2M] +
						     res[RESERVED_POOL] + res[RESERVED_META] +
						     res[RESERVED_PAGETABLE] + 4);
	return 0;
}

/*
 * Allocate until NULL. A refused growth attempt costs one refused hypercall
 * (a 2 MiB try that falls back is counted apart), and attempts only happen
 * when the backoff allows: a handful while the allocation loop runs, none after.
 */
static int exhaust_and_recover(void)
{
	struct page_list l = {0};
	take_pages(&l, ~0UL);
	unsigned long refused = platform_stats()->refused_hypercalls;
	unsigned long calls = platform_stats()->populate_hypercalls;
	unsigned long attempts = balloon_stats()->refusals;
	printk("allocated %lu MiB; guest holds %lu MiB; %lu populate calls, %lu refused, in %lu "
	       "refused attempts; %lu 2 MiB extents fell back to 4 KiB\n",
	       PAGES_TO_MIB(l.n), PAGES_TO_MIB(frames_populated()), calls, refused, attempts,
	       platform_stats()->fallbacks_2m);
	CHECK(attempts <= 6);
	CHECK(refused <= 2 * attempts); /* a refused 2 MiB request, then a refused 4 KiB one */
	for (int i = 0; i < 10000; i++)
		CHECK(alloc_page() == NULL);
	CHECK(platform_stats()->populate_hypercalls == calls); /* within the backoff: no hypercalls */
	CHECK(balloon_stats()->shortage_denied >= 10000);
	CHECK_INVARIANTS();
	void *p = l.head;
	l.head = l.head[0];
	l.n--;
	free_page(p);
	CHECK((p = alloc_page()) != NULL);
	free_page(p);
	CHECK(give_pages(&l));
	CHECK_INVARIANTS();
	return 0;
}

int test_at_limit(void)
{
	long max = platform_max_pages();
	CHECK(exhaust_and_recover() == 0);
	CHECK(frames_populated() == (unsigned long)max);
	CHECK(platform_stats()->refused_hypercalls == 0); /* at the limit Tide does not even ask */
	return 0;
}

int test_xen_out_of_memory(void)
{
	long max = platform_max_pages();
	CHECK(exhaust_and_recover() == 0);
	printk("Xen's limit for us is %ld MiB; we got %lu MiB\n", (long)PAGES_TO_MIB(max),
	       PAGES_TO_MIB(frames_populated()));
	CHECK(frames_populated() < (unsigned long)max); /* Xen ran out first */
	return 0;
}

int test_fallback_4k(void)
{
	CHECK(settle_at(frames_populated() + MIB_TO_PAGES(64)) == 0);
	printk("2 MiB extents %lu, 4 KiB frames %lu\n", platform_stats()->extents_2m,
	       platform_stats()->frames_4k);
	CHECK(platform_stats()->extents_2m == 0);
	CHECK(platform_stats()->frames_4k >= MIB_TO_PAGES(64));
	CHECK_INVARIANTS();
	return 0;
}

int test_unplug_replug(void)
{
	unsigned long boot = frames_populated(), first = 0;
	while (first < frames_nr_blocks() && block_state(first) != BLOCK_ABSENT)
		first++; /* the lowest absent block: hot-add starts there (PV: above boot memory; PVH: above 4 GiB) */
	long xen_before = platform_reservation_pages();
	unsigned long reserved = frames_in_state(FRAME_RESERVED);
	CHECK(settle_at(boot + MIB_TO_PAGES(64)) == 0);
	CHECK(block_state(first) == BLOCK_ONLINE && (block_info(first)->flags & BLOCK_HOTPLUGGED));
	CHECK_INVARIANTS();
	CHECK(settle_at(boot) == 0);
	CHECK(balloon_stats()->blocks_unplugged == 32);
	CHECK(block_state(first) == BLOCK_ABSENT);
	CHECK(platform_reservation_pages() == xen_before);
	CHECK(frames_in_state(FRAME_RESERVED) <= reserved + 2); /* block metadata went with the blocks */
	CHECK_INVARIANTS();
	CHECK(settle_at(boot + MIB_TO_PAGES(64)) == 0); /* the same range comes back */
	CHECK(block_state(first) == BLOCK_ONLINE && block_state(first + 31) == BLOCK_ONLINE);
	CHECK(balloon_stats()->blocks_plugged == 64);
	CHECK_INVARIANTS();
	return 0;
}

/* Every page the allocator will give, plain (no patterns), as a list threaded through the pages. */
static void **take_every_page(void)
{
	void **head = NULL, **p;
	while ((p = alloc_page())) {
		p[0] = head;
		head = p;
	}
	return head;
}

/* Free a list of plain pages. */
static void free_plain_pages(void **head)
{
	while (head) {
		void **next = head[0];
		free_page(head);
		head = next;
	}
}

/* Free every other page of a list of plain pages (no patterns); returns the pages kept. */
static void **drop_every_other(void **head)
{
	void **kept = NULL;
	bool drop = true;
	while (head) {
		void **next = head[0];
		if (drop) {
			free_page(head);
		} else {
			head[0] = kept;
			kept = head;
		}
		drop = !drop;
		head = next;
	}
	return kept;
}

/*
 * Free memory scattered in single pages, none contiguous: an allocation of
 * order 9, 8 and a 100000-byte heap object must still be served by growth
 * (a refilled boot block for order 9, hot-added blocks for the others).
 */
int test_fragmented_growth(void)
{
	CHECK(balloon_shrink(BLOCK_PAGES) == (long)BLOCK_PAGES); /* one whole boot block out */
	page_alloc_set_shortage_hook(NULL, 0);			 /* no growth while fragmenting */
	void **head = drop_every_other(take_every_page());
	page_alloc_set_shortage_hook(balloon_on_shortage, BALLOON_LOW_WATERMARK);
	printk("fragmented: %lu pages free, %lu order-9 chunks\n", nr_free_pages(), buddy_chunks(PAGE_MAX_ORDER));
	CHECK(nr_free_pages() > 1000 && buddy_chunks(PAGE_MAX_ORDER) == 0);
	void *big = alloc_pages(PAGE_MAX_ORDER);
	CHECK(big != NULL);
	void *half = alloc_pages(PAGE_MAX_ORDER - 1);
	CHECK(half != NULL);
	void *obj = heap_alloc(100000);
	CHECK(obj != NULL);
	memset(big, 0x5a, BLOCK_BYTES);
	memset(obj, 0xa5, 100000);
	CHECK(balloon_stats()->blocks_plugged >= 1);
	CHECK_INVARIANTS();
	heap_free(obj);
	free_pages(half, PAGE_MAX_ORDER - 1);
	free_pages(big, PAGE_MAX_ORDER);
	free_plain_pages(head);
	CHECK_INVARIANTS();
	return 0;
}

/* Targets that are not whole 2 MiB blocks are met to the page, as Xen counts them. */
int test_odd_targets(void)
{
	unsigned long boot = frames_populated();
	unsigned long targets[] = {boot + MIB_TO_PAGES(1) + 3, MIB_TO_PAGES(1001), MIB_TO_PAGES(33),
				   MIB_TO_PAGES(4095), MIB_TO_PAGES(1001) + 1, boot};
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
		CHECK(settle_at(targets[i]) == 0);
		printk("target %lu pages: holding %lu, Xen says %ld\n", targets[i], frames_populated(),
		       platform_reservation_pages());
		CHECK(frames_populated() == targets[i]);
		CHECK(platform_reservation_pages() == (long)targets[i]);
		CHECK_INVARIANTS();
	}
	return 0;
}

/*
 * Xen with free memory but no 2 MiB extent (tests/domu/elastic_tests.sh,
 * no_2m_extents), in two domUs.
 *
 * fragment_host takes every page Xen will give it, then gives back
 * FRAGMENT_PAGES of them with even frame numbers while it keeps the odd
 * ones: Xen's free memory is then 4 KiB frames none of whose neighbours is
 * free. It says so and holds on until destroyed.
 */
#define FRAGMENT_PAGES 4096

int test_fragment_host(void)
{
	void **head = take_every_page(), **p;
	unsigned long took = frames_populated(), freed = 0;
	page_alloc_set_shortage_hook(NULL, 0); /* no growth from here on */
	for (p = head; p && freed < FRAGMENT_PAGES; p = p[0]) {
		void **next = p[0];
		if (next && !(((uintptr_t)next >> PAGE_SHIFT) & 1)) { /* unlink and free an even page */
			p[0] = next[0];
			free_page(next);
			freed++;
		}
	}
	long released = balloon_shrink(freed);
	balloon_set_target(frames_populated()); /* and do not grow back */
	printk("fragment_host: took %lu MiB from Xen, gave back %ld frames with even numbers\n",
	       PAGES_TO_MIB(took), released);
	CHECK(released == (long)freed);
	CHECK_INVARIANTS();
	for (;;)
		sleep_until_ns(monotonic_ns() + SETTLE_NS);
}

/*
 * grow_without_2m waits for a target above its boot size (xl mem-set, once
 * fragment_host is done), then checks how it got there: every block in
 * 4 KiB frames, after one refused 2 MiB request for the whole request, not
 * one per block.
 */
int test_grow_without_2m(void)
{
	unsigned long boot = frames_populated();
	struct platform_stats before = *platform_stats();
	printk("grow_without_2m: waiting for a target above %lu pages\n", boot);
	while (balloon_stats()->target_pages <= boot)
		sleep_until_ns(monotonic_ns() + SETTLE_NS / 600);
	unsigned long target = balloon_stats()->target_pages;
	uint64_t end = monotonic_ns() + SETTLE_NS;
	while (frames_populated() != target && monotonic_ns() < end)
		sleep_until_ns(monotonic_ns() + SETTLE_NS / 600);
	const struct platform_stats *s = platform_stats();
	printk("grow_without_2m: %lu -> %lu pages (target %lu): %lu populate calls, %lu refused, %lu 2 MiB "
	       "extents, %lu blocks in 4 KiB frames\n",
	       boot, frames_populated(), target, s->populate_hypercalls - before.populate_hypercalls,
	       s->refused_hypercalls - before.refused_hypercalls, s->extents_2m - before.extents_2m,
	       s->fallbacks_2m - before.fallbacks_2m);
	CHECK(frames_populated() == target);
	CHECK(s->extents_2m == before.extents_2m);
	CHECK(s->fallbacks_2m - before.fallbacks_2m >= 2);
	CHECK(s->refused_hypercalls - before.refused_hypercalls == 1);
	CHECK_INVARIANTS();
	return 0;
}

/* Reserved frames in hot-added blocks beyond each block's own metadata (logged by kind): what pins them. */
static unsigned long pinning_frames(void)
{
	unsigned long n = 0, kinds[RESERVED_NR_KINDS] = {0};
	for (unsigned long b = block_next_present(0); b < frames_nr_blocks(); b = block_next_present(b + 1)) {
		const struct block_info *bi = block_info(b);
		if (block_state(b) != BLOCK_ONLINE || !(bi->flags & BLOCK_HOTPLUGGED))
			continue;
		for (unsigned long i = platform_block_meta_frames(); i < BLOCK_PAGES; i++) {
			pfn_t f = pfn(b * BLOCK_PAGES + i);
			if (frame_state(f) == FRAME_RESERVED) {
				kinds[frame_aux(f)]++;
				n++;
			}
		}
	}
	for (unsigned k = 0; k < RESERVED_NR_KINDS; k++)
		if (kinds[k])
			printk("  %lu %s frames in hot-added blocks\n", kinds[k], reserved_kind_name(k));
	return n;
}

/* Free the pages of the list that lie in block b (at most max); returns how many. */
static unsigned long free_in_block(void ***head, unsigned long b, unsigned long max)
{
	unsigned long n = 0;
	for (void ***link = head; *link && n < max;) {
		void **p = *link;
		if (pfn_to_block(virt_to_frame(p)) != b) {
			link = (void ***)p;
			continue;
		}
		*link = p[0];
		free_page(p);
		n++;
	}
	return n;
}

/*
 * Growth with no free frame below the top of memory puts shared metadata
 * that is never freed (the direct map's page table for a new GiB, the p2m
 * region's table, a p2m frame list) into a hot-added block. Once lower
 * memory has room again, shrinking moves it down and unplugs every
 * hot-added block; the moved tables then serve the same range when it grows
 * again.
 */
int test_pinned_metadata_moves(void)
{
	unsigned long boot = frames_populated();
	long xen_boot = platform_reservation_pages();
	pfn_t taken[METAPOOL_FRAMES];
	unsigned n = 0;
	/* up to 100 MiB short of the end of the GiB boot memory ends in, then 300 MiB further */
	unsigned long gib = MIB_TO_PAGES(1024), below_gib = (boot / gib + 1) * gib - MIB_TO_PAGES(100);
	unsigned long into_next = below_gib + MIB_TO_PAGES(300);
	CHECK(boot < below_gib);
	CHECK(settle_at(below_gib) == 0);
	page_alloc_set_shortage_hook(NULL, 0);
	void **held = take_every_page();
	while (n < METAPOOL_FRAMES && metapool_take(RESERVED_POOL, &taken[n]) == 0)
		n++;
	unsigned long top = pfn_to_block(pfn(frames_nr_blocks() * BLOCK_PAGES - 1));
	while (block_state(top) != BLOCK_ONLINE)
		top--;
	CHECK(free_in_block(&held, top, METAPOOL_FRAMES) == METAPOOL_FRAMES);
	CHECK(metapool_refill() == 0); /* the reserve is now in the top block */
	page_alloc_set_shortage_hook(balloon_on_shortage, BALLOON_LOW_WATERMARK);
	CHECK(settle_at(into_next) == 0); /* into the next GiB: new tables and lists */
	unsigned long pinning = pinning_frames();
	printk("grown to %lu MiB with lower memory full: %lu frames of shared metadata in hot-added blocks\n",
	       PAGES_TO_MIB(frames_populated()), pinning);
	CHECK(pinning > 0);
	CHECK_INVARIANTS();
	free_plain_pages(held);
	while (n)
		metapool_put(taken[--n]);
	for (int round = 0; round < 2; round++) {
		CHECK(settle_at(boot) == 0);
		printk("round %d: back to %lu MiB; %lu of %lu hot-added blocks unplugged, %lu metadata frames moved\n",
		       round, PAGES_TO_MIB(frames_populated()), balloon_stats()->blocks_unplugged,
		       balloon_stats()->blocks_plugged, balloon_stats()->meta_moved);
		CHECK(balloon_stats()->blocks_unplugged == balloon_stats()->blocks_plugged);
		CHECK(balloon_stats()->meta_moved > 0);
		CHECK(platform_reservation_pages() == xen_boot);
		CHECK_INVARIANTS();
		CHECK(settle_at(into_next) == 0); /* the same range, through the moved tables */
		CHECK_INVARIANTS();
	}
	return 0;
}
