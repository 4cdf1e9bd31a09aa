/*
 * Tests of what tidectl reads and prints: the format of tided's events and
 * the arithmetic of their ring in xenstore (events.h), and the JSON strings
 * of --json (json.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../events.h"
#include "../json.h"
#include "check.h"
#include "tests.h"

/* Encode e, decode it back into *back: the node's text, in line. */
static void round_trip(const struct event *e, struct event *back, char *line, size_t size)
{
	CHECK(events_encode(e, line, size) == 0, "encode seq %llu failed", (unsigned long long)e->seq);
	CHECK(events_decode(line, back) == 0, "decode \"%s\" failed", line);
}

/* A guest's event and a host's, through their text and back; blanks and control characters made harmless. */
void test_events_format(void)
{
	struct event e = {.seq = 70, .ms = 1790000000123, .domid = 5}, back;
	char line[EVENTS_LINE_MAX];
	snprintf(e.name, sizeof(e.name), "web-1");
	snprintf(e.text, sizeof(e.text), "target 256 -> 320 MiB (pressured (waits+3); holds 256 MiB)");
	round_trip(&e, &back, line, sizeof(line));
	CHECK(!strcmp(line, "70 1790000000123 web-1 5 target 256 -> 320 MiB (pressured (waits+3); holds 256 MiB)"),
	      "line: %s", line);
	CHECK(back.seq == 70 && back.ms == e.ms && !back.host && back.domid == 5 && !strcmp(back.name, "web-1") &&
		      !strcmp(back.text, e.text), "decoded: %llu %s %u %s", (unsigned long long)back.seq, back.name,
	      back.domid, back.text);
	struct event h = {.seq = 1, .ms = 2, .host = true};
	snprintf(h.text, sizeof(h.text), "host free 40 MiB fell below the reserve");
	round_trip(&h, &back, line, sizeof(line));
	CHECK(!strcmp(line, "1 2 - - host free 40 MiB fell below the reserve") && back.host && !back.name[0],
	      "host line: %s", line);
	snprintf(e.name, sizeof(e.name), "a b\tc");
	snprintf(e.text, sizeof(e.text), "two\nlines\x1b[2J");
	round_trip(&e, &back, line, sizeof(line));
	CHECK(!strcmp(back.name, "a_b_c") && !strcmp(back.text, "two lines [2J"), "sanitized: %s / %s", back.name,
	      back.text);
	CHECK(events_encode(&e, line, 8) == -1, "an event encoded into 8 bytes");
}

/* Text that is not an event is refused, whole. */
void test_events_refused(void)
{
	static const char *const bad[] = {
		"", "1", "1 2", "1 2 g", "1 2 g 5", "x 2 g 5 text", "1 x g 5 text", "1 2 g x5 text", "1 2 g -5 text",
		"1 2 - 5 text", "1 2 g - text", "1 2 g 99999999999 text", "1  2 g 5 text", "-1 2 g 5 text",
	};
	struct event e;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(events_decode(bad[i], &e) == -1, "\"%s\" decoded as an event", bad[i]);
	CHECK(events_decode("3 4 g 0 ", &e) == 0 && e.domid == 0 && !e.text[0], "an empty text refused");
	CHECK(events_slot(0) == 0 && events_slot(EVENTS_RING + 3) == 3, "slots");
}

/* What a reader reads next, and what it missed, as the ring wraps. */
void test_events_wrap(void)
{
	static const struct {
		uint64_t seen, last, first, missed;
	} cases[] = {
		{0, 0, 1, 0},                                  /* nothing yet */
		{0, 5, 1, 0},                                  /* all of a young ring */
		{5, 5, 6, 0},                                  /* nothing new */
		{10, 74, 11, 0},                               /* exactly the ring's worth */
		{10, 75, 12, 1},                               /* one overwritten */
		{10, 1000, 1000 - EVENTS_RING + 1, 1000 - EVENTS_RING - 10},
		{500, 3, 1, 0},                                /* a new ring */
		{500, 100, 100 - EVENTS_RING + 1, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t missed = 99, first = events_first_unseen(cases[i].seen, cases[i].last, &missed);
		CHECK(first == cases[i].first && missed == cases[i].missed,
		      "seen %llu last %llu: first %llu missed %llu, wanted %llu and %llu",
		      (unsigned long long)cases[i].seen, (unsigned long long)cases[i].last, (unsigned long long)first,
		      (unsigned long long)missed, (unsigned long long)cases[i].first, (unsigned long long)cases[i].missed);
	}
}

/* Strings as JSON: quotes, backslashes, control characters, UTF-8 kept, invalid UTF-8 replaced. */
void test_json_strings(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"plain", "\"plain\""},
		{"a\"b\\c", "\"a\\\"b\\\\c\""},
		{"l1\nl2\tx\x01\x1f", "\"l1\\nl2\\tx\\u0001\\u001f\""},
		{"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3\""},
		{"\xff\xc3(\xc0\xaf", "\"\\ufffd\\ufffd(\\ufffd\\ufffd\""},
		{"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},   /* a surrogate */
		{"\xe2\x82", "\"\\ufffd\\ufffd\""},              /* cut short at the end */
		{"", "\"\""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		json_string(f, cases[i].in);
		fclose(f);
		CHECK(!strcmp(buf, cases[i].out), "case %zu: %s, wanted %s", i, buf, cases[i].out);
		free(buf);
	}
}
