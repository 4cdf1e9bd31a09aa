/*
 * What the Xen services that PV and PVH share (events.c, time.c,
 * console.c, console_ring.c, xenstore.c) ask of the platform below them:
 * the shared info page, and where a domU's console and xenstore rings are
 * (PV: start_info; PVH: HVM parameters). Each platform implements these.
 */
#ifndef TIDE_XEN_XEN_H
#define TIDE_XEN_XEN_H

#include <tide/types.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

shared_info_t *xen_shared_info(void);

/* A domU's console ring page, mapped, and its event channel (as the toolstack gave them now). */
void *xen_console_page(void);
evtchn_port_t xen_console_evtchn(void);
/* The same for xenstore; NULL when there is no store (dom0). */
void *xen_store_page(void);
evtchn_port_t xen_store_evtchn(void);

/*
 * The toolstack wrote control/shutdown = suspend (xl save, xl migrate), and
 * the balloon is held: acknowledge and suspend, returning when running
 * again, or refuse (leave the request unacknowledged, one line why; libxl
 * cancels it after 60 s and the guest runs on).
 */
void xen_take_suspend(void);

/* May this dom0 write the machine's I/O ports now (PV: once it raised its I/O privilege)? */
bool xen_port_io(void);

#endif
