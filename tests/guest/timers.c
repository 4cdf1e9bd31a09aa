/*
 * The timer scenario (tide/timer.h), run on every platform: order, never
 * early, cancel, restart of a pending timer, and a periodic timer that
 * starts itself again from its callback.
 */
#include <tide/kernel.h>
#include <tide/sched.h>
#include <tide/timer.h>
#include "guest_test.h"
#include "timer_tests.h"

#define MS 1000000ULL

struct fired {
	unsigned order[8];
	unsigned n;
	bool early; /* a callback ran before its deadline */
};

struct one_shot {
	struct timer t;
	unsigned id;
	struct fired *log;
};

static void note(void *arg)
{
	struct one_shot *o = arg;
	if (monotonic_ns() < o->t.deadline_ns)
		o->log->early = true;
	if (o->log->n < ARRAY_SIZE(o->log->order))
		o->log->order[o->log->n++] = o->id;
}

struct periodic {
	struct timer t;
	unsigned runs, want;
};

static void tick(void *arg)
{
	struct periodic *p = arg;
	if (++p->runs < p->want)
		timer_start(&p->t, 5 * MS, tick, p);
}

int test_timers(void)
{
	struct fired log = {0};
	struct one_shot a = {.id = 1, .log = &log}, b = {.id = 2, .log = &log}, c = {.id = 3, .log = &log},
			gone = {.id = 9, .log = &log}, moved = {.id = 4, .log = &log};
	struct periodic p = {.want = 3};
	uint64_t t0 = monotonic_ns();
	CHECK(timer_start(&c.t, 30 * MS, note, &c) == 0);
	CHECK(timer_start(&a.t, 10 * MS, note, &a) == 0);
	CHECK(timer_start(&b.t, 20 * MS, note, &b) == 0);
	CHECK(timer_start(&gone.t, 15 * MS, note, &gone) == 0);
	CHECK(timer_start(&moved.t, 5 * MS, note, &moved) == 0);
	CHECK(timer_start(&moved.t, 50 * MS, note, &moved) == 0); /* moved from 5 to 50 ms: runs once, last */
	CHECK(timer_start(&p.t, 5 * MS, tick, &p) == 0);
	CHECK(timer_pending(&gone.t));
	CHECK(timer_cancel(&gone.t));
	CHECK(!timer_pending(&gone.t) && !timer_cancel(&gone.t));
	CHECK(log.n == 0); /* nothing runs before this thread blocks */
	sleep_until_ns(t0 + 100 * MS);
	printk("# fired %u timers in order %u %u %u %u; periodic ran %u times\n", log.n, log.order[0], log.order[1],
	       log.order[2], log.order[3], p.runs);
	CHECK(!log.early);
	CHECK(log.n == 4);
	CHECK(log.order[0] == 1 && log.order[1] == 2 && log.order[2] == 3 && log.order[3] == 4);
	CHECK(p.runs == 3 && !timer_pending(&p.t));
	CHECK(!timer_pending(&a.t) && !timer_cancel(&a.t));
	return 0;
}
