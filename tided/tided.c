/*
 * tided: balances memory across Tide guests from dom0.
 *
 *   tided [-c FILE] [-v]
 *
 * Every 500 ms, and sooner (at most every 100 ms) when a watch on xenstore
 * says a domain appeared or went, a guest reported new free memory or
 * pressure, or tidectl changed a bound: read every domain's memory from Xen
 * (libxenctrl) and its report from xenstore, run the policy (policy.c), and
 * apply its decisions: Xen's maximum for the guest (xc_domain_setmaxmem),
 * memory/target, and
 * memory/uncooperative. It runs in the foreground and logs to stdout; stop
 * it with SIGTERM or SIGINT (guests keep their targets), reload the config
 * file with SIGHUP. A restarted tided adopts what it finds: targets from
 * memory/target, marks from memory/uncooperative, bounds set with tidectl
 * from /tool/tided/bounds, and each guest's default min from its record.
 *
 * Exit status: 0 when stopped by a signal, 1 when xenstore or Xen cannot be
 * reached (at start, or for three rounds in a row), 2 for a bad command line
 * or config file.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "gather.h"
#include "policy.h"
#include "xc_io.h"
#include "xs_io.h"

#define MIB 1024ULL
#define ROUND_MS 500
#define EARLY_ROUND_MS 100 /* a watch event may bring a round forward, not closer than this */
#define MAX_FAILED_ROUNDS 3
#define DEFAULT_CONFIG "/etc/tided.conf"

static volatile sig_atomic_t stop_signal, reload;
static uint64_t t0;
static bool verbose;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stop_signal = sig;
}

static void say(const char *fmt, ...)
{
	va_list ap;
	uint64_t t = now_ms() - t0;
	printf("[%5" PRIu64 ".%03" PRIu64 "] tided: ", t / 1000, t % 1000);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static unsigned long long mib(uint64_t kib) { return (unsigned long long)(kib / MIB); }

/* Status nodes are written only when their value changes. */
struct status_cache {
	char name[POLICY_NAME_MAX];
	char val[8][48];
	bool live;
};
static struct status_cache cache[GATHER_MAX];

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

static void put(struct xs_handle *xs, struct status_cache *c, int slot, const char *name, const char *node,
		const char *value)
{
	char path[256];
	if (c && !strcmp(c->val[slot], value))
		return;
	snprintf(path, sizeof(path), TOOL "/guests/%s/%s", name, node);
	if (xsio_write(xs, path, value) == 0 && c)
		snprintf(c->val[slot], sizeof(c->val[slot]), "%s", value);
}

static void put_u64(struct xs_handle *xs, struct status_cache *c, int slot, const char *name, const char *node,
		    uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	put(xs, c, slot, name, node, buf);
}

static void write_status(struct xs_handle *xs, const struct guest_view *g, const struct decision *d)
{
	const char *name = g->f.name;
	struct status_cache *c = cache_for(name);
	if (c)
		c->live = true;
	put_u64(xs, c, 0, name, "domid", g->f.domid);
	put_u64(xs, c, 1, name, "first_kib", g->first_kib);
	put_u64(xs, c, 2, name, "min_kib", g->f.min_kib);
	put_u64(xs, c, 3, name, "max_kib", g->f.max_kib);
	put_u64(xs, c, 4, name, "target_kib", d->target_kib);
	put(xs, c, 5, name, "state", d->state);
	put(xs, c, 6, name, "pressure", d->pressure);
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

static void apply(struct xs_handle *xs, struct xcio *xc, const struct guest_view *g, const struct decision *d)
{
	const struct guest_facts *f = &g->f;
	char path[256];
	bool raise_first = d->set_xen_max && d->xen_max_kib > f->xen_max_kib;
	/* Raise Xen's limit before the target (so the guest can reach it); lower it after. */
	if (raise_first && xcio_set_max(xc, f->domid, d->xen_max_kib))
		say("%s (dom%u): cannot raise Xen's max to %llu MiB: %s", f->name, f->domid, mib(d->xen_max_kib),
		    strerror(errno));
	if (d->set_target) {
		snprintf(path, sizeof(path), "/local/domain/%u/memory/target", f->domid);
		int rc = xsio_write_u64(xs, path, d->target_kib);
		if (rc)
			say("%s (dom%u): cannot write memory/target: %s", f->name, f->domid, strerror(-rc));
		else
			say("%s (dom%u): target %llu -> %llu MiB (%s; holds %llu MiB)", f->name, f->domid,
			    mib(f->has_target ? f->target_kib : f->current_kib), mib(d->target_kib), d->why,
			    mib(f->current_kib));
	}
	if (d->set_xen_max && !raise_first && xcio_set_max(xc, f->domid, d->xen_max_kib))
		say("%s (dom%u): cannot set Xen's max to %llu MiB: %s", f->name, f->domid, mib(d->xen_max_kib),
		    strerror(errno));
	if (d->uncoop_changed) {
		snprintf(path, sizeof(path), "/local/domain/%u/memory/uncooperative", f->domid);
		if (d->uncooperative) {
			xsio_write(xs, path, "1");
			say("%s (dom%u): uncooperative: %s (holds %llu MiB); not counted on until it gets there",
			    f->name, f->domid, d->why[0] ? d->why : "marked in xenstore", mib(f->current_kib));
		} else {
			xsio_rm(xs, path);
			say("%s (dom%u): cooperative again (holds %llu MiB, target %llu MiB)", f->name, f->domid,
			    mib(f->current_kib), mib(d->target_kib));
		}
	}
}

static int round_once(struct xs_handle *xs, struct xcio *xc, struct policy *pol, const struct tided_config *cfg)
{
	static struct host_view v;
	static struct guest_facts facts[GATHER_MAX];
	static struct decision out[GATHER_MAX];
	static bool managed_before[1 << 16];
	char err[256];
	if (gather(xs, xc, cfg, &v, err, sizeof(err))) {
		say("%s", err);
		return -1;
	}
	for (size_t i = 0; i < v.n; i++)
		facts[i] = v.g[i].f;
	struct host_facts host = {.now_ms = now_ms(), .free_kib = v.free_kib};
	struct host_decision hd;
	policy_round(pol, &host, facts, v.n, out, &hd);
	for (size_t i = 0; i < v.n; i++) {
		const struct guest_facts *f = &facts[i];
		uint16_t id = (uint16_t)f->domid;
		if (!out[i].managed) {
			managed_before[id] = false;
			continue;
		}
		if (!managed_before[id])
			say("%s (dom%u): managing it: holds %llu MiB, target %llu MiB, bounds [%llu, %llu] MiB%s",
			    f->name, f->domid, mib(f->current_kib), mib(out[i].target_kib), mib(f->min_kib),
			    mib(f->max_kib), out[i].uncooperative ? ", marked uncooperative" : "");
		managed_before[id] = true;
		apply(xs, xc, &v.g[i], &out[i]);
		write_status(xs, &v.g[i], &out[i]);
		if (verbose)
			say("%s: %s, pressure %s, holds %llu KiB, reports total %lld free %lld waits %lld failures %lld%s, "
			    "target %llu MiB, Xen max %llu MiB",
			    f->name, out[i].state, out[i].pressure, (unsigned long long)f->current_kib,
			    f->total.valid ? (long long)f->total.value : -1LL,
			    f->free.valid ? (long long)f->free.value : -1LL,
			    f->waits.valid ? (long long)f->waits.value : -1LL,
			    f->failures.valid ? (long long)f->failures.value : -1LL, out[i].report_ok ? "" : " (ignored)",
			    mib(out[i].target_kib), mib(out[i].xen_max_kib));
	}
	forget_gone(xs, &v, out);
	int64_t avail = hd.available_kib;
	xsio_write_u64(xs, TOOL "/host/free_kib", v.free_kib);
	xsio_write_u64(xs, TOOL "/host/available_kib", avail > 0 ? (uint64_t)avail : 0);
	xsio_write_u64(xs, TOOL "/heartbeat_ms", host.now_ms);
	return 0;
}

static void usage(FILE *to)
{
	fprintf(to, "usage: tided [-c FILE] [-v]\n"
		    "  -c FILE  configuration (default " DEFAULT_CONFIG "; lines: reserve=MiB, NAME min=MiB max=MiB)\n"
		    "  -v       log every guest's state every round\n");
}

static int load_config(const char *path, bool explicit, struct tided_config *cfg)
{
	char err[512];
	int rc = config_load(path, cfg, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "tided: %s\n", err);
		return -1;
	}
	if (rc == 1 && explicit) {
		fprintf(stderr, "tided: %s: no such file\n", path);
		return -1;
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *config_path = DEFAULT_CONFIG;
	bool explicit_config = false;
	int opt;
	t0 = now_ms();
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "c:vh")) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; explicit_config = true; break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	static struct tided_config cfg;
	int crc = load_config(config_path, explicit_config, &cfg);
	if (crc < 0)
		return 2;

	char err[256];
	struct xs_handle *xs = xsio_open(err, sizeof(err));
	if (!xs) {
		fprintf(stderr, "tided: %s\n", err);
		return 1;
	}
	struct xcio *xc = xcio_open(err, sizeof(err));
	if (!xc) {
		fprintf(stderr, "tided: %s\n", err);
		return 1;
	}
	static struct policy pol;
	struct policy_params params;
	policy_default_params(&params);
	if (cfg.has_reserve)
		params.reserve_kib = cfg.reserve_kib;
	policy_init(&pol, &params);

	const char *watches[][2] = {
		{"@introduceDomain", "domains"}, {"@releaseDomain", "domains"},
		{"/local/domain", "local"},       {TOOL "/bounds", "bounds"},
	};
	for (size_t i = 0; i < sizeof(watches) / sizeof(watches[0]); i++) {
		int rc = xsio_watch(xs, watches[i][0], watches[i][1]);
		if (rc) {
			fprintf(stderr, "tided: cannot watch %s in xenstore: %s\n", watches[i][0], strerror(-rc));
			return 1;
		}
	}
	if (xsio_write_u64(xs, TOOL "/pid", (uint64_t)getpid()) ||
	    xsio_write_u64(xs, TOOL "/host/reserve_kib", params.reserve_kib)) {
		fprintf(stderr, "tided: cannot write under " TOOL " in xenstore (not dom0?)\n");
		return 1;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	say("started: reserve %llu MiB, config %s (%zu guests' bounds); managing guests that advertise "
	    "feature-balloon",
	    mib(params.reserve_kib), crc == 1 ? "none" : config_path, cfg.n);
	uint64_t last_round = 0, next_round = now_ms();
	bool early = false;
	int failed = 0;
	while (!stop_signal) {
		if (reload) {
			reload = 0;
			static struct tided_config fresh;
			if (load_config(config_path, explicit_config, &fresh) >= 0) {
				cfg = fresh;
				pol.p.reserve_kib = cfg.has_reserve ? cfg.reserve_kib : params.reserve_kib;
				xsio_write_u64(xs, TOOL "/host/reserve_kib", pol.p.reserve_kib);
				say("reloaded %s: reserve %llu MiB, %zu guests' bounds", config_path,
				    mib(pol.p.reserve_kib), cfg.n);
			} else {
				say("kept the old configuration");
			}
			early = true;
		}
		uint64_t now = now_ms();
		if (now >= next_round || (early && now >= last_round + EARLY_ROUND_MS)) {
			early = false;
			last_round = now;
			next_round = now + ROUND_MS;
			if (round_once(xs, xc, &pol, &cfg)) {
				if (++failed >= MAX_FAILED_ROUNDS) {
					fprintf(stderr, "tided: giving up: xenstore or Xen unreachable for %d rounds\n",
						failed);
					return 1;
				}
			} else {
				failed = 0;
			}
			continue;
		}
		uint64_t until = early ? last_round + EARLY_ROUND_MS : next_round;
		struct pollfd pfd = {.fd = xsio_fd(xs), .events = POLLIN};
		int prc = poll(&pfd, 1, (int)(until > now ? until - now : 0));
		if (prc < 0 && errno != EINTR) {
			fprintf(stderr, "tided: poll on xenstore: %s\n", strerror(errno));
			return 1;
		}
		if (prc <= 0)
			continue;
		char path[256], token[32];
		int erc;
		while ((erc = xsio_next_event(xs, path, sizeof(path), token, sizeof(token))) == 1) {
			size_t len = strlen(path);
			if (strcmp(token, "local")) {
				early = true; /* a domain came or went, or a bound changed */
				continue;
			}
#define ENDS(s) (len >= sizeof(s) - 1 && !strcmp(path + len - (sizeof(s) - 1), s))
			if (ENDS("/data/tide/alloc_waits") || ENDS("/data/tide/alloc_failures") ||
			    ENDS("/data/meminfo_free") || ENDS("/feature-balloon"))
				early = true;
#undef ENDS
		}
		if (erc < 0 && xsio_fatal(erc)) {
			fprintf(stderr, "tided: lost xenstore: %s\n", strerror(-erc));
			return 1;
		}
	}
	say("stopping on signal %d; guests keep their targets", (int)stop_signal);
	xsio_rm(xs, TOOL "/pid");
	xcio_close(xc);
	xsio_close(xs);
	return 0;
}
