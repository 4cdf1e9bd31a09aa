/*
 * Benchmarks, run under real Xen by tools/bench, one boot per mode (as a PV
 * dom0 and as a PVH dom0; tools/bench names each figure .pv or .pvh):
 *   bench=small  (PV 32 MiB boot, PVH 768 MiB; 2 GiB max): usable_at_boot,
 *                page_alloc_free, page_alloc_mixed, hotplug_up,
 *                hotplug_down, meta_per_gib (with its parts), pt_per_gib,
 *                grow_on_shortage (by 1 GiB), and the raw limits of this
 *                boot (.small)
 *   bench=large  (1 GiB + 32 MiB boot, 2 GiB max): balloon_down, balloon_up
 *                and the raw limits of this boot (.large)
 *   bench=scale  (32 MiB boot, 16 GiB max; make bench-large): growth to
 *                16 GiB, the time of each GiB and the metadata per GiB
 * Each timed figure is RUNS runs after an untimed warm-up, printed as
 * "BENCH name median unit min=.. max=.. n=..". Rates are MiB/s over 1 GiB.
 * The raw passes are interleaved with the paths they bound, so that both see
 * the same machine (software emulation drifts).
 */
#include <tide/balloon.h>
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/mem_check.h>
#include <tide/page_alloc.h>
#include <tide/platform.h>
#include <tide/mem_boot.h>
#include "bench.h"

static uint64_t timed_settle(unsigned long target)
{
	uint64_t t0 = monotonic_ns();
	balloon_set_target(target);
	enum balloon_state s = balloon_settle(t0 + 600000000000ULL);
	uint64_t t1 = monotonic_ns();
	if (s != BALLOON_IDLE || frames_populated() != target)
		panic("bench: balloon stopped %s at %lu pages, target %lu", balloon_state_name(s),
		      frames_populated(), target);
	return t1 - t0;
}

static unsigned long kib(unsigned long pages) { return PAGES_TO_KIB(pages); }

/* Metadata and page tables that growing to boot + pages took, per GiB. */
static void report_metadata(unsigned long boot, unsigned long pages)
{
	unsigned long p2m0 = frames_reserved(RESERVED_P2M), meta0 = frames_reserved(RESERVED_META);
	unsigned long pt0 = frames_reserved(RESERVED_PAGETABLE);
	timed_settle(boot + pages);
	unsigned long gib = pages / GIB_PAGES;
	unsigned long p2m = (frames_reserved(RESERVED_P2M) - p2m0) / gib;
	unsigned long meta = (frames_reserved(RESERVED_META) - meta0) / gib;
	unsigned long pt = (frames_reserved(RESERVED_PAGETABLE) - pt0) / gib;
	bench_line("meta_per_gib", kib(p2m + meta), "KiB");
	bench_line("meta_per_gib.p2m", kib(p2m), "KiB");
	bench_line("meta_per_gib.frame_and_block_tables", kib(meta), "KiB");
	bench_line("pt_per_gib", kib(pt), "KiB");
	if (mem_check())
		panic("bench: invariants broken after hot-add");
	timed_settle(boot);
}

static void bench_hotplug(unsigned long boot)
{
	struct samples up = {0}, down = {0};
	for (int r = 0; r <= RUNS; r++) {
		raw_pass(r > 0);
		uint64_t up_ns = timed_settle(boot + GIB_PAGES);
		uint64_t down_ns = timed_settle(boot);
		if (r > 0) {
			samples_add(&up, mib_per_s(GIB_PAGES, up_ns));
			samples_add(&down, mib_per_s(GIB_PAGES, down_ns));
		}
	}
	samples_print("hotplug_up", &up, "MiB/s");
	samples_print("hotplug_down", &down, "MiB/s");
}

/* Allocate single pages until the guest grew by 1 GiB: how fast it grows by itself. */
static uint64_t time_grow_on_shortage(unsigned long boot, unsigned long *grown)
{
	void **list = NULL, **p;
	uint64_t t0 = monotonic_ns();
	while (frames_populated() < boot + GIB_PAGES && (p = alloc_page())) {
		p[0] = list;
		list = p;
	}
	uint64_t ns = monotonic_ns() - t0;
	*grown = frames_populated() - boot;
	while (list) {
		p = list;
		list = p[0];
		free_page(p);
	}
	timed_settle(boot);
	return ns;
}

static void bench_grow_on_shortage(unsigned long boot)
{
	struct samples s = {0};
	for (int r = 0; r <= RUNS; r++) {
		unsigned long grown;
		raw_grow_bound_pass(r > 0);
		uint64_t ns = time_grow_on_shortage(boot, &grown);
		if (r > 0)
			samples_add(&s, mib_per_s(grown, ns));
	}
	samples_print("grow_on_shortage", &s, "MiB/s");
}

static void bench_small(void)
{
	unsigned long boot = frames_populated();
	bench_line("usable_at_boot", nr_free_pages() * 100 / mem_boot_info()->boot_pages, "percent");
	bench_page_alloc_free();
	bench_page_alloc_mixed();
	report_metadata(boot, GIB_PAGES);
	bench_hotplug(boot);
	bench_grow_on_shortage(boot);
	raw_report("small");
}

static void bench_large(void)
{
	unsigned long boot = frames_populated();
	struct samples up = {0}, down = {0};
	for (int r = 0; r <= RUNS; r++) {
		uint64_t down_ns = timed_settle(boot - GIB_PAGES);
		raw_pass(r > 0);
		uint64_t up_ns = timed_settle(boot);
		if (r > 0) {
			samples_add(&down, mib_per_s(GIB_PAGES, down_ns));
			samples_add(&up, mib_per_s(GIB_PAGES, up_ns));
		}
	}
	samples_print("balloon_down", &down, "MiB/s");
	samples_print("balloon_up", &up, "MiB/s");
	raw_report("large");
}

/*
 * Grow from the boot size to Xen's maximum in 1 GiB steps and back, RUNS
 * times after a warm-up: the time of each GiB must not grow with the size.
 */
#define SCALE_MAX_GIB 64

static void bench_scale(void)
{
	static struct samples per_gib[SCALE_MAX_GIB];
	unsigned long boot = frames_populated();
	unsigned long gibs = MIN((unsigned long)SCALE_MAX_GIB, (platform_max_pages() - boot) / GIB_PAGES);
	if (gibs < 2)
		panic("bench: Xen's maximum leaves room for %lu GiB; scale needs 2 or more", gibs);
	report_metadata(boot, gibs * GIB_PAGES);
	for (int r = 0; r <= RUNS; r++) {
		for (unsigned long g = 1; g <= gibs; g++) {
			uint64_t ns = timed_settle(boot + g * GIB_PAGES);
			if (r > 0)
				samples_add(&per_gib[g - 1], (unsigned long)(ns / 1000000));
		}
		timed_settle(boot);
	}
	for (unsigned long g = 1; g <= gibs; g++) {
		char name[32];
		snprintf(name, sizeof(name), "scale_gib.%02lu", g);
		samples_print(name, &per_gib[g - 1], "ms");
	}
	bench_line("scale_last_over_first",
		   samples_median(&per_gib[gibs - 1]) * 100 / MAX(1UL, samples_median(&per_gib[0])), "percent");
}

int app_main(void)
{
	char which[16];
	if (cmdline_get("bench", which, sizeof(which)) <= 0) {
		printk("bench: say bench=small, bench=large or bench=scale\n");
		return 2;
	}
	if (!strcmp(which, "small"))
		bench_small();
	else if (!strcmp(which, "large"))
		bench_large();
	else if (!strcmp(which, "scale"))
		bench_scale();
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
