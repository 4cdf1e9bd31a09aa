/*
 * The balloon state machine and grow-on-shortage; see tide/balloon.h.
 * elastic.c does the moving; this file decides when, how much, and what to
 * do when the hypervisor says no.
 */
#include <tide/balloon_worker.h>
#include <tide/floor.h>
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/log_limit.h>
#include <tide/buddy.h>
#include <tide/platform.h>
#include "elastic.h"
#include "shrinkers.h"

static enum balloon_state state;
static struct balloon_stats stats;
static unsigned retries;
static bool floor_logged, limit_logged; /* said once per target */
static bool growing_now; /* re-entry guard for grow on shortage */
static unsigned long shortage_step = SHORTAGE_STEP_MIN_PAGES;
static uint64_t last_shortage_ns;
/* Growth on shortage has its own backoff, so that a cancelled target cannot stop it for good. */
static uint64_t shortage_backoff_ns, shortage_retry_at_ns;
/* Every line here answers a target or a refusal from outside: rate-limited. */
static struct log_limit balloon_log;

const char *balloon_state_name(enum balloon_state s)
{
	static const char *const names[] = {"idle", "growing", "shrinking", "waiting", "cancelled", "held"};
	return s <= BALLOON_HELD ? names[s] : "?";
}

static bool on_hold; /* balloon_hold(): no change of size at all */

enum balloon_state balloon_state(void) { return on_hold ? BALLOON_HELD : state; }

void balloon_hold(bool on) { on_hold = on; }

static unsigned long used_pages(void) { return frames_in_state(FRAME_USED) + frames_in_state(FRAME_RESERVED); }

/* Used memory the shrinkers could not drop (DROPPABLE, their count), plus a margin (tide/floor.h, tide/shrinker.h). */
static unsigned long floor_pages(unsigned long droppable)
{
	unsigned long used = used_pages();
	return tide_floor_pages(used - MIN(droppable, used));
}

/* What a shrink step may give now: the free pages beyond the floor's margin over what is used now. */
static unsigned long giveable_pages(void)
{
	unsigned long used = used_pages(), keep = tide_floor_pages(used) - used;
	return nr_free_pages() > keep ? nr_free_pages() - keep : 0;
}

const struct balloon_stats *balloon_stats(void)
{
	stats.blocks_plugged = elastic_stats()->blocks_plugged;
	stats.blocks_unplugged = elastic_stats()->blocks_unplugged;
	stats.meta_moved = elastic_stats()->meta_moved;
	stats.droppable_pages = shrinkers_droppable(); /* one count, so that the floor and it agree */
	stats.floor_pages = floor_pages(stats.droppable_pages);
	return &stats;
}

void balloon_init(void)
{
	unsigned long boot_blocks = 0;
	while (boot_blocks < frames_nr_blocks() && block_state(boot_blocks) == BLOCK_ONLINE)
		boot_blocks++;
	elastic_init(boot_blocks);
	memset(&stats, 0, sizeof(stats));
	stats.target_pages = frames_populated();
	state = BALLOON_IDLE;
	retries = 0;
	floor_logged = limit_logged = growing_now = on_hold = false;
	shortage_step = SHORTAGE_STEP_MIN_PAGES;
	last_shortage_ns = shortage_backoff_ns = shortage_retry_at_ns = 0;
	page_alloc_set_shortage_hook(balloon_on_shortage, BALLOON_LOW_WATERMARK);
}

void balloon_set_target(unsigned long pages)
{
	if (pages == 0) {
		printk_limited(&balloon_log, "balloon: target 0 ignored; keeping %lu pages", stats.target_pages);
		return;
	}
	if (pages > frames_nr_blocks() * BLOCK_PAGES) {
		printk_limited(&balloon_log, "balloon: target %lu pages is beyond the pfn space; using %lu", pages,
		       frames_nr_blocks() * BLOCK_PAGES);
		pages = frames_nr_blocks() * BLOCK_PAGES;
	}
	stats.target_pages = pages;
	stats.backoff_ns = 0;
	stats.retry_at_ns = 0;
	retries = 0;
	floor_logged = limit_logged = false;
	state = frames_populated() == pages ? BALLOON_IDLE
		: frames_populated() < pages ? BALLOON_GROWING
					     : BALLOON_SHRINKING;
}

uint64_t balloon_backoff_next(uint64_t now, uint64_t *backoff_ns)
{
	*backoff_ns = *backoff_ns ? MIN(*backoff_ns * 2, BALLOON_BACKOFF_MAX_NS) : BALLOON_BACKOFF_MIN_NS;
	return now + *backoff_ns;
}

/* The hypervisor refused or half-fulfilled a step: wait, doubling the backoff. */
static void back_off(uint64_t now, const char *what)
{
	stats.refusals++;
	stats.retry_at_ns = balloon_backoff_next(now, &stats.backoff_ns);
	if (++retries >= BALLOON_MAX_RETRIES) {
		printk_limited(&balloon_log, "balloon: %s refused %u times in a row; giving up on target %lu pages "
		       "(holding %lu)", what, retries, stats.target_pages, frames_populated());
		state = BALLOON_CANCELLED;
		return;
	}
	printk_limited(&balloon_log, "balloon: %s refused at %lu of %lu pages; retry in %lu s", what, frames_populated(),
	       stats.target_pages, (unsigned long)(stats.backoff_ns / 1000000000ULL));
	state = BALLOON_WAITING;
}

static void made_progress(void)
{
	stats.backoff_ns = 0;
	retries = 0;
}

/* Stop at goal; say once when the floor, not the target, is what stopped it. */
static enum balloon_state shrink_done(unsigned long goal)
{
	if (!floor_logged && goal > stats.target_pages) {
		printk_limited(&balloon_log, "balloon: target %lu pages is below the floor; holding %lu pages (%lu in use)",
		       stats.target_pages, frames_populated(), used_pages());
		floor_logged = true;
	}
	return state = BALLOON_IDLE;
}

/* What shrinking stops at: the target, or the floor when that is higher. */
static unsigned long shrink_goal(void) { return MAX(stats.target_pages, floor_pages(shrinkers_droppable())); }

static enum balloon_state step_shrink(uint64_t now)
{
	unsigned long held = frames_populated();
	unsigned long goal = shrink_goal();
	if (held <= goal)
		return shrink_done(goal);
	/*
	 * Below what is used, only the shrinkers can make room: without them
	 * (or once they dropped all they counted) the floor keeps the margin
	 * free and this step never has to ask.
	 */
	unsigned long want = MIN(held - goal, BALLOON_STEP_PAGES);
	if (giveable_pages() < want)
		shrinkers_drop(want - giveable_pages());
	want = MIN(want, giveable_pages());
	if (want == 0)
		return shrink_done(held); /* they dropped less than they counted: held here, looked at again later */
	bool refused;
	long got = elastic_shrink(want, &refused);
	if (refused || got <= 0) {
		back_off(now, "shrinking");
		return state;
	}
	made_progress();
	/* The step may have freed metadata (a page table, a block's frame states): the floor moves with it. */
	goal = shrink_goal();
	return frames_populated() <= goal ? shrink_done(goal) : (state = BALLOON_SHRINKING);
}

/* Held at Xen's limit below the target: idle, said once per target. */
static enum balloon_state grow_at_limit(long limit)
{
	if (!limit_logged) {
		if (limit < 0)
			printk_limited(&balloon_log, "balloon: cannot read Xen's limit (error %ld); holding %lu of %lu pages", limit,
			       frames_populated(), stats.target_pages);
		else
			printk_limited(&balloon_log, "balloon: target %lu pages is above Xen's limit; holding %lu pages (the limit)",
			       stats.target_pages, frames_populated());
		limit_logged = true;
	}
	return state = BALLOON_IDLE;
}

static enum balloon_state step_grow(uint64_t now)
{
	long limit = platform_max_pages();
	unsigned long held = frames_populated();
	if (limit < 0 || (unsigned long)limit <= held)
		return grow_at_limit(limit);
	unsigned long goal = MIN(stats.target_pages, (unsigned long)limit);
	bool refused;
	long got = elastic_grow(MIN(goal - held, BALLOON_STEP_PAGES), 0, &refused);
	if (got > 0)
		made_progress();
	if (refused && frames_populated() < goal) {
		back_off(now, "growing");
		return state;
	}
	if (frames_populated() >= stats.target_pages)
		return state = BALLOON_IDLE;
	return frames_populated() >= goal ? grow_at_limit(limit) : (state = BALLOON_GROWING);
}

enum balloon_state balloon_work(void)
{
	uint64_t now = monotonic_ns();
	if (on_hold)
		return BALLOON_HELD;
	if (state == BALLOON_CANCELLED)
		return state;
	if (state == BALLOON_WAITING && now < stats.retry_at_ns)
		return state;
	if (frames_populated() < stats.target_pages)
		return step_grow(now);
	if (frames_populated() > stats.target_pages)
		return step_shrink(now);
	return state = BALLOON_IDLE;
}

uint64_t balloon_next_work_ns(void)
{
	switch (balloon_state()) {
	case BALLOON_GROWING:
	case BALLOON_SHRINKING:
		return monotonic_ns();
	case BALLOON_WAITING:
		return stats.retry_at_ns;
	case BALLOON_IDLE:
		if (frames_populated() != stats.target_pages)
			return monotonic_ns() + BALLOON_RECHECK_NS;
		return ~0ULL;
	default:
		return ~0ULL;
	}
}

enum balloon_state balloon_settle(uint64_t deadline_ns)
{
	for (;;) {
		enum balloon_state s = balloon_work();
		if (s == BALLOON_IDLE || s == BALLOON_CANCELLED || s == BALLOON_HELD || monotonic_ns() >= deadline_ns)
			return s;
		if (s == BALLOON_WAITING)
			sleep_until_ns(MIN(stats.retry_at_ns, deadline_ns));
	}
}

int balloon_shrink_for_suspend(unsigned long restore_pages)
{
	unsigned long used = used_pages();
	if (used + BALLOON_LOW_WATERMARK > restore_pages && frames_populated() > restore_pages)
		return -ENOSPC;
	unsigned long goal = MAX(MIN(shrink_goal(), restore_pages), used + BALLOON_LOW_WATERMARK);
	bool refused;
	if (frames_populated() > goal)
		elastic_shrink_in_place(frames_populated() - goal, &refused);
	return frames_populated() <= restore_pages ? 0 : -ENOSPC;
}

long balloon_shrink(unsigned long pages)
{
	bool refused;
	if (on_hold)
		return -EBUSY;
	long got = elastic_shrink(pages, &refused);
	return got > 0 ? got : -ENOMEM;
}

/* How much growth on shortage asks for: the shortfall or the current step, whole blocks when contiguous. */
static unsigned long shortage_want(unsigned long need_pages, bool contiguous, uint64_t now)
{
	if (now - last_shortage_ns > 1000000000ULL)
		shortage_step = SHORTAGE_STEP_MIN_PAGES;
	last_shortage_ns = now;
	unsigned long want = contiguous ? need_pages : MAX(need_pages, shortage_step);
	return DIV_ROUND_UP(want, BLOCK_PAGES) * BLOCK_PAGES;
}

int balloon_on_shortage(unsigned long need_pages, bool contiguous)
{
	uint64_t now = monotonic_ns();
	stats.shortages++;
	if (growing_now)
		return -EBUSY;
	if (on_hold || now < shortage_retry_at_ns) {
		stats.shortage_denied++;
		return -EAGAIN;
	}
	unsigned long want = shortage_want(need_pages, contiguous, now);
	growing_now = true;
	bool refused;
	long got = elastic_grow(want, contiguous ? need_pages : 0, &refused);
	growing_now = false;
	if (got > 0) {
		shortage_step = MIN(shortage_step * 2, SHORTAGE_STEP_MAX_PAGES);
		if (frames_populated() > stats.target_pages)
			stats.target_pages = frames_populated();
	}
	if (refused) {
		stats.refusals++;
		shortage_retry_at_ns = balloon_backoff_next(now, &shortage_backoff_ns);
		printk_limited(&balloon_log, "balloon: growth on shortage stopped at %lu pages; next try in %lu s",
		       frames_populated(), (unsigned long)(shortage_backoff_ns / 1000000000ULL));
	} else {
		shortage_backoff_ns = 0;
	}
	if (got <= 0) {
		stats.shortage_denied++;
		return -ENOMEM;
	}
	stats.shortage_grown++;
	return 0;
}
