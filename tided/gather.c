/* One look at the host for tided and tidectl; see gather.h. */
#include "gather.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void field(struct xs_handle *xs, const char *base, const char *rel, struct report_field *f)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", base, rel);
	f->valid = xsio_read_i64(xs, path, &f->value) == 0;
}

/* A positive KiB value from a node, or 0. */
static uint64_t kib_node(struct xs_handle *xs, const char *fmt, const char *arg)
{
	char path[256];
	int64_t v;
	snprintf(path, sizeof(path), fmt, arg);
	return xsio_read_i64(xs, path, &v) == 0 && v > 0 ? (uint64_t)v : 0;
}

static bool is_one(struct xs_handle *xs, const char *base, const char *rel)
{
	char path[256], buf[8];
	snprintf(path, sizeof(path), "%s/%s", base, rel);
	return xsio_read(xs, path, buf, sizeof(buf)) == 0 && !strcmp(buf, "1");
}

/*
 * What xenstore says of a domain: its name, whether it is managed, its
 * target, mark and report. False when its home is gone: the toolstack
 * removes it first when it destroys a domain, before Xen marks it dying.
 */
static bool read_domain(struct xs_handle *xs, const char *base, struct guest_facts *f)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/name", base);
	int rc = xsio_read(xs, path, f->name, sizeof(f->name));
	if (rc == -ENOENT && xsio_read(xs, base, path, sizeof(path)) == -ENOENT)
		return false;
	if (rc || !f->name[0] || strchr(f->name, '/'))
		snprintf(f->name, sizeof(f->name), "dom%u", f->domid);
	f->balloon = is_one(xs, base, "control/feature-balloon") || is_one(xs, base, "data/feature-balloon");
	struct report_field t;
	field(xs, base, "memory/target", &t);
	f->has_target = t.valid && t.value > 0;
	f->target_kib = f->has_target ? (uint64_t)t.value : 0;
	f->marked_uncooperative = is_one(xs, base, "memory/uncooperative");
	field(xs, base, "data/meminfo_total", &f->total);
	field(xs, base, "data/meminfo_free", &f->free);
	field(xs, base, "data/tide/floor_kib", &f->floor);
	field(xs, base, "data/tide/alloc_waits", &f->waits);
	field(xs, base, "data/tide/alloc_failures", &f->failures);
	field(xs, base, "data/tide/droppable_kib", &f->droppable);
	return true;
}

/* tided's record of the guest, if it is this domain's: its memory when first seen, its saved state. */
static void read_record(struct xs_handle *xs, struct guest_view *g, bool want_saved)
{
	struct guest_facts *f = &g->f;
	char path[256];
	int64_t d;
	snprintf(path, sizeof(path), TOOL "/guests/%s/domid", f->name);
	g->has_record = xsio_read_i64(xs, path, &d) == 0 && d == (int64_t)f->domid;
	if (g->has_record)
		g->first_kib = kib_node(xs, TOOL "/guests/%s/first_kib", f->name);
	if (!g->first_kib)
		g->first_kib = f->has_target ? f->target_kib : f->current_kib;
	snprintf(path, sizeof(path), TOOL "/guests/%s/saved", f->name);
	if (!want_saved || !g->has_record || xsio_read(xs, path, f->saved, sizeof(f->saved)))
		f->saved[0] = '\0';
}

/* The guest's bounds: resolved from every source with a config (tided), else tided's record (tidectl). */
static void read_bounds(struct xs_handle *xs, const struct tided_config *c, const char *base, struct guest_view *g)
{
	struct guest_facts *f = &g->f;
	g->static_max_kib = kib_node(xs, "%s/memory/static-max", base);
	g->set_min_kib = kib_node(xs, TOOL "/bounds/%s/min", f->name);
	g->set_max_kib = kib_node(xs, TOOL "/bounds/%s/max", f->name);
	if (c) {
		struct bound_sources src = {
			.set_min_kib = g->set_min_kib,
			.set_max_kib = g->set_max_kib,
			.static_min_kib = kib_node(xs, "%s/memory/static-min", base),
			.static_max_kib = g->static_max_kib,
			.first_seen_kib = g->first_kib,
		};
		bounds_resolve(c, f->name, &src, &f->min_kib, &f->max_kib, &g->min_from, &g->max_from);
	} else if (g->has_record) {
		f->min_kib = kib_node(xs, TOOL "/guests/%s/min_kib", f->name);
		f->max_kib = kib_node(xs, TOOL "/guests/%s/max_kib", f->name);
	}
}

/* Xen's view of the host and its domains: the number of domains, or -1 with err set. */
static int read_xen(struct xcio *xc, struct host_view *v, struct xcio_dom *doms, char *err, size_t errlen)
{
	if (xcio_host(xc, &v->free_kib, &v->total_kib)) {
		snprintf(err, errlen, "cannot read Xen's host memory (xc_physinfo: %s)", strerror(errno));
		return -1;
	}
	int nd = xcio_domains(xc, doms, GATHER_MAX);
	if (nd < 0)
		snprintf(err, errlen, "cannot list Xen's domains (xc_domain_getinfolist: %s)", strerror(errno));
	return nd;
}

int gather(struct xs_handle *xs, struct xcio *xc, const struct tided_config *c, struct host_view *v, char *err,
	   size_t errlen)
{
	static struct xcio_dom doms[GATHER_MAX];
	memset(v, 0, sizeof(*v));
	int nd = read_xen(xc, v, doms, err, errlen);
	if (nd < 0)
		return -1;
	/* Probe xenstore once, so that a dead connection is told apart from missing nodes. */
	char probe[64];
	int rc = xsio_read(xs, "/local/domain/0/domid", probe, sizeof(probe));
	if (rc && xsio_fatal(rc)) {
		snprintf(err, errlen, "cannot read xenstore (%s)", strerror(-rc));
		return -1;
	}
	for (int i = 0; i < nd; i++) {
		if (doms[i].domid == 0 || doms[i].dying)
			continue;
		struct guest_view *g = &v->g[v->n++];
		char base[64];
		memset(g, 0, sizeof(*g));
		snprintf(base, sizeof(base), "/local/domain/%u", doms[i].domid);
		g->f.domid = doms[i].domid;
		g->f.current_kib = doms[i].tot_kib;
		g->f.xen_max_kib = doms[i].max_kib;
		if (!read_domain(xs, base, &g->f)) { /* being destroyed: gone, as far as tided goes */
			v->n--;
			continue;
		}
		read_record(xs, g, c != NULL);
		read_bounds(xs, c, base, g);
	}
	return 0;
}
