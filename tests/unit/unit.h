/* Shared by the unit-test files: CHECK and the test functions of each file. */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>

#define CHECK(cond)                                                                         \
	do {                                                                                \
		if (!(cond)) {                                                              \
			printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			return 1;                                                           \
		}                                                                           \
	} while (0)

#define CHECK_INVARIANTS() CHECK(mem_check() == 0)

int test_balloon_grows_by_hotplug(void);
int test_balloon_shrinks_unplug_first(void);
int test_balloon_floor(void);
int test_balloon_backoff_doubles_then_cancels(void);
int test_balloon_half_fulfilled(void);
int test_shortage_grows_then_fails_cheaply(void);
int test_balloon_cycles_leak_nothing(void);
int test_refill_batch_then_partial_block(void);

#endif
