/*
 * Rate limits for log lines that the outside world causes: a target the host
 * writes, a request the hypervisor refuses. However often that happens, the
 * guest's log grows by at most LOG_LIMIT_BURST lines at once and then one
 * line a second per limit (a token bucket). A line held back is counted, and
 * the next line printed says how many were.
 *
 * A limit starts full; a zero-initialised struct log_limit is ready to use.
 */
#ifndef TIDE_LOG_LIMIT_H
#define TIDE_LOG_LIMIT_H

#include <tide/types.h>

#define LOG_LIMIT_BURST 10

struct log_limit {
	uint64_t refilled_at_ns; /* when spent was last lowered */
	unsigned spent;		 /* tokens used out of LOG_LIMIT_BURST */
	unsigned long held_back; /* lines not printed since the last one */
};

/*
 * printk one line (fmt without its '\n') through the limit: printed, with
 * " (N similar lines not logged)" when some were held back, or counted.
 */
void printk_limited(struct log_limit *limit, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
