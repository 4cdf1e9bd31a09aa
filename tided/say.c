/* tided's log lines; see say.h. */
#include "say.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static uint64_t t0;

uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
static const char *prog = "tided";

void say_start(const char *name)
{
	prog = name;
	t0 = now_ms();
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void say(const char *fmt, ...)
{
	va_list ap;
	uint64_t t = now_ms() - t0;
	printf("[%5" PRIu64 ".%03" PRIu64 "] %s: ", t / 1000, t % 1000, prog);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

unsigned long long mib(uint64_t kib) { return (unsigned long long)(kib / 1024); }
