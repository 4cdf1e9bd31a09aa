/*
 * Start of day of the kernel's services, called by each platform's start
 * code (never by an application): the scheduler with the platform's idle
 * hook, and the xenstore client.
 */
#ifndef TIDE_START_H
#define TIDE_START_H

#include <tide/sched.h>
#include <tide/xenstore.h>

/*
 * The platform's idle hook: wait (without spinning) until an event arrives or
 * until deadline_ns, then wake the threads the events concern.
 */
typedef void (*sched_idle_t)(uint64_t deadline_ns);
void sched_init(sched_idle_t idle);

/* Connect to the ring named in start_info: 0, or -ENOENT when there is none (dom0 here). */
int xenstore_init(void);

#endif
