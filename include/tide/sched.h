/*
 * Cooperative threads. A thread runs until it blocks, yields or exits; there
 * is no preemption, so code between two such calls runs atomically. The
 * application's app_main runs on the boot thread.
 *
 * Blocking is on a token (any address) with a deadline: thread_wake_all()
 * on the token, or the deadline, makes the thread runnable again. When no
 * thread can run, the guest sleeps in the hypervisor until an event or the
 * earliest deadline.
 */
#ifndef TIDE_SCHED_H
#define TIDE_SCHED_H

#include <tide/types.h>

#define SCHED_FOREVER (~0ULL)

struct thread;

/* Start a thread running fn(arg) on a 16 KiB stack: the thread, or NULL without memory. */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg);
void thread_yield(void);
/* Block until thread_wake_all(token) or monotonic_ns() >= deadline_ns. */
void thread_block_on(const void *token, uint64_t deadline_ns);
/* Make every thread blocked on token runnable. */
void thread_wake_all(const void *token);

#endif
