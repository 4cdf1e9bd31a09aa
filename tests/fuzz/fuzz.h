/*
 * Differential fuzzing of the memory core (see README.md, "Fuzzing").
 *
 * A stream of 64-bit operation words drives the real core (kernel/mem over
 * tests/unit/host_platform.c) and a reference model side by side. A word
 * says what to do (its low byte), which faults the simulated hypervisor
 * injects meanwhile (its second byte), and seeds every other choice, so an
 * operation means the same thing wherever it sits in a list: a failing list
 * can be shrunk by dropping words.
 *
 * The words of a run come from a seed: epoch e of run seed R has the seed
 * fuzz_epoch_seed(R, e), which also picks the machine (fuzz_config), and its
 * word i is fuzz_word(epoch seed, i). Every epoch runs in its own process,
 * forked from a parent that never touches the core, so the core's static
 * state starts fresh each time and a crash is reported, not suffered.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GOLDEN 0x9e3779b97f4a7c15ULL

/* splitmix64's finaliser: a good 64-bit mix of x. */
static inline uint64_t mix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static inline uint64_t fuzz_epoch_seed(uint64_t run_seed, unsigned long epoch)
{
	return mix64(run_seed ^ mix64(epoch + 1));
}

static inline uint64_t fuzz_word(uint64_t epoch_seed, unsigned long i) { return mix64(epoch_seed + (i + 1) * GOLDEN); }

/* A small generator (splitmix64) for the choices inside one operation. */
struct rng {
	uint64_t s;
};
static inline uint64_t rng_next(struct rng *r) { return mix64(r->s += GOLDEN); }
/* A number in [0, n); 0 when n is 0. */
static inline unsigned long rng_below(struct rng *r, unsigned long n) { return n ? rng_next(r) % n : 0; }

/* The largest pfn space an epoch boots (host_platform.c's address space). */
#define FUZZ_MAX_BLOCKS 64UL

/* The machine an epoch boots: pfn space, boot blocks, one memory-map hole or none (0). */
struct fuzz_config {
	unsigned long space_blocks, boot_blocks, hole_block;
};
void fuzz_config_from_seed(uint64_t epoch_seed, struct fuzz_config *c);

/* What the child shares with its parent: where it is, and what it exercised. */
struct fuzz_coverage {
	unsigned long allocs, alloc_failures, frees, heap_allocs, heap_failures, heap_frees;
	unsigned long settles, faults_injected, full_checks;
	/* from the balloon's own statistics at the end of each run */
	unsigned long blocks_plugged, blocks_unplugged, refusals, shortage_grown, meta_moved;
};
struct fuzz_progress {
	volatile unsigned long op;   /* index of the operation under way */
	volatile unsigned long done; /* operations finished and checked */
	struct fuzz_coverage cov;
};
extern struct fuzz_progress *fuzz_progress;

/* Print what went wrong (and the core's last log lines), then end this process with status 1. */
_Noreturn void fuzz_violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define EXPECT(cond, ...)                                                       \
	do {                                                                    \
		if (!(cond))                                                    \
			fuzz_violation(__VA_ARGS__);                            \
	} while (0)

/* ops.c: boot the core on config c with the model empty; run one word; check everything. */
void ops_boot(const struct fuzz_config *c);
void ops_run(uint64_t word);
void ops_check_all(void);
/* A one-line description of word (the choices that depend on the state are named, not made). */
void ops_describe(uint64_t word, char *buf, size_t size);

/* faults.c: the faults a word asks for, active from faults_begin() to faults_end(). */
void faults_begin(uint64_t word);
void faults_end(void);
const char *faults_name(uint64_t word);

/*
 * run.c, in a child: boot the machine of epoch_seed, run words [0, n) of the
 * seed's stream (or of list, when given), check fully every check_every
 * operations and at the end; stop early once CLOCK_MONOTONIC passes
 * deadline_ns (0: no deadline). Returns when every check passed.
 */
void run_words(uint64_t epoch_seed, const uint64_t *list, unsigned long n, unsigned long check_every,
	       uint64_t deadline_ns);
/* CLOCK_MONOTONIC, in ns. */
uint64_t wall_ns(void);

#endif
