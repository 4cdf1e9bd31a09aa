/* The elastic-memory scenarios (elastic.c), for the table in main.c. */
#ifndef ELASTIC_TESTS_H
#define ELASTIC_TESTS_H

int test_grow_by_allocation(void);
int test_shrink_and_floor(void);
int test_up_down_cycles(void);
int test_at_limit(void);
int test_xen_out_of_memory(void);
int test_fallback_4k(void);
int test_unplug_replug(void);
int test_fragmented_growth(void);
int test_odd_targets(void);
int test_pinned_metadata_moves(void);
int test_fragment_host(void);
int test_grow_without_2m(void);

#endif
