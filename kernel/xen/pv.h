/*
 * State of the x86-64 PV platform shared by the files under kernel/xen:
 * start_info, shared_info, and the pfn <-> mfn translations.
 */
#ifndef TIDE_XEN_PV_H
#define TIDE_XEN_PV_H

#include <tide/types.h>
#include <xen/xen.h>

#define INVALID_MFN (~0UL)

const start_info_t *pv_start_info(void);

/* Machine frame behind a guest frame, INVALID_MFN when unpopulated. */
mfn_t pv_p2m_get(pfn_t p);
/* Record p -> m in the p2m list (m may be INVALID_MFN). */
void pv_p2m_set(pfn_t p, mfn_t m);
/* Guest frame of a machine frame, from Xen's read-only M2P table. */
pfn_t pv_m2p(mfn_t m);

void traps_init(void);
void pv_mem_init(const start_info_t *si);
void pv_elastic_init(void);

/* Across a suspend (pv_suspend.c): shared info at the machine address start_info gives, events masked. */
void pv_shared_info_map(void);
void pv_shared_info_unmap(void);
/* pv_elastic.c: a new domain has none of the frames the old Xen kept. */
void pv_elastic_resume(void);

#endif
