/*
 * tidectl events [--json] [DOM]: tided's decisions as it makes them (the
 * lines it logs about targets, marks, guests it takes on or lets go, the
 * reserve, reloads), for one guest (DOM: a name or a domid) or all, until
 * SIGINT or SIGTERM.
 *
 * tided posts each decision into a ring in xenstore (events.h); this
 * watches the ring's last node and, each time it fires, prints every event
 * after the last one printed, oldest first. It starts with the events
 * posted after it started. A reader slower than tided (more than the
 * ring's 64 events behind) cannot read the ones overwritten: it says how
 * many it missed, in the stream itself. One line an event:
 *   2026-11-24 12:00:01.234 web (dom5): target 256 -> 320 MiB (...)
 *   2026-11-24 12:00:02.000 tided: host free ... (about the host)
 *   tidectl: missed N events (...)
 * or with --json one object a line: {"seq", "time_ms", "name", "domid"
 * (both null about the host), "text"}, and {"missed": N}.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event_ring.h"
#include "gather.h"
#include "json.h"
#include "tidectl.h"

struct events_filter {
	bool all;
	bool by_domid;
	unsigned domid;
	const char *name;
};

/* DOM as a filter into f: 0, or 2 after one line. */
static int parse_filter(const char *dom, struct events_filter *f)
{
	int64_t id;
	if (!dom) {
		f->all = true;
	} else if (parse_i64(dom, &id) == 0) {
		if (id < 0 || id > UINT32_MAX) {
			fprintf(stderr, "tidectl: events: %s is not a domid\n", dom);
			return 2;
		}
		f->by_domid = true;
		f->domid = (unsigned)id;
	} else if (!dom[0] || strlen(dom) >= EVENTS_NAME_MAX || strpbrk(dom, " \t/")) {
		fprintf(stderr, "tidectl: events: \"%s\" is not a guest name or domid\n", dom);
		return 2;
	} else {
		f->name = dom;
	}
	return 0;
}

static bool wanted(const struct events_filter *f, const struct event *e)
{
	if (f->all)
		return true;
	if (e->host)
		return false;
	return f->by_domid ? e->domid == f->domid : !strcmp(e->name, f->name);
}

static void print_event(const struct event *e, bool json)
{
	if (json) {
		printf("{\"seq\":%llu,\"time_ms\":%llu,\"name\":", (unsigned long long)e->seq, (unsigned long long)e->ms);
		if (e->host)
			printf("null,\"domid\":null");
		else {
			json_string(stdout, e->name);
			printf(",\"domid\":%u", e->domid);
		}
		printf(",\"text\":");
		json_string(stdout, e->text);
		printf("}\n");
		return;
	}
	time_t s = (time_t)(e->ms / 1000);
	struct tm tm;
	char when[32];
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&s, &tm));
	if (e->host)
		printf("%s.%03u tided: %s\n", when, (unsigned)(e->ms % 1000), e->text);
	else
		printf("%s.%03u %s (dom%u): %s\n", when, (unsigned)(e->ms % 1000), e->name, e->domid, e->text);
}

static void print_missed(uint64_t n, bool json)
{
	if (!n)
		return;
	if (json)
		printf("{\"missed\":%llu}\n", (unsigned long long)n);
	else
		printf("tidectl: missed %llu events (tided keeps the last %d in xenstore and was faster than this "
		       "reader)\n", (unsigned long long)n, EVENTS_RING);
}

/* Print the events after *seen up to the ring's last, and move *seen there. */
static void catch_up(struct xs_handle *xs, const struct events_filter *f, bool json, uint64_t *seen)
{
	uint64_t last, missed;
	if (event_ring_last(xs, &last))
		return; /* no event yet */
	uint64_t seq = events_first_unseen(*seen, last, &missed);
	for (; seq <= last; seq++) {
		struct event e;
		if (event_ring_read(xs, seq, &e)) {
			missed++; /* overwritten since last was read */
			continue;
		}
		print_missed(missed, json);
		missed = 0;
		if (wanted(f, &e))
			print_event(&e, json);
	}
	print_missed(missed, json);
	*seen = last;
	fflush(stdout);
}

/* Wait up to a second for the watch to fire: 0 (fired or not), or -1 when xenstore is lost (after a line). */
static int wait_fired(struct xs_handle *xs)
{
	struct pollfd pfd = {.fd = xsio_fd(xs), .events = POLLIN};
	char path[256], token[16];
	int rc = poll(&pfd, 1, 1000);
	if (rc < 0 && errno != EINTR) {
		fprintf(stderr, "tidectl: poll on xenstore: %s\n", strerror(errno));
		return -1;
	}
	while (rc > 0 && (rc = xsio_next_event(xs, path, sizeof(path), token, sizeof(token))) == 1)
		;
	if (rc < 0 && xsio_fatal(rc)) {
		fprintf(stderr, "tidectl: lost xenstore: %s\n", strerror(-rc));
		return -1;
	}
	return 0;
}

int cmd_events(int argc, char **argv)
{
	bool json = false;
	const char *dom = NULL;
	struct events_filter f = {0};
	struct xs_handle *xs;
	uint64_t seen = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && !json) {
			json = true;
		} else if (argv[i][0] == '-' || dom) {
			fprintf(stderr, "tidectl: events: unexpected \"%s\"\n", argv[i]);
			usage(stderr);
			return 2;
		} else {
			dom = argv[i];
		}
	}
	int rc = parse_filter(dom, &f);
	if (rc)
		return rc;
	if (open_both(&xs, NULL))
		return 1;
	int watched = xsio_watch(xs, EVENTS_LAST, "events");
	if (watched) {
		fprintf(stderr, "tidectl: cannot watch %s: %s\n", EVENTS_LAST, strerror(-watched));
		return 1;
	}
	if (event_ring_last(xs, &seen))
		seen = 0;
	char pid[24];
	if (xsio_read(xs, TOOL "/pid", pid, sizeof(pid)))
		fprintf(stderr, "tidectl: tided is not running; waiting for its events\n");
	setvbuf(stdout, NULL, _IOLBF, 0);
	stop_on_signals();
	while (!tidectl_stop) {
		if (wait_fired(xs))
			return 1;
		catch_up(xs, &f, json, &seen);
	}
	return 0;
}
