/*
 * bench-sampler: what tided makes of bursting guests, measured from dom0 for
 * tided's benchmark (tests/domu/bench_fluid.sh, run by tools/bench fluid).
 *
 *   bench-sampler -l LABEL -s SECONDS [-t SETTLE] -r RESERVE_MIB [-o CSV] GUEST...
 *
 * For SECONDS (the run proper), and SETTLE seconds more (default 0: only to
 * time how soon the memory of a freeing near the run's end comes back;
 * figures.c), it samples every 100 ms, on a fixed grid from its start: Xen's
 * free memory (xc_physinfo), what Xen says each guest holds (tot_pages, from
 * xc_domain_getinfolist) and what the guest says it uses (data/meminfo_total
 * - data/meminfo_free). Between samples it waits in poll() on xenstore's
 * watch fd, so that the guests' data/bench/burst and data/bench/freed
 * (apps/guest/burst.h) are timed by dom0's monotonic clock as they come, not
 * at the next sample. Events already there when it starts are not counted;
 * one event per sequence number. At the end it prints the BENCH lines of
 * figures.c, each name ending in ".LABEL", and with -o writes the samples as
 * CSV (t_ms,free_kib, then held_kib and used_kib of each guest; used empty
 * before a report). It uses tided's thin wrappers over libxenstore and
 * libxenctrl (xs_io.h, xc_io.h) and changes nothing.
 *
 * Exit status: 0; 1 when xenstore or Xen cannot be read, or a guest is gone
 * (destroyed, crashed or shut down) before the end; 2 for a bad command line
 * or a guest name no domain has.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../xc_io.h"
#include "../xs_io.h"
#include "record.h"

#define SAMPLE_MS 100
#define MAX_SECONDS 3600
#define MAX_DOMAINS 1024
#define EVENTS_PER_WAKE 256 /* watch events handled before the next sample is looked at */
#define PATH_LEN 128

struct sampler {
	struct xs_handle *xs;
	struct xcio *xc;
	unsigned n;
	const char *name[RECORD_MAX_GUESTS];
	unsigned domid[RECORD_MAX_GUESTS];
	unsigned long long burst_seq[RECORD_MAX_GUESTS], freed_seq[RECORD_MAX_GUESTS]; /* the last counted */
	uint64_t t0;
	struct record rec;
};

static struct xcio_dom doms[MAX_DOMAINS];

static void fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void fail(int status, const char *fmt, ...)
{
	va_list ap;
	fputs("bench-sampler: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static uint64_t clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Parse exactly n whitespace-separated unsigned decimals from text: true, or false if it is not that. */
static bool parse_fields(const char *text, unsigned long long *v, unsigned n)
{
	const char *p = text;
	for (unsigned i = 0; i < n; i++) {
		char *end;
		while (*p == ' ')
			p++;
		if (*p < '0' || *p > '9')
			return false;
		errno = 0;
		v[i] = strtoull(p, &end, 10);
		if (errno)
			return false;
		p = end;
	}
	return *p == '\0';
}

/* The domid of the domain called name, from xenstore's /local/domain/ID/name: 0, or -1. */
static int find_domid(struct xs_handle *xs, const char *name, unsigned *domid)
{
	unsigned n;
	int found = -1;
	char **ids = xsio_list(xs, "/local/domain", &n);
	for (unsigned i = 0; ids && i < n && found < 0; i++) {
		char path[PATH_LEN], value[64];
		snprintf(path, sizeof(path), "/local/domain/%s/name", ids[i]);
		if (!xsio_read(xs, path, value, sizeof(value)) && !strcmp(value, name)) {
			*domid = (unsigned)strtoul(ids[i], NULL, 10);
			found = 0;
		}
	}
	free(ids);
	return found;
}

/* Read guest g's data/bench/NODE and parse its n fields: true when it holds a new sequence number. */
static bool read_event(struct sampler *s, unsigned g, const char *node, unsigned long long *v, unsigned n,
		       const unsigned long long *last)
{
	char path[PATH_LEN], text[128];
	snprintf(path, sizeof(path), "/local/domain/%u/data/bench/%s", s->domid[g], node);
	if (xsio_read(s->xs, path, text, sizeof(text)) || !parse_fields(text, v, n))
		return false;
	return v[0] > *last;
}

/* Look at guest g's data/bench nodes (a watch fired): record what is new, timed now. */
static void take_events(struct sampler *s, unsigned g, uint64_t t_ms)
{
	unsigned long long v[4];
	struct record *r = &s->rec;
	if (read_event(s, g, "burst", v, 4, &s->burst_seq[g])) {
		s->burst_seq[g] = v[0];
		if (r->n_bursts < RECORD_MAX_EVENTS)
			r->bursts[r->n_bursts++] = (struct burst_event){g, t_ms, v[1], v[2], v[3]};
		else
			r->dropped_events++;
	}
	if (read_event(s, g, "freed", v, 2, &s->freed_seq[g])) {
		s->freed_seq[g] = v[0];
		if (r->n_freed < RECORD_MAX_EVENTS)
			r->freed[r->n_freed++] = (struct freed_event){g, t_ms, v[1]};
		else
			r->dropped_events++;
	}
}

/* What guest g says it uses (data/meminfo_total - data/meminfo_free), or -1 without a report. */
static int64_t used_kib(struct sampler *s, unsigned g)
{
	char path[PATH_LEN];
	int64_t total, free_kib;
	snprintf(path, sizeof(path), "/local/domain/%u/data/meminfo_total", s->domid[g]);
	if (xsio_read_i64(s->xs, path, &total))
		return -1;
	snprintf(path, sizeof(path), "/local/domain/%u/data/meminfo_free", s->domid[g]);
	if (xsio_read_i64(s->xs, path, &free_kib) || free_kib < 0 || free_kib > total)
		return -1;
	return total - free_kib;
}

/* One sample at t_ms into s->rec; exits when Xen cannot be read or a guest is gone. */
static void take_sample(struct sampler *s, uint64_t t_ms)
{
	struct record *r = &s->rec;
	struct sample *x = &r->samples[r->n_samples];
	uint64_t total_kib;
	if (xcio_host(s->xc, &x->free_kib, &total_kib))
		fail(1, "cannot read Xen's free memory (%s)", strerror(errno));
	int n = xcio_domains(s->xc, doms, MAX_DOMAINS);
	if (n < 0)
		fail(1, "cannot list Xen's domains (%s)", strerror(errno));
	for (unsigned g = 0; g < s->n; g++) {
		int i = 0;
		while (i < n && doms[i].domid != s->domid[g])
			i++;
		if (i == n || doms[i].dying)
			fail(1, "guest %s (domain %u) is gone (destroyed, crashed or shut down) %.1f s into the run",
			     s->name[g], s->domid[g], (double)t_ms / 1000);
		x->held_kib[g] = doms[i].tot_kib;
		x->used_kib[g] = used_kib(s, g);
	}
	x->t_ms = t_ms;
	r->n_samples++;
}

/* Wait until deadline_ms (since the start), taking the watch events that come meanwhile. */
static void wait_taking_events(struct sampler *s, uint64_t deadline_ms)
{
	struct pollfd p = {.fd = xsio_fd(s->xs), .events = POLLIN};
	for (uint64_t now = clock_ms() - s->t0; now < deadline_ms; now = clock_ms() - s->t0) {
		int rc = poll(&p, 1, (int)(deadline_ms - now));
		if (rc < 0 && errno != EINTR)
			fail(1, "poll on xenstore's watch fd failed (%s)", strerror(errno));
		for (int i = 0; rc > 0 && i < EVENTS_PER_WAKE; i++) {
			char path[PATH_LEN], token[16];
			int ev = xsio_next_event(s->xs, path, sizeof(path), token, sizeof(token));
			if (ev < 0)
				fail(1, "reading xenstore's watch events failed (%s)", strerror(-ev));
			if (ev == 0)
				break;
			unsigned g = (unsigned)strtoul(token, NULL, 10);
			if (g < s->n)
				take_events(s, g, clock_ms() - s->t0);
		}
	}
}

/* Find the guests, note the events already there (not counted), and watch their data/bench. */
static void start(struct sampler *s)
{
	for (unsigned g = 0; g < s->n; g++) {
		char path[PATH_LEN], token[16];
		unsigned long long v[4];
		if (find_domid(s->xs, s->name[g], &s->domid[g]))
			fail(2, "no domain is called %s", s->name[g]);
		if (read_event(s, g, "burst", v, 4, &s->burst_seq[g]))
			s->burst_seq[g] = v[0];
		if (read_event(s, g, "freed", v, 2, &s->freed_seq[g]))
			s->freed_seq[g] = v[0];
		snprintf(path, sizeof(path), "/local/domain/%u/data/bench", s->domid[g]);
		snprintf(token, sizeof(token), "%u", g);
		int rc = xsio_watch(s->xs, path, token);
		if (rc)
			fail(1, "cannot watch %s (%s)", path, strerror(-rc));
	}
}

/* Sample every SAMPLE_MS for seconds and settle seconds more, taking events in between. */
static void run(struct sampler *s, unsigned seconds, unsigned settle)
{
	uint64_t end_ms = (uint64_t)(seconds + settle) * 1000;
	s->rec.window_ms = (uint64_t)seconds * 1000;
	s->t0 = clock_ms();
	for (uint64_t next = 0; next < end_ms && s->rec.n_samples < s->rec.max_samples;) {
		uint64_t now = clock_ms() - s->t0;
		take_sample(s, now);
		next = (now / SAMPLE_MS + 1) * SAMPLE_MS; /* a late sample skips the grid points it missed */
		wait_taking_events(s, next < end_ms ? next : end_ms);
	}
	s->rec.end_ms = clock_ms() - s->t0;
}

/* The samples as CSV into path: 0, or -1 (errno set). */
static int write_csv(const struct sampler *s, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "t_ms,free_kib");
	for (unsigned g = 0; g < s->n; g++)
		fprintf(f, ",%s_held_kib,%s_used_kib", s->name[g], s->name[g]);
	fputc('\n', f);
	for (size_t i = 0; i < s->rec.n_samples; i++) {
		const struct sample *x = &s->rec.samples[i];
		fprintf(f, "%llu,%llu", (unsigned long long)x->t_ms, (unsigned long long)x->free_kib);
		for (unsigned g = 0; g < s->n; g++) {
			fprintf(f, ",%llu,", (unsigned long long)x->held_kib[g]);
			if (x->used_kib[g] >= 0)
				fprintf(f, "%lld", (long long)x->used_kib[g]);
		}
		fputc('\n', f);
	}
	return fclose(f) ? -1 : 0;
}

static void usage(void)
{
	fail(2, "usage: bench-sampler -l LABEL -s SECONDS [-t SETTLE_SECONDS] -r RESERVE_MIB [-o CSV] GUEST... (at "
		"most %d guests, 1-%d seconds each)", RECORD_MAX_GUESTS, MAX_SECONDS);
}

/* A whole decimal number in [lo, hi] from an option's argument, or usage(). */
static unsigned long number(const char *arg, unsigned long lo, unsigned long hi)
{
	unsigned long long v;
	if (!parse_fields(arg, &v, 1) || v < lo || v > hi)
		usage();
	return (unsigned long)v;
}

int main(int argc, char **argv)
{
	static struct sampler s;
	const char *label = NULL, *csv = NULL;
	unsigned long seconds = 0, settle = 0, reserve_mib = 0;
	char err[256];
	int opt;
	while ((opt = getopt(argc, argv, "l:s:t:r:o:")) != -1) {
		switch (opt) {
		case 'l': label = optarg; break;
		case 's': seconds = number(optarg, 1, MAX_SECONDS); break;
		case 't': settle = number(optarg, 0, MAX_SECONDS); break;
		case 'r': reserve_mib = number(optarg, 0, 1UL << 24); break;
		case 'o': csv = optarg; break;
		default: usage();
		}
	}
	if (!label || !seconds || optind == argc || argc - optind > RECORD_MAX_GUESTS)
		usage();
	s.n = (unsigned)(argc - optind);
	for (unsigned g = 0; g < s.n; g++)
		s.name[g] = s.rec.name[g] = argv[optind + (int)g];
	s.rec.guests = s.n;
	s.rec.reserve_kib = (uint64_t)reserve_mib * 1024;
	s.rec.max_samples = (seconds + settle) * (1000 / SAMPLE_MS) + 1;
	s.rec.samples = calloc(s.rec.max_samples, sizeof(*s.rec.samples));
	if (!s.rec.samples)
		fail(1, "out of memory for %zu samples", s.rec.max_samples);
	if (!(s.xs = xsio_open(err, sizeof(err))) || !(s.xc = xcio_open(err, sizeof(err))))
		fail(1, "%s", err);
	start(&s);
	run(&s, (unsigned)seconds, (unsigned)settle);
	figures_print(&s.rec, label);
	if (csv && write_csv(&s, csv))
		fail(1, "cannot write %s (%s)", csv, strerror(errno));
	xcio_close(s.xc);
	xsio_close(s.xs);
	free(s.rec.samples);
	return 0;
}
