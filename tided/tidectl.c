/*
 * tidectl: look at tided's guests and change their bounds.
 *
 *   tidectl status [-w] [--json]         the table, or JSON (every second with -w): tidectl_status.c
 *   tidectl events [--json] [DOM]        tided's decisions as it makes them: tidectl_events.c
 *   tidectl set DOM [min=MiB] [max=MiB]  bounds for a guest (DOM: name or domid)
 *   tidectl unset DOM                    drop what set gave (back to the config file or defaults)
 *
 * Bounds go to xenstore (/tool/tided/bounds/NAME/{min,max}, KiB), where tided
 * reads them every round and finds them again after a restart. What set
 * refuses and what it only warns about is in usage() below.
 * Exit status: 0; 1 if xenstore or Xen cannot be reached; 2 for bad usage or
 * a refused bound; 3 from status when tided is not running (or is stuck):
 * the table is then stale. This file: the command line, set and unset.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "gather.h"
#include "tidectl.h"
#include "xc_io.h"
#include "xs_io.h"


void usage(FILE *to)
{
	fprintf(to, "usage: tidectl status [-w] [--json]\n"
		    "       tidectl status --qemu STATUS [--json]   (tided-qemu's guests, from its -s STATUS file)\n"
		    "       tidectl events [--json] [DOM]   (tided's decisions as it makes them, until interrupted)\n"
		    "       tidectl set DOM [min=MiB] [max=MiB]\n"
		    "       tidectl unset DOM\n"
		    "DOM is a running guest's name or domid (for unset, also a name with bounds set); sizes are\n"
		    "whole MiB.\n"
		    "status exits 3 when tided is not running or stuck: STATE and PRESSURE are then unknown.\n"
		    "--json: one JSON object a line (status -w: one a second; events: one an event).\n"
		    "set refuses (exit 2): a name or domid no domain has (bounds for a guest not yet created\n"
		    "  go in tided's config file), min= or max= given twice, a size of 0, and a min above\n"
		    "  the max (the other bound as tided has it: from tidectl, the config file or static-max).\n"
		    "set warns (and sets): a max below the guest's default min (its memory when tided first\n"
		    "  saw it; the min follows the max), a max above memory/static-max (capped there), and\n"
		    "  bounds it could check only partly because tided has no record of the guest.\n");
}

int open_both(struct xs_handle **xs, struct xcio **xc)
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

volatile int tidectl_stop;
static void on_signal(int sig)
{
	(void)sig;
	tidectl_stop = 1;
}

void stop_on_signals(void)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
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
	if (!strcmp(argv[1], "events"))
		return cmd_events(argc - 2, argv + 2);
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
