/* Polled event channels and the scheduler's idle hook; see events.h. */
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/start.h>
#include "events.h"
#include "hypercall.h"
#include "xen.h"
#include "time.h"

#define MAX_PORTS 8

static struct {
	evtchn_port_t port;
	bool fired;
} ports[MAX_PORTS];
static unsigned nr_ports;

static int slot_of(evtchn_port_t port)
{
	for (unsigned i = 0; i < nr_ports; i++)
		if (ports[i].port == port)
			return (int)i;
	return -1;
}

void evtchn_add(evtchn_port_t port)
{
	if (slot_of(port) >= 0)
		return;
	BUG_ON(nr_ports == MAX_PORTS);
	ports[nr_ports++].port = port;
}

void evtchn_notify(evtchn_port_t port)
{
	struct evtchn_send send = {.port = port};
	hyp_event_channel_op(EVTCHNOP_send, &send);
}

/* Collect pending ports into their fired flags and wake their waiters. */
static void collect_pending(void)
{
	shared_info_t *s = xen_shared_info();
	for (unsigned i = 0; i < nr_ports; i++) {
		unsigned long bit = 1UL << (ports[i].port % 64);
		unsigned long *word = (unsigned long *)&s->evtchn_pending[ports[i].port / 64];
		if (__atomic_fetch_and(word, ~bit, __ATOMIC_SEQ_CST) & bit) {
			ports[i].fired = true;
			thread_wake_all(&ports[i]);
		}
	}
}

static void events_idle(uint64_t deadline_ns)
{
	evtchn_port_t list[MAX_PORTS];
	for (unsigned i = 0; i < nr_ports; i++)
		list[i] = ports[i].port;
	uint64_t xen_deadline = deadline_ns == SCHED_FOREVER ? 0 : time_to_xen(deadline_ns);
	struct sched_poll poll = {.nr_ports = nr_ports, .timeout = xen_deadline};
	set_xen_guest_handle(poll.ports, list);
	if (xen_deadline)
		hyp_set_timer_op(xen_deadline);
	hyp_sched_op(SCHEDOP_poll, &poll);
	collect_pending();
}

void evtchn_wait(evtchn_port_t port, uint64_t deadline_ns)
{
	int i = slot_of(port);
	BUG_ON(i < 0);
	collect_pending();
	while (!ports[i].fired && monotonic_ns() < deadline_ns)
		thread_block_on(&ports[i], deadline_ns);
	ports[i].fired = false;
}

static evtchn_port_t timer_port;

static evtchn_port_t bind_timer(void)
{
	struct evtchn_bind_virq bind = {.virq = VIRQ_TIMER, .vcpu = 0};
	if (hyp_event_channel_op(EVTCHNOP_bind_virq, &bind))
		panic("events: cannot bind the timer VIRQ");
	return bind.port;
}

void events_init(void)
{
	timer_port = bind_timer();
	evtchn_add(timer_port);
	sched_init(events_idle);
}

void events_resume(bool new_domain, const evtchn_port_t *old, const evtchn_port_t *now, unsigned n)
{
	evtchn_port_t old_timer = timer_port;
	if (new_domain)
		timer_port = bind_timer();
	for (unsigned i = 0; i < nr_ports; i++) {
		evtchn_port_t p = ports[i].port;
		if (p == old_timer)
			ports[i].port = timer_port;
		for (unsigned j = 0; j < n; j++)
			if (p == old[j])
				ports[i].port = now[j];
		ports[i].fired = true; /* wake every waiter once: what it waited for may have come meanwhile */
		thread_wake_all(&ports[i]);
	}
}
