/*
 * Suspend and resume of a PV domU (suspend.c), for `xl save`, `xl restore`
 * and `xl save -c`, and the part each piece of the platform plays in it.
 *
 * The toolstack writes control/shutdown = suspend; memory_target.c
 * acknowledges it (clears the node) and calls pv_suspend() on its thread,
 * which is a safe point: threads are cooperative, so the balloon worker and
 * the application are between steps. pv_suspend() then:
 *   1. waits until no xenstore request is in flight and keeps new ones out;
 *   2. stops the clock, turns the store and console frame numbers in
 *      start_info into guest frame numbers (the toolstack expects them so)
 *      and unmaps shared info (it is not one of the guest's frames);
 *   3. calls SCHEDOP_shutdown(SHUTDOWN_suspend). Xen returns 1 when the
 *      suspend was cancelled (same domain: `xl save -c`, or a failed save)
 *      and 0 in a new domain on restore, where every machine frame is new;
 *   4. maps shared info again (the restore's new one), restarts the clock
 *      where it stopped, and in a new domain: rebuilds the p2m frame lists,
 *      forgets frames the old Xen kept, binds the timer VIRQ again, takes
 *      the new console and store event channels, sets every xenstore watch
 *      again (their events make the guest look at its target again, and
 *      Xen's limit is read live, so a new one counts at once) and writes its
 *      whole report again.
 * The application sees a pause.
 */
#ifndef TIDE_XEN_SUSPEND_H
#define TIDE_XEN_SUSPEND_H

#include <tide/types.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

/* Suspend now; returns when running again. */
void pv_suspend(void);

/* xenstore.c: wait for the caller in turn, then keep callers out until resumed. */
void xenstore_suspend(void);
evtchn_port_t xenstore_port(void);
/* Let callers in; in a new domain take the new event channel and set the watches again (0, or -EIO). */
int xenstore_resume(bool new_domain);

/* pv_mem.c: shared info at the machine address start_info gives, events masked. */
void pv_shared_info_map(void);
void pv_shared_info_unmap(void);
/* pv_elastic.c: a new domain has none of the frames the old Xen kept. */
void pv_elastic_resume(void);
/* memory_target.c: a new domain's xenstore home has none of the report: write it all again. */
void memory_target_resume(void);

#endif
