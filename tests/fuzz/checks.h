/* What the fuzzer checks after each operation, and after settling; see checks.c. */
#ifndef FUZZ_CHECKS_H
#define FUZZ_CHECKS_H

#include <tide/types.h>

/* Start over on a freshly booted core with space_pages of pfn space, hole_pages of it holes. */
void checks_reset(unsigned long space_pages, unsigned long hole_pages);
/* The exact checks and the target's bounds, after every operation. */
void checks_after_op(void);
/* balloon_set_target(requested) was just called. */
void checks_target_set(unsigned long requested);
/* Settle with no faults and check where the balloon ended. */
void checks_settle(void);
/* One balloon_work() call, with the state machine's rules checked around it. */
void checks_balloon_work(void);

#endif
