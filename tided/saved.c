/*
 * A guest's state as one line of text, kept by tided in xenstore
 * (/tool/tided/guests/NAME/state) after every round, so that a restarted
 * tided acts in its first round as the old one would have: the pace and
 * peak of the guest's use, its counters, when it was last moved and in
 * which direction, its progress towards its target, what it was given
 * lately. Times are tided's monotonic clock (ms since the host booted), the
 * same for every tided of one boot.
 *
 *   v2 target=KiB restore=KiB changed=ms dir=-1|0|1 gap=KiB progress=ms
 *      counters=0|1 waits=N failures=N quiet=ms pressed=ms uses=0|1 used=KiB
 *      used_at=ms pace=KiB/s peak=KiB peak_at=ms granted=KiB granted_at=ms
 *      starved=0|1 cur=KiB credible_at=ms headroom=KiB delay=ms reclaimed_at=ms
 *
 * (one line, single spaces). A line that does not parse, or a time later
 * than now (another boot), is refused whole: the guest is then adopted as
 * if seen for the first time.
 */
#include "policy_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALUE_LIMIT (1ULL << 44) /* 16 EiB in KiB: no size or count of ours comes near, and x 10^4 fits */

enum kind { NUM, MS, FLAG, DIR };

struct field {
	const char *key;
	enum kind kind;
	size_t off;
};

#define F(key, kind, member) {key, kind, offsetof(struct guest_state, member)}
static const struct field fields[] = {
	F("target", NUM, target_kib),    F("restore", NUM, restore_kib),  F("changed", MS, changed_ms),
	F("dir", DIR, dir),              F("gap", NUM, gap_ref_kib),      F("progress", MS, progress_ms),
	F("counters", FLAG, have_counters), F("waits", NUM, waits),      F("failures", NUM, failures),
	F("quiet", MS, quiet_ms),        F("pressed", MS, pressed_ms),    F("uses", FLAG, have_used),
	F("used", NUM, used_kib),        F("used_at", MS, used_ms),       F("pace", NUM, pace_kib_s),
	F("peak", NUM, peak_kib),        F("peak_at", MS, peak_ms),       F("granted", NUM, granted_kib),
	F("granted_at", MS, granted_ms), F("starved", FLAG, starved),   F("cur", NUM, cur_kib),
	F("credible_at", MS, credible_ms), F("headroom", NUM, headroom_kib), F("delay", NUM, delay_ms),
	F("reclaimed_at", MS, reclaimed_ms),
};
#undef F
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static long long field_get(const struct guest_state *s, const struct field *f)
{
	const char *p = (const char *)s + f->off;
	switch (f->kind) {
	case FLAG: return *(const bool *)p;
	case DIR: return *(const int *)p;
	default: return (long long)*(const uint64_t *)p;
	}
}

static void field_put(struct guest_state *s, const struct field *f, long long v)
{
	char *p = (char *)s + f->off;
	switch (f->kind) {
	case FLAG: *(bool *)p = v != 0; break;
	case DIR: *(int *)p = (int)v; break;
	default: *(uint64_t *)p = (uint64_t)v; break;
	}
}

void policy_state_format(const struct guest_state *s, char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "v2");
	for (size_t i = 0; i < NFIELDS && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, " %s=%lld", fields[i].key, field_get(s, &fields[i]));
}

/* One "key=value" token for field f: its value in *v, or -1. */
static int parse_token(const char *tok, const struct field *f, uint64_t now, long long *v)
{
	size_t klen = strlen(f->key);
	if (strncmp(tok, f->key, klen) || tok[klen] != '=')
		return -1;
	const char *num = tok + klen + 1;
	char *end;
	if (!*num || (*num != '-' && (*num < '0' || *num > '9')))
		return -1;
	errno = 0;
	*v = strtoll(num, &end, 10);
	if (errno || *end)
		return -1;
	switch (f->kind) {
	case FLAG: return *v == 0 || *v == 1 ? 0 : -1;
	case DIR: return *v >= -1 && *v <= 1 ? 0 : -1;
	case MS: return *v >= 0 && (uint64_t)*v <= now ? 0 : -1;
	default: return *v >= 0 && (uint64_t)*v < VALUE_LIMIT ? 0 : -1;
	}
}

int policy_state_parse(const char *text, uint64_t now_ms, struct guest_state *s)
{
	char copy[POLICY_SAVED_MAX], *save = NULL;
	long long values[NFIELDS];
	if (strlen(text) >= sizeof(copy))
		return -1;
	snprintf(copy, sizeof(copy), "%s", text);
	char *tok = strtok_r(copy, " ", &save);
	if (!tok || strcmp(tok, "v2"))
		return -1;
	for (size_t i = 0; i < NFIELDS; i++) {
		tok = strtok_r(NULL, " ", &save);
		if (!tok || parse_token(tok, &fields[i], now_ms, &values[i]))
			return -1;
	}
	if (strtok_r(NULL, " ", &save))
		return -1;
	for (size_t i = 0; i < NFIELDS; i++)
		field_put(s, &fields[i], values[i]);
	return 0;
}
