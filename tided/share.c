/*
 * (f) of a round (policy.h): who gets the host's memory, and who gives some
 * back when the host has none left.
 *
 * What tided may hand out is the host's free memory less the reserve and
 * less what guests may still take (Xen's maximum above what they hold):
 * memory a guest was asked to give back counts only once it is gone ("free
 * first, then give"). It goes:
 *  1. to guests below their min, and to guests whose target someone else
 *     lowered (taken back), in turn, as far as it reaches;
 *  2. to pressured guests, each asking for its need: what lasts need_ms at
 *     its pace, at least enough to have spare_free_pct free (and at least
 *     give_min), at most give_step and never above its max. While more than
 *     one guest competes (was pressured within share_window_ms), each
 *     competitor's fair share is an equal part of what the competitors hold
 *     plus what the host can give (within its bounds); a guest at or above
 *     its fair share gets only what no competitor below its share may still
 *     claim. Turns: a guest that asked and got nothing last round comes
 *     first, then credible reports before others, then the guest given
 *     least lately;
 *  3. if a guest whose allocations wait, fail or are about to still lacks
 *     its need, guests not competing give spare memory (above
 *     spare_free_pct free, never below their min or floor + margin),
 *     the largest spare first, as much as the failing guests lack. It
 *     reaches them in the next round, first to a guest that got nothing.
 */
#include "policy_impl.h"

#include <stdio.h>
#include <string.h>

struct claim {
	size_t i;      /* its index in the round */
	uint64_t want;
	bool starved;  /* got nothing last round */
	bool credible;
	uint64_t lately; /* given lately */
};

/* What the guest was given lately: granted_kib halved every half-life since. */
static uint64_t granted_lately(const struct policy *pol, const struct guest_state *s, uint64_t now)
{
	uint64_t halvings = (now - s->granted_ms) / pol->p.grant_halflife_ms;
	return halvings >= 64 ? 0 : s->granted_kib >> halvings;
}

static void give_to(const struct policy *pol, struct work *w, uint64_t give, uint64_t now, const char *why)
{
	struct guest_state *s = w->s;
	s->granted_kib = granted_lately(pol, s, now) + give;
	s->granted_ms = now;
	w->given = true;
	fluid_grew(pol, s, now);
	policy_move(w, s->target_kib + give, now, why);
}

/* 1: up to min, and back up to a target someone else lowered, as far as avail reaches. */
static void raise_to_bounds(const struct policy *pol, struct work *w, size_t n, int64_t *avail, uint64_t now)
{
	for (size_t i = 0; i < n; i++) {
		struct guest_state *s = w[i].s;
		if (!s || s->uncooperative || w[i].d->set_target)
			continue;
		uint64_t want = min_u64(max_u64(w[i].lo, s->restore_kib), w[i].hi);
		uint64_t give = *avail > 0 && s->target_kib < want ? mib_down(min_u64(want - s->target_kib, (uint64_t)*avail)) : 0;
		if (give >= MIB) {
			give_to(pol, &w[i], give, now, s->target_kib < w[i].lo ? "below its min bound" : "taking back an outside target");
			*avail -= (int64_t)give;
		}
		if (s->target_kib >= min_u64(s->restore_kib, w[i].hi))
			s->restore_kib = 0;
	}
}

/* 2: what a pressured guest needs now, beyond the headroom it has (fluid). */
static uint64_t need_of(const struct policy *pol, const struct work *w, uint64_t now)
{
	const struct policy_params *P = &pol->p;
	uint64_t want_free = max_u64(policy_pace(w->s, now) * P->need_ms / 1000, w->cur * P->spare_free_pct / 100);
	uint64_t free = w->free > 0 ? (uint64_t)w->free : 0;
	uint64_t need = min_u64(max_u64(want_free > free ? want_free - free : 0, P->give_min_kib), P->give_step_kib);
	return need > w->s->headroom_kib ? need - w->s->headroom_kib : 0;
}

/* 2: does the guest ask for memory this round? */
static bool asks(const struct policy *pol, const struct work *w, uint64_t now)
{
	const struct guest_state *s = w->s;
	return s && w->pressured && !s->uncooperative && !w->d->set_target && s->target_kib < w->hi &&
	       w->cur + pol->p.reached_kib >= s->target_kib && policy_can_move(pol, s, 1, w->urgent, now);
}

/* 2: does claim a take its turn before claim b? */
static bool before(const struct claim *a, const struct claim *b)
{
	if (a->starved != b->starved)
		return a->starved;
	if (a->credible != b->credible)
		return a->credible;
	if (a->lately != b->lately)
		return a->lately < b->lately;
	return a->i < b->i;
}

/* 2: the claims of this round, in turn order; their number. */
static size_t collect_claims(const struct policy *pol, struct work *w, size_t n, uint64_t now, struct claim *c)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!asks(pol, &w[i], now))
			continue;
		struct claim x = {i, mib_down(min_u64(need_of(pol, &w[i], now), w[i].hi - w[i].s->target_kib)),
				  w[i].s->starved, w[i].credible, granted_lately(pol, w[i].s, now)};
		if (x.want < MIB)
			continue; /* its headroom covers it */
		size_t j = k++;
		for (; j > 0 && before(&x, &c[j - 1]); j--)
			c[j] = c[j - 1];
		c[j] = x;
	}
	return k;
}

/* 2: the fair share of each competitor: fair[i] (0 for others), and what those below it may still claim. */
static uint64_t fair_shares(const struct work *w, size_t n, int64_t avail, uint64_t *fair)
{
	uint64_t pool = avail > 0 ? (uint64_t)avail : 0, competitors = 0, earmark = 0;
	for (size_t i = 0; i < n; i++)
		if (w[i].s && w[i].competing && !w[i].s->uncooperative) {
			pool += w[i].cur;
			competitors++;
		}
	for (size_t i = 0; i < n; i++) {
		fair[i] = 0;
		if (!w[i].s || !w[i].competing || w[i].s->uncooperative)
			continue;
		fair[i] = competitors < 2 ? w[i].hi : min_u64(max_u64(pool / competitors, w[i].lo), w[i].hi);
		if (fair[i] > w[i].s->target_kib)
			earmark += fair[i] - w[i].s->target_kib;
	}
	return competitors < 2 ? 0 : earmark;
}

/*
 * 2: serve the claims in turn: first the part within the guest's fair
 * share, then what no competitor below its share may still claim. Returns
 * what urgent claims lacked.
 */
static uint64_t serve(const struct policy *pol, struct work *w, const struct claim *c, size_t k,
		      const uint64_t *fair, uint64_t earmark, int64_t *avail, uint64_t now)
{
	uint64_t lacking = 0;
	for (size_t j = 0; j < k; j++) {
		struct work *x = &w[c[j].i];
		uint64_t share = fair[c[j].i] ? fair[c[j].i] : x->hi;
		uint64_t below = share > x->s->target_kib ? share - x->s->target_kib : 0;
		uint64_t room = *avail > 0 ? (uint64_t)*avail : 0;
		uint64_t inshare = min_u64(min_u64(c[j].want, below), room);
		earmark -= min_u64(inshare, earmark);
		room -= inshare;
		uint64_t extra = min_u64(c[j].want - inshare, room > earmark ? room - earmark : 0);
		uint64_t give = mib_down(inshare + extra);
		x->s->starved = give < MIB;
		if (x->urgent && give < c[j].want)
			lacking += c[j].want - give;
		if (give < MIB)
			continue;
		char why[sizeof(x->d->why)];
		snprintf(why, sizeof(why), "pressured (%s)", x->d->pressure);
		give_to(pol, x, give, now, why);
		*avail -= (int64_t)give;
	}
	return lacking;
}

/* 3: what a guest can give to a failing one: free above spare_free_pct, above its min and floor. */
static uint64_t spare_of(const struct policy *pol, const struct work *w)
{
	const struct guest_state *s = w->s;
	if (!s || s->uncooperative || w->competing || w->pressured || w->d->set_target || w->free < 0 ||
	    absdiff(w->cur, s->target_kib) > pol->p.reached_kib)
		return 0;
	uint64_t keep = w->cur * pol->p.spare_free_pct / 100, free = (uint64_t)w->free;
	uint64_t base = min_u64(w->cur, s->target_kib);
	uint64_t bound = max_u64(w->lo, w->floor ? w->floor + pol->p.margin_kib : 0);
	if (free <= keep || base <= bound)
		return 0;
	return mib_down(min_u64(free - keep, base - bound));
}

/* 3: ask guests with spare memory for what failing guests lack, the largest spare first. */
static void ask_for_spare(const struct policy *pol, struct work *w, size_t n, uint64_t lacking, uint64_t now)
{
	while (lacking >= MIB) {
		size_t best = n;
		uint64_t most = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t spare = spare_of(pol, &w[i]);
			if (spare > most && policy_can_move(pol, w[i].s, -1, true, now)) {
				best = i;
				most = spare;
			}
		}
		if (best == n || most < MIB)
			return;
		uint64_t take = min_u64(most, mib_up(lacking));
		policy_move(&w[best], min_u64(w[best].cur, w[best].s->target_kib) - take, now,
			    "spare memory for a guest that is failing");
		lacking -= min_u64(take, lacking);
	}
}

void policy_give(struct policy *pol, const struct host_facts *host, struct work *w, size_t n)
{
	static struct claim c[POLICY_MAX_GUESTS];
	static uint64_t fair[POLICY_MAX_GUESTS];
	uint64_t now = host->now_ms;
	int64_t avail = policy_avail(pol, host, w, n);
	raise_to_bounds(pol, w, n, &avail, now);
	size_t k = collect_claims(pol, w, n, now, c);
	for (size_t i = 0; i < n; i++)
		if (w[i].s)
			w[i].s->starved = false;
	uint64_t earmark = fair_shares(w, n, avail, fair);
	uint64_t lacking = serve(pol, w, c, k, fair, earmark, &avail, now);
	ask_for_spare(pol, w, n, lacking, now);
}
