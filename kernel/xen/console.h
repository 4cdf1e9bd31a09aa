/* The domU console ring (console_ring.c) and the console's flush for exit. */
#ifndef TIDE_XEN_CONSOLE_H
#define TIDE_XEN_CONSOLE_H

#include <tide/types.h>

/* Find the ring from start_info (a domU's console page is in its bootstrap region). */
void console_ring_init(void);
/* From when threads run: wait on the console's event channel instead of yielding. */
void console_ring_use_events(void);
void console_ring_write(const char *s, size_t n);
/* Wait (boundedly) until xenconsoled has read everything written. */
void console_ring_flush(void);
void console_flush(void);

#endif
