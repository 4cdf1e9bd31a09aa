/* A tiny harness for in-guest tests: a table of named scenarios and CHECK. */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#include <tide/lib.h>
#include <tide/mem_check.h>

struct guest_test {
	const char *name;
	int (*fn)(void);
};

#define CHECK(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			printk("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			return 1;                                                       \
		}                                                                       \
	} while (0)

#define CHECK_INVARIANTS() CHECK(mem_check() == 0)

/* Run the scenario named by test=NAME; print its TAP line; return its status. */
int guest_test_run(const struct guest_test *tests, size_t n, const char *suite);

#endif
