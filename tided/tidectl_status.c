/*
 * tidectl status: tided's view of its guests, as a table for people or as
 * one JSON object a line for scripts (--json), once or every second (-w);
 * and tided-qemu's view from its status file (--qemu STATUS).
 *
 * Both forms come from the same rows: a row is filled once (struct row)
 * and printed either way, so the JSON holds what the table shows, in the
 * same units (whole MiB; null where the table shows "-"), and the liveness
 * line as an object: {"tided": {"state": "running" | "stuck" | "not
 * running" | "never ran", "pid", "last_round_ms_ago"}, "guests": [...],
 * "host": {...}}. The exit status is the same either way (3: stale).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gather.h"
#include "json.h"
#include "tidectl.h"

#define STALE_MS 3000 /* a heartbeat older than this: tided is not doing its rounds */

/* ---- whether tided runs ---- */

enum liveness_state { TIDED_NEVER_RAN, TIDED_RUNNING, TIDED_STUCK, TIDED_NOT_RUNNING };
static const char *const liveness_names[] = {"never ran", "running", "stuck", "not running"};

struct liveness {
	enum liveness_state state;
	int64_t pid;     /* 0: none published */
	uint64_t age_ms; /* since its last round (not for TIDED_NEVER_RAN) */
};

/* Is tided running and doing its rounds? */
static struct liveness read_liveness(struct xs_handle *xs)
{
	struct liveness l = {.state = TIDED_NEVER_RAN};
	int64_t beat = 0;
	/* tided runs in this dom0: its pid says whether it is alive, its heartbeat whether it is stuck */
	bool alive = xsio_read_i64(xs, TOOL "/pid", &l.pid) == 0 && l.pid > 0 &&
		     (kill((pid_t)l.pid, 0) == 0 || errno == EPERM);
	if (l.pid < 0)
		l.pid = 0;
	if (xsio_read_i64(xs, TOOL "/heartbeat_ms", &beat))
		return l;
	l.age_ms = now_ms() - (uint64_t)beat;
	l.state = alive && l.age_ms < STALE_MS ? TIDED_RUNNING : alive ? TIDED_STUCK : TIDED_NOT_RUNNING;
	return l;
}

/* The liveness line of the table. */
static void print_liveness(const struct liveness *l)
{
	double s = (double)l->age_ms / 1000;
	switch (l->state) {
	case TIDED_NEVER_RAN:
		printf("tided: never ran: STATE and PRESSURE are unknown\n");
		break;
	case TIDED_RUNNING:
		printf("tided: running (pid %lld, last round %.1f s ago)\n", (long long)l->pid, s);
		break;
	case TIDED_STUCK:
		printf("tided: stuck? (pid %lld, last round %.0f s ago): this view is stale, STATE and PRESSURE are "
		       "from then\n", (long long)l->pid, s);
		break;
	case TIDED_NOT_RUNNING:
		printf("tided: not running (last round %.0f s ago): this view is stale, STATE and PRESSURE are "
		       "unknown\n", s);
		break;
	}
}

static void print_liveness_json(const struct liveness *l)
{
	printf("\"tided\":{\"state\":\"%s\",\"pid\":", liveness_names[l->state]);
	if (l->pid)
		printf("%lld", (long long)l->pid);
	else
		printf("null");
	if (l->state == TIDED_NEVER_RAN)
		printf(",\"last_round_ms_ago\":null}");
	else
		printf(",\"last_round_ms_ago\":%llu}", (unsigned long long)l->age_ms);
}

/* ---- one guest ---- */

struct mib_cell {
	bool known;
	unsigned long long mib;
};

struct row {
	const char *name;
	unsigned domid;
	struct mib_cell target, current, free, min, max;
	char pressure[32], state[32];
};

static struct mib_cell cell(uint64_t kib, bool known) { return (struct mib_cell){known, kib / MIB}; }

/* tided's STATE and PRESSURE for a guest, from its record (when tided runs). */
static void read_state(struct xs_handle *xs, const struct guest_view *g, bool live, struct row *r)
{
	char path[256];
	snprintf(r->state, sizeof(r->state), "%s", !g->f.balloon ? "unmanaged" : live ? "-" : "?");
	snprintf(r->pressure, sizeof(r->pressure), "%s", live ? "-" : "?");
	if (!live || !g->has_record)
		return;
	snprintf(path, sizeof(path), TOOL "/guests/%s/state", g->f.name);
	xsio_read(xs, path, r->state, sizeof(r->state));
	snprintf(path, sizeof(path), TOOL "/guests/%s/pressure", g->f.name);
	xsio_read(xs, path, r->pressure, sizeof(r->pressure));
}

static void fill_row(struct xs_handle *xs, const struct guest_view *g, bool live, struct row *r)
{
	const struct guest_facts *f = &g->f;
	bool free_known = f->free.valid && f->free.value >= 0;
	r->name = f->name;
	r->domid = f->domid;
	r->target = cell(f->target_kib, f->has_target);
	r->current = cell(f->current_kib, true);
	r->free = cell(free_known ? (uint64_t)f->free.value : 0, free_known);
	r->min = cell(f->min_kib, f->min_kib != 0);
	r->max = cell(f->max_kib, f->max_kib != 0);
	read_state(xs, g, live, r);
	if (f->marked_uncooperative)
		snprintf(r->state, sizeof(r->state), "uncooperative");
}

static const char *cell_text(char *buf, size_t size, struct mib_cell c)
{
	if (c.known)
		snprintf(buf, size, "%llu", c.mib);
	else
		snprintf(buf, size, "-");
	return buf;
}

static void print_row(const struct row *r)
{
	char t[24], c[24], fr[24], lo[24], hi[24];
	printf("%-16s %5u %7s %7s %7s %7s %7s %-12s %s\n", r->name, r->domid, cell_text(t, sizeof(t), r->target),
	       cell_text(c, sizeof(c), r->current), cell_text(fr, sizeof(fr), r->free), cell_text(lo, sizeof(lo), r->min),
	       cell_text(hi, sizeof(hi), r->max), r->pressure, r->state);
}

/* ,"key":N or ,"key":null */
static void json_cell(const char *key, struct mib_cell c)
{
	if (c.known)
		printf(",\"%s\":%llu", key, c.mib);
	else
		printf(",\"%s\":null", key);
}

static void print_row_json(const struct row *r, bool first)
{
	printf("%s{\"name\":", first ? "" : ",");
	json_string(stdout, r->name);
	printf(",\"domid\":%u", r->domid);
	json_cell("target_mib", r->target);
	json_cell("current_mib", r->current);
	json_cell("free_mib", r->free);
	json_cell("min_mib", r->min);
	json_cell("max_mib", r->max);
	printf(",\"pressure\":");
	json_string(stdout, r->pressure);
	printf(",\"state\":");
	json_string(stdout, r->state);
	printf("}");
}

/* ---- the whole view ---- */

/* The view once, as a table or JSON: 0, 1 if Xen or xenstore cannot be read, EXIT_STALE if tided does not run. */
static int status_once(struct xs_handle *xs, struct xcio *xc, bool json)
{
	static struct host_view v;
	char err[256];
	if (gather(xs, xc, NULL, &v, err, sizeof(err))) {
		fprintf(stderr, "tidectl: %s\n", err);
		return 1;
	}
	struct liveness l = read_liveness(xs);
	bool live = l.state == TIDED_RUNNING;
	int64_t reserve = 0;
	bool has_reserve = xsio_read_i64(xs, TOOL "/host/reserve_kib", &reserve) == 0;
	if (json) {
		printf("{");
		print_liveness_json(&l);
		printf(",\"guests\":[");
	} else {
		print_liveness(&l);
		printf("%-16s %5s %7s %7s %7s %7s %7s %-12s %s\n", "NAME", "DOMID", "TARGET", "CURRENT", "FREE", "MIN",
		       "MAX", "PRESSURE", "STATE");
	}
	for (size_t i = 0; i < v.n; i++) {
		struct row r;
		fill_row(xs, &v.g[i], live, &r);
		if (json)
			print_row_json(&r, i == 0);
		else
			print_row(&r);
	}
	if (json) {
		printf("],\"host\":{\"free_mib\":%llu,\"total_mib\":%llu", (unsigned long long)(v.free_kib / MIB),
		       (unsigned long long)(v.total_kib / MIB));
		json_cell("reserve_mib", cell(has_reserve && reserve > 0 ? (uint64_t)reserve : 0, has_reserve));
		printf("}}\n");
	} else {
		printf("host: free %llu MiB of %llu MiB", (unsigned long long)(v.free_kib / MIB),
		       (unsigned long long)(v.total_kib / MIB));
		if (has_reserve)
			printf(", reserve %lld MiB", (long long)(reserve / 1024));
		printf("\n");
	}
	fflush(stdout);
	return live ? 0 : EXIT_STALE;
}

/* The view every second until a signal: 0, or 1 if Xen or xenstore cannot be read. */
static int status_watch(struct xs_handle *xs, struct xcio *xc, bool json)
{
	stop_on_signals();
	bool tty = isatty(STDOUT_FILENO) && !json;
	while (!tidectl_stop) {
		if (tty)
			printf("\033[H\033[2J");
		if (status_once(xs, xc, json) == 1)
			return 1;
		if (!tty && !json)
			printf("\n");
		sleep(1);
	}
	return 0;
}

/* ---- tided-qemu's view ---- */

struct qemu_row {
	char name[80], state[32], pressure[40];
	unsigned long long holds, target, min, max, plugged; /* KiB */
};

/* A guest's line of tided-qemu's status file into r: whether it is one. */
static bool qemu_row_parse(const char *line, struct qemu_row *r)
{
	return sscanf(line, "%79s %31s holds_kib %llu target_kib %llu min_kib %llu max_kib %llu plugged_kib %llu "
			    "pressure %39s",
		      r->name, r->state, &r->holds, &r->target, &r->min, &r->max, &r->plugged, r->pressure) == 8;
}

static void qemu_row_print(const struct qemu_row *r, bool json, bool first)
{
	if (!json) {
		printf("%-16s %7llu %7llu %7llu %7llu %7llu %-12s %s\n", r->name, r->target / MIB, r->holds / MIB,
		       r->plugged / MIB, r->min / MIB, r->max / MIB, r->pressure, r->state);
		return;
	}
	printf("%s{\"name\":", first ? "" : ",");
	json_string(stdout, r->name);
	printf(",\"target_mib\":%llu,\"current_mib\":%llu,\"plugged_mib\":%llu,\"min_mib\":%llu,\"max_mib\":%llu,"
	       "\"pressure\":", r->target / MIB, r->holds / MIB, r->plugged / MIB, r->min / MIB, r->max / MIB);
	json_string(stdout, r->pressure);
	printf(",\"state\":");
	json_string(stdout, r->state);
	printf("}");
}

/*
 * tided-qemu's view, from the file it replaces every round (tided_qemu.c):
 * "free_kib F reserve_kib R", then "NAME STATE holds_kib H target_kib T
 * min_kib L max_kib U plugged_kib P pressure W" a guest. 0, 1 when it
 * cannot be read, EXIT_STALE when it is older than STALE_MS. In JSON:
 * {"tided_qemu": {"state": "running" | "stale", "status_ms_ago"}, "guests": [...], "host": {...}}.
 */
static int status_qemu(const char *path, bool json)
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
	unsigned long long free_kib = 0, reserve_kib = 0;
	char line[512];
	if (!fgets(line, sizeof(line), f) || sscanf(line, "free_kib %llu reserve_kib %llu", &free_kib, &reserve_kib) != 2) {
		fprintf(stderr, "tidectl: %s is not a tided-qemu status file\n", path);
		fclose(f);
		return 1;
	}
	if (json) {
		printf("{\"tided_qemu\":{\"state\":\"%s\",\"status_ms_ago\":%llu},\"guests\":[",
		       age > STALE_MS ? "stale" : "running", (unsigned long long)age);
	} else {
		printf("tided-qemu: %s\n", age > STALE_MS ? "not running or stuck: this view is stale" : "running");
		printf("%-16s %7s %7s %7s %7s %7s %-12s %s\n", "NAME", "TARGET", "CURRENT", "PLUGGED", "MIN", "MAX",
		       "PRESSURE", "STATE");
	}
	struct qemu_row r;
	bool first = true;
	while (fgets(line, sizeof(line), f))
		if (qemu_row_parse(line, &r)) {
			qemu_row_print(&r, json, first);
			first = false;
		}
	if (json)
		printf("],\"host\":{\"free_mib\":%llu,\"reserve_mib\":%llu}}\n", free_kib / MIB, reserve_kib / MIB);
	else
		printf("host: free %llu MiB, reserve %llu MiB\n", free_kib / MIB, reserve_kib / MIB);
	fclose(f);
	return age > STALE_MS ? EXIT_STALE : 0;
}

/* tidectl status [-w] [--json] | --qemu STATUS [--json] */
int cmd_status(int argc, char **argv)
{
	bool watch = false, json = false;
	const char *qemu = NULL;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-w") && !watch) {
			watch = true;
		} else if (!strcmp(argv[i], "--json") && !json) {
			json = true;
		} else if (!strcmp(argv[i], "--qemu") && !qemu && i + 1 < argc) {
			qemu = argv[++i];
		} else {
			fprintf(stderr, "tidectl: status: unexpected \"%s\"\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (qemu && watch) {
		fprintf(stderr, "tidectl: status: -w is not for --qemu\n");
		return 2;
	}
	if (qemu)
		return status_qemu(qemu, json);
	struct xs_handle *xs;
	struct xcio *xc;
	if (open_both(&xs, &xc))
		return 1;
	return watch ? status_watch(xs, xc, json) : status_once(xs, xc, json);
}
