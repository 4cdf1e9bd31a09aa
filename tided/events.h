/*
 * tided's decisions as events, for `tidectl events`: the format of one
 * event and the arithmetic of the ring that holds the last EVENTS_RING of
 * them in xenstore. Pure C, no xenstore (event_ring.c reads and writes it).
 *
 *   /tool/tided/events/last     the sequence number of the newest event (from 1)
 *   /tool/tided/events/SLOT     SLOT = SEQ mod EVENTS_RING, one event:
 *                               "SEQ MS NAME DOMID TEXT"
 *
 * MS is the wall clock (ms since the epoch) when tided decided; NAME and
 * DOMID are the guest's, both "-" for an event about the host (the
 * reserve, a reload). TEXT is the rest of the line, what tided logged after
 * "NAME (domN): ". A NAME never holds a blank (one becomes '_'), a TEXT
 * never a control character (one becomes ' '), so one event is one line.
 * tided writes the slot first, then last: a reader that sees last = L can
 * read every slot of L - EVENTS_RING < SEQ <= L, and knows an event was
 * overwritten (missed) when its slot holds a later SEQ.
 */
#ifndef TIDED_EVENTS_H
#define TIDED_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVENTS_RING 64
#define EVENTS_NAME_MAX 64
#define EVENTS_TEXT_MAX 400
#define EVENTS_LINE_MAX (EVENTS_NAME_MAX + EVENTS_TEXT_MAX + 64)

struct event {
	uint64_t seq;
	uint64_t ms;                  /* ms since the epoch */
	bool host;                    /* about the host: no name, no domid */
	char name[EVENTS_NAME_MAX];
	unsigned domid;
	char text[EVENTS_TEXT_MAX];
};

/* The slot (xenstore node /tool/tided/events/SLOT) of event seq. */
unsigned events_slot(uint64_t seq);
/* One event as its node's text, into buf (truncating a long text): 0, or -1 if buf is too small for the rest. */
int events_encode(const struct event *e, char *buf, size_t size);
/* A node's text into e: 0, or -1 if it is not an event. */
int events_decode(const char *text, struct event *e);
/*
 * A reader that has seen every event up to seen, and finds last: the
 * first sequence number still in the ring that it has not seen; *missed
 * is how many it can no longer read. A last below seen (the ring was
 * cleared under a running reader) is a new ring, read from its oldest
 * event; nothing is counted as missed. last + 1 when there is nothing new.
 */
uint64_t events_first_unseen(uint64_t seen, uint64_t last, uint64_t *missed);

#endif
