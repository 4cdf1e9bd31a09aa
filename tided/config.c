/* tided's configuration file and bounds; see config.h. */
#include "config.h"
#include "policy.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB 1024ULL
#define MAX_MIB (16ULL << 20) /* 16 TiB */

int parse_mib(const char *s, uint64_t *kib)
{
	uint64_t v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > MAX_MIB)
			return -1;
	}
	*kib = v * MIB;
	return 0;
}

int parse_bound_word(const char *word, struct guest_bounds *b, char *err, size_t errlen)
{
	uint64_t kib;
	bool is_min = !strncmp(word, "min=", 4), is_max = !strncmp(word, "max=", 4);
	if (!is_min && !is_max) {
		snprintf(err, errlen, "\"%s\": expected min=MiB or max=MiB", word);
		return -1;
	}
	if (parse_mib(word + 4, &kib) || kib == 0) {
		snprintf(err, errlen, "\"%s\": not a whole number of MiB above 0", word);
		return -1;
	}
	if ((is_min && b->has_min) || (is_max && b->has_max)) {
		snprintf(err, errlen, "\"%s\": %s given twice", word, is_min ? "min=" : "max=");
		return -1;
	}
	if (is_min) {
		b->has_min = true;
		b->min_kib = kib;
	} else {
		b->has_max = true;
		b->max_kib = kib;
	}
	return 0;
}

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) >= CONFIG_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return false;
	return true;
}

/* "reserve=MiB" (word) and nothing after it (the rest of the line in *save): 0, or -1 with err set. */
static int parse_reserve(const char *word, char **save, struct tided_config *c, char *err, size_t errlen)
{
	if (parse_mib(word + 8, &c->reserve_kib)) {
		snprintf(err, errlen, "\"%s\": not a whole number of MiB", word);
		return -1;
	}
	if (c->reserve_kib < CONFIG_RESERVE_MIN_KIB) {
		snprintf(err, errlen, "\"%s\": below %llu MiB, tided would hand out what Xen and the toolstack need",
			 word, CONFIG_RESERVE_MIN_KIB / MIB);
		return -1;
	}
	c->has_reserve = true;
	if ((word = strtok_r(NULL, " \t\r", save))) {
		snprintf(err, errlen, "\"%s\": nothing may follow reserve=", word);
		return -1;
	}
	return 0;
}

/* "pool=MiB" (word) and nothing after it: 0, or -1 with err set. */
static int parse_pool(const char *word, char **save, struct tided_config *c, char *err, size_t errlen)
{
	if (parse_mib(word + 5, &c->pool_kib) || c->pool_kib == 0) {
		snprintf(err, errlen, "\"%s\": not a whole, positive number of MiB", word);
		return -1;
	}
	c->has_pool = true;
	if ((word = strtok_r(NULL, " \t\r", save))) {
		snprintf(err, errlen, "\"%s\": nothing may follow pool=", word);
		return -1;
	}
	return 0;
}

/* "policy=NAME" (word) and nothing after it: 0, or -1 with err set. */
static int parse_policy(const char *word, char **save, struct tided_config *c, char *err, size_t errlen)
{
	c->has_policy = true;
	if (!strcmp(word + 7, "fluid")) {
		c->policy = CONFIG_POLICY_FLUID;
	} else if (!strcmp(word + 7, "conservative")) {
		c->policy = CONFIG_POLICY_CONSERVATIVE;
	} else {
		snprintf(err, errlen, "\"%s\": expected policy=fluid or policy=conservative", word);
		return -1;
	}
	if ((word = strtok_r(NULL, " \t\r", save))) {
		snprintf(err, errlen, "\"%s\": nothing may follow policy=", word);
		return -1;
	}
	return 0;
}

/* A guest's bounds b, checked against themselves and the guests before: 0, or -1 with err set. */
static int add_guest(const struct guest_bounds *b, struct tided_config *c, char *err, size_t errlen)
{
	if (!b->has_min && !b->has_max) {
		snprintf(err, errlen, "%s: no min= or max=", b->name);
		return -1;
	}
	if (b->has_min && b->has_max && b->min_kib > b->max_kib) {
		snprintf(err, errlen, "%s: min %llu MiB is above max %llu MiB", b->name,
			 (unsigned long long)(b->min_kib / MIB), (unsigned long long)(b->max_kib / MIB));
		return -1;
	}
	if (config_bounds(c, b->name)) {
		snprintf(err, errlen, "%s: given twice", b->name);
		return -1;
	}
	if (c->n == CONFIG_MAX_GUESTS) {
		snprintf(err, errlen, "more than %d guests", CONFIG_MAX_GUESTS);
		return -1;
	}
	c->g[c->n++] = *b;
	return 0;
}

static int parse_line(char *line, struct tided_config *c, char *err, size_t errlen)
{
	char *save = NULL, *word = strtok_r(line, " \t\r", &save);
	if (!word)
		return 0;
	if (!strncmp(word, "reserve=", 8))
		return parse_reserve(word, &save, c, err, errlen);
	if (!strncmp(word, "policy=", 7))
		return parse_policy(word, &save, c, err, errlen);
	if (!strncmp(word, "pool=", 5))
		return parse_pool(word, &save, c, err, errlen);
	if (!valid_name(word) || strchr(word, '=')) {
		snprintf(err, errlen, "\"%s\": expected reserve=MiB, policy=NAME, pool=MiB or a guest name", word);
		return -1;
	}
	struct guest_bounds b;
	memset(&b, 0, sizeof(b));
	snprintf(b.name, sizeof(b.name), "%s", word);
	while ((word = strtok_r(NULL, " \t\r", &save)))
		if (parse_bound_word(word, &b, err, errlen))
			return -1;
	return add_guest(&b, c, err, errlen);
}

int config_parse(const char *text, struct tided_config *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	unsigned lineno = 0;
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		char line[512], why[256];
		lineno++;
		if (len >= sizeof(line)) {
			snprintf(err, errlen, "line %u: too long", lineno);
			return -1;
		}
		memcpy(line, text, len);
		line[len] = '\0';
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		if (parse_line(line, c, why, sizeof(why))) {
			snprintf(err, errlen, "line %u: %s", lineno, why);
			return -1;
		}
		text += len + (nl ? 1 : 0);
	}
	return 0;
}

int config_load(const char *path, struct tided_config *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	static char text[1 << 16];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	bool big = !feof(f);
	fclose(f);
	if (big) {
		snprintf(err, errlen, "%s: larger than %zu bytes", path, sizeof(text) - 1);
		return -1;
	}
	text[n] = '\0';
	char why[320];
	if (config_parse(text, c, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", path, why);
		return -1;
	}
	return 0;
}

const struct guest_bounds *config_bounds(const struct tided_config *c, const char *name)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (!strcmp(c->g[i].name, name))
			return &c->g[i];
	return NULL;
}

const char *bound_from_name(enum bound_from f)
{
	switch (f) {
	case FROM_TIDECTL: return "tidectl";
	case FROM_CONFIG: return "config";
	case FROM_STATIC: return "static";
	case FROM_FIRST_SEEN: return "first-seen";
	case FROM_NONE: return "none";
	}
	return "?";
}

const char *config_policy_name(enum config_policy p)
{
	return p == CONFIG_POLICY_CONSERVATIVE ? "conservative" : "fluid";
}

/* The max: tidectl, the file, static-max, else none; never above static-max. */
static uint64_t resolve_max(const struct guest_bounds *b, const struct bound_sources *src, enum bound_from *from)
{
	uint64_t hi = src->set_max_kib ? src->set_max_kib : b && b->has_max ? b->max_kib : UINT64_MAX;
	*from = src->set_max_kib ? FROM_TIDECTL : b && b->has_max ? FROM_CONFIG : FROM_NONE;
	if (src->static_max_kib && hi > src->static_max_kib) {
		hi = src->static_max_kib;
		*from = FROM_STATIC;
	}
	return hi;
}

/* The min: tidectl, the file, static-min, else the guest's memory when first seen. */
static uint64_t resolve_min(const struct guest_bounds *b, const struct bound_sources *src, enum bound_from *from)
{
	*from = src->set_min_kib ? FROM_TIDECTL : b && b->has_min ? FROM_CONFIG
			 : src->static_min_kib ? FROM_STATIC : FROM_FIRST_SEEN;
	return src->set_min_kib ? src->set_min_kib : b && b->has_min ? b->min_kib
	       : src->static_min_kib ? src->static_min_kib : src->first_seen_kib;
}

void bounds_resolve(const struct tided_config *c, const char *name, const struct bound_sources *src,
		    uint64_t *min_kib, uint64_t *max_kib, enum bound_from *min_from, enum bound_from *max_from)
{
	const struct guest_bounds *b = config_bounds(c, name);
	uint64_t hi = resolve_max(b, src, max_from);
	uint64_t lo = resolve_min(b, src, min_from);
	*min_kib = lo > hi ? hi : lo;
	*max_kib = hi;
}

void config_policy_params(const struct tided_config *c, struct policy_params *p)
{
	if (c->policy == CONFIG_POLICY_CONSERVATIVE)
		policy_default_params(p);
	else
		policy_fluid_params(p);
	if (c->has_reserve)
		p->reserve_kib = c->reserve_kib;
}
