/* Sample sets and BENCH lines; see bench.h. */
#include <tide/kernel.h>
#include <tide/lib.h>
#include "bench.h"

void samples_add(struct samples *s, unsigned long v)
{
	BUG_ON(s->n >= SAMPLES_MAX);
	s->v[s->n++] = v;
}

/* The samples in ascending order, into sorted. */
static void samples_sorted(const struct samples *s, unsigned long *sorted)
{
	for (unsigned i = 0; i < s->n; i++) {
		unsigned j = i;
		for (; j > 0 && sorted[j - 1] > s->v[i]; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = s->v[i];
	}
}

unsigned long samples_median(const struct samples *s)
{
	unsigned long sorted[SAMPLES_MAX];
	BUG_ON(s->n == 0);
	samples_sorted(s, sorted);
	return s->n % 2 ? sorted[s->n / 2] : (sorted[s->n / 2 - 1] + sorted[s->n / 2]) / 2;
}

void samples_print(const char *name, const struct samples *s, const char *unit)
{
	unsigned long sorted[SAMPLES_MAX];
	BUG_ON(s->n == 0);
	samples_sorted(s, sorted);
	printk("BENCH %s %lu %s min=%lu max=%lu n=%u\n", name, samples_median(s), unit, sorted[0],
	       sorted[s->n - 1], s->n);
}

void bench_line(const char *name, unsigned long value, const char *unit)
{
	printk("BENCH %s %lu %s\n", name, value, unit);
}

unsigned long mib_per_s(unsigned long pages, uint64_t ns)
{
	return ns ? (unsigned long)(pages * 1000000000ULL / ns / MIB_TO_PAGES(1)) : 0;
}
