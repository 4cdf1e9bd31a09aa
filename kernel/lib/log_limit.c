/* Token-bucket rate limits for log lines (see tide/log_limit.h). */
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/log_limit.h>

#define SECOND_NS 1000000000ULL

/* Give back one token per second since the last refill; true if one is left to spend. */
static bool take_token(struct log_limit *limit, uint64_t now)
{
	uint64_t earned = (now - limit->refilled_at_ns) / SECOND_NS;
	if (earned) {
		limit->spent = earned >= limit->spent ? 0 : limit->spent - (unsigned)earned;
		limit->refilled_at_ns = now;
	}
	if (limit->spent >= LOG_LIMIT_BURST)
		return false;
	limit->spent++;
	return true;
}

void printk_limited(struct log_limit *limit, const char *fmt, ...)
{
	char line[384];
	va_list ap;
	if (!take_token(limit, monotonic_ns())) {
		limit->held_back++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (limit->held_back)
		printk("%s (%lu similar lines not logged)\n", line, limit->held_back);
	else
		printk("%s\n", line);
	limit->held_back = 0;
}
