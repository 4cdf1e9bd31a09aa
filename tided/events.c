/* The format of tided's events and their ring; see events.h. */
#include "events.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned events_slot(uint64_t seq) { return (unsigned)(seq % EVENTS_RING); }

/* Copy src into dst (size bytes with its NUL), each byte that bad() rejects as with. */
static void copy_clean(char *dst, size_t size, const char *src, int (*bad)(int), char with)
{
	size_t i = 0;
	for (; src[i] && i + 1 < size; i++)
		dst[i] = bad((unsigned char)src[i]) ? with : src[i];
	dst[i] = '\0';
}

static int blank_or_control(int c) { return isspace(c) || iscntrl(c); }

int events_encode(const struct event *e, char *buf, size_t size)
{
	char name[EVENTS_NAME_MAX], text[EVENTS_TEXT_MAX], domid[16];
	copy_clean(name, sizeof(name), e->host || !e->name[0] ? "-" : e->name, blank_or_control, '_');
	copy_clean(text, sizeof(text), e->text, iscntrl, ' ');
	if (e->host)
		snprintf(domid, sizeof(domid), "-");
	else
		snprintf(domid, sizeof(domid), "%u", e->domid);
	int n = snprintf(buf, size, "%" PRIu64 " %" PRIu64 " %s %s %s", e->seq, e->ms, name, domid, text);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* A whole decimal number at *s up to a blank (skipped): 0 and *s past it, or -1. */
static int take_u64(const char **s, uint64_t *v)
{
	char *end;
	if (!isdigit((unsigned char)**s))
		return -1;
	*v = strtoull(*s, &end, 10);
	if (*end != ' ')
		return -1;
	*s = end + 1;
	return 0;
}

/* A word at *s up to a blank (skipped) into buf: 0, or -1 if empty or too long. */
static int take_word(const char **s, char *buf, size_t size)
{
	size_t n = strcspn(*s, " ");
	if (!n || n >= size || (*s)[n] != ' ')
		return -1;
	memcpy(buf, *s, n);
	buf[n] = '\0';
	*s += n + 1;
	return 0;
}

int events_decode(const char *text, struct event *e)
{
	char domid[16], *end;
	memset(e, 0, sizeof(*e));
	if (take_u64(&text, &e->seq) || take_u64(&text, &e->ms) || take_word(&text, e->name, sizeof(e->name)) ||
	    take_word(&text, domid, sizeof(domid)) || strlen(text) >= sizeof(e->text))
		return -1;
	e->host = !strcmp(domid, "-");
	if (e->host != !strcmp(e->name, "-"))
		return -1;
	if (e->host) {
		e->name[0] = '\0';
	} else {
		unsigned long long id = strtoull(domid, &end, 10);
		if (!isdigit((unsigned char)domid[0]) || *end || id > UINT32_MAX)
			return -1;
		e->domid = (unsigned)id;
	}
	snprintf(e->text, sizeof(e->text), "%s", text);
	return 0;
}

uint64_t events_first_unseen(uint64_t seen, uint64_t last, uint64_t *missed)
{
	uint64_t oldest = last >= EVENTS_RING ? last - EVENTS_RING + 1 : 1;
	*missed = 0;
	if (last == seen)
		return last + 1;
	if (last < seen)
		return oldest; /* a new ring: all of it is unseen */
	if (seen + 1 < oldest) {
		*missed = oldest - seen - 1;
		return oldest;
	}
	return seen + 1;
}
