/*
 * Benchmarks, run under real Xen by tools/bench in two boots:
 *   bench=small  (32 MiB, 2 GiB max): usable_at_boot, page_alloc_free,
 *                populate_raw/release_raw, hotplug_up, hotplug_down,
 *                meta_per_gib (with its parts), pt_per_gib, grow_on_shortage
 *   bench=large  (1 GiB + 32 MiB boot, 2 GiB max): populate_raw/release_raw,
 *                balloon_down, balloon_up
 * Each figure is one line "BENCH <name> <value> <unit>". Rates are MiB/s over
 * 1 GiB, the best of REPEAT runs (software emulation is noisy); the raw
 * figures are measured in the same boot as the ones they bound.
 */
#include <tide/balloon.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/mem_check.h>
#include <tide/page_alloc.h>
#include <tide/platform.h>
#include <tide/pv_info.h>

#define GIB_PAGES MIB_TO_PAGES(1024)
#define GIB_BLOCKS (GIB_PAGES / BLOCK_PAGES)
#define REPEAT 3

static unsigned long raw_bases[GIB_BLOCKS];

static void bench_line(const char *name, unsigned long value, const char *unit)
{
	printk("BENCH %s %lu %s\n", name, value, unit);
}

/* MiB/s for pages moved in ns nanoseconds. */
static unsigned long mib_per_s(unsigned long pages, uint64_t ns)
{
	return ns ? (unsigned long)((PAGES_TO_MIB(pages) * 1000000000ULL) / ns) : 0;
}

static uint64_t timed_settle(unsigned long target)
{
	uint64_t t0 = monotonic_ns();
	balloon_set_target(target);
	enum balloon_state s = balloon_settle(t0 + 120000000000ULL);
	uint64_t t1 = monotonic_ns();
	if (s != BALLOON_IDLE || frames_populated() != target)
		panic("bench: balloon stopped %s at %lu pages, target %lu", balloon_state_name(s),
		      frames_populated(), target);
	return t1 - t0;
}

/*
 * Populate and release 1 GiB the raw way, keeping the best times. Passes are
 * interleaved with the measured paths so that both see the same machine; a
 * first pass over fresh host memory (QEMU backs it lazily) is a warm-up.
 */
static uint64_t raw_best_up = ~0ULL, raw_best_down = ~0ULL;

static void raw_pass(bool counted)
{
	unsigned long first = frames_nr_blocks() - GIB_BLOCKS; /* the top of the pfn space */
	uint64_t t0 = monotonic_ns();
	if (pv_raw_populate(first, GIB_BLOCKS, raw_bases) != (long)GIB_BLOCKS)
		panic("bench: raw populate failed");
	uint64_t t1 = monotonic_ns();
	if (pv_raw_release(first, GIB_BLOCKS, raw_bases) != (long)GIB_BLOCKS)
		panic("bench: raw release failed");
	uint64_t t2 = monotonic_ns();
	if (counted) {
		raw_best_up = MIN(raw_best_up, t1 - t0);
		raw_best_down = MIN(raw_best_down, t2 - t1);
	}
}

static void raw_report(void)
{
	bench_line("populate_raw", mib_per_s(GIB_PAGES, raw_best_up), "MiB/s");
	bench_line("release_raw", mib_per_s(GIB_PAGES, raw_best_down), "MiB/s");
}

static void bench_page_alloc_free(void)
{
	enum { PAIRS = 1000000 };
	uint64_t best = ~0ULL;
	for (int r = 0; r < REPEAT; r++) {
		uint64_t t0 = monotonic_ns();
		for (int i = 0; i < PAIRS; i++) {
			void *p = alloc_page();
			if (!p)
				panic("bench: alloc_page failed");
			free_page(p);
		}
		best = MIN(best, monotonic_ns() - t0);
	}
	bench_line("page_alloc_free", (unsigned long)(best / PAIRS), "ns");
}

static unsigned long kib(unsigned long pages) { return PAGES_TO_KIB(pages); }

static void bench_hotplug_and_metadata(void)
{
	unsigned long boot = frames_populated();
	uint64_t best_up = ~0ULL, best_down = ~0ULL;
	for (int r = 0; r < REPEAT; r++) {
		raw_pass(true);
		unsigned long p2m0 = frames_reserved(RESERVED_P2M), meta0 = frames_reserved(RESERVED_META);
		unsigned long pt0 = frames_reserved(RESERVED_PAGETABLE);
		uint64_t up = timed_settle(boot + GIB_PAGES);
		best_up = MIN(best_up, up);
		if (r == 0) {
			unsigned long p2m = frames_reserved(RESERVED_P2M) - p2m0;
			unsigned long meta = frames_reserved(RESERVED_META) - meta0;
			unsigned long pt = frames_reserved(RESERVED_PAGETABLE) - pt0;
			bench_line("meta_per_gib", kib(p2m + meta), "KiB");
			bench_line("meta_per_gib.p2m", kib(p2m), "KiB");
			bench_line("meta_per_gib.frame_and_block_tables", kib(meta), "KiB");
			bench_line("pt_per_gib", kib(pt), "KiB");
			if (mem_check())
				panic("bench: invariants broken after hot-add");
		}
		uint64_t down = timed_settle(boot);
		best_down = MIN(best_down, down);
	}
	bench_line("hotplug_up", mib_per_s(GIB_PAGES, best_up), "MiB/s");
	bench_line("hotplug_down", mib_per_s(GIB_PAGES, best_down), "MiB/s");
}

static void bench_grow_on_shortage(void)
{
	unsigned long goal = MIB_TO_PAGES(1024);
	void **list = NULL, **p;
	uint64_t t0 = monotonic_ns();
	while (frames_populated() < goal && (p = alloc_page())) {
		p[0] = list;
		list = p;
	}
	uint64_t t1 = monotonic_ns();
	unsigned long grown = frames_populated() - pv_mem_info()->boot_pages;
	bench_line("grow_on_shortage", mib_per_s(grown, t1 - t0), "MiB/s");
	while (list) {
		p = list;
		list = p[0];
		free_page(p);
	}
}

static void bench_small(void)
{
	const struct pv_mem_info *i = pv_mem_info();
	bench_line("usable_at_boot", nr_free_pages() * 100 / i->boot_pages, "percent");
	bench_page_alloc_free();
	raw_pass(false);
	bench_hotplug_and_metadata();
	bench_grow_on_shortage();
	raw_pass(true);
	raw_report();
}

static void bench_large(void)
{
	unsigned long boot = frames_populated();
	uint64_t best_up = ~0ULL, best_down = ~0ULL;
	raw_pass(false);
	for (int r = 0; r < REPEAT; r++) {
		raw_pass(true);
		uint64_t down = timed_settle(boot - GIB_PAGES);
		best_down = MIN(best_down, down);
		uint64_t up = timed_settle(boot);
		best_up = MIN(best_up, up);
	}
	raw_report();
	bench_line("balloon_down", mib_per_s(GIB_PAGES, best_down), "MiB/s");
	bench_line("balloon_up", mib_per_s(GIB_PAGES, best_up), "MiB/s");
}

int app_main(void)
{
	char which[16];
	if (cmdline_get("bench", which, sizeof(which)) <= 0) {
		printk("bench: say bench=small or bench=large\n");
		return 2;
	}
	if (!strcmp(which, "small"))
		bench_small();
	else if (!strcmp(which, "large"))
		bench_large();
	else
		return 2;
	if (mem_check())
		return 1;
	printk("hypercalls: %lu populate, %lu release, %lu refused, %lu 2 MiB extents, %lu 2 MiB fallbacks\n",
	       platform_stats()->populate_hypercalls, platform_stats()->release_hypercalls,
	       platform_stats()->refused_hypercalls, platform_stats()->extents_2m,
	       platform_stats()->fallbacks_2m);
	return 0;
}
