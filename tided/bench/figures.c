/*
 * The figures of one benchmark run (record.h), as BENCH lines:
 *
 *   reclaim_latency  for each freeing of at least 256 MiB: from the event to
 *                    the first sample at which what Xen says the guest holds
 *                    has fallen by at least 3/4 of what it freed (from what
 *                    it held at the last sample before the event; 3/4, not
 *                    all, because a policy may rightly leave the guest some
 *                    headroom), for the freeings within the run proper
 *                    (window_ms); the sampler samples a settling time past
 *                    it so that a freeing near its end is timed too. One
 *                    never reclaimed before sampling stopped counts as the
 *                    time left, and never= says how many.
 * The other figures count only the run proper: its samples and the bursts
 * whose allocation finished in it.
 *   burst_wait       the bursts' waits (WAITED_MS) summed over their
 *                    allocation times (ALLOC_MS) summed, in %
 *   burst_failures   the failed allocations during the bursts, summed
 *   idle_gib_s       the integral over time of, for each guest, memory held
 *                    but not used beyond a 64 MiB headroom allowance:
 *                    max(0, held - used - 64 MiB), in GiB*s (a guest that
 *                    has not reported yet counts nothing)
 *   reserve_crossings  samples at which Xen's free memory was below the reserve
 *   overcommit       each guest's peak use, summed, over the most memory all
 *                    guests held together at any one sample
 *
 * A timed figure is its median with min, max and n. Each freeing counted in
 * reclaim_latency also gets a "# reclaim.LABEL" line (when, how much, how
 * soon it was back), to read a median against. Pure C over the record: no
 * Xen, no clock.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "record.h"

#define MIB 1024ULL
#define RECLAIM_MIN_KIB (256 * MIB)
#define IDLE_ALLOWANCE_KIB (64 * MIB)

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median of v[0..n) (n >= 1), sorting v. */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* What guest g held at the last sample at or before t_ms (the first sample if none was). */
static uint64_t held_at(const struct record *r, unsigned g, uint64_t t_ms)
{
	size_t i = 0;
	while (i + 1 < r->n_samples && r->samples[i + 1].t_ms <= t_ms)
		i++;
	return r->samples[i].held_kib[g];
}

/*
 * Seconds from a freeing event to the first sample, not earlier than the
 * event, at which the guest holds at least 3/4 of what it freed less than
 * before it; false (and the time left in the run) when there is none.
 */
static bool reclaim_seconds(const struct record *r, const struct freed_event *e, double *s)
{
	uint64_t before = held_at(r, e->guest, e->t_ms);
	uint64_t drop = e->kib / 4 * 3;
	uint64_t want = before > drop ? before - drop : 0;
	for (size_t i = 0; i < r->n_samples; i++) {
		const struct sample *x = &r->samples[i];
		if (x->t_ms >= e->t_ms && x->held_kib[e->guest] <= want) {
			*s = (double)(x->t_ms - e->t_ms) / 1000;
			return true;
		}
	}
	*s = r->end_ms > e->t_ms ? (double)(r->end_ms - e->t_ms) / 1000 : 0;
	return false;
}

static void print_reclaim(const struct record *r, const char *label)
{
	double v[RECORD_MAX_EVENTS];
	size_t n = 0, never = 0;
	for (size_t i = 0; i < r->n_freed; i++) {
		if (r->freed[i].kib < RECLAIM_MIN_KIB || r->freed[i].t_ms > r->window_ms)
			continue;
		const struct freed_event *e = &r->freed[i];
		bool back = reclaim_seconds(r, e, &v[n]);
		printf("# reclaim.%s %s at %.1f s: freed %llu MiB, %s %.2f s\n", label, r->name[e->guest],
		       (double)e->t_ms / 1000, (unsigned long long)(e->kib / MIB), back ? "back in" : "never back, run over in",
		       v[n]);
		never += !back;
		n++;
	}
	if (!n) {
		printf("# reclaim_latency.%s: no freeing of 256 MiB or more in the run\n", label);
		return;
	}
	double med = median(v, n);
	printf("BENCH reclaim_latency.%s %.2f s min=%.2f max=%.2f n=%zu never=%zu\n", label, med, v[0], v[n - 1], n,
	       never);
}

static void print_bursts(const struct record *r, const char *label)
{
	uint64_t waited = 0, alloc = 0, failures = 0;
	size_t n = 0;
	for (size_t i = 0; i < r->n_bursts; i++) {
		if (r->bursts[i].t_ms > r->window_ms)
			continue;
		n++;
		waited += r->bursts[i].waited_ms;
		alloc += r->bursts[i].alloc_ms;
		failures += r->bursts[i].failures;
	}
	if (!n) {
		printf("# burst_wait.%s: no burst finished its allocation in the run\n", label);
		return;
	}
	printf("BENCH burst_wait.%s %.1f %% n=%zu waited_s=%.2f alloc_s=%.2f\n", label,
	       alloc ? 100.0 * (double)waited / (double)alloc : 0.0, n, (double)waited / 1000, (double)alloc / 1000);
	printf("BENCH burst_failures.%s %llu n=%zu\n", label, (unsigned long long)failures, n);
}

/* The samples of the run proper (up to window_ms): the settling time after it serves reclaim_latency alone. */
static size_t window_samples(const struct record *r)
{
	size_t n = r->n_samples;
	while (n && r->samples[n - 1].t_ms > r->window_ms)
		n--;
	return n;
}

/* Memory the guests of sample x hold beyond their use and the allowance, in KiB. */
static uint64_t idle_kib(const struct record *r, const struct sample *x)
{
	uint64_t sum = 0;
	for (unsigned g = 0; g < r->guests; g++) {
		if (x->used_kib[g] < 0)
			continue;
		uint64_t keep = (uint64_t)x->used_kib[g] + IDLE_ALLOWANCE_KIB;
		if (x->held_kib[g] > keep)
			sum += x->held_kib[g] - keep;
	}
	return sum;
}

static void print_idle(const struct record *r, const char *label)
{
	double kib_ms = 0;
	for (size_t i = 1; i < window_samples(r); i++)
		kib_ms += (double)idle_kib(r, &r->samples[i - 1]) * (double)(r->samples[i].t_ms - r->samples[i - 1].t_ms);
	printf("BENCH idle_gib_s.%s %.1f GiB*s\n", label, kib_ms / (1024.0 * 1024.0 * 1000.0));
}

static void print_host(const struct record *r, const char *label)
{
	size_t below = 0;
	uint64_t least = UINT64_MAX, most_held = 0;
	uint64_t peak_used[RECORD_MAX_GUESTS] = {0}, peaks = 0;
	size_t n = window_samples(r);
	for (size_t i = 0; i < n; i++) {
		const struct sample *x = &r->samples[i];
		uint64_t held = 0;
		below += x->free_kib < r->reserve_kib;
		least = x->free_kib < least ? x->free_kib : least;
		for (unsigned g = 0; g < r->guests; g++) {
			held += x->held_kib[g];
			if (x->used_kib[g] > (int64_t)peak_used[g])
				peak_used[g] = (uint64_t)x->used_kib[g];
		}
		most_held = held > most_held ? held : most_held;
	}
	for (unsigned g = 0; g < r->guests; g++)
		peaks += peak_used[g];
	printf("BENCH reserve_crossings.%s %zu samples out_of=%zu least_free_mib=%llu reserve_mib=%llu\n", label, below,
	       n, (unsigned long long)(n ? least / MIB : 0),
	       (unsigned long long)(r->reserve_kib / MIB));
	printf("BENCH overcommit.%s %.2f peak_use_sum_mib=%llu most_held_mib=%llu\n", label,
	       most_held ? (double)peaks / (double)most_held : 0.0, (unsigned long long)(peaks / MIB),
	       (unsigned long long)(most_held / MIB));
}

void figures_print(const struct record *r, const char *label)
{
	if (!r->n_samples) {
		printf("# %s: no samples\n", label);
		return;
	}
	print_reclaim(r, label);
	print_bursts(r, label);
	print_idle(r, label);
	print_host(r, label);
	if (r->dropped_events)
		printf("# %s: %zu events beyond the first %d of their kind were dropped\n", label, r->dropped_events,
		       RECORD_MAX_EVENTS);
}
