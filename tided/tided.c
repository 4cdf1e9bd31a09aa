/*
 * tided: balances memory across Tide guests from dom0.
 *
 *   tided [-c FILE] [-v] [-t]
 *
 * Every 500 ms, and sooner (at most every 100 ms) when a watch on xenstore
 * says a domain appeared or went, a guest reported new free memory or
 * pressure, someone wrote a memory/target, or tidectl changed a bound: read
 * every domain's memory from Xen (libxenctrl) and its report from xenstore,
 * run the policy (policy.c), and apply its decisions: Xen's maximum for the
 * guest (xc_domain_setmaxmem), memory/target, memory/uncooperative, and
 * tided's own nodes under /tool/tided (gather.h), among them each guest's
 * saved state, from which a restarted tided carries on. It runs in the
 * foreground and logs to stdout, one line per event, each with its time
 * since the start; each decision among them (targets, marks, guests taken
 * on or let go, the reserve, reloads) is also posted to a ring in xenstore
 * for tidectl events (say_event, event_ring.h); stop it with SIGTERM or
 * SIGINT (guests keep their targets), reload the config file with SIGHUP.
 * Only one tided runs at a time: it holds a lock on /run/tided.lock.
 *
 * Exit status: 0 when stopped by a signal (or with -t, a valid config file:
 * only the reserve against the host's memory is left for the start), 1
 * when xenstore or Xen cannot be reached (at start, or for three rounds in
 * a row) or another tided runs, 2 for a bad command line or config file.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "config.h"
#include "event_ring.h"
#include "gather.h"
#include "policy.h"
#include "roster.h"
#include "xc_io.h"
#include "xs_io.h"

#define ROUND_MS 500
#define EARLY_ROUND_MS 100 /* a watch event may bring a round forward, not closer than this */
#define MAX_FAILED_ROUNDS 3
#define DEFAULT_CONFIG "/etc/tided.conf"
#define LOCK_PATH "/run/tided.lock"

static volatile sig_atomic_t stop_signal, reload;
static bool verbose, check_only;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stop_signal = sig;
}

/* Everything the daemon keeps between rounds. */
struct daemon {
	struct xs_handle *xs;
	struct xcio *xc;
	const char *config_path;
	bool explicit_config;
	struct tided_config cfg;
	struct policy_params params; /* the config's policy's numbers, with its reserve */
	struct policy pol;
	uint64_t host_total_kib;     /* from the last round, to check a reloaded reserve */
	struct roster before;        /* the domains of the last round */
	uint64_t rounds;             /* rounds done, this one included */
};

/* ---- tided's own nodes: written only when their value changes ---- */

enum slot { S_DOMID, S_FIRST, S_MIN, S_MAX, S_MIN_FROM, S_MAX_FROM, S_TARGET, S_STATE, S_PRESSURE, NSLOTS };

struct status_cache {
	char name[POLICY_NAME_MAX];
	char val[NSLOTS][48];
	char saved[POLICY_SAVED_MAX];
};
static struct status_cache cache[GATHER_MAX];

/* The cache of a guest's nodes (a fresh one for a new name), or NULL when all are taken. */
static struct status_cache *cache_for(const char *name)
{
	struct status_cache *free_slot = NULL;
	for (size_t i = 0; i < GATHER_MAX; i++) {
		if (cache[i].name[0] && !strcmp(cache[i].name, name))
			return &cache[i];
		if (!cache[i].name[0] && !free_slot)
			free_slot = &cache[i];
	}
	if (free_slot) {
		memset(free_slot, 0, sizeof(*free_slot));
		snprintf(free_slot->name, sizeof(free_slot->name), "%s", name);
	}
	return free_slot;
}

/* Write /tool/tided/guests/NAME/NODE = value unless old (the cached value) already says so. */
static void put(struct xs_handle *xs, char *old, size_t size, const char *name, const char *node, const char *value)
{
	char path[256];
	if (old && !strcmp(old, value))
		return;
	snprintf(path, sizeof(path), TOOL "/guests/%s/%s", name, node);
	if (xsio_write(xs, path, value) == 0 && old)
		snprintf(old, size, "%s", value);
}

static void put_u64(struct xs_handle *xs, struct status_cache *c, enum slot slot, const char *name,
		    const char *node, uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	put(xs, c ? c->val[slot] : NULL, sizeof(c->val[slot]), name, node, buf);
}

static void put_str(struct xs_handle *xs, struct status_cache *c, enum slot slot, const char *name,
		    const char *node, const char *v)
{
	put(xs, c ? c->val[slot] : NULL, sizeof(c->val[slot]), name, node, v);
}

/* The guest's record for tidectl and for a restarted tided. */
static void write_status(struct xs_handle *xs, const struct guest_view *g, const struct decision *d)
{
	const char *name = g->f.name;
	struct status_cache *c = cache_for(name);
	put_u64(xs, c, S_DOMID, name, "domid", g->f.domid);
	put_u64(xs, c, S_FIRST, name, "first_kib", g->first_kib);
	put_u64(xs, c, S_MIN, name, "min_kib", g->f.min_kib);
	put_u64(xs, c, S_MAX, name, "max_kib", g->f.max_kib);
	put_str(xs, c, S_MIN_FROM, name, "min_from", bound_from_name(g->min_from));
	put_str(xs, c, S_MAX_FROM, name, "max_from", bound_from_name(g->max_from));
	put_u64(xs, c, S_TARGET, name, "target_kib", d->target_kib);
	put_str(xs, c, S_STATE, name, "state", d->state);
	put_str(xs, c, S_PRESSURE, name, "pressure", d->pressure);
	put(xs, c ? c->saved : NULL, sizeof(c->saved), name, "saved", d->saved);
}

/* Drop the records of guests that are gone (and of unmanaged domains). */
static void forget_gone(struct xs_handle *xs, const struct host_view *v, const struct decision *out)
{
	unsigned n = 0;
	char **names = xsio_list(xs, TOOL "/guests", &n);
	for (unsigned i = 0; names && i < n; i++) {
		bool keep = false;
		for (size_t j = 0; j < v->n && !keep; j++)
			keep = out[j].managed && !strcmp(v->g[j].f.name, names[i]);
		if (keep)
			continue;
		char path[256];
		snprintf(path, sizeof(path), TOOL "/guests/%s", names[i]);
		xsio_rm(xs, path);
		struct status_cache *c = cache_for(names[i]);
		if (c)
			memset(c, 0, sizeof(*c));
	}
	free(names);
}

/* ---- applying one guest's decision ---- */

static void set_xen_max(struct xcio *xc, const struct guest_facts *f, uint64_t kib)
{
	if (xcio_set_max(xc, f->domid, kib))
		say("%s (dom%u): cannot set Xen's max to %llu MiB: %s", f->name, f->domid, mib(kib), strerror(errno));
}

static void write_target(struct xs_handle *xs, const struct guest_facts *f, const struct decision *d)
{
	char path[256];
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", f->domid);
	int rc = xsio_write_u64(xs, path, d->target_kib);
	if (rc)
		say("%s (dom%u): cannot write memory/target: %s", f->name, f->domid, strerror(-rc));
	else
		say_event(f->name, f->domid, "target %llu -> %llu MiB (%s; holds %llu MiB)",
			  mib(f->has_target ? f->target_kib : f->current_kib), mib(d->target_kib), d->why,
			  mib(f->current_kib));
}

/* memory/uncooperative follows tided's mark, with one line each way. */
static void write_mark(struct xs_handle *xs, const struct guest_facts *f, const struct decision *d)
{
	char path[256];
	snprintf(path, sizeof(path), "/local/domain/%u/memory/uncooperative", f->domid);
	if (d->uncooperative) {
		xsio_write(xs, path, "1");
		say_event(f->name, f->domid, "uncooperative: %s (holds %llu MiB); not counted on until it gets there",
			  d->why[0] ? d->why : "the mark was already in xenstore", mib(f->current_kib));
	} else {
		xsio_rm(xs, path);
		say_event(f->name, f->domid, "cooperative again (holds %llu MiB, target %llu MiB)", mib(f->current_kib),
			  mib(d->target_kib));
	}
}

/* Does the decision lower Xen's limit for the guest? */
static bool lowers_xen_max(const struct guest_facts *f, const struct decision *d)
{
	return d->managed && d->set_xen_max && d->xen_max_kib < f->xen_max_kib;
}

/*
 * Raise Xen's limit before the target (so the guest can reach it). Limits
 * that come down were lowered before anything of the round was applied
 * (apply_all): the room one guest loses may be what another is given.
 */
static void apply(struct xs_handle *xs, struct xcio *xc, const struct guest_facts *f, const struct decision *d)
{
	if (d->set_xen_max && !lowers_xen_max(f, d))
		set_xen_max(xc, f, d->xen_max_kib);
	if (d->set_target)
		write_target(xs, f, d);
	if (d->uncoop_changed)
		write_mark(xs, f, d);
	if (d->note[0])
		say_event(f->name, f->domid, "%s", d->note);
}

/* ---- lines about the round ---- */

static void log_new_guest(const struct guest_facts *f, const struct decision *d)
{
	say_event(f->name, f->domid, "managing it: holds %llu MiB, target %llu MiB, bounds [%llu, %llu] MiB%s",
		  mib(f->current_kib), mib(d->target_kib), mib(f->min_kib), mib(f->max_kib),
		  d->uncooperative ? ", marked uncooperative" : "");
}

static void log_verbose(const struct guest_facts *f, const struct decision *d)
{
	say("%s: %s, pressure %s, holds %llu KiB, reports total %lld free %lld waits %lld failures %lld%s, "
	    "target %llu MiB, Xen max %llu MiB",
	    f->name, d->state, d->pressure, (unsigned long long)f->current_kib,
	    f->total.valid ? (long long)f->total.value : -1LL, f->free.valid ? (long long)f->free.value : -1LL,
	    f->waits.valid ? (long long)f->waits.value : -1LL, f->failures.valid ? (long long)f->failures.value : -1LL,
	    !d->report_ok ? " (ignored)" : !d->credible ? " (not credible)" : "", mib(d->target_kib),
	    mib(d->xen_max_kib));
}

/* One line for each managed guest that went, or stopped advertising feature-balloon. */
static void log_dropped(const struct roster *before, const struct roster *now)
{
	const struct roster_entry *e;
	const char *why;
	size_t pos = 0;
	while ((e = roster_next_dropped(before, now, &pos, &why)))
		say_event(e->name, e->domid, "no longer managed: %s", why);
}

/* One line when host free falls below the reserve (naming who took it), one when it is back. */
static void log_reserve(const struct daemon *dm, const struct roster *now, const struct host_view *v,
			const struct host_decision *hd)
{
	uint64_t reserve = dm->pol.p.reserve_kib, grew;
	if (!hd->reserve_changed)
		return;
	if (!hd->below_reserve) {
		say_event(NULL, 0, "host free %llu MiB is back above the reserve of %llu MiB", mib(v->free_kib), mib(reserve));
		return;
	}
	const struct roster_entry *e = roster_biggest_growth(&dm->before, now, &grew);
	if (dm->rounds == 1)
		say_event(NULL, 0, "host free %llu MiB is below the reserve of %llu MiB as tided starts; nothing is given "
			  "until it is back", mib(v->free_kib), mib(reserve));
	else if (e)
		say_event(NULL, 0, "host free %llu MiB fell below the reserve of %llu MiB, not by tided's doing: %s (dom%u, "
			  "%s) took %llu MiB since the last round; nothing is given until it is back", mib(v->free_kib),
			  mib(reserve), e->name, e->domid, e->managed ? "managed" : "not managed", mib(grew));
	else
		say_event(NULL, 0, "host free %llu MiB fell below the reserve of %llu MiB, not by tided's doing (no domain "
			  "grew since the last round); nothing is given until it is back", mib(v->free_kib), mib(reserve));
}

/* ---- one round ---- */

static void publish_host(struct xs_handle *xs, const struct host_view *v, const struct host_decision *hd,
			 uint64_t now)
{
	xsio_write_u64(xs, TOOL "/host/free_kib", v->free_kib);
	xsio_write_u64(xs, TOOL "/host/available_kib", hd->available_kib > 0 ? (uint64_t)hd->available_kib : 0);
	xsio_write_u64(xs, TOOL "/heartbeat_ms", now);
}

/* Apply the round's decisions and say what changed; now collects this round's domains. */
static void apply_all(struct daemon *dm, const struct host_view *v, const struct decision *out, struct roster *now)
{
	for (size_t i = 0; i < v->n; i++)
		if (lowers_xen_max(&v->g[i].f, &out[i]))
			set_xen_max(dm->xc, &v->g[i].f, out[i].xen_max_kib);
	for (size_t i = 0; i < v->n; i++) {
		const struct guest_facts *f = &v->g[i].f;
		const struct roster_entry *was = roster_find(&dm->before, f->domid);
		roster_add(now, f->domid, f->name, out[i].managed, f->current_kib);
		if (!out[i].managed)
			continue;
		if (!was || !was->managed)
			log_new_guest(f, &out[i]);
		apply(dm->xs, dm->xc, f, &out[i]);
		write_status(dm->xs, &v->g[i], &out[i]);
		if (verbose)
			log_verbose(f, &out[i]);
	}
}

/* One round: gather, decide, apply, log. 0, or -1 if Xen or xenstore could not be read. */
static int round_once(struct daemon *dm)
{
	static struct host_view v;
	static struct guest_facts facts[GATHER_MAX];
	static struct decision out[GATHER_MAX];
	static struct roster now;
	char err[256];
	if (gather(dm->xs, dm->xc, &dm->cfg, &v, err, sizeof(err))) {
		say("%s", err);
		return -1;
	}
	dm->host_total_kib = v.total_kib;
	dm->rounds++;
	for (size_t i = 0; i < v.n; i++)
		facts[i] = v.g[i].f;
	struct host_facts host = {.now_ms = now_ms(), .free_kib = v.free_kib};
	struct host_decision hd;
	policy_round(&dm->pol, &host, facts, v.n, out, &hd);
	now.n = 0;
	apply_all(dm, &v, out, &now);
	log_dropped(&dm->before, &now);
	log_reserve(dm, &now, &v, &hd);
	dm->before = now;
	forget_gone(dm->xs, &v, out);
	publish_host(dm->xs, &v, &hd, host.now_ms);
	return 0;
}

/* ---- the config file ---- */

/* Load the config file into c: 0; 1 if the default file does not exist (c empty); -1 with the reason in err. */
static int load_config(const struct daemon *dm, struct tided_config *c, char *err, size_t errlen)
{
	int rc = config_load(dm->config_path, c, err, errlen);
	if (rc == 1 && dm->explicit_config) {
		snprintf(err, errlen, "%s: no such file", dm->config_path);
		return -1;
	}
	return rc;
}

/* A reserve tided can keep: below the host's memory. 0, or -1 with the reason in err. */
static int check_reserve(uint64_t reserve_kib, uint64_t total_kib, char *err, size_t errlen)
{
	if (reserve_kib < total_kib)
		return 0;
	snprintf(err, errlen, "reserve=%llu is not below the host's %llu MiB: tided would never give anything",
		 mib(reserve_kib), mib(total_kib));
	return -1;
}

/* SIGHUP: a new config file, or the old one kept, with one line either way. */
static void reload_config(struct daemon *dm)
{
	static struct tided_config fresh;
	struct policy_params params;
	char err[512];
	if (load_config(dm, &fresh, err, sizeof(err)) < 0) {
		say_event(NULL, 0, "%s; kept the old configuration", err);
		return;
	}
	config_policy_params(&fresh, &params);
	if (check_reserve(params.reserve_kib, dm->host_total_kib, err, sizeof(err))) {
		say_event(NULL, 0, "%s; kept the old configuration", err);
		return;
	}
	dm->cfg = fresh;
	dm->params = dm->pol.p = params;
	xsio_write_u64(dm->xs, TOOL "/host/reserve_kib", dm->pol.p.reserve_kib);
	say_event(NULL, 0, "reloaded %s: policy %s, reserve %llu MiB, %zu guests' bounds", dm->config_path,
	    config_policy_name(dm->cfg.policy), mib(dm->pol.p.reserve_kib), dm->cfg.n);
}

/* ---- start and stop ---- */

/* One tided at a time: hold LOCK_PATH for as long as this one runs. 0, or -1 after one line. */
static int take_lock(void)
{
	int fd = open(LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "tided: cannot open %s: %s\n", LOCK_PATH, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		char pid[24] = "";
		ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		fprintf(stderr, "tided: another tided is running (pid %s, holding %s); not starting a second one\n",
			pid[0] ? pid : "?", LOCK_PATH);
		return -1;
	}
	char text[24];
	int len = snprintf(text, sizeof(text), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, text, (size_t)len, 0) != len)
		fprintf(stderr, "tided: cannot write its pid into %s (still locked): %s\n", LOCK_PATH, strerror(errno));
	return 0; /* the descriptor stays open, and the lock held, until tided exits */
}

/* Open xenstore and Xen, check the reserve against the host: 0, or the exit status after one line. */
static int open_host(struct daemon *dm)
{
	char err[512];
	uint64_t free_kib;
	if (!(dm->xs = xsio_open(err, sizeof(err))) || !(dm->xc = xcio_open(err, sizeof(err)))) {
		fprintf(stderr, "tided: %s\n", err);
		return 1;
	}
	if (xcio_host(dm->xc, &free_kib, &dm->host_total_kib)) {
		fprintf(stderr, "tided: cannot read Xen's host memory (xc_physinfo: %s)\n", strerror(errno));
		return 1;
	}
	if (check_reserve(dm->params.reserve_kib, dm->host_total_kib, err, sizeof(err))) {
		fprintf(stderr, "tided: %s: %s\n", dm->config_path, err);
		return 2;
	}
	return 0;
}

/* Watch what brings a round forward, and say in xenstore that this tided runs: 0, or -1 after one line. */
static int publish(struct daemon *dm)
{
	static const char *watches[][2] = {
		{"@introduceDomain", "domains"}, {"@releaseDomain", "domains"},
		{"/local/domain", "local"},       {TOOL "/bounds", "bounds"},
	};
	for (size_t i = 0; i < sizeof(watches) / sizeof(watches[0]); i++) {
		int rc = xsio_watch(dm->xs, watches[i][0], watches[i][1]);
		if (rc) {
			fprintf(stderr, "tided: cannot watch %s in xenstore: %s\n", watches[i][0], strerror(-rc));
			return -1;
		}
	}
	if (xsio_write_u64(dm->xs, TOOL "/pid", (uint64_t)getpid()) ||
	    xsio_write_u64(dm->xs, TOOL "/host/reserve_kib", dm->params.reserve_kib)) {
		fprintf(stderr, "tided: cannot write under " TOOL " in xenstore (not dom0?)\n");
		return -1;
	}
	event_ring_open(dm->xs);
	return 0;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Remove /tool/tided/pid if it is this tided's (never another's). */
static void unpublish(struct xs_handle *xs)
{
	int64_t pid;
	if (xsio_read_i64(xs, TOOL "/pid", &pid) == 0 && pid == (int64_t)getpid())
		xsio_rm(xs, TOOL "/pid");
}

/* ---- the loop ---- */

/* Does a watch event bring the next round forward? */
static bool wants_round(const char *path, const char *token)
{
	static const char *const nodes[] = {"/data/tide/alloc_waits", "/data/tide/alloc_failures",
					     "/data/meminfo_free", "/feature-balloon", "/memory/target"};
	if (strcmp(token, "local"))
		return true; /* a domain came or went, or a bound changed */
	size_t len = strlen(path);
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		size_t n = strlen(nodes[i]);
		if (len >= n && !strcmp(path + len - n, nodes[i]))
			return true;
	}
	return false;
}

/* Wait for watch events until `until`: whether one wants a round; -1 if xenstore is lost (after a line). */
static int wait_events(struct xs_handle *xs, uint64_t until)
{
	uint64_t now = now_ms();
	struct pollfd pfd = {.fd = xsio_fd(xs), .events = POLLIN};
	int prc = poll(&pfd, 1, (int)(until > now ? until - now : 0));
	if (prc < 0 && errno != EINTR) {
		say("poll on xenstore: %s", strerror(errno));
		return -1;
	}
	char path[256], token[32];
	int erc = 0, early = 0;
	while (prc > 0 && (erc = xsio_next_event(xs, path, sizeof(path), token, sizeof(token))) == 1)
		early |= wants_round(path, token);
	if (prc > 0 && erc < 0 && xsio_fatal(erc)) {
		say("lost xenstore: %s", strerror(-erc));
		return -1;
	}
	return early;
}

/* Rounds until a signal stops tided: 0, or 1 when xenstore or Xen stayed out of reach. */
static int run(struct daemon *dm)
{
	uint64_t last_round = 0, next_round = now_ms();
	bool early = false;
	int failed = 0;
	while (!stop_signal) {
		if (reload) {
			reload = 0;
			reload_config(dm);
			early = true;
		}
		uint64_t now = now_ms();
		if (now >= next_round || (early && now >= last_round + EARLY_ROUND_MS)) {
			early = false;
			last_round = now;
			next_round = now + ROUND_MS;
			failed = round_once(dm) ? failed + 1 : 0;
			if (failed >= MAX_FAILED_ROUNDS) {
				say("giving up: xenstore or Xen unreachable for %d rounds", failed);
				return 1;
			}
			continue;
		}
		int rc = wait_events(dm->xs, early ? last_round + EARLY_ROUND_MS : next_round);
		if (rc < 0)
			return 1;
		early = early || rc;
	}
	say_event(NULL, 0, "stopping on signal %d; guests keep their targets", (int)stop_signal);
	return 0;
}

static void usage(FILE *to)
{
	fprintf(to, "usage: tided [-c FILE] [-v] [-t]\n"
		    "  -c FILE  configuration (default " DEFAULT_CONFIG "; lines: reserve=MiB, policy=fluid|conservative,\n"
		    "           NAME min=MiB max=MiB)\n"
		    "  -v       log every guest's state every round\n"
		    "  -t       check the configuration and exit (0: valid, 2: not, with the reason)\n");
}

/* The command line into dm: 0 to go on, or 2 after the usage (-h: exit 0 after it). */
static int parse_args(int argc, char **argv, struct daemon *dm)
{
	int opt;
	dm->config_path = DEFAULT_CONFIG;
	while ((opt = getopt(argc, argv, "c:vth")) != -1) {
		switch (opt) {
		case 'c': dm->config_path = optarg; dm->explicit_config = true; break;
		case 'v': verbose = true; break;
		case 't': check_only = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct daemon dm;
	char err[512];
	say_start("tided");
	int rc = parse_args(argc, argv, &dm);
	if (rc)
		return rc;
	int none = load_config(&dm, &dm.cfg, err, sizeof(err));
	if (none < 0) {
		fprintf(stderr, "tided: %s\n", err);
		return 2;
	}
	config_policy_params(&dm.cfg, &dm.params);
	if (check_only) {
		printf("tided: %s: %s\n", dm.config_path, none ? "no such file: the defaults" : "valid");
		return 0;
	}
	if ((rc = open_host(&dm)))
		return rc;
	if (take_lock() || publish(&dm))
		return 1;
	policy_init(&dm.pol, &dm.params);
	install_signals();
	say_event(NULL, 0, "started: policy %s, reserve %llu MiB, config %s (%zu guests' bounds); managing guests that advertise "
	    "feature-balloon",
	    config_policy_name(dm.cfg.policy), mib(dm.params.reserve_kib), none ? "none" : dm.config_path, dm.cfg.n);
	rc = run(&dm);
	unpublish(dm.xs);
	xcio_close(dm.xc);
	xsio_close(dm.xs);
	return rc;
}
