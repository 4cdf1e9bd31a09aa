/* The log lines of tided and tided-qemu: one per event, on stdout, with the time since the start. */
#ifndef TIDED_SAY_H
#define TIDED_SAY_H

#include <stdint.h>

/* Start the clock; lines are prefixed "[seconds.ms] prog: ". */
void say_start(const char *prog);
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The monotonic clock, in ms. */
uint64_t now_ms(void);
/* KiB as whole MiB, for the lines. */
unsigned long long mib(uint64_t kib);

#endif
