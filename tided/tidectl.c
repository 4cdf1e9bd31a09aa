/*
 * tidectl: look at tided's guests and change their bounds.
 *
 *   tidectl status [-w]                  the table (every second with -w)
 *   tidectl set DOM [min=MiB] [max=MiB]  bounds for a guest (DOM: name or domid)
 *   tidectl unset DOM                    drop what set gave (back to the config file or defaults)
 *
 * Bounds go to xenstore (/tool/tided/bounds/NAME/{min,max}, KiB), where tided
 * reads them every round and finds them again after a restart. What set
 * refuses and what it only warns about is in usage() below.
 * Exit status: 0; 1 if xenstore or Xen cannot be reached; 2 for bad usage or
 * a refused bound; 3 from status when tided is not running (or is stuck):
 * the table is then stale.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "gather.h"
#include "xc_io.h"
#include "xs_io.h"

#define MIB 1024ULL
#define STALE_MS 3000 /* a heartbeat older than this: tided is not doing its rounds */
#define EXIT_STALE 3

static void usage(FILE *to)
{
	fprintf(to, "usage: tidectl status [-w]\n"
		    "       tidectl status --qemu STATUS   (tided-qemu's guests, from its -s STATUS file)\n"
		    "       tidectl set DOM [min=MiB] [max=MiB]\n"
		    "       tidectl unset DOM\n"
		    "DOM is a running guest's name or domid (for unset, also a name with bounds set); sizes are\n"
		    "whole MiB.\n"
		    "status exits 3 when tided is not running or stuck: STATE and PRESSURE are then unknown.\n"
		    "set refuses (exit 2): a name or domid no domain has (bounds for a guest not yet created\n"
		    "  go in tided's config file), min= or max= given twice, a size of 0, and a min above\n"
		    "  the max (the other bound as tided has it: from tidectl, the config file or static-max).\n"
		    "set warns (and sets): a max below the guest's default min (its memory when tided first\n"
		    "  saw it; the min follows the max), a max above memory/static-max (capped there), and\n"
		    "  bounds it could check only partly because tided has no record of the guest.\n");
}

static void mib_cell(char *buf, size_t size, uint64_t kib, bool known)
{
	if (known)
		snprintf(buf, size, "%llu", (unsigned long long)(kib / MIB));
	else
		snprintf(buf, size, "-");
}

/* ---- status ---- */

/* Is tided running and doing its rounds? One line saying so (stdout); false if the view is stale. */
static bool say_liveness(struct xs_handle *xs)
{
	int64_t beat = 0, pid = 0;
	/* tided runs in this dom0: its pid says whether it is alive, its heartbeat whether it is stuck */
	bool alive = xsio_read_i64(xs, TOOL "/pid", &pid) == 0 && pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
	if (xsio_read_i64(xs, TOOL "/heartbeat_ms", &beat)) {
		printf("tided: never ran: STATE and PRESSURE are unknown\n");
		return false;
	}
	uint64_t age = now_ms() - (uint64_t)beat;
	if (alive && age < STALE_MS) {
		printf("tided: running (pid %lld, last round %.1f s ago)\n", (long long)pid, (double)age / 1000);
		return true;
	}
	if (alive)
		printf("tided: stuck? (pid %lld, last round %.0f s ago): this view is stale, STATE and PRESSURE are "
		       "from then\n", (long long)pid, (double)age / 1000);
	else
		printf("tided: not running (last round %.0f s ago): this view is stale, STATE and PRESSURE are "
		       "unknown\n", (double)age / 1000);
	return false;
}

/* tided's STATE and PRESSURE for a guest, from its record (when tided runs). */
static void read_state(struct xs_handle *xs, const struct guest_view *g, bool live, char *state, size_t ssize,
		       char *pressure, size_t psize)
{
	char path[256];
	snprintf(state, ssize, "%s", !g->f.balloon ? "unmanaged" : live ? "-" : "?");
	snprintf(pressure, psize, "%s", live ? "-" : "?");
	if (!live || !g->has_record)
		return;
	snprintf(path, sizeof(path), TOOL "/guests/%s/state", g->f.name);
	xsio_read(xs, path, state, ssize);
	snprintf(path, sizeof(path), TOOL "/guests/%s/pressure", g->f.name);
	xsio_read(xs, path, pressure, psize);
}

static void print_row(struct xs_handle *xs, const struct guest_view *g, bool live)
{
	const struct guest_facts *f = &g->f;
	char target[24], cur[24], fr[24], lo[24], hi[24], pressure[32], state[32];
	bool free_known = f->free.valid && f->free.value >= 0;
	mib_cell(target, sizeof(target), f->target_kib, f->has_target);
	mib_cell(cur, sizeof(cur), f->current_kib, true);
	mib_cell(fr, sizeof(fr), free_known ? (uint64_t)f->free.value : 0, free_known);
	mib_cell(lo, sizeof(lo), f->min_kib, f->min_kib != 0);
	mib_cell(hi, sizeof(hi), f->max_kib, f->max_kib != 0);
	read_state(xs, g, live, state, sizeof(state), pressure, sizeof(pressure));
	if (f->marked_uncooperative)
		snprintf(state, sizeof(state), "uncooperative");
	printf("%-16s %5u %7s %7s %7s %7s %7s %-12s %s\n", f->name, f->domid, target, cur, fr, lo, hi, pressure, state);
}

/* The table once: 0, 1 if Xen or xenstore cannot be read, EXIT_STALE if tided does not run. */
static int status_once(struct xs_handle *xs, struct xcio *xc)
{
	static struct host_view v;
	char err[256];
	if (gather(xs, xc, NULL, &v, err, sizeof(err))) {
		fprintf(stderr, "tidectl: %s\n", err);
		return 1;
	}
	bool live = say_liveness(xs);
	printf("%-16s %5s %7s %7s %7s %7s %7s %-12s %s\n", "NAME", "DOMID", "TARGET", "CURRENT", "FREE", "MIN", "MAX",
	       "PRESSURE", "STATE");
	for (size_t i = 0; i < v.n; i++)
		print_row(xs, &v.g[i], live);
	int64_t reserve = 0;
	printf("host: free %llu MiB of %llu MiB", (unsigned long long)(v.free_kib / MIB),
	       (unsigned long long)(v.total_kib / MIB));
	if (xsio_read_i64(xs, TOOL "/host/reserve_kib", &reserve) == 0)
		printf(", reserve %lld MiB", (long long)(reserve / 1024));
	printf("\n");
	fflush(stdout);
	return live ? 0 : EXIT_STALE;
}

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int open_both(struct xs_handle **xs, struct xcio **xc)
{
	char err[256];
	if (!(*xs = xsio_open(err, sizeof(err)))) {
		fprintf(stderr, "tidectl: %s\n", err);
		return 1;
	}
	if (xc && !(*xc = xcio_open(err, sizeof(err)))) {
		fprintf(stderr, "tidectl: %s\n", err);
		return 1;
	}
	return 0;
}

/*
 * tided-qemu's view, from the file it replaces every round (tided_qemu.c):
 * "free_kib F reserve_kib R", then "NAME STATE holds_kib H target_kib T
 * min_kib L max_kib U plugged_kib P pressure W" a guest. 0, 1 when it
 * cannot be read, EXIT_STALE when it is older than STALE_MS.
 */
static int status_qemu(const char *path)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	if (!f || fstat(fileno(f), &st)) {
		fprintf(stderr, "tidectl: cannot read %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return 1;
	}
	uint64_t age = (uint64_t)(time(NULL) - st.st_mtime) * 1000;
	unsigned long long free_kib = 0, reserve_kib = 0, v[6];
	char line[512], name[80], state[32], pressure[40];
	if (!fgets(line, sizeof(line), f) || sscanf(line, "free_kib %llu reserve_kib %llu", &free_kib, &reserve_kib) != 2) {
		fprintf(stderr, "tidectl: %s is not a tided-qemu status file\n", path);
		fclose(f);
		return 1;
	}
	printf("tided-qemu: %s\n", age > STALE_MS ? "not running or stuck: this view is stale" : "running");
	printf("%-16s %7s %7s %7s %7s %7s %-12s %s\n", "NAME", "TARGET", "CURRENT", "PLUGGED", "MIN", "MAX", "PRESSURE",
	       "STATE");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%79s %31s holds_kib %llu target_kib %llu min_kib %llu max_kib %llu plugged_kib %llu pressure %39s",
			   name, state, &v[0], &v[1], &v[2], &v[3], &v[4], pressure) == 8)
			printf("%-16s %7llu %7llu %7llu %7llu %7llu %-12s %s\n", name, v[1] / MIB, v[0] / MIB, v[4] / MIB,
			       v[2] / MIB, v[3] / MIB, pressure, state);
	printf("host: free %llu MiB, reserve %llu MiB\n", free_kib / MIB, reserve_kib / MIB);
	fclose(f);
	return age > STALE_MS ? EXIT_STALE : 0;
}

static int cmd_status(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[0], "--qemu"))
		return status_qemu(argv[1]);
	bool watch = false;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-w")) {
			usage(stderr);
			return 2;
		}
		watch = true;
	}
	struct xs_handle *xs;
	struct xcio *xc;
	if (open_both(&xs, &xc))
		return 1;
	if (!watch)
		return status_once(xs, xc);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	bool tty = isatty(STDOUT_FILENO);
	while (!stop) {
		if (tty)
			printf("\033[H\033[2J");
		if (status_once(xs, xc) == 1)
			return 1;
		if (!tty)
			printf("\n");
		sleep(1);
	}
	return 0;
}

/* ---- set and unset ---- */

/* Is there a domain called name? */
static bool domain_named(struct xs_handle *xs, const char *name)
{
	unsigned n = 0;
	bool found = false;
	char **ids = xsio_list(xs, "/local/domain", &n);
	for (unsigned i = 0; ids && i < n && !found; i++) {
		char path[256], dom[CONFIG_NAME_MAX];
		snprintf(path, sizeof(path), "/local/domain/%s/name", ids[i]);
		found = xsio_read(xs, path, dom, sizeof(dom)) == 0 && !strcmp(dom, name);
	}
	free(ids);
	return found;
}

/* Does tidectl hold bounds for name? */
static bool has_bounds(struct xs_handle *xs, const char *name)
{
	char path[256], buf[4];
	snprintf(path, sizeof(path), TOOL "/bounds/%s", name);
	return xsio_read(xs, path, buf, sizeof(buf)) == 0;
}

/*
 * A guest's name from DOM (a name or a domid) of a running domain, or with
 * stored, one that tidectl holds bounds for: 0, or -1 after one line.
 */
static int resolve_name(struct xs_handle *xs, const char *dom, bool stored, char *name, size_t size)
{
	int64_t id;
	if (parse_i64(dom, &id) == 0) {
		char path[64];
		snprintf(path, sizeof(path), "/local/domain/%lld/name", (long long)id);
		if (id <= 0 || xsio_read(xs, path, name, size) || !name[0]) {
			fprintf(stderr, "tidectl: no domain %s\n", dom);
			return -1;
		}
		return 0;
	}
	if (strlen(dom) >= CONFIG_NAME_MAX || strpbrk(dom, "/ \t=") || !dom[0]) {
		fprintf(stderr, "tidectl: \"%s\" is not a guest name\n", dom);
		return -1;
	}
	if (!domain_named(xs, dom) && !(stored && has_bounds(xs, dom))) {
		fprintf(stderr, "tidectl: no domain is called %s (bounds for a guest not yet created go in tided's "
				"config file)\n", dom);
		return -1;
	}
	snprintf(name, size, "%s", dom);
	return 0;
}

/* Open xenstore and resolve DOM to a guest name (see resolve_name): 0, or the exit status to return (1 or 2). */
static int open_guest(const char *dom, bool stored, struct xs_handle **xs, char *name, size_t size)
{
	if (open_both(xs, NULL))
		return 1;
	return resolve_name(*xs, dom, stored, name, size) ? 2 : 0;
}

/* A KiB value of node NAME-relative fmt, or 0. */
static uint64_t read_kib(struct xs_handle *xs, const char *fmt, const char *name)
{
	char path[256];
	int64_t v;
	snprintf(path, sizeof(path), fmt, name);
	return xsio_read_i64(xs, path, &v) == 0 && v > 0 ? (uint64_t)v : 0;
}

/* The bounds a guest has now, as tided resolved them (its record) or as far as tidectl can tell. */
struct current_bounds {
	bool record;               /* tided has a record of the guest */
	uint64_t min_kib, max_kib; /* 0: unknown */
	char min_from[16];         /* tidectl, config, static, first-seen, or "" */
	uint64_t static_max_kib;
};

static void read_current(struct xs_handle *xs, const char *name, struct current_bounds *cb)
{
	char path[256], domid[16];
	memset(cb, 0, sizeof(*cb));
	snprintf(path, sizeof(path), TOOL "/guests/%s/domid", name);
	cb->record = xsio_read(xs, path, domid, sizeof(domid)) == 0;
	if (cb->record) {
		cb->min_kib = read_kib(xs, TOOL "/guests/%s/min_kib", name);
		cb->max_kib = read_kib(xs, TOOL "/guests/%s/max_kib", name);
		snprintf(path, sizeof(path), TOOL "/guests/%s/min_from", name);
		if (xsio_read(xs, path, cb->min_from, sizeof(cb->min_from)))
			cb->min_from[0] = '\0';
		snprintf(path, sizeof(path), "/local/domain/%s/memory/static-max", domid);
		cb->static_max_kib = read_kib(xs, "%s", path);
	}
	uint64_t set_min = read_kib(xs, TOOL "/bounds/%s/min", name), set_max = read_kib(xs, TOOL "/bounds/%s/max", name);
	if (set_min) {
		cb->min_kib = set_min;
		snprintf(cb->min_from, sizeof(cb->min_from), "tidectl");
	}
	if (set_max)
		cb->max_kib = set_max;
}

/*
 * Check the new bounds b against what the guest has: 0 (warnings said), or
 * 2 after one line refusing them.
 */
static int check_bounds(const char *name, const struct guest_bounds *b, const struct current_bounds *cb)
{
	uint64_t lo = b->has_min ? b->min_kib : cb->min_kib, hi = b->has_max ? b->max_kib : cb->max_kib;
	bool default_min = !b->has_min && !strcmp(cb->min_from, "first-seen");
	if (!cb->record)
		fprintf(stderr, "tidectl: warning: tided has no record of %s (not running?): checked against "
				"tidectl's own bounds only\n", name);
	if (lo && hi && lo > hi && !default_min) {
		fprintf(stderr, "tidectl: %s: min %llu MiB (%s) would be above max %llu MiB; refused\n", name,
			(unsigned long long)(lo / MIB), b->has_min ? "given" : cb->min_from, (unsigned long long)(hi / MIB));
		return 2;
	}
	if (lo && hi && lo > hi)
		fprintf(stderr, "tidectl: warning: %s: its min becomes %llu MiB (its default min, the memory tided "
				"first saw it with, was %llu MiB)\n", name, (unsigned long long)(hi / MIB),
			(unsigned long long)(lo / MIB));
	if (b->has_max && cb->static_max_kib && b->max_kib > cb->static_max_kib)
		fprintf(stderr, "tidectl: warning: %s: max %llu MiB is above its memory/static-max: capped at %llu MiB\n",
			name, (unsigned long long)(b->max_kib / MIB), (unsigned long long)(cb->static_max_kib / MIB));
	return 0;
}

/* Write the bounds given: 0, or 1 after one line. */
static int write_bounds(struct xs_handle *xs, const char *name, const struct guest_bounds *b)
{
	char path[256];
	int rc = 0;
	if (b->has_min) {
		snprintf(path, sizeof(path), TOOL "/bounds/%s/min", name);
		rc = xsio_write_u64(xs, path, b->min_kib);
	}
	if (!rc && b->has_max) {
		snprintf(path, sizeof(path), TOOL "/bounds/%s/max", name);
		rc = xsio_write_u64(xs, path, b->max_kib);
	}
	if (rc)
		fprintf(stderr, "tidectl: cannot write %s: %s\n", path, strerror(-rc));
	return rc ? 1 : 0;
}

static int cmd_set(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	struct guest_bounds b;
	memset(&b, 0, sizeof(b));
	char err[256];
	for (int i = 1; i < argc; i++)
		if (parse_bound_word(argv[i], &b, err, sizeof(err))) {
			fprintf(stderr, "tidectl: %s\n", err);
			return 2;
		}
	struct xs_handle *xs;
	char name[CONFIG_NAME_MAX];
	struct current_bounds cb;
	int status = open_guest(argv[0], false, &xs, name, sizeof(name));
	if (status)
		return status;
	read_current(xs, name, &cb);
	if ((status = check_bounds(name, &b, &cb)) || (status = write_bounds(xs, name, &b)))
		return status;
	printf("tidectl: %s:", name);
	if (b.has_min)
		printf(" min %llu MiB", (unsigned long long)(b.min_kib / MIB));
	if (b.has_max)
		printf(" max %llu MiB", (unsigned long long)(b.max_kib / MIB));
	printf(" (tided applies it at its next round)\n");
	return 0;
}

static int cmd_unset(int argc, char **argv)
{
	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	struct xs_handle *xs;
	char name[CONFIG_NAME_MAX], path[256];
	int status = open_guest(argv[0], true, &xs, name, sizeof(name));
	if (status)
		return status;
	snprintf(path, sizeof(path), TOOL "/bounds/%s", name);
	int rc = xsio_rm(xs, path);
	if (rc) {
		fprintf(stderr, "tidectl: cannot remove %s: %s\n", path, strerror(-rc));
		return 1;
	}
	printf("tidectl: %s: bounds from the config file or the defaults again\n", name);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "status"))
		return cmd_status(argc - 2, argv + 2);
	if (!strcmp(argv[1], "set"))
		return cmd_set(argc - 2, argv + 2);
	if (!strcmp(argv[1], "unset"))
		return cmd_unset(argc - 2, argv + 2);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
