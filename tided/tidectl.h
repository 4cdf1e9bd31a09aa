/*
 * What tidectl's commands share: tidectl.c (the command line, set, unset),
 * tidectl_status.c (status, as a table or JSON), tidectl_events.c (events).
 */
#ifndef TIDED_TIDECTL_H
#define TIDED_TIDECTL_H

#include <stdio.h>

#define MIB 1024ULL
#define EXIT_STALE 3 /* status: tided is not running or is stuck, the view is stale */

struct xs_handle;
struct xcio;

/* The usage text (what set refuses and what it warns about included). */
void usage(FILE *to);
/* Open xenstore, and Xen too unless xc is NULL: 0, or 1 after one line. */
int open_both(struct xs_handle **xs, struct xcio **xc);
/* tidectl status ARGS / tidectl events ARGS: the exit status. */
int cmd_status(int argc, char **argv);
int cmd_events(int argc, char **argv);
/* SIGINT and SIGTERM end a command that keeps going (status -w, events) with status 0. */
void stop_on_signals(void);
extern volatile int tidectl_stop;

#endif
