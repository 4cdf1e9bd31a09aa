/*
 * A domU's console: the xencons_interface ring in the console page and the
 * event channel the platform gives (xen.h). Output goes into the out ring and the
 * event channel tells xenconsoled. When the ring is full the writer waits
 * for the daemon: blocking on the event channel once threads run, yielding
 * to Xen before that.
 */
#include <tide/types.h>
#include <xen/io/console.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "xen.h"

static volatile struct xencons_interface *ring;
static evtchn_port_t port;
static bool events_ready;

void console_ring_init(void)
{
	ring = xen_console_page();
	port = xen_console_evtchn();
}

evtchn_port_t console_ring_port(void) { return port; }

void console_ring_resume(void) { port = xen_console_evtchn(); }

void console_ring_use_events(void)
{
	evtchn_add(port);
	events_ready = true;
}

static void wait_for_room(void)
{
	evtchn_notify(port);
	if (events_ready)
		evtchn_wait(port, monotonic_ns() + 10 * 1000 * 1000);
	else
		hyp_sched_op(SCHEDOP_yield, NULL);
}

void console_ring_write(const char *s, size_t n)
{
	if (!ring)
		return;
	for (int stalls = 0; n && stalls < 1000;) {
		XENCONS_RING_IDX cons = ring->out_cons, prod = ring->out_prod;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		size_t room = sizeof(ring->out) - (prod - cons);
		if (room == 0) {
			wait_for_room();
			stalls++;
			continue;
		}
		size_t k = MIN(n, room);
		for (size_t i = 0; i < k; i++)
			ring->out[MASK_XENCONS_IDX(prod + i, ring->out)] = s[i];
		__atomic_thread_fence(__ATOMIC_RELEASE);
		ring->out_prod = prod + (XENCONS_RING_IDX)k;
		s += k;
		n -= k;
		stalls = 0;
	}
	evtchn_notify(port);
}

void console_ring_flush(void)
{
	for (int i = 0; ring && i < 200 && ring->out_cons != ring->out_prod; i++)
		wait_for_room();
}
