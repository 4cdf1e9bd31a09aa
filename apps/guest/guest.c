/*
 * A Tide domU for tests and demos, configured on its command line (xl's
 * `extra`):
 *   alloc_mib=N      allocate N MiB of 4 KiB pages (touching each), after
 *   alloc_after_ms=T    T ms, and hold them; the guest grows on shortage
 *   free_after_ms=T  free them again T ms after allocating (0: never)
 *   alloc_rate_mib_s=R  allocate at R MiB a second (steps of 20 ms) instead
 *                    of all at once; a page that cannot be had is retried on
 *                    the next step (one log line a second at most), so the
 *                    guest waits for the host instead of giving up
 *   timeline_ms=P    print a TIMELINE sample every P ms (0: never)
 *   burst_*          bursts of allocation for tided's benchmark (burst.h),
 *                    beside (and independent of) the allocation above
 * Otherwise it idles while its threads follow memory/target and report.
 */
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/mem_report.h>
#include <tide/page_alloc.h>
#include <tide/platform.h>
#include <tide/sched.h>

#include "burst.h"
#include "pile.h"

#define MS 1000000ULL

static struct pile held;

/* Why the last allocation failed, as far as the guest can tell. */
static const char *why_failed(void)
{
	long max = platform_max_pages();
	if (max >= 0 && frames_populated() >= (unsigned long)max)
		return "the guest is at Xen's limit for it (xl mem-max raises it)";
	return "the host refused more memory";
}

static void allocate(unsigned long pages)
{
	if (!pile_take(&held, pages))
		printk("guest: allocation failed: allocated %lu of %lu MiB; %s\n", PAGES_TO_MIB(held.pages),
		       PAGES_TO_MIB(pages), why_failed());
	else
		printk("guest: allocated %lu of %lu MiB\n", PAGES_TO_MIB(held.pages), PAGES_TO_MIB(pages));
}

static void release(void)
{
	unsigned long pages = held.pages;
	pile_release(&held);
	printk("guest: freed %lu MiB\n", PAGES_TO_MIB(pages));
}

int app_main(void)
{
	unsigned long alloc_mib = cmdline_ulong("alloc_mib", 0);
	uint64_t alloc_at = monotonic_ns() + cmdline_ulong("alloc_after_ms", 0) * MS;
	unsigned long free_after = cmdline_ulong("free_after_ms", 0);
	unsigned long period = cmdline_ulong("timeline_ms", 0);
	unsigned long rate = cmdline_ulong("alloc_rate_mib_s", 0);
	uint64_t free_at = SCHED_FOREVER, next_sample = monotonic_ns(), failed_logged_at = 0;
	bool allocated = alloc_mib == 0;
	struct burst burst;
	bool bursting = burst_configure(&burst, monotonic_ns());
	printk("guest: running\n");
	for (;;) {
		uint64_t now = monotonic_ns();
		if (!allocated && now >= alloc_at && rate == 0) {
			allocate(MIB_TO_PAGES(alloc_mib));
			allocated = true;
		} else if (!allocated && now >= alloc_at) {
			unsigned long goal = MIN(MIB_TO_PAGES(alloc_mib),
						 (unsigned long)(MIB_TO_PAGES(rate) * ((now - alloc_at) / MS) / 1000));
			if (!pile_take(&held, goal) && (failed_logged_at == 0 || now - failed_logged_at >= 1000 * MS)) {
				printk("guest: allocation failed at %lu MiB (%s); retrying\n", PAGES_TO_MIB(held.pages),
				       why_failed());
				failed_logged_at = now;
			}
			if (held.pages == MIB_TO_PAGES(alloc_mib)) {
				printk("guest: allocated %lu of %lu MiB\n", PAGES_TO_MIB(held.pages), alloc_mib);
				allocated = true;
			}
		}
		if (allocated && alloc_mib && free_after && free_at == SCHED_FOREVER && held.pages) {
			free_at = monotonic_ns() + free_after * MS;
			free_after = 0; /* once */
		}
		if (now >= free_at) {
			release();
			free_at = SCHED_FOREVER;
		}
		if (period && now >= next_sample) {
			mem_report_timeline();
			next_sample = now + period * MS;
		}
		uint64_t next_alloc = allocated ? SCHED_FOREVER : MAX(alloc_at, rate ? now + 20 * MS : 0);
		uint64_t next_burst = bursting ? burst_step(&burst, monotonic_ns()) : SCHED_FOREVER;
		uint64_t wake = MIN(MIN(period ? next_sample : SCHED_FOREVER, next_burst), MIN(free_at, next_alloc));
		sleep_until_ns(wake == SCHED_FOREVER ? monotonic_ns() + 1000 * MS : wake);
	}
}
