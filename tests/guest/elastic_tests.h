/* The elastic-memory scenarios (elastic.c), for the table in main.c. */
#ifndef ELASTIC_TESTS_H
#define ELASTIC_TESTS_H

int test_grow_by_allocation(void);

#endif
