/*
 * Shrinking a failing list of words, and the files --replay reads.
 *
 * Shrinking drops a chunk of words and keeps the shorter list when it still
 * fails (any failure: a violation, a crash or a hang), trying every chunk of
 * one size, then halving the size: ddmin's complement step. Words mean the
 * same wherever they sit (fuzz.h), so any sublist is a valid run. Lists of up
 * to FULL_CHECK_MAX words are checked fully after every operation, so that a
 * failure found by a late full check can shrink to the operation that broke
 * things.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tide/types.h>

#include "parent.h"

#define FULL_CHECK_MAX 4096

static bool fails(uint64_t epoch_seed, const uint64_t *list, unsigned long n, unsigned long check_every)
{
	unsigned long every = n <= FULL_CHECK_MAX ? 1 : check_every;
	return child_run(epoch_seed, list, n, every, 0, true).failed;
}

/* One pass over list in chunks of size k: drop each chunk that can go. Returns the new length. */
static unsigned long drop_chunks(uint64_t epoch_seed, uint64_t *list, unsigned long n, unsigned long k,
				 unsigned long check_every, uint64_t deadline_ns, uint64_t *scratch)
{
	for (unsigned long at = 0; at < n && wall_ns() < deadline_ns;) {
		unsigned long cut = MIN(k, n - at);
		memcpy(scratch, list, at * sizeof(*list));
		memcpy(scratch + at, list + at + cut, (n - at - cut) * sizeof(*list));
		if (fails(epoch_seed, scratch, n - cut, check_every)) {
			memcpy(list, scratch, (n - cut) * sizeof(*list));
			n -= cut;
		} else {
			at += cut;
		}
	}
	return n;
}

unsigned long shrink(uint64_t epoch_seed, uint64_t *list, unsigned long n, unsigned long check_every,
		     uint64_t deadline_ns)
{
	uint64_t *scratch = malloc(MAX(n, 1UL) * sizeof(*list));
	if (!scratch)
		return n;
	for (unsigned long k = MAX(n / 2, 1UL); k > 0 && wall_ns() < deadline_ns;) {
		unsigned long before = n;
		n = drop_chunks(epoch_seed, list, n, k, check_every, deadline_ns, scratch);
		if (n == before)
			k /= 2;
		else
			k = MIN(k, MAX(n / 2, 1UL));
	}
	free(scratch);
	return n;
}

void ops_print(const uint64_t *list, unsigned long n, unsigned long max)
{
	char line[128];
	for (unsigned long i = 0; i < n && i < max; i++) {
		ops_describe(list[i], line, sizeof(line));
		printf("    %4lu  0x%016" PRIx64 "  %s\n", i, list[i], line);
	}
	if (n > max)
		printf("    ... %lu more\n", n - max);
}

int ops_file_write(const char *path, uint64_t epoch_seed, const uint64_t *list, unsigned long n)
{
	char line[128];
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "# build/fuzz-core --replay %s: %lu operations\nepoch-seed 0x%016" PRIx64 "\n", path, n,
		epoch_seed);
	for (unsigned long i = 0; i < n; i++) {
		ops_describe(list[i], line, sizeof(line));
		fprintf(f, "0x%016" PRIx64 "  # %s\n", list[i], line);
	}
	return fclose(f) ? -1 : 0;
}

long ops_file_read(const char *path, uint64_t *epoch_seed, uint64_t **list)
{
	char line[256];
	unsigned long n = 0, cap = 1024;
	bool seeded = false;
	FILE *f = fopen(path, "r");
	*list = malloc(cap * sizeof(**list));
	if (!f || !*list)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		uint64_t w;
		if (sscanf(line, "epoch-seed %" SCNx64, epoch_seed) == 1) {
			seeded = true;
		} else if (sscanf(line, "%" SCNx64, &w) == 1 && line[0] == '0') {
			if (n == cap && !(*list = realloc(*list, (cap *= 2) * sizeof(**list))))
				return -1;
			(*list)[n++] = w;
		}
	}
	fclose(f);
	return seeded ? (long)n : -1;
}
