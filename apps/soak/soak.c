/*
 * The soak guest (make soak, and a short run in make check): an application
 * that keeps checksummed memory while the host moves its target around.
 *
 * It holds chunks of 1 to 16 pages. Every word of a chunk is derived from
 * the word's address and the chunk's generation, so a frame the kernel gave
 * back to Xen while in use, mapped twice or lost in a grow or shrink shows up
 * as a wrong word. Every 20 ms tick it walks towards a goal for how much to
 * hold (a new random goal every 1 to 5 s, up to hold_mib; allocations past
 * what the target gives grow the guest on shortage), frees and allocates a
 * few chunks at random and rewrites one with a new generation. Every pass
 * (pass_ms) it re-verifies every held word, runs the memory invariant checker
 * and writes one line to data/soak:
 *
 *   passes=N checksum_errors=N check_failures=N held_kib=N frames=N
 *   xen_frames=N alloc_failures=N
 *
 * frames is what the guest counts as populated, xen_frames what Xen says it
 * holds (XENMEM_current_reservation). Options (xl's `extra`):
 *   hold_mib=M   the most it aims to hold (default 48)
 *   seed=S       its random choices (default 1)
 *   pass_ms=P    time between verifying passes (default 500)
 */
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/mem_check.h>
#include <tide/page_alloc.h>
#include <tide/platform.h>
#include <tide/sched.h>
#include <tide/xenstore.h>

#define MS 1000000ULL
#define MAX_CHUNKS 16384
#define MAX_ORDER_HELD 4
#define WORDS_PER_PAGE (PAGE_SIZE / sizeof(uint64_t))

struct chunk {
	uint64_t *words;
	uint32_t generation;
	uint8_t order;
};

static struct chunk held[MAX_CHUNKS];
static unsigned long nr_held, held_pages;
static unsigned long passes, checksum_errors, check_failures, alloc_failures;
static uint64_t rng_state;

static uint64_t next_random(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned long random_below(unsigned long n) { return n ? next_random() % n : 0; }

/* What the word at addr holds in generation gen. */
static uint64_t word_value(const uint64_t *addr, uint32_t gen)
{
	uint64_t x = (uint64_t)(uintptr_t)addr ^ ((uint64_t)gen << 40);
	x *= 0x9e3779b97f4a7c15ULL;
	return x ^ (x >> 29);
}

static unsigned long chunk_words(const struct chunk *c) { return WORDS_PER_PAGE << c->order; }

static void fill(struct chunk *c)
{
	for (unsigned long i = 0; i < chunk_words(c); i++)
		c->words[i] = word_value(&c->words[i], c->generation);
}

/* Wrong words in c; the first of a chunk is logged (rare: it is a bug). */
static unsigned long verify(const struct chunk *c)
{
	unsigned long bad = 0;
	for (unsigned long i = 0; i < chunk_words(c); i++) {
		if (c->words[i] == word_value(&c->words[i], c->generation))
			continue;
		if (!bad)
			printk("soak: checksum error at %p (chunk %p, order %u, generation %u): %lx\n",
			       (void *)&c->words[i], (void *)c->words, c->order, c->generation,
			       (unsigned long)c->words[i]);
		bad++;
	}
	return bad;
}

static bool take_chunk(void)
{
	unsigned order = next_random() % 4 ? 0 : (unsigned)(1 + random_below(MAX_ORDER_HELD));
	if (nr_held == MAX_CHUNKS)
		return false;
	uint64_t *p = alloc_pages(order);
	if (!p) {
		alloc_failures++;
		return false;
	}
	struct chunk *c = &held[nr_held++];
	*c = (struct chunk){.words = p, .generation = (uint32_t)next_random(), .order = (uint8_t)order};
	fill(c);
	held_pages += 1UL << order;
	return true;
}

static void drop_chunk(unsigned long i)
{
	checksum_errors += verify(&held[i]);
	free_pages(held[i].words, held[i].order);
	held_pages -= 1UL << held[i].order;
	held[i] = held[--nr_held];
}

/* One tick: towards the goal, some churn, one rewrite. */
static void tick(unsigned long goal_pages)
{
	for (int n = 0; n < 64 && held_pages < goal_pages; n++)
		if (!take_chunk())
			break;
	for (int n = 0; n < 64 && held_pages > goal_pages; n++)
		drop_chunk(random_below(nr_held));
	for (int n = 0; n < 4 && nr_held; n++) {
		drop_chunk(random_below(nr_held));
		take_chunk();
	}
	if (nr_held) {
		struct chunk *c = &held[random_below(nr_held)];
		checksum_errors += verify(c);
		c->generation++;
		fill(c);
	}
}

static void report(void)
{
	char line[256];
	long xen = platform_reservation_pages();
	snprintf(line, sizeof(line),
		 "passes=%lu checksum_errors=%lu check_failures=%lu held_kib=%lu frames=%lu xen_frames=%ld "
		 "alloc_failures=%lu",
		 passes, checksum_errors, check_failures, PAGES_TO_KIB(held_pages), frames_populated(), xen,
		 alloc_failures);
	int rc = xs_write("data/soak", line);
	if (rc)
		printk("soak: cannot write data/soak (error %d)\n", rc);
}

static void verify_pass(void)
{
	for (unsigned long i = 0; i < nr_held; i++)
		checksum_errors += verify(&held[i]);
	if (mem_check()) {
		check_failures++;
		printk("soak: memory invariant check failed after pass %lu\n", passes);
	}
	passes++;
	report();
}

int app_main(void)
{
	unsigned long hold_pages = MIB_TO_PAGES(cmdline_ulong("hold_mib", 48));
	unsigned long pass_ns = cmdline_ulong("pass_ms", 500) * MS;
	rng_state = cmdline_ulong("seed", 1) * 0x9e3779b97f4a7c15ULL | 1;
	uint64_t now = monotonic_ns(), next_goal = now, next_pass = now + pass_ns;
	unsigned long goal = 0;
	printk("soak: holding up to %lu MiB of checksummed pages\n", PAGES_TO_MIB(hold_pages));
	for (;;) {
		now = monotonic_ns();
		if (now >= next_goal) {
			goal = random_below(hold_pages + 1);
			next_goal = now + (1000 + random_below(4000)) * MS;
		}
		tick(goal);
		if (now >= next_pass) {
			verify_pass();
			next_pass = now + pass_ns;
		}
		sleep_until_ns(now + 20 * MS);
	}
}
