/*
 * bench-stepclock: how long a guest takes to follow a new memory/target,
 * timed in dom0 with nothing of the toolstack in between, for make bench's
 * side-by-side figures (tests/domu/bench_memset.sh: Tide's and Linux's
 * guests alike).
 *
 *   bench-stepclock DOMID MIB
 *
 * Writes MIB (in KiB) as the guest's memory/target, then reads what Xen
 * says it holds (tot_pages, libxenctrl) in a loop with no sleep until it is
 * within 1 MiB of MIB, for up to 60 s, and prints one line:
 *
 *   STEP from_mib=F to_mib=T first_ms=A done_ms=B
 *
 * first_ms: from the write until Xen's count first moved (xenstore's watch
 * reached the guest and it acted); done_ms: until the count was there.
 * Xen's maximum for the guest must already allow MIB (xl mem-max): this
 * changes nothing else. Exit status 0; 1 when xenstore or Xen cannot be
 * read or written, the domain is gone, or it never got there; 2 for a bad
 * command line. It uses tided's thin wrappers over libxenstore and
 * libxenctrl (xs_io.h, xc_io.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../xc_io.h"
#include "../xs_io.h"

#define MIB_KIB 1024ULL
#define GIVE_UP_MS 60000
#define MAX_DOMAINS 1024

static struct xcio_dom doms[MAX_DOMAINS];

static uint64_t now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

/* What Xen says DOMID holds, in KiB: 0, or -1 if Xen cannot be read or the domain is gone. */
static int held_kib(struct xcio *xc, uint32_t domid, uint64_t *kib)
{
	int n = xcio_domains(xc, doms, MAX_DOMAINS);
	for (int i = 0; i < n; i++)
		if (doms[i].domid == domid && !doms[i].dying) {
			*kib = doms[i].tot_kib;
			return 0;
		}
	return -1;
}

static int parse_arg(const char *s, uint64_t max, uint64_t *v)
{
	int64_t x;
	if (parse_i64(s, &x) || x < 0 || (uint64_t)x > max)
		return -1;
	*v = (uint64_t)x;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t domid, mib, start, held;
	char err[256], path[64];
	if (argc != 3 || parse_arg(argv[1], UINT32_MAX, &domid) || parse_arg(argv[2], 1ULL << 30, &mib) || mib == 0) {
		fprintf(stderr, "usage: bench-stepclock DOMID MIB\n");
		return 2;
	}
	struct xs_handle *xs = xsio_open(err, sizeof(err));
	struct xcio *xc = xs ? xcio_open(err, sizeof(err)) : NULL;
	if (!xc) {
		fprintf(stderr, "bench-stepclock: %s\n", err);
		return 1;
	}
	if (held_kib(xc, (uint32_t)domid, &start)) {
		fprintf(stderr, "bench-stepclock: no domain %llu\n", (unsigned long long)domid);
		return 1;
	}
	snprintf(path, sizeof(path), "/local/domain/%llu/memory/target", (unsigned long long)domid);
	uint64_t t0 = now_us(), first = 0, want = mib * MIB_KIB;
	if (xsio_write_u64(xs, path, want)) {
		fprintf(stderr, "bench-stepclock: cannot write %s\n", path);
		return 1;
	}
	for (uint64_t t = t0; t - t0 < GIVE_UP_MS * 1000ULL; t = now_us()) {
		if (held_kib(xc, (uint32_t)domid, &held)) {
			fprintf(stderr, "bench-stepclock: domain %llu is gone\n", (unsigned long long)domid);
			return 1;
		}
		if (!first && held != start)
			first = now_us();
		if (held + MIB_KIB > want && held < want + MIB_KIB) {
			printf("STEP from_mib=%llu to_mib=%llu first_ms=%.1f done_ms=%.1f\n",
			       (unsigned long long)(start / MIB_KIB), (unsigned long long)mib,
			       (double)((first ? first : now_us()) - t0) / 1000, (double)(now_us() - t0) / 1000);
			return 0;
		}
	}
	fprintf(stderr, "bench-stepclock: domain %llu holds %llu MiB %d s after its target became %llu MiB\n",
		(unsigned long long)domid, (unsigned long long)(held / MIB_KIB), GIVE_UP_MS / 1000,
		(unsigned long long)mib);
	return 1;
}
