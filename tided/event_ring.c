/* tided's events in xenstore; see event_ring.h and events.h. */
#include "event_ring.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "say.h"
#include "xs_io.h"

static struct xs_handle *ring_xs;
static uint64_t ring_seq; /* the last event posted */
static unsigned ring_failed; /* posts that failed */

void event_ring_open(struct xs_handle *xs)
{
	ring_xs = xs;
	if (event_ring_last(xs, &ring_seq))
		ring_seq = 0;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Post e (its seq the next one): its slot first, then last, so that a reader never finds last ahead of its slot. */
static void post(struct event *e)
{
	char path[64], line[EVENTS_LINE_MAX];
	e->seq = ring_seq + 1;
	e->ms = wall_ms();
	snprintf(path, sizeof(path), EVENTS_PATH "/%u", events_slot(e->seq));
	int rc = events_encode(e, line, sizeof(line)) ? -EMSGSIZE : xsio_write(ring_xs, path, line);
	if (!rc)
		rc = xsio_write_u64(ring_xs, EVENTS_LAST, e->seq);
	if (!rc)
		ring_seq = e->seq;
	else if (!ring_failed++)
		say("cannot post an event under " EVENTS_PATH " (tidectl events misses it): %s", strerror(-rc));
}

void say_event(const char *name, unsigned domid, const char *fmt, ...)
{
	static struct event e;
	va_list ap;
	memset(&e, 0, sizeof(e));
	va_start(ap, fmt);
	vsnprintf(e.text, sizeof(e.text), fmt, ap);
	va_end(ap);
	e.host = !name;
	if (name) {
		snprintf(e.name, sizeof(e.name), "%s", name);
		e.domid = domid;
		say("%s (dom%u): %s", name, domid, e.text);
	} else {
		say("%s", e.text);
	}
	if (ring_xs)
		post(&e);
}

int event_ring_last(struct xs_handle *xs, uint64_t *last)
{
	int64_t v;
	int rc = xsio_read_i64(xs, EVENTS_LAST, &v);
	if (rc)
		return rc;
	if (v < 0)
		return -EINVAL;
	*last = (uint64_t)v;
	return 0;
}

int event_ring_read(struct xs_handle *xs, uint64_t seq, struct event *e)
{
	char path[64], line[EVENTS_LINE_MAX];
	snprintf(path, sizeof(path), EVENTS_PATH "/%u", events_slot(seq));
	int rc = xsio_read(xs, path, line, sizeof(line));
	if (rc)
		return rc;
	if (events_decode(line, e))
		return -EINVAL;
	return e->seq == seq ? 0 : e->seq > seq ? -ESTALE : -ENOENT;
}
