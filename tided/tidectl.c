/*
 * tidectl: look at tided's guests and change their bounds.
 *
 *   tidectl status [-w]                  the table (every second with -w)
 *   tidectl set DOM [min=MiB] [max=MiB]  bounds for a guest (DOM: name or domid)
 *   tidectl unset DOM                    drop what set gave (back to the config file or defaults)
 *
 * Bounds go to xenstore (/tool/tided/bounds/NAME/{min,max}, KiB), where tided
 * reads them every round and finds them again after a restart.
 * Exit status: 0; 1 if xenstore or Xen cannot be reached; 2 for bad usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "gather.h"
#include "xc_io.h"
#include "xs_io.h"

#define MIB 1024ULL

static void usage(FILE *to)
{
	fprintf(to, "usage: tidectl status [-w]\n"
		    "       tidectl set DOM [min=MiB] [max=MiB]\n"
		    "       tidectl unset DOM\n"
		    "DOM is a guest's name or domid; sizes are whole MiB.\n");
}

static void mib_cell(char *buf, size_t size, uint64_t kib, bool known)
{
	if (known)
		snprintf(buf, size, "%llu", (unsigned long long)(kib / MIB));
	else
		snprintf(buf, size, "-");
}

static int status_once(struct xs_handle *xs, struct xcio *xc)
{
	static struct host_view v;
	char err[256];
	if (gather(xs, xc, NULL, &v, err, sizeof(err))) {
		fprintf(stderr, "tidectl: %s\n", err);
		return 1;
	}
	printf("%-16s %5s %7s %7s %7s %7s %7s %-12s %s\n", "NAME", "DOMID", "TARGET", "CURRENT", "FREE", "MIN", "MAX",
	       "PRESSURE", "STATE");
	for (size_t i = 0; i < v.n; i++) {
		const struct guest_view *g = &v.g[i];
		const struct guest_facts *f = &g->f;
		char target[24], cur[24], fr[24], lo[24], hi[24], pressure[32] = "-", state[32], path[256];
		mib_cell(target, sizeof(target), f->target_kib, f->has_target);
		mib_cell(cur, sizeof(cur), f->current_kib, true);
		mib_cell(fr, sizeof(fr), f->free.valid && f->free.value >= 0 ? (uint64_t)f->free.value : 0,
			 f->free.valid && f->free.value >= 0);
		mib_cell(lo, sizeof(lo), f->min_kib, f->min_kib != 0);
		mib_cell(hi, sizeof(hi), f->max_kib, f->max_kib != 0);
		snprintf(state, sizeof(state), "%s", f->balloon ? "-" : "unmanaged");
		if (g->has_record) {
			snprintf(path, sizeof(path), TOOL "/guests/%s/state", f->name);
			xsio_read(xs, path, state, sizeof(state));
			snprintf(path, sizeof(path), TOOL "/guests/%s/pressure", f->name);
			xsio_read(xs, path, pressure, sizeof(pressure));
		}
		if (f->marked_uncooperative)
			snprintf(state, sizeof(state), "uncooperative");
		printf("%-16s %5u %7s %7s %7s %7s %7s %-12s %s\n", f->name, f->domid, target, cur, fr, lo, hi, pressure,
		       state);
	}
	int64_t reserve = 0, beat = 0, pid = 0;
	bool have_reserve = xsio_read_i64(xs, TOOL "/host/reserve_kib", &reserve) == 0;
	printf("host: free %llu MiB of %llu MiB", (unsigned long long)(v.free_kib / MIB),
	       (unsigned long long)(v.total_kib / MIB));
	if (have_reserve)
		printf(", reserve %lld MiB", (long long)(reserve / 1024));
	/* tided runs in this dom0: its pid says whether it is alive, its heartbeat whether it is stuck */
	bool alive = xsio_read_i64(xs, TOOL "/pid", &pid) == 0 && pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
	if (xsio_read_i64(xs, TOOL "/heartbeat_ms", &beat) == 0) {
		uint64_t age = now_ms() - (uint64_t)beat;
		if (alive && age < 3000)
			printf("; tided: running (last round %.1f s ago)\n", (double)age / 1000);
		else if (alive)
			printf("; tided: stuck? (pid %lld, last round %.0f s ago)\n", (long long)pid, (double)age / 1000);
		else
			printf("; tided: not running (last round %.0f s ago)\n", (double)age / 1000);
	} else {
		printf("; tided: never ran\n");
	}
	fflush(stdout);
	return 0;
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

static int cmd_status(int argc, char **argv)
{
	bool watch = false;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-w")) {
			watch = true;
		} else {
			usage(stderr);
			return 2;
		}
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
		if (status_once(xs, xc))
			return 1;
		if (!tty)
			printf("\n");
		sleep(1);
	}
	return 0;
}

/* A guest's name from DOM (a name, or a domid of a running domain). */
static int resolve_name(struct xs_handle *xs, const char *dom, char *name, size_t size)
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
	snprintf(name, size, "%s", dom);
	return 0;
}

/* Open xenstore and resolve DOM to a guest name: 0, or the exit status to return (1 or 2). */
static int open_guest(const char *dom, struct xs_handle **xs, char *name, size_t size)
{
	if (open_both(xs, NULL))
		return 1;
	return resolve_name(*xs, dom, name, size) ? 2 : 0;
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
	char name[CONFIG_NAME_MAX], path[256];
	int status = open_guest(argv[0], &xs, name, sizeof(name));
	if (status)
		return status;
	/* A bound not given keeps what tidectl set before, else what tided
	 * resolved (config file, static-max): check the pair. */
	int64_t old;
	uint64_t lo = b.min_kib, hi = b.max_kib;
	snprintf(path, sizeof(path), TOOL "/bounds/%s/min", name);
	if (!b.has_min && xsio_read_i64(xs, path, &old) == 0 && old > 0)
		lo = (uint64_t)old;
	snprintf(path, sizeof(path), TOOL "/bounds/%s/max", name);
	if (!b.has_max && xsio_read_i64(xs, path, &old) == 0 && old > 0)
		hi = (uint64_t)old;
	snprintf(path, sizeof(path), TOOL "/guests/%s/max_kib", name);
	if (!b.has_max && !hi && xsio_read_i64(xs, path, &old) == 0 && old > 0)
		hi = (uint64_t)old;
	if (lo && hi && lo > hi) {
		fprintf(stderr, "tidectl: %s: min %llu MiB would be above max %llu MiB\n", name,
			(unsigned long long)(lo / MIB), (unsigned long long)(hi / MIB));
		return 2;
	}
	int rc = 0;
	if (b.has_min) {
		snprintf(path, sizeof(path), TOOL "/bounds/%s/min", name);
		rc = rc ? rc : xsio_write_u64(xs, path, b.min_kib);
	}
	if (b.has_max) {
		snprintf(path, sizeof(path), TOOL "/bounds/%s/max", name);
		rc = rc ? rc : xsio_write_u64(xs, path, b.max_kib);
	}
	if (rc) {
		fprintf(stderr, "tidectl: cannot write %s: %s\n", path, strerror(-rc));
		return 1;
	}
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
	int status = open_guest(argv[0], &xs, name, sizeof(name));
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
