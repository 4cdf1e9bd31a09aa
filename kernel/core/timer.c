/*
 * Timers; see tide/timer.h. Pending timers sit in one list sorted by
 * deadline. One thread, created by the first timer_start(), sleeps until the
 * head's deadline (thread_block_on with that deadline), unlinks each expired
 * timer and calls it. Starting a timer that becomes the new head wakes the
 * thread so that it sleeps until the earlier deadline instead.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/sched.h>
#include <tide/timer.h>

static struct timer *pending_head;
static struct thread *timer_thread;
static int head_changed; /* token: the thread re-reads the head's deadline */

static void unlink_timer(struct timer *t)
{
	for (struct timer **p = &pending_head; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			break;
		}
	t->next = NULL;
	t->pending = false;
}

/* After every pending timer with the same or an earlier deadline. */
static void link_sorted(struct timer *t)
{
	struct timer **p = &pending_head;
	while (*p && (*p)->deadline_ns <= t->deadline_ns)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
	t->pending = true;
}

static void run_timers(void *unused)
{
	(void)unused;
	for (;;) {
		uint64_t now = monotonic_ns();
		while (pending_head && pending_head->deadline_ns <= now) {
			struct timer *t = pending_head;
			unlink_timer(t);
			t->fn(t->arg);
			now = monotonic_ns();
		}
		thread_block_on(&head_changed, pending_head ? pending_head->deadline_ns : SCHED_FOREVER);
	}
}

int timer_start(struct timer *t, uint64_t delay_ns, void (*fn)(void *arg), void *arg)
{
	if (!timer_thread && !(timer_thread = thread_create("timers", run_timers, NULL))) {
		t->pending = false;
		return -ENOMEM;
	}
	if (t->pending)
		unlink_timer(t);
	uint64_t now = monotonic_ns();
	t->deadline_ns = delay_ns < SCHED_FOREVER - now ? now + delay_ns : SCHED_FOREVER;
	t->fn = fn;
	t->arg = arg;
	link_sorted(t);
	if (pending_head == t)
		thread_wake_all(&head_changed);
	return 0;
}

bool timer_cancel(struct timer *t)
{
	if (!t->pending)
		return false;
	unlink_timer(t);
	return true;
}
