/* The timer scenario (timers.c). */
#ifndef TIMER_TESTS_H
#define TIMER_TESTS_H

int test_timers(void);

#endif
