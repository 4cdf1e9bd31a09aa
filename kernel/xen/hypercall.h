/*
 * Typed wrappers around Xen's hypercalls. Only code under kernel/xen and
 * kernel/arch includes this: the memory core never talks to Xen directly.
 */
#ifndef TIDE_XEN_HYPERCALL_H
#define TIDE_XEN_HYPERCALL_H

#include <tide/platform.h>
#include <tide/types.h>
#include <xen/xen.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/physdev.h>
#include <xen/event_channel.h>
#include <xen/vcpu.h>

long xen_hypercall(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
		   unsigned long a4, unsigned long a5);

#define HC(nr, a1, a2, a3, a4, a5)                                                          \
	xen_hypercall(nr, (unsigned long)(a1), (unsigned long)(a2), (unsigned long)(a3),   \
		      (unsigned long)(a4), (unsigned long)(a5))

static inline long hyp_memory_op(unsigned cmd, void *arg)
{
	return HC(__HYPERVISOR_memory_op, cmd, arg, 0, 0, 0);
}

static inline long hyp_mmu_update(mmu_update_t *req, unsigned count)
{
	unsigned done = 0;
	long rc = HC(__HYPERVISOR_mmu_update, req, count, &done, DOMID_SELF, 0);
	return rc < 0 ? rc : (long)done;
}

static inline long hyp_mmuext_op(struct mmuext_op *op, unsigned count)
{
	unsigned done = 0;
	return HC(__HYPERVISOR_mmuext_op, op, count, &done, DOMID_SELF, 0);
}

static inline long hyp_update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags)
{
	return HC(__HYPERVISOR_update_va_mapping, va, pte, flags, 0, 0);
}

static inline long hyp_console_write(const char *s, size_t n)
{
	return HC(__HYPERVISOR_console_io, CONSOLEIO_write, n, s, 0, 0);
}

static inline long hyp_sched_op(int cmd, void *arg)
{
	return HC(__HYPERVISOR_sched_op, cmd, arg, 0, 0, 0);
}

/*
 * SCHEDOP_shutdown(SHUTDOWN_suspend) with the start info's machine frame in
 * the third argument, as a PV guest's suspend must: 0 when running again in
 * a new domain (restored), 1 when the suspend was cancelled.
 */
static inline long hyp_suspend(unsigned long start_info_mfn)
{
	struct sched_shutdown sd = {.reason = SHUTDOWN_suspend};
	return HC(__HYPERVISOR_sched_op, SCHEDOP_shutdown, &sd, start_info_mfn, 0, 0);
}

static inline long hyp_physdev_op(int cmd, void *arg)
{
	return HC(__HYPERVISOR_physdev_op, cmd, arg, 0, 0, 0);
}

static inline long hyp_event_channel_op(int cmd, void *arg)
{
	return HC(__HYPERVISOR_event_channel_op, cmd, arg, 0, 0, 0);
}

static inline long hyp_set_trap_table(const struct trap_info *t)
{
	return HC(__HYPERVISOR_set_trap_table, t, 0, 0, 0, 0);
}

static inline long hyp_set_timer_op(uint64_t deadline_ns)
{
	return HC(__HYPERVISOR_set_timer_op, deadline_ns, 0, 0, 0, 0);
}

/*
 * One populate or decrease request for this domain over list[0..n), each
 * extent 2^order frames: extents done (a prefix), or -errno. Counted in
 * the platform's statistics (tide/platform.h).
 */
static inline long hyp_reservation_op(struct platform_stats *stats, unsigned cmd, xen_pfn_t *list, unsigned long n,
				      unsigned order)
{
	struct xen_memory_reservation r = {.nr_extents = n, .extent_order = order, .domid = DOMID_SELF};
	set_xen_guest_handle(r.extent_start, list);
	long rc = hyp_memory_op(cmd, &r);
	if (cmd == XENMEM_populate_physmap)
		stats->populate_hypercalls++;
	else
		stats->release_hypercalls++;
	if (rc != (long)n)
		stats->refused_hypercalls++;
	return rc;
}

/* XENMEM_current_reservation / maximum_reservation for this domain, in pages. */
static inline long hyp_reservation(unsigned cmd)
{
	domid_t self = DOMID_SELF;
	return hyp_memory_op(cmd, &self);
}

#endif
