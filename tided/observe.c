/*
 * (a) of a round (policy.h): what a guest's report says, once sanitized, and
 * what class of guest that makes it.
 *
 * A report is taken as it comes, field by field, and never trusted beyond
 * what Xen and the guest's other fields confirm:
 *  - its total must agree with Xen's current within max(reached, current / 4)
 *    (reports trail Xen by up to half a second), else it carries no pressure
 *    ("pressure ignored");
 *  - free is clamped to [0, current]; a floor above current + that lag is no floor;
 *  - counters that are missing, negative, above 2^40 or going backwards carry
 *    no pressure;
 *  - what it reports as droppable (its application's caches, which its
 *    shrinkers drop when its target goes below what it uses) counts as
 *    free, not as use: tided takes it back like free memory, and the guest
 *    drops it when asked (clamped to its use);
 *  - its use (total - free - droppable) may not be far above its own floor
 *    (the floor is that use plus a margin, tide/floor.h): a guest that says
 *    it uses much more than its floor is not credible; its counters are then
 *    ignored and its use is taken to be its floor (the memory it holds but
 *    never touches shows up as free memory, which tided takes back like any
 *    other).
 */
#include "policy_impl.h"

#include <stdio.h>
#include <string.h>

#define COUNTER_NONSENSE (1ULL << 40)
#define PACE_VALID_MS 1500 /* a pace measured longer ago than three reports is stale */
#define NOTE_AFTER_MS 2000 /* a verdict must hold this long to be noted */
#define FLAP_CHANGES 4     /* ... or have changed this often */

/* The verdict on a report, for the lines tided logs about it. */
enum verdict { VERDICT_OK, VERDICT_TOTAL, VERDICT_COUNTERS, VERDICT_NOT_CREDIBLE };

static const char *verdict_text(int v)
{
	switch (v) {
	case VERDICT_TOTAL: return "its total disagrees with Xen's: its pressure is ignored";
	case VERDICT_COUNTERS: return "its counters are nonsense or went backwards: they are ignored";
	case VERDICT_NOT_CREDIBLE: return "it says it uses far more than its floor: judged by its floor";
	}
	return "its report is sane again";
}

static bool counter(const struct report_field *f, uint64_t *v)
{
	if (!f->valid || f->value < 0 || (uint64_t)f->value >= COUNTER_NONSENSE)
		return false;
	*v = (uint64_t)f->value;
	return true;
}

/* Does the report's total agree with Xen's current? */
static bool total_agrees(const struct policy_params *P, const struct guest_facts *f, uint64_t cur)
{
	uint64_t lag = max_u64(P->reached_kib, cur / 4);
	return f->total.valid && f->free.valid && f->total.value >= 0 && absdiff((uint64_t)f->total.value, cur) <= lag;
}

/* The reported floor if it is plausible, else 0. */
static uint64_t sane_floor(const struct policy_params *P, const struct guest_facts *f, uint64_t cur)
{
	uint64_t lag = max_u64(P->reached_kib, cur / 4);
	if (!f->floor.valid || f->floor.value <= 0 || (uint64_t)f->floor.value > cur + lag)
		return 0;
	return (uint64_t)f->floor.value;
}

/*
 * Counter growth since the last sane values: waits and failures deltas, and
 * whether the counters are sane. The last sane values are kept either way.
 */
static bool counter_growth(struct guest_state *s, const struct guest_facts *f, uint64_t *dw, uint64_t *df)
{
	uint64_t waits, failures;
	*dw = *df = 0;
	if (!counter(&f->waits, &waits) || !counter(&f->failures, &failures))
		return false;
	bool backwards = s->have_counters && (waits < s->waits || failures < s->failures);
	if (s->have_counters && !backwards) {
		*dw = waits - s->waits;
		*df = failures - s->failures;
	}
	s->waits = waits;
	s->failures = failures;
	s->have_counters = true;
	return !backwards;
}

uint64_t policy_pace(const struct guest_state *s, uint64_t now)
{
	return s->have_used && now - s->used_ms <= PACE_VALID_MS ? s->pace_kib_s : 0;
}

/*
 * Track the guest's use: its pace between reports that differ (rounds come
 * faster than reports when watches bring them forward) and its peak within
 * the window. Use comes from the report alone (total - free): Xen's current
 * moves before the report does while the guest balloons, and mixing the two
 * would show a shrinking guest as one whose use grows.
 */
static void track_use(uint64_t window_ms, struct guest_state *s, uint64_t used, uint64_t now)
{
	if (s->have_used && used != s->used_kib && now > s->used_ms)
		s->pace_kib_s = used > s->used_kib ? (used - s->used_kib) * 1000 / (now - s->used_ms) : 0;
	if (!s->have_used || used >= s->peak_kib || now - s->peak_ms >= window_ms) {
		s->peak_kib = used;
		s->peak_ms = now;
	}
	if (!s->have_used || used != s->used_kib) {
		s->used_kib = used;
		s->used_ms = now;
	}
	s->have_used = true;
}

/* Sanitize the report into w (report_ok, credible, floor, free) and track its use. */
static int sanitize(const struct policy *pol, struct work *w, uint64_t now)
{
	const struct guest_facts *f = w->f;
	w->free = -1;
	w->floor = sane_floor(&pol->p, f, w->cur);
	w->report_ok = total_agrees(&pol->p, f, w->cur);
	w->credible = w->report_ok;
	if (!w->report_ok)
		return f->total.valid && f->free.valid ? VERDICT_TOTAL : VERDICT_OK;
	uint64_t total = (uint64_t)f->total.value;
	uint64_t free = f->free.value < 0 ? 0 : min_u64((uint64_t)f->free.value, total);
	uint64_t used = total - free;
	uint64_t droppable = f->droppable.valid && f->droppable.value > 0 ? min_u64((uint64_t)f->droppable.value, used) : 0;
	used -= droppable;
	free += droppable;
	if (w->floor && used > w->floor + max_u64(pol->p.claim_slack_kib, w->cur / 4)) {
		w->credible = false;
		used = min_u64(w->floor, total);
		free = total - used;
	}
	w->free = (int64_t)min_u64(free, w->cur);
	track_use(policy_peak_window(pol, w->s), w->s, used, now);
	if (w->credible)
		w->s->credible_ms = now;
	return w->credible ? VERDICT_OK : VERDICT_NOT_CREDIBLE;
}

/* Is the guest pressured, and how (d->pressure)? Sets w->pressured and w->urgent. */
static void judge_pressure(const struct policy_params *P, struct work *w, bool counters_ok, uint64_t dw,
			   uint64_t df)
{
	struct decision *d = w->d;
	uint64_t free = (uint64_t)w->free;
	w->pressured = w->urgent = true;
	if (counters_ok && df)
		snprintf(d->pressure, sizeof(d->pressure), "failures+%llu", (unsigned long long)df);
	else if (counters_ok && dw && !(P->fluid && w->s->headroom_kib)) /* fluid: growing into headroom is no pressure */
		snprintf(d->pressure, sizeof(d->pressure), "waits+%llu", (unsigned long long)dw);
	else if (free < w->runway_need)
		snprintf(d->pressure, sizeof(d->pressure), "runway %llu ms",
			 (unsigned long long)(free * P->runway_ms / w->runway_need));
	else
		w->urgent = false;
	if (!w->urgent && free * 100 < w->cur * P->pressure_free_pct)
		snprintf(d->pressure, sizeof(d->pressure), "free %llu%%",
			 (unsigned long long)(free * 100 / (w->cur ? w->cur : 1)));
	else if (!w->urgent)
		w->pressured = false;
}

/* Much free beyond its peak: idle_free_pct of what it holds, or (fluid) reclaim_min beyond peak + 1/8. */
static bool has_spare(const struct policy_params *P, const struct work *w)
{
	if (w->peak >= w->cur)
		return false;
	if (P->fluid)
		return w->cur - w->peak >= w->peak / 8 + P->reclaim_min_kib;
	return (w->cur - w->peak) * 100 > w->cur * P->idle_free_pct;
}

/* Idle: much free beyond its peak, quiet for a while, and its free memory lasts. */
static bool is_idle(const struct policy_params *P, const struct work *w, uint64_t now)
{
	return w->report_ok && !w->pressured && has_spare(P, w) && now - w->s->quiet_ms >= P->idle_quiet_ms &&
	       (uint64_t)w->free >= w->runway_need * P->idle_runway_ms / P->runway_ms;
}

/*
 * A line about the guest's report when its verdict changed and held for
 * NOTE_AFTER_MS (or changed back and forth FLAP_CHANGES times), at most one
 * per note_period_ms; the count of changes since the last line is forgotten
 * once the noted verdict has held for note_period_ms.
 */
static void note_verdict(const struct policy_params *P, struct work *w, int verdict, uint64_t now)
{
	struct guest_state *s = w->s;
	if (verdict != s->verdict) {
		if (verdict != s->noted)
			s->unnoted_changes++;
		s->verdict = verdict;
		s->verdict_ms = now;
	}
	if (s->verdict == s->noted) {
		if (now - s->verdict_ms >= P->note_period_ms)
			s->unnoted_changes = 0;
		return;
	}
	if ((now - s->verdict_ms < NOTE_AFTER_MS && s->unnoted_changes < FLAP_CHANGES) ||
	    (s->note_ms && now - s->note_ms < P->note_period_ms))
		return;
	int n = snprintf(w->d->note, sizeof(w->d->note), "%s", verdict_text(verdict));
	if (s->unnoted_changes > 1 && n > 0 && (size_t)n < sizeof(w->d->note))
		snprintf(w->d->note + n, sizeof(w->d->note) - (size_t)n, " (its report changed verdict %llu times)",
			 (unsigned long long)s->unnoted_changes);
	s->noted = verdict;
	s->note_ms = now;
	s->unnoted_changes = 0;
}

void policy_observe(const struct policy *pol, struct work *w, uint64_t now)
{
	const struct policy_params *P = &pol->p;
	struct guest_state *s = w->s;
	struct decision *d = w->d;
	uint64_t dw, df;
	bool counters_ok = counter_growth(s, w->f, &dw, &df);
	int verdict = sanitize(pol, w, now);
	if (verdict == VERDICT_OK && !counters_ok && w->f->waits.valid && w->f->failures.valid)
		verdict = VERDICT_COUNTERS;
	w->peak = s->have_used ? s->peak_kib : w->cur;
	w->runway_need = policy_pace(s, now) * P->runway_ms / 1000;
	d->report_ok = w->report_ok;
	d->credible = w->credible;
	d->free_kib = w->free;
	w->pressured = w->urgent = false;
	if (w->report_ok)
		judge_pressure(P, w, counters_ok && w->credible, dw, df);
	else
		snprintf(d->pressure, sizeof(d->pressure), "ignored");
	if (w->pressured)
		s->quiet_ms = s->pressed_ms = now;
	w->idle = is_idle(P, w, now);
	w->competing = s->pressed_ms && now - s->pressed_ms < P->share_window_ms;
	d->cls = w->pressured ? CLASS_PRESSURED : w->idle ? CLASS_IDLE : CLASS_STEADY;
	note_verdict(P, w, verdict, now);
}
