/*
 * What tided's benchmark sampler (sampler.c) records in one run, and the
 * figures made from it (figures.c). Times are dom0's monotonic clock in ms
 * since the run started; memory in KiB.
 *
 * A sample, every 100 ms: Xen's free memory, and for each guest what Xen
 * says it holds (tot_pages) and what it says it uses (data/meminfo_total -
 * data/meminfo_free; -1 until it has reported both). Events, timed when the
 * watch on the guest's data/bench fired: a burst's allocation done (its
 * data/bench/burst) and a burst's memory freed (data/bench/freed); their
 * text is apps/guest/burst.h's.
 */
#ifndef BENCH_RECORD_H
#define BENCH_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define RECORD_MAX_GUESTS 16
#define RECORD_MAX_EVENTS 4096 /* of each kind; more are counted as dropped */

struct sample {
	uint64_t t_ms;
	uint64_t free_kib;
	uint64_t held_kib[RECORD_MAX_GUESTS];
	int64_t used_kib[RECORD_MAX_GUESTS]; /* -1: no report yet */
};

struct freed_event {
	unsigned guest;
	uint64_t t_ms;
	uint64_t kib;
};

struct burst_event {
	unsigned guest;
	uint64_t t_ms;
	uint64_t waited_ms, alloc_ms, failures;
};

struct record {
	unsigned guests;
	const char *name[RECORD_MAX_GUESTS];
	uint64_t reserve_kib;
	uint64_t window_ms;		/* the run proper: events and samples after it count only as reclaim's outcome */
	uint64_t end_ms;		/* when sampling stopped (after the settling time) */
	struct sample *samples;		/* in time order */
	size_t n_samples, max_samples;
	struct freed_event freed[RECORD_MAX_EVENTS];
	size_t n_freed;
	struct burst_event bursts[RECORD_MAX_EVENTS];
	size_t n_bursts;
	size_t dropped_events;
};

/* Print the run's BENCH lines, each name suffixed ".label" (figures.c). */
void figures_print(const struct record *r, const char *label);

#endif
