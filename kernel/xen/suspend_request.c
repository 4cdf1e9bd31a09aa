/*
 * The toolstack's request to suspend (xen.h): whether the guest can be
 * restored as it is, then the platform's suspend (suspend.h).
 */
#include <tide/balloon_worker.h>
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/log_limit.h>
#include <tide/xenstore.h>
#include "console.h"
#include "events.h"
#include "suspend.h"
#include "time.h"
#include "xen.h"

void xen_services_suspend(struct xen_services_state *saved)
{
	saved->ports[0] = console_ring_port();
	saved->ports[1] = xenstore_port();
	printk("tide: suspending\n");
	console_ring_flush();
	xenstore_suspend();
	time_suspend();
}

void xen_services_resume(const struct xen_services_state *saved, bool restored)
{
	time_resume();
	if (restored)
		console_ring_resume();
	evtchn_port_t now[2] = {console_ring_port(), xen_store_evtchn()};
	events_resume(restored, saved->ports, now, 2);
	int rc = xenstore_resume(restored);
	if (restored)
		memory_target_resume();
	printk("tide: %s\n", restored ? "resumed in a new domain" : "suspend cancelled; running on");
	if (rc)
		printk("tide: cannot set the xenstore watches again (error %d); targets will not be followed\n", rc);
}

/* The line a refused suspend causes, rate-limited as every line the host can cause. */
static struct log_limit refusal_log;

/*
 * The most a restored domain may hold: libxl restores with memory/target
 * (as it reads it when the save starts) as Xen's limit. ~0 when the node
 * is unreadable: then nothing is known to stand in the way.
 */
static unsigned long restore_limit_pages(void)
{
	char value[64];
	unsigned long kib;
	int n = xs_read("memory/target", value, sizeof(value));
	if (n < 0 || parse_decimal(value, (size_t)n, &kib))
		return ~0UL;
	return KIB_TO_PAGES(kib);
}

/*
 * xl save, xl migrate: control/shutdown = suspend (xen.h). A guest that holds more than a restore
 * would give it (it grew on shortage past its target and still uses the
 * memory) does not acknowledge: the image could not be restored and the
 * saved domain would be lost. libxl gives up after 60 s and cancels the
 * request; the guest runs on, and a save after `xl mem-set` succeeds.
 */
void xen_take_suspend(void)
{
	unsigned long limit = restore_limit_pages();
	if (balloon_shrink_for_suspend(limit)) {
		printk_limited(&refusal_log,
			       "tide: suspend refused: holding %lu KiB, %lu KiB in use, above the %lu KiB of "
			       "memory/target that a restore would get; raise it (xl mem-set) and save again",
			       PAGES_TO_KIB(frames_populated()),
			       PAGES_TO_KIB(frames_in_state(FRAME_USED) + frames_in_state(FRAME_RESERVED)),
			       PAGES_TO_KIB(limit));
		return;
	}
	xs_write("control/shutdown", "");
	xen_suspend();
}
