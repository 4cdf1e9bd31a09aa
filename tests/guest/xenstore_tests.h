/* The domU workloads (xenstore_echo.c), for the domU table in main.c. */
#ifndef XENSTORE_TESTS_H
#define XENSTORE_TESTS_H

int test_xenstore_echo(void);

#endif
