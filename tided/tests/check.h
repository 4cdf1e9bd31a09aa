/*
 * What the tests of tided's policy share (main.c runs them): a failed check
 * prints a "# " line and fails the test; CHECK never stops the test.
 */
#ifndef TIDED_TESTS_CHECK_H
#define TIDED_TESTS_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "sim.h"

void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The failed checks of the running test so far. */
int failed_count(void);

#define CHECK(cond, ...)                                                                 \
	do {                                                                             \
		if (!(cond))                                                             \
			fail(__VA_ARGS__);                                               \
	} while (0)

static inline unsigned long long mib(uint64_t kib) { return (unsigned long long)(kib / KIB_PER_MIB); }

/* Up to rounds rounds, fewer if the simulator saw an invariant broken. */
void run_rounds(struct sim *s, unsigned rounds);

#endif
