/* A simulated host for the policy tests; see sim.h. */
#include "sim.h"

#include "../../kernel/include/tide/floor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUND_MS 500

static uint64_t max_u(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min_u(uint64_t a, uint64_t b) { return a < b ? a : b; }

static uint64_t rnd(uint64_t *state)
{
	/* xorshift64*: deterministic, seeded per guest */
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ULL;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

void sim_init(struct sim *s, uint64_t host_total_kib)
{
	memset(s, 0, sizeof(*s));
	policy_init(&s->pol, NULL);
	s->host_total = host_total_kib;
	s->now = 100000;
	s->step_ms = ROUND_MS;
	s->min_host_free = UINT64_MAX;
}

struct sim_guest *sim_add(struct sim *s, const char *name, uint64_t boot, uint64_t min, uint64_t max)
{
	if (s->n == SIM_MAX)
		return NULL;
	struct sim_guest *g = &s->g[s->n];
	memset(g, 0, sizeof(*g));
	g->present = true;
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->domid = (uint32_t)(s->n + 1);
	g->cur = g->target = g->seen_target = g->balloon = boot;
	g->xen_max = boot + MiB(1); /* as libxl leaves it */
	g->used = MiB(4);           /* the kernel and its tables */
	g->min = min;
	g->max = max;
	g->rng = 0x1234567ULL * (s->n + 7);
	s->n++;
	return g;
}

uint64_t sim_host_free(const struct sim *s)
{
	uint64_t held = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->g[i].present)
			held += s->g[i].cur;
	return held >= s->host_total ? 0 : s->host_total - held;
}

/* The floor the guest reports: tide/floor.h, the guest's own definition, over its used pages. */
static uint64_t floor_of(const struct sim_guest *g)
{
	return (uint64_t)tide_floor_pages((unsigned long)((g->used + 3) / 4)) * 4;
}

static void fld(struct report_field *f, int64_t v)
{
	f->valid = true;
	f->value = v;
}

/* The guest's own report fields, as its mode makes them. */
static void report(struct sim *s, struct sim_guest *g, struct guest_facts *f)
{
	switch (g->report) {
	case REPORT_TRUE:
		fld(&f->total, (int64_t)g->cur);
		fld(&f->free, (int64_t)(g->cur - min_u(g->used + g->cache, g->cur)));
		fld(&f->floor, g->floor_zero ? 0 : (int64_t)floor_of(g));
		fld(&f->waits, (int64_t)g->waits);
		fld(&f->failures, (int64_t)g->failures);
		fld(&f->droppable, (int64_t)g->cache);
		break;
	case REPORT_LIE: /* as lie_free_kib=0: nothing free, and a huge, growing alloc_waits */
		fld(&f->total, (int64_t)g->cur);
		fld(&f->free, 0);
		fld(&f->floor, g->floor_zero ? 0 : (int64_t)floor_of(g));
		fld(&f->waits, (int64_t)((1ULL << 50) + s->now / ROUND_MS));
		fld(&f->failures, 0);
		break;
	case REPORT_NONSENSE: {
		static const int64_t odd[] = {-5, -1, 0, 1, (int64_t)1 << 62, INT64_MAX, INT64_MIN, 123456789};
		uint64_t r = rnd(&g->rng);
		fld(&f->total, r & 1 ? odd[r % 8] : (int64_t)(g->cur * (r % 4)));
		r = rnd(&g->rng);
		fld(&f->free, r & 1 ? odd[r % 8] : (int64_t)(r % (g->cur * 3 + 1)));
		r = rnd(&g->rng);
		fld(&f->floor, r & 1 ? odd[r % 8] : (int64_t)(r % (g->cur + 1)));
		r = rnd(&g->rng);
		fld(&f->waits, r & 1 ? odd[r % 8] : (int64_t)(r % 1000));
		r = rnd(&g->rng);
		fld(&f->failures, r & 1 ? odd[r % 8] : (int64_t)(r % 1000));
		r = rnd(&g->rng);
		fld(&f->droppable, r & 1 ? odd[r % 8] : (int64_t)(r % (g->cur * 2 + 1)));
		f->total.valid = (r >> 8) % 5 != 0;
		break;
	}
	case REPORT_NONE:
		break;
	}
}

/* Copy the report fields of one guest_facts into another. */
static void copy_report(struct guest_facts *to, const struct guest_facts *from)
{
	to->total = from->total;
	to->free = from->free;
	to->floor = from->floor;
	to->waits = from->waits;
	to->failures = from->failures;
	to->droppable = from->droppable;
}

void sim_facts(struct sim *s)
{
	s->nfacts = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct sim_guest *g = &s->g[i];
		if (!g->present)
			continue;
		struct guest_facts *f = &s->facts[s->nfacts++];
		memset(f, 0, sizeof(*f));
		f->domid = g->domid;
		snprintf(f->name, sizeof(f->name), "%s", g->name);
		f->balloon = true;
		f->current_kib = g->cur;
		f->xen_max_kib = g->xen_max;
		f->has_target = true;
		f->target_kib = g->target;
		f->marked_uncooperative = g->marked;
		f->min_kib = g->min;
		f->max_kib = g->max;
		snprintf(f->saved, sizeof(f->saved), "%s", g->saved);
		report(s, g, f);
		if (g->report_lag) {
			struct guest_facts now = *f;
			copy_report(f, &g->lagged);
			copy_report(&g->lagged, &now);
		}
		if (g->mangle)
			g->mangle(s, g, f);
	}
}

static struct sim_guest *by_domid(struct sim *s, uint32_t domid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->g[i].present && s->g[i].domid == domid)
			return &s->g[i];
	return NULL;
}

static void broken(struct sim *s, const char *what, const struct sim_guest *g)
{
	if (s->err[0])
		return;
	snprintf(s->err, sizeof(s->err), "t=%llu ms: %s%s%s", (unsigned long long)s->now, what, g ? ": " : "",
		 g ? g->name : "");
}

/*
 * What the guest does in one round: follow the target, then run its
 * workload. Both take place during the round: a shrink stops at the floor
 * of what the workload uses by the end of it.
 */
static void guest_acts(struct sim *s, struct sim_guest *g)
{
	uint64_t free_host = sim_host_free(s);
	/* Tide follows a new memory/target; growth on shortage raises its own target */
	if (g->target != g->seen_target) {
		g->seen_target = g->target;
		if (!g->ignore_targets)
			g->balloon = g->target;
	}
	uint64_t want = g->demand ? g->demand(g, s->now) : g->used;
	uint64_t goal = min_u(g->balloon, g->xen_max);
	if (goal > g->cur) {
		g->cur += min_u(goal - g->cur, free_host);
	} else if (g->balloon < g->cur) {
		uint64_t used = g->used;
		g->used = max_u(used, min_u(want, g->cur));
		g->cur = max_u(g->balloon, min_u(g->cur, floor_of(g)));
		g->used = used;
	}
	uint64_t low = 256; /* Tide grows when fewer than 64 pages would be left */
	/* the shrinkers go first: the cache makes room for the workload and for a lower target */
	uint64_t firm = max_u(want, g->used);
	if (firm + g->cache + low > g->cur)
		g->cache -= min_u(g->cache, firm + g->cache + low - g->cur);
	if (want + g->cache + low > g->cur) {
		uint64_t need = want + low - g->cur;
		need = (need + MiB(2) - 1) / MiB(2) * MiB(2);
		uint64_t room = g->xen_max > g->cur ? g->xen_max - g->cur : 0;
		uint64_t grow = min_u(min_u(need, room), sim_host_free(s));
		if (grow) {
			g->cur += grow;
			g->waits++;
			if (g->balloon < g->cur)
				g->balloon = g->cur;
		}
	}
	if (want + g->cache > g->cur) {
		g->failures++;
		g->used = g->cur - g->cache;
	} else {
		g->used = want;
	}
}

/* What xl and xenstore do with the policy's decisions (and the invariants they must keep). */
static void apply_decisions(struct sim *s)
{
	for (size_t i = 0; i < s->nfacts; i++) {
		const struct decision *d = &s->out[i];
		struct sim_guest *g = by_domid(s, d->domid);
		if (!g || !d->managed)
			continue;
		if (d->set_target) {
			if (d->target_kib > g->max)
				broken(s, "target above max", g);
			if (d->target_kib < g->target && d->target_kib < g->min)
				broken(s, "lowered below min", g);
			g->target = d->target_kib;
			s->target_changes++;
		}
		if (d->set_xen_max) {
			if (d->xen_max_kib > g->max + MiB(1))
				broken(s, "Xen max above the max bound", g);
			g->xen_max = d->xen_max_kib;
		}
		if (d->uncoop_changed)
			g->marked = d->uncooperative;
		snprintf(g->saved, sizeof(g->saved), "%s", d->saved);
	}
}

/* Count, for each guest that failed an allocation, the other guests that sat idle above their min. */
static void count_failures_beside_idle(struct sim *s, const uint64_t *failures_before)
{
	for (size_t i = 0; i < s->n; i++) {
		struct sim_guest *g = &s->g[i];
		if (!g->present || g->failures == failures_before[i])
			continue;
		for (size_t j = 0; j < s->nfacts; j++) {
			struct sim_guest *o = by_domid(s, s->out[j].domid);
			if (o && o != g && s->out[j].cls == CLASS_IDLE && o->cur > o->min + MiB(2))
				g->failures_while_idle_elsewhere++;
		}
	}
}

/* With TIDED_SIM_TRACE set, one line per round. */
static void trace(struct sim *s)
{
	static int on = -1;
	if (on < 0)
		on = getenv("TIDED_SIM_TRACE") != NULL;
	if (!on)
		return;
	printf("# t=%6llu host %5llu", (unsigned long long)s->now, (unsigned long long)(sim_host_free(s) >> 10));
	for (size_t j = 0; j < s->nfacts; j++) {
		const struct sim_guest *g = by_domid(s, s->out[j].domid);
		if (g)
			printf(" | %s %s t%llu c%llu u%llu x%llu f%llu %s%s%s", g->name, s->out[j].state,
			       (unsigned long long)(g->target >> 10), (unsigned long long)(g->cur >> 10),
			       (unsigned long long)(g->used >> 10), (unsigned long long)(g->xen_max >> 10),
			       (unsigned long long)g->failures, s->out[j].pressure, s->out[j].set_target ? " <- " : "",
			       s->out[j].set_target ? s->out[j].why : "");
	}
	printf("\n");
}

/* The host's invariants after the guests acted: the reserve, and no guest above its max. */
static void check_host(struct sim *s)
{
	uint64_t free_now = sim_host_free(s);
	if (free_now < s->min_host_free)
		s->min_host_free = free_now;
	if (free_now < s->pol.p.reserve_kib)
		broken(s, "host free below the reserve", NULL);
	for (size_t i = 0; i < s->n; i++)
		if (s->g[i].present && s->g[i].cur > s->g[i].max + MiB(1))
			broken(s, "guest holds more than its max", &s->g[i]);
}

void sim_round(struct sim *s)
{
	sim_facts(s);
	struct host_facts host = {.now_ms = s->now, .free_kib = sim_host_free(s)};
	policy_round(&s->pol, &host, s->facts, s->nfacts, s->out, &s->hd);
	apply_decisions(s);
	uint64_t failures_before[SIM_MAX];
	for (size_t i = 0; i < s->n; i++)
		failures_before[i] = s->g[i].failures;
	for (size_t i = 0; i < s->n; i++)
		if (s->g[i].present)
			guest_acts(s, &s->g[i]);
	count_failures_beside_idle(s, failures_before);
	trace(s);
	check_host(s);
	s->now += s->step_ms;
}

void sim_round_without_tided(struct sim *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->g[i].present)
			guest_acts(s, &s->g[i]);
	s->now += s->step_ms;
}

uint64_t demand_burst(const struct sim_guest *g, uint64_t t)
{
	if (t < g->b)
		return g->a;
	return g->a + min_u(g->d, g->c * (t - g->b) / 1000);
}

uint64_t demand_random(const struct sim_guest *g, uint64_t t)
{
	uint64_t seed = (t / g->c + 1) * 0x9e3779b97f4a7c15ULL ^ g->domid;
	uint64_t r = rnd(&seed);
	return g->a + r % (g->b - g->a + 1);
}

uint64_t demand_wave(const struct sim_guest *g, uint64_t t)
{
	uint64_t phase = (t - min_u(t, g->d)) % (2 * g->c);
	uint64_t tri = phase < g->c ? phase : 2 * g->c - phase;
	return g->a + g->b * tri / g->c;
}

uint64_t demand_cycle(const struct sim_guest *g, uint64_t t)
{
	if (t < g->b)
		return g->a;
	uint64_t phase = (t - g->b) % g->f, ramp_ms = g->d * 1000 / g->c;
	if (phase < ramp_ms)
		return g->a + g->c * phase / 1000;
	return phase < ramp_ms + g->e ? g->a + g->d : g->a;
}
