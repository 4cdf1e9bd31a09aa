/*
 * tided's balancing policy: one round (policy.h says what it does, step by
 * step); observe.c reads the reports, share.c gives, saved.c keeps state.
 *
 * The numbers (policy_default_params) and why:
 *  - reserve 64 MiB: room for the toolstack to build a small domain and for
 *    Xen's own allocations, without waiting for a guest to shrink.
 *  - a pressured guest is given what lasts 4 s at its pace (at least
 *    16 MiB, at most 128 MiB per move): twice the 2 s runway, so that one
 *    grant carries it past the next report and round; a grant sized by need
 *    leaves the rest for a guest whose report comes a round later.
 *  - take at most 64 MiB (and at most half of the guest's idle memory) per
 *    move from an idle guest: giving fast matters more than taking fast (a
 *    pressured guest waits; an idle one does not), and taking half of what
 *    is free converges on the idle threshold without overshooting.
 *  - pressured when free memory would last less than 2 s at the pace the
 *    guest's use grew: a report period (0.5 s), a round (0.5 s), the
 *    guest's growth, and as much again for a report that came late
 *    (measured under xlrun: with 1 s, a guest allocating 50 MiB/s from
 *    60 MiB free sometimes failed before its first grant).
 *  - pressured below 10 % free, idle above 25 % free (and 1.5 s, three
 *    rounds, without pressure): the gap between the two is the dead band
 *    that keeps a guest from being given and taken from in turn. A guest
 *    asked for spare memory keeps 15 %, inside that band.
 *  - competing for a fair share while pressured within the last 5 s: a
 *    guest fed by need is pressured again about every 2 s while its burst
 *    lasts; what it was given counts for its turn with a half-life of 5 s.
 *  - not credible when its use is above its floor + max(32 MiB, current /
 *    4): the floor is its use plus at least 2 MiB, so an honest report is
 *    never above it except for a report read half-way through (the same lag
 *    as for the total).
 *  - uncooperative after 10 s without progress: a Tide guest moves 1 GiB in
 *    well under a second even under software emulation, and backs off at
 *    most 1, 2, 4 s after a refusal.
 *  - hysteresis 5 s, at most one move per guest per 500 ms (a round); urgent
 *    pressure is fed even within the 5 s: starving a guest to look stable
 *    would be worse than one reversal.
 *  - idle memory is what the guest has not used at its peak over the last
 *    20 s: a workload that comes and goes within that window keeps its
 *    memory instead of being squeezed at each low and fed at each high.
 *  - slack 1 MiB: Xen's maximum for a guest is its target + 1 MiB, as libxl
 *    sets it; the guest can grow by itself on shortage by that much only
 *    (the fluid policy adds headroom on top: fluid.c).
 *  - reached within 4 MiB: a Tide guest moves in 2 MiB blocks and may sit
 *    up to the slack above its target.
 *  - at most one line about a guest's report per 10 s.
 */
#include "policy_impl.h"

#include <stdio.h>
#include <string.h>

void policy_default_params(struct policy_params *p)
{
	p->reserve_kib = 64 * MIB;
	p->give_step_kib = 128 * MIB;
	p->give_min_kib = 16 * MIB;
	p->take_step_kib = 64 * MIB;
	p->pressure_free_pct = 10;
	p->runway_ms = 2000;
	p->need_ms = 4000;
	p->idle_free_pct = 25;
	p->idle_quiet_ms = 1500;
	p->idle_runway_ms = 10000;
	p->peak_window_ms = 20000;
	p->share_window_ms = 5000;
	p->grant_halflife_ms = 5000;
	p->spare_free_pct = 15;
	p->claim_slack_kib = 32 * MIB;
	p->uncoop_ms = 10000;
	p->hysteresis_ms = 5000;
	p->move_period_ms = 500;
	p->note_period_ms = 10000;
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

static struct guest_state *find_state(struct policy *pol, uint32_t domid)
{
	for (size_t i = 0; i < POLICY_MAX_GUESTS; i++)
		if (pol->g[i].used && pol->g[i].domid == domid)
			return &pol->g[i];
	return NULL;
}

/*
 * A slot for a guest seen for the first time (or by a restarted tided): its
 * saved state if there is one that parses, else what xenstore says (its
 * target, its mark), as if it had just been moved. NULL: no free slot.
 */
static struct guest_state *adopt(struct policy *pol, const struct guest_facts *f, uint64_t now)
{
	struct guest_state *s = NULL;
	for (size_t i = 0; i < POLICY_MAX_GUESTS && !s; i++)
		if (!pol->g[i].used)
			s = &pol->g[i];
	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	if (!f->saved[0] || policy_state_parse(f->saved, now, s)) {
		s->target_kib = f->has_target ? f->target_kib : f->current_kib;
		s->changed_ms = s->progress_ms = s->quiet_ms = now;
		s->gap_ref_kib = absdiff(f->current_kib, s->target_kib);
		s->cur_kib = f->current_kib;
	}
	s->used = true;
	s->domid = f->domid;
	s->uncooperative = f->marked_uncooperative;
	return s;
}

bool policy_can_move(const struct policy *pol, const struct guest_state *s, int dir, bool urgent, uint64_t now)
{
	uint64_t since = now - s->changed_ms;
	if (since < pol->p.move_period_ms)
		return false;
	return !(s->dir == -dir && since < policy_hysteresis(pol, s) && !urgent);
}

void policy_move(struct work *w, uint64_t target, uint64_t now, const char *why)
{
	struct guest_state *s = w->s;
	s->dir = target > s->target_kib ? 1 : -1;
	if (target < s->target_kib)
		s->restore_kib = 0; /* tided itself takes from it now */
	s->target_kib = target;
	s->changed_ms = now;
	w->d->set_target = true;
	w->d->target_kib = target;
	snprintf(w->d->why, sizeof(w->d->why), "%s", why);
}

uint64_t policy_xen_max_with(const struct policy *pol, const struct work *w, uint64_t headroom)
{
	const struct guest_state *s = w->s;
	uint64_t room = pol->p.slack_kib + headroom;
	uint64_t m = s->uncooperative ? min_u64(s->target_kib, w->cur) + pol->p.slack_kib
				      : max_u64(s->target_kib, min_u64(s->target_kib + room, w->hi));
	return w->xen_cap ? min_u64(m, w->xen_cap) : m;
}

uint64_t policy_xen_max(const struct policy *pol, const struct work *w)
{
	return policy_xen_max_with(pol, w, w->s->headroom_kib);
}

int64_t policy_avail(const struct policy *pol, const struct host_facts *host, const struct work *w, size_t n)
{
	uint64_t promised = 0;
	for (size_t i = 0; i < n; i++) {
		if (!w[i].s)
			continue;
		uint64_t m = policy_xen_max(pol, &w[i]);
		if (m > w[i].cur)
			promised += m - w[i].cur;
	}
	return (int64_t)host->free_kib - (int64_t)pol->p.reserve_kib - (int64_t)promised;
}

/*
 * (b): memory/target differs from what tided holds: someone else wrote it
 * (xl mem-set). tided takes it back: a higher one at once (the memory was
 * not tided's to give), a lower one by raising the guest again as the host
 * can afford (share.c). Either way the guest's move towards the outside
 * target is progress, not a fault.
 */
static void take_back_outside_target(struct work *w, uint64_t now)
{
	const struct guest_facts *f = w->f;
	struct guest_state *s = w->s;
	if (!f->has_target || f->target_kib == s->target_kib)
		return;
	uint64_t ours = s->target_kib;
	if (f->target_kib > ours) {
		w->d->set_target = true;
		w->d->target_kib = ours;
		snprintf(w->d->why, sizeof(w->d->why), "taking back an outside target");
	} else {
		s->restore_kib = max_u64(s->restore_kib, ours);
		s->target_kib = f->target_kib;
	}
	s->progress_ms = now;
	s->gap_ref_kib = absdiff(w->cur, s->target_kib);
	snprintf(w->d->note, sizeof(w->d->note),
		 "memory/target %llu MiB was written outside tided (xl mem-set?): taking it back to %llu MiB "
		 "(tidectl set %s min=M max=M sizes a guest by hand)",
		 (unsigned long long)(f->target_kib / MIB), (unsigned long long)(ours / MIB), f->name);
}

/* It stopped shrinking at its floor (it uses more than when its target was chosen)? */
static bool stopped_at_floor(const struct policy *pol, const struct work *w)
{
	return w->cur > w->s->target_kib && w->floor &&
	       w->cur <= w->floor + pol->p.margin_kib + pol->p.reached_kib && !w->s->uncooperative;
}

/* A cooperating guest at its floor: take where it stopped as its target. */
static void settle_at_floor(struct work *w, uint64_t now)
{
	struct guest_state *s = w->s;
	uint64_t t = min_u64(mib_up(w->cur), w->hi);
	if (t != s->target_kib) {
		s->target_kib = t;
		w->d->set_target = true;
		w->d->target_kib = t;
		snprintf(w->d->why, sizeof(w->d->why), "stopped at its floor");
	}
	s->gap_ref_kib = absdiff(w->cur, t);
	s->progress_ms = now;
}

/* (c): is the guest getting to its target? Marks or clears uncooperative. */
static void follow_up(const struct policy *pol, const struct host_facts *host, struct work *w)
{
	struct guest_state *s = w->s;
	const struct policy_params *P = &pol->p;
	uint64_t now = host->now_ms, gap = absdiff(w->cur, s->target_kib);
	if (gap <= P->reached_kib) {
		if (s->uncooperative)
			s->uncooperative = false;
		s->gap_ref_kib = gap;
		s->progress_ms = now;
	} else if (gap + P->progress_kib <= s->gap_ref_kib) {
		s->gap_ref_kib = gap;
		s->progress_ms = now;
	} else if (stopped_at_floor(pol, w)) {
		settle_at_floor(w, now);
	} else if (w->cur < s->target_kib && (host->free_kib < gap || w->f->xen_max_kib < s->target_kib)) {
		s->progress_ms = now; /* it cannot grow: the host has nothing, or Xen's max (held for the reserve) */
	} else if (now - s->progress_ms >= P->uncoop_ms && !s->uncooperative) {
		s->uncooperative = true;
		snprintf(w->d->why, sizeof(w->d->why), "no progress towards %llu KiB for %llu s",
			 (unsigned long long)s->target_kib, (unsigned long long)(P->uncoop_ms / 1000));
	}
}

/* Set up w for domain i: NULL state for one tided leaves alone. */
static void prepare(struct policy *pol, const struct host_facts *host, const struct guest_facts *f, struct work *w,
		    struct decision *d)
{
	memset(d, 0, sizeof(*d));
	memset(w, 0, sizeof(*w));
	d->domid = f->domid;
	d->free_kib = -1;
	snprintf(d->pressure, sizeof(d->pressure), "-");
	snprintf(d->state, sizeof(d->state), "unmanaged");
	w->f = f;
	w->d = d;
	if (!f->balloon || f->current_kib == 0)
		return;
	struct guest_state *s = find_state(pol, f->domid);
	if (!s && !(s = adopt(pol, f, host->now_ms)))
		return; /* more guests than slots: leave it alone */
	s->seen_round = pol->round;
	d->managed = true;
	w->s = s;
	w->cur = f->current_kib;
	w->hi = f->max_kib ? f->max_kib : UINT64_MAX;
	w->lo = min_u64(f->min_kib, w->hi);
	policy_observe(pol, w, host->now_ms);
	take_back_outside_target(w, host->now_ms);
	fluid_prepare(pol, w, host->now_ms);
	follow_up(pol, host, w);
	s->cur_kib = w->cur;
}

static void forget_gone(struct policy *pol)
{
	for (size_t i = 0; i < POLICY_MAX_GUESTS; i++)
		if (pol->g[i].used && pol->g[i].seen_round != pol->round)
			pol->g[i].used = false;
}

/* (d): above max comes down at once, whatever the guest does. */
static void enforce_max(struct work *w, size_t n, uint64_t now)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].s && w[i].s->target_kib > w[i].hi)
			policy_move(&w[i], w[i].hi, now, "above its max bound");
}

/* (e): the target an idle guest is taken down to this move, or its target if none. */
static uint64_t idle_target(const struct policy *pol, const struct work *w)
{
	const struct policy_params *P = &pol->p;
	uint64_t base = min_u64(w->cur, w->s->target_kib);
	uint64_t spare = min_u64(w->cur > w->peak ? w->cur - w->peak : 0, (uint64_t)w->free);
	uint64_t step = P->fluid ? spare : min_u64(P->take_step_kib, spare / 2); /* fluid: all at once */
	uint64_t t = max_u64(base > step ? base - step : 0, w->peak + w->peak / 8);
	uint64_t floor = w->floor ? w->floor + P->margin_kib : 0;
	return mib_up(max_u64(t, max_u64(w->lo, floor)));
}

/* (e): take back from idle guests that are at their target, in bounded steps. */
static void take_from_idle(const struct policy *pol, struct work *w, size_t n, uint64_t now)
{
	for (size_t i = 0; i < n; i++) {
		struct guest_state *s = w[i].s;
		if (!s || !w[i].idle || s->uncooperative || w[i].d->set_target ||
		    absdiff(w[i].cur, s->target_kib) > pol->p.reached_kib || !policy_can_move(pol, s, -1, false, now))
			continue;
		uint64_t t = idle_target(pol, &w[i]);
		if (t + MIB > s->target_kib)
			continue;
		policy_move(&w[i], t, now, "idle");
		if (pol->p.fluid)
			fluid_reclaimed(s, now);
	}
}

/* Room to grow that Xen's maximum gives the guest, before or after this round. */
static uint64_t room(uint64_t xen_max, uint64_t cur) { return xen_max > cur ? xen_max - cur : 0; }

/*
 * (g): Xen's maximum rises beyond the room a guest had only as far as the
 * host can afford: grants were paid from what the host has (share.c), but a
 * guest settled at its floor, or cleared of its mark, would gain room that
 * nobody paid for. Such rises are cut while what the host has above its
 * reserve does not cover them (grants last).
 */
static void afford_xen_max(const struct policy *pol, const struct host_facts *host, struct work *w, size_t n)
{
	int64_t left = policy_avail(pol, host, w, n);
	for (int pass = 0; pass < 2 && left < 0; pass++)
		for (size_t i = 0; i < n && left < 0; i++) {
			if (!w[i].s || w[i].given != (pass == 1))
				continue;
			uint64_t was = room(w[i].f->xen_max_kib, w[i].cur), now = room(policy_xen_max(pol, &w[i]), w[i].cur);
			if (now <= was)
				continue;
			uint64_t cut = min_u64(now - was, (uint64_t)-left);
			w[i].xen_cap = w[i].cur + now - cut;
			left += (int64_t)cut;
		}
}

/* (g): the state tidectl shows. */
static const char *state_name(const struct policy *pol, const struct work *w)
{
	const struct guest_state *s = w->s;
	if (s->uncooperative)
		return "uncooperative";
	if (w->cur + pol->p.reached_kib < s->target_kib)
		return "growing";
	if (w->cur > s->target_kib + pol->p.reached_kib)
		return "shrinking";
	return policy_class_name(w->d->cls);
}

/* (g): Xen's maximum, the mark, what tidectl shows and what is kept for a restart. */
static void finish(const struct policy *pol, struct work *w)
{
	struct guest_state *s = w->s;
	struct decision *d = w->d;
	d->target_kib = s->target_kib;
	d->xen_max_kib = policy_xen_max(pol, w);
	d->set_xen_max = d->xen_max_kib != w->f->xen_max_kib;
	d->uncooperative = s->uncooperative;
	/* xenstore's mark follows ours (also when someone else changed it) */
	d->uncoop_changed = w->f->marked_uncooperative != s->uncooperative;
	snprintf(d->state, sizeof(d->state), "%s", state_name(pol, w));
	policy_state_format(s, d->saved, sizeof(d->saved));
}

/* The host's line: below the reserve is never tided's doing (it hands out only what is above it). */
static void judge_host(struct policy *pol, const struct host_facts *host, const struct work *w, size_t n,
		       struct host_decision *hd)
{
	bool below = host->free_kib < pol->p.reserve_kib;
	hd->available_kib = policy_avail(pol, host, w, n);
	hd->below_reserve = below;
	hd->reserve_changed = below != pol->below_reserve;
	pol->below_reserve = below;
}

void policy_round(struct policy *pol, const struct host_facts *host, const struct guest_facts *facts,
		  size_t n, struct decision *out, struct host_decision *hd)
{
	static struct work w[POLICY_MAX_GUESTS];
	uint64_t now = host->now_ms;
	if (n > POLICY_MAX_GUESTS)
		n = POLICY_MAX_GUESTS;
	pol->round++;
	for (size_t i = 0; i < n; i++)
		prepare(pol, host, &facts[i], &w[i], &out[i]);
	forget_gone(pol);
	enforce_max(w, n, now);
	take_from_idle(pol, w, n, now);
	policy_give(pol, host, w, n);
	fluid_share_headroom(pol, host, w, n);
	afford_xen_max(pol, host, w, n);
	for (size_t i = 0; i < n; i++)
		if (w[i].s)
			finish(pol, &w[i]);
	judge_host(pol, host, w, n, hd);
}
