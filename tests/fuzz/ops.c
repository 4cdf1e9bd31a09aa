/*
 * The operations. A word's low byte picks one of them (by weight: out of
 * 256), its second byte the faults injected meanwhile (faults.c), and the
 * word seeds every other choice. Each operation is done to the core and,
 * where it changes what the application holds, to the model; the checks run
 * after each one (checks.c), and mem_check() with every pattern at intervals
 * (run.c).
 */
#include <stdio.h>
#include <limits.h>

#include <tide/balloon_worker.h>
#include <tide/floor.h>
#include <tide/heap.h>
#include <tide/kernel.h>
#include <tide/metapool.h>
#include <tide/mem_check.h>
#include <tide/buddy.h>
#include <tide/platform.h>

#include "../unit/host_platform.h"
#include "checks.h"
#include "fuzz.h"
#include "model.h"

#define SECOND 1000000000ULL

static unsigned long working_set = 64; /* slots in play: [0, working_set) */
static const struct fuzz_config *config;

/* Slot numbers in play, and the order of a new page chunk: small orders more often, every one 0-9. */
static unsigned slot(struct rng *r) { return (unsigned)rng_below(r, working_set); }

static unsigned chunk_order(struct rng *r)
{
	static const uint8_t weight[PAGE_MAX_ORDER + 1] = {40, 15, 10, 8, 7, 6, 5, 4, 3, 2};
	unsigned long x = rng_below(r, 100);
	unsigned o = 0;
	while (x >= weight[o]) {
		x -= weight[o];
		o++;
	}
	return o;
}

/* True when alloc_pages(order) must succeed: a free chunk that fits is listed and the reserve wants nothing. */
static bool chunk_at_hand(unsigned order)
{
	if (metapool_frames() < METAPOOL_FRAMES)
		return false;
	if (order == 0)
		return nr_free_pages() > 0;
	for (unsigned o = order; o <= PAGE_MAX_ORDER; o++)
		if (buddy_chunks(o))
			return true;
	return false;
}

/* Free the page chunk in slot s, or allocate one there. */
static void op_page(struct rng *r)
{
	unsigned s = slot(r), order;
	if (model_page_held(s)) {
		void *va = model_page_take(s, &order);
		free_pages(va, order);
		fuzz_progress->cov.frees++;
		return;
	}
	order = chunk_order(r);
	bool must = chunk_at_hand(order);
	void *va = alloc_pages(order);
	fuzz_progress->cov.allocs++;
	if (va) {
		model_page_add(s, va, order);
		return;
	}
	fuzz_progress->cov.alloc_failures++;
	EXPECT(!must, "alloc_pages(%u) returned NULL with a free chunk of that order at hand", order);
}

/* A heap request: 1 B to 2 MiB spread over the powers of two, and the edges of the classes. */
static size_t heap_size(struct rng *r)
{
	static const size_t edges[] = {HEAP_MAX_SMALL, HEAP_MAX_SMALL + 1, PAGE_SIZE - HEAP_HEADER_BYTES,
				       PAGE_SIZE - HEAP_HEADER_BYTES + 1, HEAP_MAX_BYTES, HEAP_MAX_BYTES + 1,
				       BLOCK_BYTES};
	unsigned bits = (unsigned)rng_below(r, 22);
	if (bits == 21)
		return edges[rng_below(r, ARRAY_SIZE(edges))];
	return (1UL << bits) | rng_below(r, 1UL << bits);
}

/* Free the heap object in slot s, or allocate one there (an eighth of them with heap_calloc). */
static void op_heap(struct rng *r)
{
	unsigned s = slot(r);
	if (model_heap_held(s)) {
		heap_free(model_heap_take(s));
		fuzz_progress->cov.heap_frees++;
		return;
	}
	size_t n = heap_size(r);
	bool zeroed = rng_below(r, 8) == 0;
	void *p = zeroed ? heap_calloc(1, n) : heap_alloc(n);
	fuzz_progress->cov.heap_allocs++;
	if (n > HEAP_MAX_BYTES) {
		EXPECT(!p, "heap_alloc(%zu) beyond HEAP_MAX_BYTES gave %p", n, p);
		return;
	}
	if (p)
		model_heap_add(s, p, n, zeroed);
	else
		fuzz_progress->cov.heap_failures++;
}

static void op_work(struct rng *r)
{
	(void)r;
	checks_balloon_work();
}

/* Time passes: within a backoff, or past the longest one. */
static void op_time(struct rng *r)
{
	host_advance_ns(rng_below(r, 2) ? rng_below(r, 1500) * 1000000ULL : rng_below(r, 40) * SECOND);
}

static unsigned long floor_now(void)
{
	return tide_floor_pages(frames_in_state(FRAME_USED) + frames_in_state(FRAME_RESERVED));
}

/* A new target: up, down, odd, below the floor, 0, beyond the pfn space, the same, anything. */
static void op_target(struct rng *r)
{
	unsigned long held = MAX(frames_populated(), 1UL), space = config->space_blocks * BLOCK_PAGES, t;
	switch (rng_below(r, 8)) {
	case 0: t = held + (1 + rng_below(r, 16)) * BLOCK_PAGES; break;
	case 1: t = held - MIN(held - 1, (1 + rng_below(r, 16)) * BLOCK_PAGES); break;
	case 2: t = held + rng_below(r, 2001) - MIN(held - 1, 1000UL); break;
	case 3: t = floor_now() - MIN(floor_now() - 1, 1 + rng_below(r, floor_now())); break;
	case 4: t = 0; break;
	case 5: t = space + 1 + rng_below(r, 1000); break;
	case 6: t = held; break;
	default: t = 1 + rng_below(r, space); break;
	}
	balloon_set_target(t);
	checks_target_set(t);
}

/* The allocator's shortage hook, called directly: 0 means it made memory available. */
static void op_shortage(struct rng *r)
{
	unsigned long before = frames_populated();
	bool contiguous = rng_below(r, 2);
	int rc = balloon_on_shortage(contiguous ? 1UL << rng_below(r, PAGE_MAX_ORDER + 1) : 1 + rng_below(r, 4096),
				     contiguous);
	EXPECT(rc != 0 || frames_populated() > before, "balloon_on_shortage() said 0 but grew nothing");
}

/* balloon_shrink(): it returns exactly what went back to the hypervisor. */
static void op_shrink(struct rng *r)
{
	unsigned long before = frames_populated(), want = 1 + rng_below(r, 4 * BLOCK_PAGES);
	long got = balloon_shrink(want);
	unsigned long gone = before - frames_populated();
	EXPECT(got > 0 ? gone == (unsigned long)got && gone <= want : gone == 0,
	       "balloon_shrink(%lu) returned %ld, the hypervisor took back %lu", want, got, gone);
}

/* Xen's limit moves: none, above, below or at what the guest holds, anywhere in its space. */
static void op_max(struct rng *r)
{
	unsigned long held = frames_populated();
	switch (rng_below(r, 8)) {
	case 0: case 1: case 2: host_set_max_pages(LONG_MAX); break;
	case 3: host_set_max_pages((long)(held + rng_below(r, 16 * BLOCK_PAGES))); break;
	case 4: host_set_max_pages((long)(held - MIN(held, rng_below(r, 8 * BLOCK_PAGES)))); break;
	case 5: host_set_max_pages((long)held); break;
	default: host_set_max_pages((long)rng_below(r, config->space_blocks * BLOCK_PAGES)); break;
	}
}

/* The host's free memory: plenty, none, less than a block, a few blocks, many. */
static void op_host_free(struct rng *r)
{
	switch (rng_below(r, 8)) {
	case 0: case 1: case 2: case 3: host_set_hypervisor_free(LONG_MAX); break;
	case 4: host_set_hypervisor_free(0); break;
	case 5: host_set_hypervisor_free((long)rng_below(r, 700)); break;
	case 6: host_set_hypervisor_free((long)rng_below(r, 8 * BLOCK_PAGES)); break;
	default: host_set_hypervisor_free((long)rng_below(r, 64 * BLOCK_PAGES)); break;
	}
}

static void op_working_set(struct rng *r)
{
	static const unsigned long sizes[] = {4, 16, 64, 256, 1024, MODEL_PAGE_SLOTS};
	working_set = sizes[rng_below(r, ARRAY_SIZE(sizes))];
}

/* The application gives everything back: then blocks can drain and be unplugged. */
static void op_free_all(struct rng *r)
{
	(void)r;
	for (unsigned s = 0; s < MODEL_PAGE_SLOTS; s++) {
		if (!model_page_held(s))
			continue;
		unsigned order;
		void *va = model_page_take(s, &order);
		free_pages(va, order);
	}
	for (unsigned s = 0; s < MODEL_HEAP_SLOTS; s++)
		if (model_heap_held(s))
			heap_free(model_heap_take(s));
}

/* The platform's use of the metadata reserve: take a frame for a shared table, give one back, refill. */
static void op_meta(struct rng *r)
{
	pfn_t p;
	unsigned long what = rng_below(r, 4);
	if (what == 0) {
		metapool_refill();
	} else if (what == 1 && model_meta_count() > 0) {
		metapool_put(model_meta_take());
	} else if (model_meta_count() < MODEL_META_SLOTS && metapool_take(RESERVED_PAGETABLE, &p) == 0) {
		EXPECT(frame_state(p) == FRAME_RESERVED && frame_aux(p) == RESERVED_PAGETABLE,
		       "metapool_take() gave frame %lx, %s", p.n, frame_state_name(frame_state(p)));
		model_meta_add(p);
	}
}

/*
 * The balloon's worker runs for a while of simulated time under the word's
 * faults: it stops IDLE or CANCELLED, or at the deadline, and sleeps through
 * backoffs rather than spinning (the clock only moves when it sleeps).
 */
static void op_balloon_run(struct rng *r)
{
	uint64_t start = monotonic_ns(), deadline = start + rng_below(r, 120) * SECOND;
	enum balloon_state s = balloon_settle(deadline);
	uint64_t now = monotonic_ns();
	EXPECT(s == balloon_state(), "balloon_settle() returned %s in state %s", balloon_state_name(s),
	       balloon_state_name(balloon_state()));
	EXPECT(now <= deadline && (s == BALLOON_IDLE || s == BALLOON_CANCELLED || now == deadline),
	       "balloon_settle() for %lu ms stopped %s after %lu ms", (unsigned long)((deadline - start) / 1000000),
	       balloon_state_name(s), (unsigned long)((now - start) / 1000000));
}

static void op_settle(struct rng *r)
{
	(void)r;
	checks_settle();
	fuzz_progress->cov.settles++;
}

static const struct {
	uint8_t weight; /* out of 256 */
	const char *name;
	void (*run)(struct rng *r);
} ops[] = {
	{88, "page", op_page},	   {72, "heap", op_heap},
	{24, "balloon-work", op_work}, {12, "time", op_time},
	{16, "target", op_target},   {6, "shortage", op_shortage},
	{4, "shrink", op_shrink},	   {6, "xen-max", op_max},
	{5, "host-free", op_host_free}, {4, "working-set", op_working_set},
	{2, "free-all", op_free_all}, {5, "meta-reserve", op_meta},
	{8, "settle", op_settle},    {4, "balloon-run", op_balloon_run},
};

static unsigned op_index(uint64_t word)
{
	unsigned x = word & 0xff, i = 0;
	while (x >= ops[i].weight) {
		x -= ops[i].weight;
		i++;
	}
	return i;
}

void ops_run(uint64_t word)
{
	struct rng r = {word};
	unsigned i = op_index(word);
	bool settle = ops[i].run == op_settle;
	if (!settle)
		faults_begin(word); /* a settle is checked with no faults */
	ops[i].run(&r);
	faults_end();
	checks_after_op();
}

void ops_describe(uint64_t word, char *buf, size_t size)
{
	unsigned i = op_index(word);
	snprintf(buf, size, "%-12s faults: %s", ops[i].name, ops[i].run == op_settle ? "none" : faults_name(word));
}

void ops_boot(const struct fuzz_config *c)
{
	unsigned weights = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(ops); i++)
		weights += ops[i].weight;
	EXPECT(weights == 256, "the operations' weights add up to %u, not 256", weights);
	config = c;
	host_reset(c->space_blocks);
	host_set_meta_move_hook(model_meta_moved);
	host_log_quiet(true);
	for (unsigned long b = 0; b < c->space_blocks; b++)
		if (c->hole_block && b == c->hole_block)
			block_set_state(b, BLOCK_HOLE, 0);
		else if (b < c->boot_blocks)
			host_online_block(b);
	metapool_refill();
	balloon_init();
	model_reset();
	working_set = 64;
	checks_reset(c->space_blocks * BLOCK_PAGES, c->hole_block ? BLOCK_PAGES : 0);
	ops_check_all();
}

void ops_check_all(void)
{
	EXPECT(mem_check() == 0, "mem_check() failed");
	checks_full();
	model_check_all();
	fuzz_progress->cov.full_checks++;
}
