/*
 * tided's events in xenstore (the ring of events.h): tided says each
 * decision in its log and posts it; tidectl reads them back.
 */
#ifndef TIDED_EVENT_RING_H
#define TIDED_EVENT_RING_H

#include <stdint.h>

#include "events.h"

struct xs_handle;

#define EVENTS_PATH "/tool/tided/events"
#define EVENTS_LAST EVENTS_PATH "/last"

/* tided: post events through xs from now on, numbered after the last one there (a restart carries on). */
void event_ring_open(struct xs_handle *xs);
/*
 * tided: one decision, as a log line (say(): "NAME (domN): TEXT", or TEXT
 * alone about the host, name NULL) and as an event in the ring. A ring
 * that cannot be written costs one log line, the first time.
 */
void say_event(const char *name, unsigned domid, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* tidectl: the newest event's number: 0, or -errno (-ENOENT: none yet). */
int event_ring_last(struct xs_handle *xs, uint64_t *last);
/* tidectl: event seq: 0; -ENOENT or -EINVAL if its slot holds none; -ESTALE if a later one overwrote it. */
int event_ring_read(struct xs_handle *xs, uint64_t seq, struct event *e);

#endif
