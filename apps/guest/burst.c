/*
 * Bursts of allocation; see burst.h. A burst moves through its phases in
 * burst_step(), which the app's loop calls whenever the last call said: the
 * allocation on a fixed 20 ms grid from its start (so that an unhindered
 * burst ends within one step of its schedule, whatever each step costs),
 * the hold and the wait for the next burst at their ends.
 */
#include "burst.h"

#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/page_alloc.h>
#include <tide/sched.h>
#include <tide/xenstore.h>

#define MS 1000000ULL
#define STEP_NS (20 * MS)

bool burst_configure(struct burst *b, uint64_t now_ns)
{
	unsigned long mib = cmdline_ulong("burst_mib", 0);
	memset(b, 0, sizeof(*b));
	if (!mib)
		return false;
	b->pages = MIB_TO_PAGES(mib);
	b->rate_pages_s = MIB_TO_PAGES(cmdline_ulong("burst_rate_mib_s", 0));
	b->hold_ms = cmdline_ulong("burst_hold_ms", 0);
	b->period_ms = cmdline_ulong("burst_period_ms", 0);
	b->start_ns = now_ns + cmdline_ulong("burst_after_ms", 0) * MS;
	b->phase = BURST_WAITING;
	return true;
}

/* Write a data/bench node; a failure is logged (once per burst at most: one write each). */
static void report(const char *node, const char *value)
{
	int rc = xs_write(node, value);
	if (rc)
		printk("guest: writing %s failed (%d)\n", node, rc);
}

/* The allocation is complete at now_ns: report it and start holding. */
static void allocated(struct burst *b, uint64_t now_ns)
{
	char value[64];
	unsigned long alloc_ms = (now_ns - b->start_ns) / MS;
	unsigned long planned_ms = b->rate_pages_s ? b->pages * 1000 / b->rate_pages_s : 0;
	unsigned long waited_ms = alloc_ms > planned_ms ? alloc_ms - planned_ms : 0;
	unsigned long failures = page_alloc_failures() - b->failures0;
	snprintf(value, sizeof(value), "%lu %lu %lu %lu", b->seq, waited_ms, alloc_ms, failures);
	report("data/bench/burst", value);
	printk("guest: burst %lu: %lu MiB in %lu ms (waited %lu ms, %lu failed allocations)\n", b->seq,
	       PAGES_TO_MIB(b->pages), alloc_ms, waited_ms, failures);
	b->free_at_ns = now_ns + b->hold_ms * MS;
	b->phase = BURST_HOLDING;
}

/* One allocation step: take what the schedule allows by now; when the next step is due. */
static uint64_t allocate_step(struct burst *b, uint64_t now_ns)
{
	uint64_t elapsed_ms = (now_ns - b->start_ns) / MS;
	unsigned long goal = b->pages;
	if (b->rate_pages_s && elapsed_ms * b->rate_pages_s / 1000 < goal)
		goal = (unsigned long)(elapsed_ms * b->rate_pages_s / 1000);
	if (pile_take(&b->pile, goal) && b->pile.pages == b->pages) {
		allocated(b, now_ns);
		return b->free_at_ns;
	}
	return now_ns + STEP_NS - (now_ns - b->start_ns) % STEP_NS;
}

/* Free the burst's pages, report it and schedule the next burst (or none). */
static void release(struct burst *b, uint64_t now_ns)
{
	char value[48];
	unsigned long kib = PAGES_TO_KIB(b->pile.pages);
	pile_release(&b->pile);
	snprintf(value, sizeof(value), "%lu %lu", b->seq, kib);
	report("data/bench/freed", value);
	if (!b->period_ms) {
		b->phase = BURST_DONE;
		return;
	}
	b->start_ns = MAX(b->start_ns + b->period_ms * MS, now_ns);
	b->phase = BURST_WAITING;
}

uint64_t burst_step(struct burst *b, uint64_t now_ns)
{
	if (b->phase == BURST_WAITING && now_ns >= b->start_ns) {
		b->seq++;
		b->failures0 = page_alloc_failures();
		b->start_ns = now_ns;
		b->phase = BURST_ALLOCATING;
	}
	if (b->phase == BURST_HOLDING && now_ns >= b->free_at_ns)
		release(b, now_ns);
	switch (b->phase) {
	case BURST_WAITING:
		return b->start_ns;
	case BURST_ALLOCATING:
		return allocate_step(b, now_ns);
	case BURST_HOLDING:
		return b->free_at_ns;
	default:
		return SCHED_FOREVER;
	}
}
