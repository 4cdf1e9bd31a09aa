/* Xen's system time and the monotonic clock across suspend and resume (time.c). */
#ifndef TIDE_XEN_TIME_H
#define TIDE_XEN_TIME_H

#include <tide/types.h>

/* Xen's system time at monotonic time mono_ns (for set_timer_op and SCHEDOP_poll). */
uint64_t time_to_xen(uint64_t mono_ns);
/* Before a suspend: remember where the clock stopped (shared info still mapped). */
void time_suspend(void);
/* After: carry on from there, whatever the new host's system time (shared info mapped again). */
void time_resume(void);

#endif
