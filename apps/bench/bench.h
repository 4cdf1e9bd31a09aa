/*
 * The bench app's parts: sample sets printed as BENCH lines (samples.c), the
 * raw limits measured in the same boot as the paths they bound (raw.c), and
 * the allocator's hot paths (alloc.c). bench.c runs them in its boots.
 */
#ifndef BENCH_H
#define BENCH_H

#include <tide/types.h>

#define GIB_PAGES MIB_TO_PAGES(1024)
#define GIB_BLOCKS (GIB_PAGES / BLOCK_PAGES)
#define RUNS 5 /* timed runs of every figure; the first run before them warms up */

/* The timed runs of one figure: printed as "BENCH name median unit min=.. max=.. n=..". */
#define SAMPLES_MAX 16
struct samples {
	unsigned long v[SAMPLES_MAX];
	unsigned n;
};
void samples_add(struct samples *s, unsigned long v);
void samples_print(const char *name, const struct samples *s, const char *unit);
unsigned long samples_median(const struct samples *s);
/* One untimed figure: "BENCH name value unit". */
void bench_line(const char *name, unsigned long value, const char *unit);
/* MiB/s for pages moved in ns nanoseconds. */
unsigned long mib_per_s(unsigned long pages, uint64_t ns);

/*
 * The raw limits, over the highest run of absent blocks that Xen's maximum
 * leaves room for (at most 1 GiB). raw_pass times one populate and release
 * of each kind (counted or a warm-up); raw_grow_bound_pass times populating
 * and first touching every page, with no allocator. raw_report prints them
 * with suffix ("small", "large") after their names.
 */
void raw_pass(bool counted);
void raw_grow_bound_pass(bool counted);
void raw_report(const char *suffix);

/* page_alloc_free (a pair, 10^6 times) and page_alloc_mixed (orders 0-4, 256 live slots). */
void bench_page_alloc_free(void);
void bench_page_alloc_mixed(void);

#endif
