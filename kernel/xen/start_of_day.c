/*
 * C entry point of a PV guest: called from head.S with Xen's start_info.
 * Order matters: the console first (a domU's ring is in its bootstrap
 * region, so it needs nothing), then the exception table, memory (which also
 * maps shared info, outside the direct map), event channels and the
 * scheduler, the balloon, and for a domU xenstore and the threads that follow
 * memory/target; finally the application, on the boot thread.
 */
#include <tide/balloon_worker.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/mem_report.h>
#include <tide/memory_target.h>
#include <tide/platform.h>
#include <tide/start.h>
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pv.h"
#include "xen.h"
#include "layout.h"

static const start_info_t *start_info;
static char cmdline[MAX_GUEST_CMDLINE];

const start_info_t *pv_start_info(void) { return start_info; }
shared_info_t *xen_shared_info(void) { return (shared_info_t *)SHARED_INFO_VA; }
void *xen_console_page(void) { return frame_to_virt(pv_m2p(mfn(start_info->console.domU.mfn))); }
evtchn_port_t xen_console_evtchn(void) { return start_info->console.domU.evtchn; }
void *xen_store_page(void) { return start_info->store_mfn ? frame_to_virt(pv_m2p(mfn(start_info->store_mfn))) : NULL; }
evtchn_port_t xen_store_evtchn(void) { return start_info->store_evtchn; }

bool xen_port_io(void)
{
	struct physdev_set_iopl iopl = {.iopl = 1};
	return hyp_physdev_op(PHYSDEVOP_set_iopl, &iopl) == 0;
}
const char *kernel_cmdline(void) { return cmdline; }
bool kernel_is_dom0(void) { return start_info && (start_info->flags & SIF_INITDOMAIN); }

_Noreturn void start_of_day(const start_info_t *si)
{
	start_info = si;
	memcpy(cmdline, si->cmd_line, sizeof(cmdline) - 1);
	if (!kernel_is_dom0())
		console_ring_init();
	printk("tide: booting, %s, %lu pages, command line \"%s\"\n", si->magic, si->nr_pages, cmdline);
	traps_init();
	pv_mem_init(si);
	events_init();
	balloon_init();
	if (!kernel_is_dom0()) {
		console_ring_use_events();
		if (xenstore_init() == 0)
			memory_target_start();
	}
	mem_report_boot();
	printk("tide: app_main at %lu ms\n", (unsigned long)(monotonic_ns() / 1000000));
	kernel_exit(app_main());
}
