/*
 * The balloon state machine and grow-on-shortage; see tide/balloon.h.
 * elastic.c does the moving; this file decides when, how much, and what to
 * do when the hypervisor says no.
 */
#include <tide/balloon.h>
#include <tide/floor.h>
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/page_alloc.h>
#include <tide/platform.h>
#include "elastic.h"

static enum balloon_state state;
static struct balloon_stats stats;
static unsigned retries;
static bool floor_logged;
static bool growing_now; /* re-entry guard for grow on shortage */
static unsigned long shortage_step = SHORTAGE_STEP_MIN_PAGES;
static uint64_t last_shortage_ns;
/* Growth on shortage has its own backoff, so that a cancelled target cannot stop it for good. */
static uint64_t shortage_backoff_ns, shortage_retry_at_ns;

const char *balloon_state_name(enum balloon_state s)
{
	static const char *const names[] = {"idle", "growing", "shrinking", "waiting", "cancelled"};
	return s <= BALLOON_CANCELLED ? names[s] : "?";
}

enum balloon_state balloon_state(void) { return state; }

const struct balloon_stats *balloon_stats(void)
{
	elastic_block_counts(&stats.blocks_plugged, &stats.blocks_unplugged);
	return &stats;
}

/* Used memory plus a margin (tide/floor.h). */
static unsigned long floor_pages(void)
{
	return tide_floor_pages(frames_in_state(FRAME_USED) + frames_in_state(FRAME_RESERVED));
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
	floor_logged = growing_now = false;
	shortage_step = SHORTAGE_STEP_MIN_PAGES;
	last_shortage_ns = shortage_backoff_ns = shortage_retry_at_ns = 0;
	page_alloc_set_shortage_hook(balloon_on_shortage, BALLOON_LOW_WATERMARK);
}

void balloon_set_target(unsigned long pages)
{
	if (pages == 0) {
		printk("balloon: target 0 ignored; keeping %lu pages\n", stats.target_pages);
		return;
	}
	if (pages > frames_nr_blocks() * BLOCK_PAGES) {
		printk("balloon: target %lu pages is beyond the pfn space; using %lu\n", pages,
		       frames_nr_blocks() * BLOCK_PAGES);
		pages = frames_nr_blocks() * BLOCK_PAGES;
	}
	stats.target_pages = pages;
	stats.backoff_ns = 0;
	stats.retry_at_ns = 0;
	retries = 0;
	floor_logged = false;
	state = frames_populated() == pages ? BALLOON_IDLE
		: frames_populated() < pages ? BALLOON_GROWING
					     : BALLOON_SHRINKING;
}

/* Double a backoff (from 1 s up to 32 s) and return when the next try may happen. */
static uint64_t next_backoff(uint64_t now, uint64_t *backoff_ns)
{
	*backoff_ns = *backoff_ns ? MIN(*backoff_ns * 2, BALLOON_BACKOFF_MAX_NS) : BALLOON_BACKOFF_MIN_NS;
	return now + *backoff_ns;
}

/* The hypervisor refused or half-fulfilled a step: wait, doubling the backoff. */
static void back_off(uint64_t now, const char *what)
{
	stats.refusals++;
	stats.retry_at_ns = next_backoff(now, &stats.backoff_ns);
	if (++retries >= BALLOON_MAX_RETRIES) {
		printk("balloon: %s refused %u times in a row; giving up on target %lu pages "
		       "(holding %lu)\n", what, retries, stats.target_pages, frames_populated());
		state = BALLOON_CANCELLED;
		return;
	}
	printk("balloon: %s refused at %lu of %lu pages; retry in %lu s\n", what, frames_populated(),
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
		printk("balloon: target %lu pages is below the floor; holding %lu pages (%lu in use)\n",
		       stats.target_pages, frames_populated(),
		       frames_in_state(FRAME_USED) + frames_in_state(FRAME_RESERVED));
		floor_logged = true;
	}
	return state = BALLOON_IDLE;
}

static enum balloon_state step_shrink(uint64_t now)
{
	unsigned long held = frames_populated();
	stats.floor_pages = floor_pages();
	unsigned long goal = MAX(stats.target_pages, stats.floor_pages);
	if (held <= goal)
		return shrink_done(goal);
	bool refused;
	long got = elastic_shrink(MIN(held - goal, BALLOON_STEP_PAGES), &refused);
	if (refused || got <= 0) {
		back_off(now, "shrinking");
		return state;
	}
	made_progress();
	return frames_populated() <= goal ? shrink_done(goal) : (state = BALLOON_SHRINKING);
}

static enum balloon_state step_grow(uint64_t now)
{
	unsigned long held = frames_populated();
	bool refused;
	long got = elastic_grow(MIN(stats.target_pages - held, BALLOON_STEP_PAGES), &refused);
	if (got > 0)
		made_progress();
	if (refused) {
		back_off(now, "growing");
		return state;
	}
	return state = frames_populated() >= stats.target_pages ? BALLOON_IDLE : BALLOON_GROWING;
}

enum balloon_state balloon_work(void)
{
	uint64_t now = monotonic_ns();
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

enum balloon_state balloon_settle(uint64_t deadline_ns)
{
	for (;;) {
		enum balloon_state s = balloon_work();
		if (s == BALLOON_IDLE || s == BALLOON_CANCELLED || monotonic_ns() >= deadline_ns)
			return s;
		if (s == BALLOON_WAITING)
			sleep_until_ns(MIN(stats.retry_at_ns, deadline_ns));
	}
}

long balloon_shrink(unsigned long pages)
{
	bool refused;
	long got = elastic_shrink(pages, &refused);
	return got > 0 ? got : -ENOMEM;
}

int balloon_on_shortage(unsigned long need_pages)
{
	uint64_t now = monotonic_ns();
	stats.shortages++;
	if (growing_now)
		return -EBUSY;
	if (now < shortage_retry_at_ns) {
		stats.shortage_denied++;
		return -EAGAIN;
	}
	if (now - last_shortage_ns > 1000000000ULL)
		shortage_step = SHORTAGE_STEP_MIN_PAGES;
	last_shortage_ns = now;
	unsigned long want = MAX(need_pages, shortage_step);
	want = DIV_ROUND_UP(want, BLOCK_PAGES) * BLOCK_PAGES;
	growing_now = true;
	bool refused;
	long got = elastic_grow(want, &refused);
	growing_now = false;
	if (got > 0) {
		shortage_step = MIN(shortage_step * 2, SHORTAGE_STEP_MAX_PAGES);
		if (frames_populated() > stats.target_pages)
			stats.target_pages = frames_populated();
	}
	if (refused) {
		stats.refusals++;
		shortage_retry_at_ns = next_backoff(now, &shortage_backoff_ns);
		printk("balloon: growth on shortage stopped at %lu pages; next try in %lu s\n",
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
