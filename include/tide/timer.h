/*
 * Timers: a callback after a delay, so that an application need not spend a
 * thread to wait.
 *
 * Contract:
 *   - The caller owns each struct timer (static, or zeroed in its own
 *     object: = {0} before its first start) and keeps it alive while it is
 *     pending; Tide only links it in. Starting a
 *     timer allocates nothing, except once: the first timer_start() creates
 *     the thread that runs every callback.
 *   - A callback runs at or after its deadline (never before), on that
 *     timer thread, one at a time, in deadline order (equal deadlines in the
 *     order they were started). Threads are cooperative (tide/sched.h): a
 *     callback that blocks delays every later one, so it should only note
 *     the event, wake a thread or start a timer (itself included, for a
 *     periodic timer).
 *   - timer_start() on a pending timer moves it to its new deadline.
 *   - timer_cancel() stops a pending timer: its callback will not run.
 */
#ifndef TIDE_TIMER_H
#define TIDE_TIMER_H

#include <tide/types.h>

struct timer {
	/* Tide's; set by timer_start() */
	uint64_t deadline_ns;
	void (*fn)(void *arg);
	void *arg;
	struct timer *next;
	bool pending;
};

/*
 * Call fn(arg) delay_ns from now (monotonic_ns()): 0, or -ENOMEM when the
 * timer thread could not be created (the first call only); t is then not
 * pending.
 */
int timer_start(struct timer *t, uint64_t delay_ns, void (*fn)(void *arg), void *arg);
/* Stop t if pending: true when it was (its callback will not run), false when it had run or never started. */
bool timer_cancel(struct timer *t);
static inline bool timer_pending(const struct timer *t) { return t->pending; }

#endif
