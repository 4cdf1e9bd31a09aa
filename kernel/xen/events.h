/*
 * Event channels, polled: Tide keeps event delivery masked and never takes
 * upcalls. A thread waits on a port with evtchn_wait(); when every thread is
 * blocked, the scheduler's idle hook (events_idle) sleeps in SCHEDOP_poll on
 * all known ports plus the timer VIRQ, then marks the ports that fired and
 * wakes their waiters.
 */
#ifndef TIDE_XEN_EVENTS_H
#define TIDE_XEN_EVENTS_H

#include <tide/types.h>
#include <xen/event_channel.h>

/* Bind the timer VIRQ and hand the idle hook to the scheduler. */
void events_init(void);
/* Add a port (from start_info or a binding) to the set that is polled. */
void evtchn_add(evtchn_port_t port);
void evtchn_notify(evtchn_port_t port);
/* Block the current thread until port fires or deadline_ns; returns at once if it fired already. */
void evtchn_wait(evtchn_port_t port, uint64_t deadline_ns);
/*
 * After a suspend: in a new domain the timer VIRQ is bound again and each
 * port old[i] becomes now[i] (their waiters keep waiting on them); in either
 * case every waiter is woken once to look again.
 */
void events_resume(bool new_domain, const evtchn_port_t *old, const evtchn_port_t *now, unsigned n);

#endif
