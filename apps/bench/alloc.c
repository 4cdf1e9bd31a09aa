/*
 * The page allocator's hot paths: page_alloc_free, an alloc_page/free_page
 * pair in a loop (the page cache's best case), and page_alloc_mixed, random
 * allocations and frees of orders 0-4 over 256 live slots (the buddy lists'
 * splits and merges). Both in ns per operation, RUNS times after a warm-up.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/page_alloc.h>
#include "bench.h"

#define PAIRS 1000000
#define MIXED_OPS 1000000
#define MIXED_SLOTS 256
#define MIXED_MAX_ORDER 4

static uint64_t time_pairs(void)
{
	uint64_t t0 = monotonic_ns();
	for (int i = 0; i < PAIRS; i++) {
		void *p = alloc_page();
		if (!p)
			panic("bench: alloc_page failed");
		free_page(p);
	}
	return monotonic_ns() - t0;
}

/* Print name: ns per operation of timed (ops operations a call), RUNS calls after a warm-up. */
static void per_op_figure(const char *name, uint64_t (*timed)(void), unsigned long ops)
{
	struct samples s = {0};
	timed();
	for (int r = 0; r < RUNS; r++)
		samples_add(&s, (unsigned long)(timed() / ops));
	samples_print(name, &s, "ns");
}

void bench_page_alloc_free(void) { per_op_figure("page_alloc_free", time_pairs, PAIRS); }

static uint64_t random_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next_random(void)
{
	random_state ^= random_state << 13;
	random_state ^= random_state >> 7;
	random_state ^= random_state << 17;
	return random_state;
}

/* MIXED_OPS random operations: a full slot is freed, an empty one gets a random order. */
static uint64_t time_mixed(void)
{
	static void *slot[MIXED_SLOTS];
	static unsigned order[MIXED_SLOTS];
	uint64_t t0 = monotonic_ns();
	for (int i = 0; i < MIXED_OPS; i++) {
		uint64_t r = next_random();
		unsigned k = (unsigned)(r % MIXED_SLOTS);
		if (slot[k]) {
			free_pages(slot[k], order[k]);
			slot[k] = NULL;
			continue;
		}
		order[k] = (unsigned)((r >> 32) % (MIXED_MAX_ORDER + 1));
		if (!(slot[k] = alloc_pages(order[k])))
			panic("bench: alloc_pages(%u) failed", order[k]);
	}
	uint64_t ns = monotonic_ns() - t0;
	for (unsigned k = 0; k < MIXED_SLOTS; k++)
		if (slot[k]) {
			free_pages(slot[k], order[k]);
			slot[k] = NULL;
		}
	return ns;
}

void bench_page_alloc_mixed(void) { per_op_figure("page_alloc_mixed", time_mixed, MIXED_OPS); }
