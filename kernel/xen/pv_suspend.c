/* The suspend of a PV domU (xen_suspend); the protocol is in suspend.h. */
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/xenstore.h>
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pv.h"
#include "xen.h"
#include "pv_p2m.h"
#include "suspend.h"
#include "time.h"

void xen_suspend(void)
{
	start_info_t *si = (start_info_t *)pv_start_info(); /* the guest's own page, written by the toolstack too */
	evtchn_port_t old[2] = {console_ring_port(), xenstore_port()};
	printk("tide: suspending\n");
	console_ring_flush();
	xenstore_suspend();
	time_suspend();
	si->store_mfn = pv_m2p(mfn(si->store_mfn)).n;
	si->console.domU.mfn = pv_m2p(mfn(si->console.domU.mfn)).n;
	pv_shared_info_unmap();
	/* no clock, no console and no xenstore from here until shared info is back */
	bool restored = hyp_suspend(pv_p2m_get(virt_to_frame(si)).n) == 0;
	if (!restored) { /* cancelled: the same frames as before */
		si->store_mfn = pv_p2m_get(pfn(si->store_mfn)).n;
		si->console.domU.mfn = pv_p2m_get(pfn(si->console.domU.mfn)).n;
	}
	pv_shared_info_map();
	time_resume();
	if (restored) {
		p2m_lists_resume();
		console_ring_resume();
	}
	evtchn_port_t now[2] = {console_ring_port(), xen_store_evtchn()};
	events_resume(restored, old, now, 2);
	if (restored)
		pv_elastic_resume();
	int rc = xenstore_resume(restored);
	if (restored)
		memory_target_resume();
	printk("tide: %s\n", restored ? "resumed in a new domain" : "suspend cancelled; running on");
	if (rc)
		printk("tide: cannot set the xenstore watches again (error %d); targets will not be followed\n", rc);
}
