/* One run of words in this (child) process; see fuzz.h. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <tide/balloon.h>

#include "../unit/host_platform.h"
#include "fuzz.h"

struct fuzz_progress *fuzz_progress;

uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* 8 to 64 blocks of pfn space, 1 to 8 of them at boot, a hole in one of them in a third of the machines. */
void fuzz_config_from_seed(uint64_t epoch_seed, struct fuzz_config *c)
{
	struct rng r = {epoch_seed ^ 0xc0f19};
	c->space_blocks = 8 + rng_below(&r, FUZZ_MAX_BLOCKS - 7);
	c->boot_blocks = 1 + rng_below(&r, 8);
	c->hole_block = rng_below(&r, 3) ? 0 : 1 + rng_below(&r, c->space_blocks - 1);
}

void fuzz_violation(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("fuzz: violation at op %lu: ", fuzz_progress->op);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\nfuzz: the core's last log lines:\n");
	host_log_print();
	printf("\n");
	fflush(stdout);
	_exit(1);
}

static void record_balloon_stats(void)
{
	const struct balloon_stats *b = balloon_stats();
	fuzz_progress->cov.blocks_plugged = b->blocks_plugged;
	fuzz_progress->cov.blocks_unplugged = b->blocks_unplugged;
	fuzz_progress->cov.meta_moved = b->meta_moved;
	fuzz_progress->cov.refusals = b->refusals;
	fuzz_progress->cov.shortage_grown = b->shortage_grown;
}

void run_words(uint64_t epoch_seed, const uint64_t *list, unsigned long n, unsigned long check_every,
	       uint64_t deadline_ns)
{
	struct fuzz_config c;
	fuzz_config_from_seed(epoch_seed, &c);
	ops_boot(&c);
	for (unsigned long i = 0; i < n; i++) {
		if (deadline_ns && i % 1024 == 0 && wall_ns() >= deadline_ns)
			break;
		fuzz_progress->op = i;
		ops_run(list ? list[i] : fuzz_word(epoch_seed, i));
		if ((i + 1) % check_every == 0)
			ops_check_all();
		fuzz_progress->done = i + 1;
	}
	fuzz_progress->op = fuzz_progress->done;
	ops_check_all();
	record_balloon_stats();
}
