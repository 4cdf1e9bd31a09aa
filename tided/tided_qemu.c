/*
 * tided-qemu: tided's policy for QEMU/KVM guests, reached over QMP.
 *
 *   tided-qemu [-c FILE] [-v] [-s STATUS] DIR
 *
 * DIR holds one QMP socket per guest, NAME.qmp (QEMU: -qmp
 * unix:DIR/NAME.qmp,server=on,wait=off). Every 500 ms: read each guest
 * (qemu_guests.c: what it holds, its virtio-mem device, its balloon's
 * statistics as its report), run the same policy as tided (policy.c), and
 * apply its targets as virtio-mem requested-sizes. Only the gathering and
 * the applying differ from tided; the policy, its config file (with
 * pool=MiB, the memory the guests share) and its log lines are the same.
 * The policy is the conservative one: the fluid one lets a guest grow on
 * shortage into headroom above its target, and virtio-mem cannot plug past
 * the requested size, so a config that asks for it gets one line.
 * There is no xenstore: a guest's bounds come from the config file or are
 * its memory when first seen (min) and its boot memory plus its virtio-mem
 * device's size (max), and a restarted tided-qemu starts afresh. With -s,
 * each round's view is written to STATUS (replaced whole), one line a
 * guest (what it holds, its target, bounds, plugged memory, pressure, and
 * from its report what it uses and its failed allocations, -1 unknown),
 * which `tidectl status --qemu STATUS` prints.
 *
 * Exit status: 0 when stopped by SIGTERM or SIGINT, 1 when DIR cannot be
 * read for three rounds in a row, 2 for a bad command line or config file.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "policy.h"
#include "qemu_guests.h"
#include "roster.h"
#include "say.h"

#define ROUND_MS 500
#define MAX_FAILED_ROUNDS 3

static volatile sig_atomic_t stop_signal;
static void on_signal(int sig) { stop_signal = sig; }

struct daemon {
	const char *dir, *status_path;
	bool verbose;
	struct tided_config cfg;
	struct policy pol;
	struct roster before;
};

static void apply(const struct qemu_guest *g, const struct decision *d)
{
	uint64_t requested;
	if (d->set_target) {
		int rc = qemu_set_target(g, d->target_kib, &requested);
		if (rc)
			say("%s: cannot set virtio-mem's requested-size: %s", g->f.name, strerror(-rc));
		else
			say("%s: target %llu -> %llu MiB (%s; holds %llu MiB): requested-size %llu MiB", g->f.name,
			    mib(g->f.target_kib), mib(d->target_kib), d->why, mib(g->f.current_kib), mib(requested));
	}
	if (d->note[0])
		say("%s: %s", g->f.name, d->note);
	if (d->uncoop_changed)
		say("%s: %s", g->f.name, d->uncooperative ? "uncooperative: not counted on until it gets to its target"
							   : "cooperative again");
}

/* Each guest's view this round, for tidectl status --qemu: written beside STATUS, then renamed over it. */
static void write_status(const struct daemon *dm, const struct qemu_host *h, const struct decision *out)
{
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s.tmp", dm->status_path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "free_kib %llu reserve_kib %llu\n", (unsigned long long)h->free_kib,
		(unsigned long long)dm->pol.p.reserve_kib);
	for (size_t i = 0; i < h->n; i++) {
		const struct qemu_guest *g = &h->g[i];
		long long used = g->f.total.valid && g->f.free.valid ? (long long)(g->f.total.value - g->f.free.value) : -1;
		fprintf(f,
			"%s %s holds_kib %llu target_kib %llu min_kib %llu max_kib %llu plugged_kib %llu pressure %s "
			"used_kib %lld failures %lld\n",
			g->f.name, out[i].managed ? out[i].state : "unmanaged", (unsigned long long)g->f.current_kib,
			(unsigned long long)out[i].target_kib, (unsigned long long)g->f.min_kib,
			(unsigned long long)g->f.max_kib, (unsigned long long)g->mem_kib, out[i].pressure, used,
			g->f.failures.valid ? (long long)g->f.failures.value : -1LL);
	}
	if (fclose(f) == 0)
		rename(tmp, dm->status_path);
}

static int round_once(struct daemon *dm)
{
	static struct qemu_host h;
	static struct guest_facts facts[QEMU_GUESTS_MAX];
	static struct decision out[QEMU_GUESTS_MAX];
	static struct roster now;
	char err[512];
	if (qemu_gather(dm->dir, &dm->cfg, &h, err, sizeof(err))) {
		say("%s", err);
		return -1;
	}
	for (size_t i = 0; i < h.n; i++)
		facts[i] = h.g[i].f;
	struct host_facts host = {.now_ms = now_ms(), .free_kib = h.free_kib};
	struct host_decision hd;
	policy_round(&dm->pol, &host, facts, h.n, out, &hd);
	now.n = 0;
	for (size_t i = 0; i < h.n; i++) {
		const struct roster_entry *was = roster_find(&dm->before, facts[i].domid);
		roster_add(&now, facts[i].domid, facts[i].name, out[i].managed, facts[i].current_kib);
		if (!out[i].managed)
			continue;
		if (!was || !was->managed)
			say("%s: managing it: holds %llu MiB, target %llu MiB, bounds [%llu, %llu] MiB", facts[i].name,
			    mib(facts[i].current_kib), mib(out[i].target_kib), mib(facts[i].min_kib), mib(facts[i].max_kib));
		apply(&h.g[i], &out[i]);
		if (dm->verbose)
			say("%s: %s, pressure %s, holds %llu MiB, reports total %lld free %lld KiB waits %lld failures %lld, "
			    "target %llu MiB",
			    facts[i].name, out[i].state, out[i].pressure, mib(facts[i].current_kib),
			    facts[i].total.valid ? (long long)facts[i].total.value : -1LL,
			    facts[i].free.valid ? (long long)facts[i].free.value : -1LL,
			    facts[i].waits.valid ? (long long)facts[i].waits.value : -1LL,
			    facts[i].failures.valid ? (long long)facts[i].failures.value : -1LL, mib(out[i].target_kib));
	}
	const struct roster_entry *e;
	const char *why;
	size_t pos = 0;
	while ((e = roster_next_dropped(&dm->before, &now, &pos, &why)))
		say("%s: no longer managed: %s", e->name, why);
	if (hd.reserve_changed)
		say("host free %llu MiB is %s the reserve of %llu MiB", mib(h.free_kib),
		    hd.below_reserve ? "below" : "back above", mib(dm->pol.p.reserve_kib));
	dm->before = now;
	if (dm->status_path)
		write_status(dm, &h, out);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: tided-qemu [-c FILE] [-v] [-s STATUS] DIR\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct daemon dm;
	const char *config_path = "/etc/tided.conf";
	bool explicit_config = false;
	int opt;
	say_start("tided-qemu");
	while ((opt = getopt(argc, argv, "c:vs:")) != -1) {
		switch (opt) {
		case 'c': config_path = optarg, explicit_config = true; break;
		case 'v': dm.verbose = true; break;
		case 's': dm.status_path = optarg; break;
		default: return usage();
		}
	}
	if (optind != argc - 1)
		return usage();
	dm.dir = argv[optind];
	char err[512];
	int none = config_load(config_path, &dm.cfg, err, sizeof(err));
	if (none < 0 || (none == 1 && explicit_config)) {
		fprintf(stderr, "tided-qemu: %s\n", none < 0 ? err : "the config file does not exist");
		return 2;
	}
	if (dm.cfg.has_policy && dm.cfg.policy == CONFIG_POLICY_FLUID)
		fprintf(stderr, "tided-qemu: policy=fluid needs growth on shortage, which virtio-mem does not have; "
				"using policy=conservative\n");
	dm.cfg.policy = CONFIG_POLICY_CONSERVATIVE;
	struct policy_params params;
	config_policy_params(&dm.cfg, &params);
	policy_init(&dm.pol, &params);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	say("started: policy %s, reserve %llu MiB, %s, guests' QMP sockets in %s", config_policy_name(dm.cfg.policy),
	    mib(params.reserve_kib), dm.cfg.has_pool ? "pool from the config" : "pool: the host's MemAvailable", dm.dir);
	int failed = 0;
	while (!stop_signal) {
		failed = round_once(&dm) ? failed + 1 : 0;
		if (failed == MAX_FAILED_ROUNDS) {
			say("giving up: %d rounds in a row could not read %s", failed, dm.dir);
			qemu_close_all();
			return 1;
		}
		usleep(ROUND_MS * 1000);
	}
	say("stopped by signal %d; guests keep their requested sizes", (int)stop_signal);
	qemu_close_all();
	return 0;
}
