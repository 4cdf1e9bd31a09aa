/*
 * The suspend of a PVH domU (xen_suspend); the protocol is in
 * kernel/xen/suspend.h. Xen saves a PVH guest as an HVM one: its frames by
 * their own numbers (no p2m to list), its vCPU and HVM parameters. Nothing
 * of the guest's needs preparing, and a restored domain has new event
 * channels (read from the HVM parameters again) and a new shared info
 * page, which has to be placed at its frame again: until then that frame
 * holds what the save copied of the old one.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include "../xen/hypercall.h"
#include "../xen/suspend.h"
#include "pvhxen.h"

void xen_suspend(void)
{
	struct xen_services_state saved;
	xen_services_suspend(&saved);
	/* no clock, no console and no xenstore from here until resumed */
	bool restored = hyp_suspend(0) == 0;
	if (restored) {
		if (pvhxen_place_shared_info())
			panic("pvh: restored, but cannot place shared info again");
		pvhxen_map_rings();
		pvhxen_set_event_callback();
	}
	xen_services_resume(&saved, restored);
}
