/*
 * Monotonic clock and sleeping. The clock is Xen's system time for vCPU 0,
 * extrapolated with the TSC as described in xen.h (vcpu_time_info). Sleeping
 * arms Xen's one-shot timer and blocks in SCHEDOP_poll on the timer VIRQ's
 * event channel, so a waiting guest costs the host nothing.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include "hypercall.h"
#include "pv.h"

static evtchn_port_t timer_port;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

uint64_t monotonic_ns(void)
{
	volatile struct vcpu_time_info *t = &pv_shared_info()->vcpu_info[0].time;
	uint32_t version;
	uint64_t ns;
	do {
		version = t->version;
		__asm__ volatile("" ::: "memory");
		uint64_t delta = rdtsc() - t->tsc_timestamp;
		if (t->tsc_shift >= 0)
			delta <<= t->tsc_shift;
		else
			delta >>= -t->tsc_shift;
		ns = t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
		__asm__ volatile("" ::: "memory");
	} while ((version & 1) || version != t->version);
	return ns;
}

void time_init(void)
{
	struct evtchn_bind_virq bind = {.virq = VIRQ_TIMER, .vcpu = 0};
	if (hyp_event_channel_op(EVTCHNOP_bind_virq, &bind))
		panic("time: cannot bind the timer VIRQ");
	timer_port = bind.port;
}

void sleep_until_ns(uint64_t deadline_ns)
{
	shared_info_t *s = pv_shared_info();
	while (monotonic_ns() < deadline_ns) {
		struct sched_poll poll = {.nr_ports = 1, .timeout = deadline_ns};
		set_xen_guest_handle(poll.ports, &timer_port);
		hyp_set_timer_op(deadline_ns);
		hyp_sched_op(SCHEDOP_poll, &poll);
		__atomic_fetch_and(&s->evtchn_pending[timer_port / 64], ~(1UL << (timer_port % 64)),
				   __ATOMIC_SEQ_CST);
	}
}
