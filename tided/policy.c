/*
 * tided's balancing policy; see policy.h for the round, step by step.
 *
 * The numbers (policy_default_params) and why:
 *  - reserve 64 MiB: room for the toolstack to build a small domain and for
 *    Xen's own allocations, without waiting for a guest to shrink.
 *  - give up to 128 MiB per move, take at most 64 MiB (and at most half of
 *    the guest's free memory) per move: giving fast matters more than
 *    taking fast (a pressured guest waits; an idle one does not), and
 *    taking half of what is free converges on the idle threshold without
 *    overshooting into pressure.
 *  - pressured when free memory would last less than 2 s at the pace the
 *    guest's use grew since the last round: a report period (0.5 s), a
 *    round (0.5 s), the guest's growth, and as much again for a report
 *    that came late (measured under xlrun: with 1 s, a guest allocating
 *    50 MiB/s from 60 MiB free sometimes failed before its first grant);
 *    the 10 % rule alone would let it fail.
 *  - pressured below 10 % free, idle above 25 % free (and 1.5 s, three
 *    rounds, without pressure): the gap between the two is the dead band
 *    that keeps a guest from being given and taken from in turn.
 *  - uncooperative after 10 s without progress: a Tide guest moves 1 GiB in
 *    well under a second even under software emulation, and backs off at
 *    most 1, 2, 4 s after a refusal, so 10 s without the distance shrinking
 *    by 1 MiB means it is not following.
 *  - hysteresis 5 s, at most one move per guest per 500 ms (a round). A
 *    guest whose allocations waited or failed, or whose free memory runs
 *    out within the 2 s runway, is given memory even within the 5 s:
 *    starving it to look stable would be worse than one reversal (the
 *    10 % rule alone waits). A guest whose use grows fast enough to eat
 *    its free memory within 10 s is not idle: taking from it would be
 *    undone at once.
 *  - idle memory is what the guest has not used at its peak over the last
 *    20 s: a workload that comes and goes within that window keeps its
 *    memory instead of being squeezed at each low and fed at each high.
 *  - slack 1 MiB: Xen's maximum for a guest is its target + 1 MiB, as libxl
 *    sets it; the guest can grow by itself on shortage by that much only.
 *  - reached within 4 MiB: a Tide guest moves in 2 MiB blocks and may sit
 *    up to the slack above its target.
 */
#include "policy.h"

#include <stdio.h>
#include <string.h>

#define MIB 1024ULL
#define COUNTER_NONSENSE (1ULL << 40)

void policy_default_params(struct policy_params *p)
{
	p->reserve_kib = 64 * MIB;
	p->give_step_kib = 128 * MIB;
	p->take_step_kib = 64 * MIB;
	p->pressure_free_pct = 10;
	p->runway_ms = 2000;
	p->idle_free_pct = 25;
	p->idle_quiet_ms = 1500;
	p->idle_runway_ms = 10000;
	p->peak_window_ms = 20000;
	p->uncoop_ms = 10000;
	p->hysteresis_ms = 5000;
	p->move_period_ms = 500;
	p->slack_kib = 1 * MIB;
	p->margin_kib = 4 * MIB;
	p->reached_kib = 4 * MIB;
	p->progress_kib = 1 * MIB;
}

void policy_init(struct policy *pol, const struct policy_params *params)
{
	memset(pol, 0, sizeof(*pol));
	if (params)
		pol->p = *params;
	else
		policy_default_params(&pol->p);
}

const char *policy_class_name(enum guest_class c)
{
	switch (c) {
	case CLASS_UNMANAGED: return "unmanaged";
	case CLASS_STEADY: return "steady";
	case CLASS_PRESSURED: return "pressured";
	case CLASS_IDLE: return "idle";
	}
	return "?";
}

static uint64_t absdiff(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }
static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t mib_down(uint64_t kib) { return kib / MIB * MIB; }
static uint64_t mib_up(uint64_t kib) { return (kib + MIB - 1) / MIB * MIB; }

static struct guest_state *find_state(struct policy *pol, uint32_t domid)
{
	for (size_t i = 0; i < POLICY_MAX_GUESTS; i++)
		if (pol->g[i].used && pol->g[i].domid == domid)
			return &pol->g[i];
	return NULL;
}

static struct guest_state *new_state(struct policy *pol, uint32_t domid)
{
	for (size_t i = 0; i < POLICY_MAX_GUESTS; i++)
		if (!pol->g[i].used) {
			memset(&pol->g[i], 0, sizeof(pol->g[i]));
			pol->g[i].used = true;
			pol->g[i].domid = domid;
			return &pol->g[i];
		}
	return NULL;
}

/* Per-guest scratch for one round. */
struct work {
	struct guest_state *s;
	uint64_t cur, lo, hi;
	uint64_t floor_kib; /* reported floor + margin, or 0 */
	int64_t free;       /* sanitized, -1 without a sane report */
	uint64_t peak;      /* its peak use within the window */
	bool report_ok, pressured, urgent, idle;
};

/* May the guest be moved in direction dir now? urgent: hysteresis does not apply. */
static bool can_move(const struct policy *pol, const struct guest_state *s, int dir, bool urgent, uint64_t now)
{
	uint64_t since = now - s->changed_ms;
	if (since < pol->p.move_period_ms)
		return false;
	if (s->dir == -dir && since < pol->p.hysteresis_ms && !urgent)
		return false;
	return true;
}

static void move(struct guest_state *s, struct decision *d, uint64_t target, uint64_t now, const char *why)
{
	s->dir = target > s->target_kib ? 1 : -1;
	s->target_kib = target;
	s->changed_ms = now;
	d->set_target = true;
	d->target_kib = target;
	snprintf(d->why, sizeof(d->why), "%s", why);
}

/* Xen's maximum for the guest: target + slack, never above its max bound; an
 * uncooperative guest may not grow at all beyond what it holds. */
static uint64_t wanted_xen_max(const struct policy *pol, const struct work *w)
{
	const struct guest_state *s = w->s;
	if (s->uncooperative)
		return min_u64(s->target_kib, w->cur) + pol->p.slack_kib;
	return max_u64(s->target_kib, min_u64(s->target_kib + pol->p.slack_kib, w->hi));
}

/* What managed guests may still take from the host: Xen's max above what they hold. */
static uint64_t commitments(const struct policy *pol, const struct work *w, size_t n)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		if (!w[i].s)
			continue;
		uint64_t m = wanted_xen_max(pol, &w[i]);
		if (m > w[i].cur)
			sum += m - w[i].cur;
	}
	return sum;
}

static bool counter(const struct report_field *f, uint64_t *v)
{
	if (!f->valid || f->value < 0 || (uint64_t)f->value >= COUNTER_NONSENSE)
		return false;
	*v = (uint64_t)f->value;
	return true;
}

/* (a) and (b): sanitize the report and classify the guest. */
static void classify(struct policy *pol, const struct guest_facts *f, struct work *w, struct decision *d,
		     uint64_t now)
{
	struct guest_state *s = w->s;
	const struct policy_params *P = &pol->p;
	uint64_t cur = w->cur;
	uint64_t lag = max_u64(P->reached_kib, cur / 4); /* reports trail Xen by up to half a second */
	w->report_ok = f->total.valid && f->free.valid && f->total.value >= 0 &&
		       absdiff((uint64_t)f->total.value, cur) <= lag;
	w->free = -1;
	if (f->free.valid && w->report_ok)
		w->free = f->free.value < 0 ? 0 : (uint64_t)f->free.value > cur ? (int64_t)cur : f->free.value;
	w->floor_kib = 0;
	if (f->floor.valid && f->floor.value > 0 && (uint64_t)f->floor.value <= cur + lag)
		w->floor_kib = (uint64_t)f->floor.value + P->margin_kib;

	uint64_t waits = 0, failures = 0, dw = 0, df = 0;
	bool counters_ok = counter(&f->waits, &waits) && counter(&f->failures, &failures);
	if (counters_ok && s->have_counters) {
		if (waits < s->waits || failures < s->failures) {
			counters_ok = false; /* monotonic counters went back: nonsense */
		} else {
			dw = waits - s->waits;
			df = failures - s->failures;
		}
	}
	if (counters_ok) {
		s->waits = waits;
		s->failures = failures;
		s->have_counters = true;
	}

	/* the pace of the guest's use since its last sane report */
	uint64_t runway_need = 0;
	if (w->report_ok) {
		/* Used memory from the report alone (total - free): Xen's current
		 * moves before the report does while the guest balloons, and mixing
		 * the two would show a shrinking guest as one whose use grows.
		 * The pace is measured between reports that differ: rounds come
		 * faster than reports when watches bring them forward. */
		uint64_t total = (uint64_t)f->total.value;
		uint64_t used = total > (uint64_t)w->free ? total - (uint64_t)w->free : 0;
		if (s->have_used && used > s->used_kib && now > s->used_ms)
			runway_need = (used - s->used_kib) * P->runway_ms / (now - s->used_ms);
		if (!s->have_used || used >= s->peak_kib || now - s->peak_ms >= P->peak_window_ms) {
			s->peak_kib = used;
			s->peak_ms = now;
		}
		if (!s->have_used || used != s->used_kib) {
			s->used_kib = used;
			s->used_ms = now;
		}
		s->have_used = true;
	}
	w->peak = s->have_used ? s->peak_kib : cur;

	d->report_ok = w->report_ok;
	d->free_kib = w->free;
	w->pressured = w->urgent = false;
	if (w->report_ok) {
		if (counters_ok && df) {
			w->pressured = w->urgent = true;
			snprintf(d->pressure, sizeof(d->pressure), "failures+%llu", (unsigned long long)df);
		} else if (counters_ok && dw) {
			w->pressured = w->urgent = true;
			snprintf(d->pressure, sizeof(d->pressure), "waits+%llu", (unsigned long long)dw);
		} else if ((uint64_t)w->free < runway_need) {
			w->pressured = w->urgent = true;
			snprintf(d->pressure, sizeof(d->pressure), "runway %llu ms",
				 (unsigned long long)((uint64_t)w->free * P->runway_ms / runway_need));
		} else if ((uint64_t)w->free * 100 < cur * P->pressure_free_pct) {
			w->pressured = true;
			snprintf(d->pressure, sizeof(d->pressure), "free %llu%%",
				 (unsigned long long)((uint64_t)w->free * 100 / (cur ? cur : 1)));
		}
	} else {
		snprintf(d->pressure, sizeof(d->pressure), "ignored");
	}
	if (w->pressured)
		s->pressure_ms = now;
	w->idle = w->report_ok && !w->pressured && w->peak < cur && (cur - w->peak) * 100 > cur * P->idle_free_pct &&
		  now - s->pressure_ms >= P->idle_quiet_ms &&
		  (uint64_t)w->free >= runway_need * P->idle_runway_ms / P->runway_ms;
	d->cls = w->pressured ? CLASS_PRESSURED : w->idle ? CLASS_IDLE : CLASS_STEADY;
}

/* (e): is the guest following its target? */
static void follow_up(struct policy *pol, const struct host_facts *host, const struct guest_facts *f,
		      struct work *w, struct decision *d)
{
	struct guest_state *s = w->s;
	const struct policy_params *P = &pol->p;
	uint64_t now = host->now_ms, gap = absdiff(w->cur, s->target_kib);
	if (gap <= P->reached_kib) {
		if (s->uncooperative) {
			s->uncooperative = false;
			d->uncoop_changed = true;
		}
		s->gap_ref_kib = gap;
		s->progress_ms = now;
	} else if (gap + P->progress_kib <= s->gap_ref_kib) {
		s->gap_ref_kib = gap;
		s->progress_ms = now;
	} else if (w->cur > s->target_kib && w->floor_kib && w->cur <= w->floor_kib + P->reached_kib &&
		   !s->uncooperative) {
		/* It stopped at its floor (it uses more than it did when the target
		 * was chosen): a cooperating guest; take where it stopped as its target. */
		uint64_t t = min_u64(mib_up(w->cur), w->hi);
		if (t != s->target_kib) {
			s->target_kib = t;
			d->set_target = true;
			d->target_kib = t;
			snprintf(d->why, sizeof(d->why), "stopped at its floor");
		}
		s->gap_ref_kib = absdiff(w->cur, t);
		s->progress_ms = now;
	} else if (w->cur < s->target_kib && host->free_kib < gap) {
		s->progress_ms = now; /* it cannot grow: the host has nothing; not its fault */
	} else if (now - s->progress_ms >= P->uncoop_ms && !s->uncooperative) {
		s->uncooperative = true;
		d->uncoop_changed = true;
		snprintf(d->why, sizeof(d->why), "no progress towards %llu KiB for %llu s",
			 (unsigned long long)s->target_kib, (unsigned long long)(P->uncoop_ms / 1000));
	}
	(void)f;
}

void policy_round(struct policy *pol, const struct host_facts *host, const struct guest_facts *facts,
		  size_t n, struct decision *out)
{
	static struct work w[POLICY_MAX_GUESTS];
	const struct policy_params *P = &pol->p;
	uint64_t now = host->now_ms;
	if (n > POLICY_MAX_GUESTS)
		n = POLICY_MAX_GUESTS;
	pol->round++;

	for (size_t i = 0; i < n; i++) {
		const struct guest_facts *f = &facts[i];
		struct decision *d = &out[i];
		memset(d, 0, sizeof(*d));
		memset(&w[i], 0, sizeof(w[i]));
		d->domid = f->domid;
		d->free_kib = -1;
		snprintf(d->pressure, sizeof(d->pressure), "-");
		if (!f->balloon || f->current_kib == 0) {
			d->cls = CLASS_UNMANAGED;
			snprintf(d->state, sizeof(d->state), "unmanaged");
			continue;
		}
		struct guest_state *s = find_state(pol, f->domid);
		if (!s && (s = new_state(pol, f->domid))) {
			/* First seen (or tided restarted): adopt what xenstore says. */
			s->target_kib = f->has_target && f->target_kib ? f->target_kib : f->current_kib;
			s->changed_ms = s->progress_ms = s->pressure_ms = now;
			s->gap_ref_kib = absdiff(f->current_kib, s->target_kib);
			s->uncooperative = f->marked_uncooperative;
		}
		if (!s) { /* more guests than slots: leave it alone */
			d->cls = CLASS_UNMANAGED;
			snprintf(d->state, sizeof(d->state), "unmanaged");
			continue;
		}
		s->seen_round = pol->round;
		d->managed = true;
		w[i].s = s;
		w[i].cur = f->current_kib;
		w[i].hi = f->max_kib ? f->max_kib : UINT64_MAX;
		w[i].lo = min_u64(f->min_kib, w[i].hi);
		classify(pol, f, &w[i], d, now);
		follow_up(pol, host, f, &w[i], d);
	}
	for (size_t i = 0; i < POLICY_MAX_GUESTS; i++)
		if (pol->g[i].used && pol->g[i].seen_round != pol->round)
			pol->g[i].used = false; /* gone */

	/* Bounds: above max comes down at once, whatever the guest does. */
	for (size_t i = 0; i < n; i++) {
		struct guest_state *s = w[i].s;
		if (s && s->target_kib > w[i].hi)
			move(s, &out[i], w[i].hi, now, "above its max bound");
	}

	/* (c) take back from idle guests, in bounded steps. */
	for (size_t i = 0; i < n; i++) {
		struct guest_state *s = w[i].s;
		if (!s || !w[i].idle || s->uncooperative || out[i].set_target ||
		    absdiff(w[i].cur, s->target_kib) > P->reached_kib || !can_move(pol, s, -1, false, now))
			continue;
		uint64_t base = min_u64(w[i].cur, s->target_kib);
		uint64_t spare = w[i].cur > w[i].peak ? w[i].cur - w[i].peak : 0;
		uint64_t step = min_u64(P->take_step_kib, min_u64(spare, (uint64_t)w[i].free) / 2);
		uint64_t t = base > step ? base - step : 0;
		t = max_u64(t, w[i].peak + w[i].peak / 8);
		t = mib_up(max_u64(t, max_u64(w[i].lo, w[i].floor_kib)));
		if (t + MIB <= s->target_kib)
			move(s, &out[i], t, now, "idle");
	}

	/* (d) give: first to guests below their min, then to pressured ones,
	 * from what the host has above the reserve and above what guests may
	 * still take. */
	int64_t avail = (int64_t)host->free_kib - (int64_t)P->reserve_kib - (int64_t)commitments(pol, w, n);
	for (size_t i = 0; i < n && avail > 0; i++) {
		struct guest_state *s = w[i].s;
		if (!s || s->uncooperative || out[i].set_target || s->target_kib >= w[i].lo)
			continue;
		uint64_t give = mib_down(min_u64(w[i].lo - s->target_kib, (uint64_t)avail));
		if (give >= MIB) {
			move(s, &out[i], s->target_kib + give, now, "below its min bound");
			avail -= (int64_t)give;
		}
	}
	size_t wanting = 0;
	bool want[POLICY_MAX_GUESTS] = {false};
	for (size_t i = 0; i < n; i++) {
		struct guest_state *s = w[i].s;
		want[i] = s && w[i].pressured && !s->uncooperative && !out[i].set_target && s->target_kib < w[i].hi &&
			  w[i].cur + P->reached_kib >= s->target_kib && can_move(pol, s, 1, w[i].urgent, now);
		wanting += want[i];
	}
	for (size_t i = 0; i < n && avail > 0 && wanting; i++) {
		if (!want[i])
			continue;
		struct guest_state *s = w[i].s;
		uint64_t share = (uint64_t)avail / wanting--;
		uint64_t give = mib_down(min_u64(min_u64(P->give_step_kib, w[i].hi - s->target_kib), share));
		if (give < MIB)
			continue;
		char why[sizeof(out[i].why)];
		snprintf(why, sizeof(why), "pressured (%s)", out[i].pressure);
		move(s, &out[i], s->target_kib + give, now, why);
		avail -= (int64_t)give;
	}

	/* Xen's maximums, and what the table shows. */
	for (size_t i = 0; i < n; i++) {
		struct guest_state *s = w[i].s;
		struct decision *d = &out[i];
		if (!s)
			continue;
		d->target_kib = s->target_kib;
		d->xen_max_kib = wanted_xen_max(pol, &w[i]);
		d->set_xen_max = d->xen_max_kib != facts[i].xen_max_kib;
		d->uncooperative = s->uncooperative;
		/* xenstore's mark follows ours (also when someone else changed it) */
		d->uncoop_changed = facts[i].marked_uncooperative != s->uncooperative;
		const char *st = s->uncooperative                              ? "uncooperative"
				 : w[i].cur + P->reached_kib < s->target_kib ? "growing"
				 : w[i].cur > s->target_kib + P->reached_kib ? "shrinking"
									      : policy_class_name(d->cls);
		snprintf(d->state, sizeof(d->state), "%s", st);
	}
}

int64_t policy_available_kib(const struct policy *pol, const struct host_facts *host,
			     const struct guest_facts *facts, const struct decision *out, size_t n)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++)
		if (out[i].managed && out[i].xen_max_kib > facts[i].current_kib)
			sum += out[i].xen_max_kib - facts[i].current_kib;
	return (int64_t)host->free_kib - (int64_t)pol->p.reserve_kib - (int64_t)sum;
}
