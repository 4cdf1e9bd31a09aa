/* The domU console ring (console_ring.c) and the console's flush for exit. */
#ifndef TIDE_XEN_CONSOLE_H
#define TIDE_XEN_CONSOLE_H

#include <tide/types.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

/* Find the ring from start_info (a domU's console page is in its bootstrap region). */
void console_ring_init(void);
/* From when threads run: wait on the console's event channel instead of yielding. */
void console_ring_use_events(void);
void console_ring_write(const char *s, size_t n);
/* Its event channel; after a restore, the new one from start_info (the ring page is the same frame). */
evtchn_port_t console_ring_port(void);
void console_ring_resume(void);
/* Wait (boundedly) until xenconsoled has read everything written. */
void console_ring_flush(void);
void console_flush(void);

#endif
