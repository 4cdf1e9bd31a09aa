/*
 * Suspend and resume of a domU, for `xl save`, `xl restore`, `xl save -c`
 * and `xl migrate`, and the part each piece of the Xen services plays in
 * it. The request and its checks are shared (suspend_request.c); the
 * suspend itself is the platform's (PV: pv_suspend.c, PVH:
 * kernel/pvhxen/suspend.c).
 *
 * The toolstack writes control/shutdown = suspend; memory_target.c takes it
 * on its thread, which is a safe point: threads are cooperative, so the
 * balloon worker and the application are between steps. xen_take_suspend()
 * shrinks the guest to what a restore allows (or refuses), acknowledges
 * (clears the node) and calls xen_suspend(), which:
 *   1. waits until no xenstore request is in flight and keeps new ones out,
 *      flushes the console and stops the clock; PV also turns the store and
 *      console frame numbers in start_info into guest frame numbers (the
 *      toolstack expects them so) and unmaps shared info;
 *   2. calls SCHEDOP_shutdown(SHUTDOWN_suspend) (PV: with start_info's
 *      machine frame). Xen returns 1 when the suspend was cancelled (same
 *      domain: `xl save -c`, or a failed save) and 0 in a new domain on
 *      restore;
 *   3. has shared info again (PV: the restore's new one mapped; PVH: placed
 *      again at its frame), restarts the clock where it stopped, and in a
 *      new domain: PV rebuilds the p2m frame lists and forgets frames the
 *      old Xen kept; both bind the timer VIRQ again, take the new console
 *      and store event channels, set every xenstore watch again (their
 *      events make the guest look at its target again, and Xen's limit is
 *      read live, so a new one counts at once) and write the whole report
 *      again.
 * The application sees a pause.
 */
#ifndef TIDE_XEN_SUSPEND_H
#define TIDE_XEN_SUSPEND_H

#include <tide/types.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

/* The platform's suspend (steps 1-3); returns when running again. */
void xen_suspend(void);

/*
 * suspend_request.c: what every platform's suspend does for the shared
 * services. xen_services_suspend: step 1 (keeps the event channels in
 * saved); xen_services_resume: step 3 once the platform has shared info
 * again: the clock, the console, the event channels, the xenstore watches
 * and the report, and the line that says how it went.
 */
struct xen_services_state {
	evtchn_port_t ports[2]; /* the console's and xenstore's, before */
};
void xen_services_suspend(struct xen_services_state *saved);
void xen_services_resume(const struct xen_services_state *saved, bool restored);

/* xenstore.c: wait for the caller in turn, then keep callers out until resumed. */
void xenstore_suspend(void);
evtchn_port_t xenstore_port(void);
/* Let callers in; in a new domain take the new event channel and set the watches again (0, or -EIO). */
int xenstore_resume(bool new_domain);

/* memory_target.c: a new domain's xenstore home has none of the report: write it all again. */
void memory_target_resume(void);

#endif
