/* tided-qemu's gather and apply over QMP; see qemu_guests.h. */
#include "qemu_guests.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "qmp_io.h"

#define SOCKET_SUFFIX ".qmp"
#define KIB 1024ULL

/* One guest tided-qemu has seen, kept across rounds: its connection and what it was first. */
struct known {
	char name[POLICY_NAME_MAX];
	struct qmp q;
	bool open, said_down;
	bool balloon_known;  /* balloon holds the balloon device's id ("" none), found once per connection */
	char balloon[64];
	uint64_t first_kib;
};
static struct known known[QEMU_GUESTS_MAX];
static char reply[QMP_REPLY_MAX + 1];

/* The entry for name (a new one for a new name), or NULL when the table is full. */
static struct known *known_for(const char *name)
{
	struct known *spare = NULL;
	for (size_t i = 0; i < QEMU_GUESTS_MAX; i++) {
		if (known[i].name[0] && !strcmp(known[i].name, name))
			return &known[i];
		if (!known[i].name[0] && !spare)
			spare = &known[i];
	}
	if (spare) {
		memset(spare, 0, sizeof(*spare));
		snprintf(spare->name, sizeof(spare->name), "%s", name);
		spare->q.fd = -1;
	}
	return spare;
}

static int run(struct known *k, const char *command)
{
	int rc = qmp_execute(&k->q, command, reply, sizeof(reply));
	if (rc && rc != -EPROTO) { /* the connection is not to be trusted any more */
		qmp_close(&k->q);
		k->open = false;
	}
	return rc;
}

/* Connect to the guest's socket unless connected: 0, or -errno (one line the first time). */
static int connect_to(struct known *k, const char *dir)
{
	char path[512];
	if (k->open)
		return 0;
	snprintf(path, sizeof(path), "%s/%s%s", dir, k->name, SOCKET_SUFFIX);
	int rc = qmp_open(&k->q, path);
	if (rc) {
		if (!k->said_down)
			printf("tided-qemu: %s: its QMP socket does not answer (%s); left out until it does\n", k->name,
			       strerror(-rc));
		k->said_down = true;
		return rc;
	}
	k->open = true;
	k->balloon_known = false; /* a new connection may be to a new QEMU */
	k->said_down = false;
	return 0;
}

/* The balloon device's id under /machine/peripheral into k->balloon ("" when there is none), once per connection. */
static void find_balloon(struct known *k)
{
	char *id = k->balloon;
	size_t size = sizeof(k->balloon);
	if (k->balloon_known)
		return;
	id[0] = '\0';
	if (run(k, "{\"execute\":\"qom-list\",\"arguments\":{\"path\":\"/machine/peripheral\"}}"))
		return;
	k->balloon_known = true;
	for (const char *at = reply; (at = strstr(at, "{\"name\": ")); at++) {
		char name[64], type[96];
		if (!qmp_str(at, "name", name, sizeof(name)) && !qmp_str(at, "type", type, sizeof(type)) &&
		    strstr(type, "virtio-balloon")) {
			snprintf(id, size, "%s", name);
			return;
		}
	}
}

/*
 * The guest's report from its balloon's statistics, which QEMU polls every
 * second once asked to: asked again for as long as none has come (a QEMU
 * that restarted its device forgets).
 */
static void read_report(struct known *k, struct qemu_guest *g, const char *balloon)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"/machine/peripheral/%s\",\"property\":\"guest-stats\"}}",
		 balloon);
	uint64_t v, updated;
	if (run(k, cmd) || qmp_u64(reply, "last-update", &updated) || updated == 0) {
		snprintf(cmd, sizeof(cmd),
			 "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"/machine/peripheral/%s\","
			 "\"property\":\"guest-stats-polling-interval\",\"value\":1}}",
			 balloon);
		run(k, cmd);
		return; /* no statistics yet: no report */
	}
	struct {
		const char *key;
		struct report_field *field;
		uint64_t scale;
	} map[] = {
		{"stat-total-memory", &g->f.total, KIB},
		{"stat-free-memory", &g->f.free, KIB},
		{"stat-major-faults", &g->f.waits, 1},
		{"stat-htlb-pgfail", &g->f.failures, 1},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!qmp_u64(reply, map[i].key, &v))
			*map[i].field = (struct report_field){true, (int64_t)(v / map[i].scale)};
}

/* What QMP says of one guest: 0 when it could be read whole, else -errno. */
static int read_guest(struct known *k, struct qemu_guest *g)
{
	uint64_t base, actual;
	const char *balloon = k->balloon;
	if (run(k, "{\"execute\":\"query-memory-size-summary\"}") || qmp_u64(reply, "base-memory", &base))
		return -EIO;
	g->boot_kib = base / KIB;
	find_balloon(k);
	g->actual_kib = g->boot_kib;
	if (balloon[0] && !run(k, "{\"execute\":\"query-balloon\"}") && !qmp_u64(reply, "actual", &actual))
		g->actual_kib = actual / KIB;
	if (run(k, "{\"execute\":\"query-memory-devices\"}"))
		return -EIO;
	const char *mem = strstr(reply, "\"type\": \"virtio-mem\"");
	uint64_t size, requested, max, block;
	g->f.balloon = mem && !qmp_str(mem, "id", g->mem_id, sizeof(g->mem_id)) && !qmp_u64(mem, "size", &size) &&
		       !qmp_u64(mem, "requested-size", &requested) && !qmp_u64(mem, "max-size", &max) &&
		       !qmp_u64(mem, "block-size", &block) && block >= KIB && size <= max && requested <= max;
	if (g->f.balloon) {
		g->mem_kib = size / KIB;
		g->requested_kib = requested / KIB;
		g->mem_max_kib = max / KIB;
		g->block_kib = block / KIB;
	}
	g->f.current_kib = g->actual_kib + g->mem_kib;
	g->f.has_target = g->f.balloon;
	g->f.target_kib = g->actual_kib + g->requested_kib;
	g->f.xen_max_kib = g->f.balloon ? g->f.target_kib : g->f.current_kib;
	if (balloon[0])
		read_report(k, g, balloon);
	return 0;
}

/* The host's MemAvailable, in KiB, or 0. */
static uint64_t mem_available_kib(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long long kib = 0;
	char line[128];
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

int qemu_gather(const char *dir, const struct tided_config *c, struct qemu_host *h, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
		return -1;
	}
	memset(h, 0, sizeof(*h));
	uint64_t held = 0;
	struct dirent *e;
	while ((e = readdir(d)) && h->n < QEMU_GUESTS_MAX) {
		size_t len = strlen(e->d_name), suffix = strlen(SOCKET_SUFFIX);
		if (len <= suffix || len - suffix >= POLICY_NAME_MAX || strcmp(e->d_name + len - suffix, SOCKET_SUFFIX))
			continue;
		char name[POLICY_NAME_MAX];
		snprintf(name, sizeof(name), "%.*s", (int)(len - suffix), e->d_name);
		struct known *k = known_for(name);
		struct qemu_guest *g = &h->g[h->n];
		memset(g, 0, sizeof(*g));
		if (!k || connect_to(k, dir) || read_guest(k, g))
			continue;
		snprintf(g->f.name, sizeof(g->f.name), "%s", name);
		g->f.domid = (uint32_t)(k - known) + 1;
		if (!k->first_kib)
			k->first_kib = g->f.current_kib;
		struct bound_sources src = {.static_max_kib = g->boot_kib + g->mem_max_kib, .first_seen_kib = k->first_kib};
		bounds_resolve(c, name, &src, &g->f.min_kib, &g->f.max_kib, &g->min_from, &g->max_from);
		held += g->f.current_kib;
		h->n++;
	}
	closedir(d);
	h->free_kib = c->has_pool ? (c->pool_kib > held ? c->pool_kib - held : 0) : mem_available_kib();
	return 0;
}

int qemu_set_target(const struct qemu_guest *g, uint64_t target_kib, uint64_t *requested_kib)
{
	struct known *k = known_for(g->f.name);
	if (!k || !k->open)
		return -ENOTCONN;
	uint64_t want = target_kib > g->actual_kib ? target_kib - g->actual_kib : 0;
	want = (want + g->block_kib / 2) / g->block_kib * g->block_kib;
	if (want > g->mem_max_kib)
		want = g->mem_max_kib / g->block_kib * g->block_kib;
	char cmd[256];
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"/machine/peripheral/%s\","
		 "\"property\":\"requested-size\",\"value\":%llu}}",
		 g->mem_id, (unsigned long long)(want * KIB));
	int rc = run(k, cmd);
	if (!rc)
		*requested_kib = want;
	return rc;
}

void qemu_close_all(void)
{
	for (size_t i = 0; i < QEMU_GUESTS_MAX; i++)
		if (known[i].open)
			qmp_close(&known[i].q);
}
