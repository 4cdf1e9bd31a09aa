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
#include <tide/xenstore.h>
#include "../xen/console.h"
#include "../xen/events.h"
#include "../xen/hypercall.h"
#include "../xen/suspend.h"
#include "../xen/time.h"
#include "../xen/xen.h"
#include "pvhxen.h"

void xen_suspend(void)
{
	evtchn_port_t old[2] = {console_ring_port(), xenstore_port()};
	printk("tide: suspending\n");
	console_ring_flush();
	xenstore_suspend();
	time_suspend();
	/* no clock, no console and no xenstore from here until resumed */
	bool restored = hyp_suspend(0) == 0;
	if (restored) {
		if (pvhxen_place_shared_info())
			panic("pvh: restored, but cannot place shared info again");
		pvhxen_map_rings();
		pvhxen_set_event_callback();
	}
	time_resume();
	if (restored)
		console_ring_resume();
	evtchn_port_t now[2] = {console_ring_port(), xen_store_evtchn()};
	events_resume(restored, old, now, 2);
	int rc = xenstore_resume(restored);
	if (restored)
		memory_target_resume();
	printk("tide: %s\n", restored ? "resumed in a new domain" : "suspend cancelled; running on");
	if (rc)
		printk("tide: cannot set the xenstore watches again (error %d); targets will not be followed\n", rc);
}
