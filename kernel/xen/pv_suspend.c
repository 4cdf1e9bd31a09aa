/* The suspend of a PV domU (xen_suspend); the protocol is in suspend.h. */
#include <tide/frame.h>
#include "hypercall.h"
#include "pv.h"
#include "pv_p2m.h"
#include "suspend.h"

void xen_suspend(void)
{
	start_info_t *si = (start_info_t *)pv_start_info(); /* the guest's own page, written by the toolstack too */
	struct xen_services_state saved;
	xen_services_suspend(&saved);
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
	if (restored)
		p2m_lists_resume();
	xen_services_resume(&saved, restored);
	if (restored)
		pv_elastic_resume(); /* it may say so: once the console is back */
}
