/*
 * The fluid policy (policy.h): memory that moves as fast as the guests do,
 * with the reserve and every guest's max still hard bounds.
 *
 * Headroom. Xen's maximum for a guest is its target + slack + headroom, so
 * a burst grows on shortage at once, at the guest's own speed, without
 * waiting for a round. All the guests' headroom together comes out of what
 * the host has above its reserve and above what the targets still promise
 * (after this round's grants): if every guest took all of its headroom at
 * once, the host would still hold its reserve. A trusted guest (its report
 * was sane and credible within TRUST_MS) wants headroom_kib, or what lasts
 * need_ms at its pace, up to headroom_max_kib and its max bound; when the
 * host cannot cover every want, it is shared out by water-filling (a guest
 * that wants less than an equal share gets its want, the others share the
 * rest equally). Near the reserve the headroom shrinks to nothing, and the
 * guests grow by grants alone, as in the conservative policy.
 *
 * What a guest grew into is its own. A trusted guest that holds more than
 * its target (beyond reached_kib) and more than at the last round grew on
 * shortage: its target becomes what it holds (that memory was paid for as
 * headroom), and its headroom is shared out again on top. An untrusted
 * guest (a liar judged by its floor, nonsense reports) gets no headroom and
 * its growth is not taken: it keeps at most one headroom given while it was
 * trusted, and follow-up marks it uncooperative if it stays above.
 *
 * Reclaim. Spare memory (above its peak use + 1/8, its min, its floor +
 * margin; at least reclaim_min_kib) goes back in one move once it has gone
 * unused for the guest's reclaim delay, which serves as both its peak
 * window and its hysteresis. The delay starts at reclaim_delay_ms (1 s:
 * Linux's free page reporting waits 2 s, and a Tide guest grows back within
 * its headroom at GiB/s, so a reclaim that turns out wrong costs little). A
 * guest that grows again within thrash_window_ms of a reclaim wanted its
 * memory: its delay doubles, up to reclaim_delay_max_ms (20 s, the
 * conservative peak window). One that stays calm for thrash_window_ms
 * after a reclaim has it halved, down to the base. A guest that frees and
 * re-allocates in a loop is drained a few times at most, until its delay
 * outlasts its loop and its memory stays.
 *
 * The numbers: headroom 128 MiB covers a burst of 200 MiB/s for the
 * ~0.6 s that tided needs to see it (a report period and a round) and
 * extend it; up to 512 MiB (4 s at its pace, need_ms) for a guest already
 * growing that fast; spare below 32 MiB is not worth a move.
 */
#include "policy_impl.h"

#define TRUST_MS 2000 /* four report periods: a lagging report during a burst keeps the guest's headroom */

void policy_fluid_params(struct policy_params *p)
{
	policy_default_params(p);
	p->fluid = true;
	p->headroom_kib = 128 * MIB;
	p->headroom_max_kib = 512 * MIB;
	p->reclaim_delay_ms = 1000;
	p->reclaim_delay_max_ms = 20000;
	p->thrash_window_ms = 10000;
	p->reclaim_min_kib = 32 * MIB;
}

static uint64_t delay_of(const struct policy *pol, const struct guest_state *s)
{
	return s->delay_ms ? s->delay_ms : pol->p.reclaim_delay_ms;
}

uint64_t policy_peak_window(const struct policy *pol, const struct guest_state *s)
{
	return pol->p.fluid ? delay_of(pol, s) : pol->p.peak_window_ms;
}

uint64_t policy_hysteresis(const struct policy *pol, const struct guest_state *s)
{
	return pol->p.fluid ? delay_of(pol, s) : pol->p.hysteresis_ms;
}

void fluid_reclaimed(struct guest_state *s, uint64_t now)
{
	s->reclaimed_ms = now;
}

void fluid_grew(const struct policy *pol, struct guest_state *s, uint64_t now)
{
	if (s->reclaimed_ms && now - s->reclaimed_ms < pol->p.thrash_window_ms)
		s->delay_ms = min_u64(2 * delay_of(pol, s), pol->p.reclaim_delay_max_ms);
	s->reclaimed_ms = 0;
}

void fluid_prepare(const struct policy *pol, struct work *w, uint64_t now)
{
	const struct policy_params *P = &pol->p;
	struct guest_state *s = w->s;
	if (!P->fluid)
		return;
	w->trusted = !s->uncooperative && s->credible_ms && now - s->credible_ms <= TRUST_MS;
	if (s->reclaimed_ms && now - s->reclaimed_ms >= P->thrash_window_ms) {
		s->delay_ms = max_u64(P->reclaim_delay_ms, delay_of(pol, s) / 2);
		s->reclaimed_ms = 0;
	}
	bool grew = w->cur > s->target_kib + P->reached_kib && w->cur > s->cur_kib + P->progress_kib;
	if (!w->trusted || !grew || w->d->set_target)
		return;
	uint64_t t = min_u64(mib_up(w->cur), w->hi);
	if (t <= s->target_kib)
		return;
	policy_move(w, t, now, "grew into its headroom");
	fluid_grew(pol, s, now);
	s->quiet_ms = now;
}

/* The headroom the guest asks for: none if untrusted, else by its pace, within its max bound. */
static uint64_t headroom_want(const struct policy *pol, const struct work *w, uint64_t now)
{
	const struct policy_params *P = &pol->p;
	if (!w->s || !w->trusted)
		return 0;
	uint64_t pace_need = policy_pace(w->s, now) * P->need_ms / 1000;
	uint64_t want = min_u64(max_u64(P->headroom_kib, pace_need), P->headroom_max_kib);
	uint64_t top = w->s->target_kib + P->slack_kib;
	return mib_down(min_u64(want, w->hi > top ? w->hi - top : 0));
}

/* What the host has above its reserve and above what the targets still promise. */
static uint64_t headroom_pool(const struct policy *pol, const struct host_facts *host, const struct work *w,
			      size_t n)
{
	int64_t pool = (int64_t)host->free_kib - (int64_t)pol->p.reserve_kib;
	for (size_t i = 0; i < n; i++)
		if (w[i].s) {
			uint64_t m = policy_xen_max_with(pol, &w[i], 0);
			pool -= m > w[i].cur ? (int64_t)(m - w[i].cur) : 0;
		}
	return pool > 0 ? (uint64_t)pool : 0;
}

void fluid_share_headroom(const struct policy *pol, const struct host_facts *host, struct work *w, size_t n)
{
	static uint64_t want[POLICY_MAX_GUESTS];
	size_t open = 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i].s)
			w[i].s->headroom_kib = 0;
		want[i] = pol->p.fluid ? headroom_want(pol, &w[i], host->now_ms) : 0;
		open += want[i] > 0;
	}
	uint64_t left = headroom_pool(pol, host, w, n);
	while (open && left >= MIB) {
		uint64_t share = left / open;
		bool served = false;
		for (size_t i = 0; i < n; i++)
			if (want[i] && want[i] <= share) {
				w[i].s->headroom_kib = want[i];
				left -= want[i];
				want[i] = 0;
				open--;
				served = true;
			}
		if (served)
			continue;
		for (size_t i = 0; i < n; i++)
			if (want[i])
				w[i].s->headroom_kib = mib_down(share);
		return;
	}
}
