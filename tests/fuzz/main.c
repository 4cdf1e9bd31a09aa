/*
 * build/fuzz-core: differential fuzzing of the memory core (fuzz.h).
 *
 *   build/fuzz-core [--seed S] [--ops N] [--seconds T] [--epoch E] [--epoch-ops K]
 *                   [--check-every C] [--no-shrink] [--shrink-seconds T]
 *   build/fuzz-core --replay FILE [--check-every C]
 *
 * Runs N operations (default 10^6) of run seed S (default 1), in epochs of K
 * (default 10^5) from epoch E (default 0) on, each epoch in a child process
 * on the machine its seed picks, with mem_check() and every pattern checked
 * every C operations (default 64) and at the end of each epoch; stops after
 * T seconds if given. A failure prints the command that replays it, then
 * (the first one only) shrinks it for at most 300 s, writes what is left to
 * out/fuzz/fail-S-E.ops and prints it; it stops after 10. A line a minute
 * says how far it got. Ends with
 *   FUZZ ops N violations M ops_per_s R
 * and a TAP line for tools/run-tests; exits 1 after any violation.
 * --replay runs a file's words, checking fully after every one unless C is given.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <tide/types.h>

#include "parent.h"

#define MAX_VIOLATIONS 10 /* then stop: the rest would mostly repeat them */

struct options {
	uint64_t seed;
	unsigned long ops, seconds, epoch, epoch_ops, check_every, shrink_seconds;
	bool shrink, check_given;
	const char *replay;
};

static unsigned long number(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	if (*s == '\0' || *end != '\0') {
		fprintf(stderr, "fuzz-core: not a number: %s\n", s);
		exit(2);
	}
	return (unsigned long)v;
}

static void parse(int argc, char **argv, struct options *o)
{
	*o = (struct options){.seed = 1, .ops = 1000000, .epoch_ops = 100000, .check_every = 64,
			      .shrink_seconds = 300, .shrink = true};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--no-shrink")) {
			o->shrink = false;
			continue;
		}
		if (!v) {
			fprintf(stderr, "usage: see tests/fuzz/main.c\n");
			exit(2);
		}
		i++;
		if (!strcmp(a, "--replay")) o->replay = v;
		else if (!strcmp(a, "--seed")) o->seed = number(v);
		else if (!strcmp(a, "--ops")) o->ops = number(v);
		else if (!strcmp(a, "--seconds")) o->seconds = number(v);
		else if (!strcmp(a, "--epoch")) o->epoch = number(v);
		else if (!strcmp(a, "--epoch-ops")) o->epoch_ops = MAX(number(v), 1UL);
		else if (!strcmp(a, "--check-every")) o->check_every = MAX(number(v), 1UL), o->check_given = true;
		else if (!strcmp(a, "--shrink-seconds")) o->shrink_seconds = number(v);
		else {
			fprintf(stderr, "fuzz-core: unknown option %s\n", a);
			exit(2);
		}
	}
}

static void print_config(uint64_t epoch_seed)
{
	struct fuzz_config c;
	fuzz_config_from_seed(epoch_seed, &c);
	printf("  machine: %lu blocks of pfn space, %lu at boot, hole: ", c.space_blocks, c.boot_blocks);
	if (c.hole_block)
		printf("block %lu\n", c.hole_block);
	else
		printf("none\n");
}

/* Shrink the failing prefix of epoch e and write it out for --replay. */
static void shrink_and_save(const struct options *o, unsigned long e, unsigned long len)
{
	uint64_t epoch_seed = fuzz_epoch_seed(o->seed, e), *list = malloc(len * sizeof(*list));
	char path[96];
	if (!list)
		return;
	for (unsigned long i = 0; i < len; i++)
		list[i] = fuzz_word(epoch_seed, i);
	printf("  shrinking %lu operations (at most %lu s) ...\n", len, o->shrink_seconds);
	unsigned long n = shrink(epoch_seed, list, len, o->check_every, wall_ns() + o->shrink_seconds * 1000000000ULL);
	mkdir("out", 0777);
	mkdir("out/fuzz", 0777);
	snprintf(path, sizeof(path), "out/fuzz/fail-%" PRIu64 "-%lu.ops", o->seed, e);
	if (ops_file_write(path, epoch_seed, list, n) == 0)
		printf("  shrunk to %lu operations; replay: build/fuzz-core --replay %s\n", n, path);
	ops_print(list, n, 40);
	free(list);
}

static void report(const struct options *o, unsigned long e, const struct outcome *r, bool first)
{
	printf("FUZZ violation in epoch %lu at op %lu%s\n", e, r->failed_at, r->hung ? " (hung: stopped by its watchdog)" : "");
	print_config(fuzz_epoch_seed(o->seed, e));
	printf("  replay: build/fuzz-core --seed %" PRIu64 " --epoch %lu --ops %lu --check-every %lu\n", o->seed, e,
	       r->failed_at + 1, o->check_every);
	if (first && o->shrink)
		shrink_and_save(o, e, r->failed_at + 1);
}

static void add_coverage(struct fuzz_coverage *sum, const struct fuzz_coverage *c)
{
	unsigned long *s = (unsigned long *)sum;
	const unsigned long *a = (const unsigned long *)c;
	for (size_t i = 0; i < sizeof(*c) / sizeof(unsigned long); i++)
		s[i] += a[i];
}

static void print_coverage(const struct fuzz_coverage *c)
{
	printf("# alloc_pages %lu (%lu NULL), free_pages %lu, heap allocs %lu (%lu NULL), heap frees %lu,\n"
	       "# settles %lu, faults injected %lu, full checks %lu,\n"
	       "# blocks plugged %lu, unplugged %lu, balloon refusals %lu, growths on shortage %lu,\n"
	       "# shared metadata frames moved out of blocks to unplug them %lu\n",
	       c->allocs, c->alloc_failures, c->frees, c->heap_allocs, c->heap_failures, c->heap_frees, c->settles,
	       c->faults_injected, c->full_checks, c->blocks_plugged, c->blocks_unplugged, c->refusals,
	       c->shortage_grown, c->meta_moved);
}

static int fuzz(const struct options *o)
{
	uint64_t start = wall_ns(), shown = start, deadline = o->seconds ? start + o->seconds * 1000000000ULL : 0;
	unsigned long total = 0, violations = 0;
	struct fuzz_coverage cov = {0};
	printf("FUZZ seed %" PRIu64 ", %lu ops in epochs of %lu from epoch %lu, mem_check() and patterns every %lu "
	       "ops\n", o->seed, o->ops, o->epoch_ops, o->epoch, o->check_every);
	for (unsigned long e = o->epoch; total < o->ops && (!deadline || wall_ns() < deadline); e++) {
		if (violations == MAX_VIOLATIONS) {
			printf("FUZZ stopping after %d violations\n", MAX_VIOLATIONS);
			break;
		}
		unsigned long n = MIN(o->epoch_ops, o->ops - total);
		struct outcome r = child_run(fuzz_epoch_seed(o->seed, e), NULL, n, o->check_every, deadline, false);
		total += r.done;
		add_coverage(&cov, &r.cov);
		if (r.failed)
			report(o, e, &r, violations++ == 0);
		if (wall_ns() - shown > 60 * 1000000000ULL) {
			shown = wall_ns();
			printf("# %lu ops, %lu violations, %.0f s\n", total, violations, (double)(shown - start) / 1e9);
		}
	}
	double seconds = (double)(wall_ns() - start) / 1e9;
	print_coverage(&cov);
	printf("FUZZ ops %lu violations %lu ops_per_s %.0f\n", total, violations, total / seconds);
	if (violations)
		printf("not ok - unit/fuzz_core # %lu violations; see the replay lines above\n", violations);
	else
		printf("ok - unit/fuzz_core # %lu ops, seed %" PRIu64 ", %.1f s\n", total, o->seed, seconds);
	return violations ? 1 : 0;
}

static int replay(const struct options *o)
{
	uint64_t epoch_seed, *list;
	long n = ops_file_read(o->replay, &epoch_seed, &list);
	if (n < 0) {
		fprintf(stderr, "fuzz-core: cannot read %s\n", o->replay);
		return 2;
	}
	printf("FUZZ replay of %s: %ld operations\n", o->replay, n);
	print_config(epoch_seed);
	ops_print(list, (unsigned long)n, 40);
	struct outcome r = child_run(epoch_seed, list, (unsigned long)n, o->check_given ? o->check_every : 1, 0, false);
	printf("FUZZ ops %lu violations %d ops_per_s 0\n", r.done, r.failed);
	free(list);
	return r.failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct options o;
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse(argc, argv, &o);
	child_init();
	return o.replay ? replay(&o) : fuzz(&o);
}
