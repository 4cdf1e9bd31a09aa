/*
 * Xen below a PVH guest (pvh/host.h), with the Xen services PV uses too
 * (kernel/xen: console.c, console_ring.c, events.c, time.c, xenstore.c).
 *
 * Xen is found through CPUID's hypervisor leaves; hypercalls go through the
 * page (pvh/head.S) whose address the guest writes to the MSR that CPUID
 * names. What PV finds in start_info comes from elsewhere: the shared info
 * page is placed with XENMEM_add_to_physmap at a frame of the guest's boot
 * memory, taken as reserved (Xen frees the RAM page that was there, and
 * counts one frame less: reservation.c), so that it lies inside the range a
 * save walks (a frame far above RAM would make `xl save` walk every frame
 * number below it); a domU's console and xenstore rings and event
 * channels are HVM parameters, their pages (not RAM of the guest's) mapped
 * at fixed addresses once the direct map is built, and through the boot
 * tables' 1:1 map before. Events are polled, as on PV (upcalls masked).
 */
#include <tide/balloon_worker.h>
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/platform.h>
#include <tide/metapool.h>
#include <tide/memory_target.h>
#include <tide/start.h>
#include <xen/arch-x86/cpuid.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include "../pvh/host.h"
#include "../pvh/pt.h"
#include "../pvh/pvh.h"
#include "../xen/console.h"
#include "../xen/events.h"
#include "../xen/hypercall.h"
#include "../xen/xen.h"
#include "layout.h"
#include "pvhxen.h"

extern char hypercall_page[];

static bool dom0, mapped; /* mapped: the rings at their fixed addresses */
static pfn_t shared_info_frame;

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* The base of Xen's CPUID leaves, or 0. */
static uint32_t xen_cpuid_base(void)
{
	for (uint32_t base = XEN_CPUID_FIRST_LEAF; base < XEN_CPUID_FIRST_LEAF + 0x10000; base += 0x100) {
		uint32_t a, b, c, d;
		cpuid(base, &a, &b, &c, &d);
		if (b == XEN_CPUID_SIGNATURE_EBX && c == XEN_CPUID_SIGNATURE_ECX && d == XEN_CPUID_SIGNATURE_EDX)
			return base;
	}
	return 0;
}

static long hvm_param(uint32_t index)
{
	struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};
	long rc = HC(__HYPERVISOR_hvm_op, HVMOP_get_param, &p, 0, 0, 0);
	return rc ? rc : (long)p.value;
}

/*
 * libxl drives a PVH guest through control/shutdown (xl shutdown, reboot,
 * save) only when it has an event callback; without one it acts on the
 * domain directly. So the guest names a vector, which is never taken:
 * events stay polled and interrupts stay off.
 */
#define EVENT_CALLBACK_VECTOR 0xf3

int pvhxen_set_event_callback(void)
{
	struct xen_hvm_param p = {.domid = DOMID_SELF,
				  .index = HVM_PARAM_CALLBACK_IRQ,
				  .value = ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) | EVENT_CALLBACK_VECTOR};
	return (int)HC(__HYPERVISOR_hvm_op, HVMOP_set_param, &p, 0, 0, 0);
}

const char *host_name(void) { return "Xen"; }
bool kernel_is_dom0(void) { return dom0; }

void host_early_init(void)
{
	uint32_t base = xen_cpuid_base(), pages, msr, c, d;
	if (!base) { /* no console without Xen: say so on the debug port, and stop */
		const char *why = "tide: this PVH image runs under Xen; without a hypervisor boot tide-*-direct.elf\n";
		while (*why)
			outb(0xe9, (uint8_t)*why++);
		outb(0xf4, 1);
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	cpuid(base + 2, &pages, &msr, &c, &d);
	uint64_t page = (uint64_t)(unsigned long)hypercall_page; /* virtual = physical */
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)page), "d"((uint32_t)(page >> 32)));
	dom0 = pvh_start_flags() & SIF_INITDOMAIN;
	if (!dom0)
		console_ring_init();
}

/* XENMEM_memory_map: the guest's own map (a PVH dom0's start info has none). */
unsigned host_memory_map(struct pvh_range *out, unsigned max)
{
	static struct e820entry {
		uint64_t addr, size;
		uint32_t type;
	} __attribute__((packed)) map[PVH_MAX_RANGES];
	struct xen_memory_map mm = {.nr_entries = MIN(max, PVH_MAX_RANGES)};
	set_xen_guest_handle(mm.buffer, map);
	if (hyp_memory_op(XENMEM_memory_map, &mm))
		return 0;
	for (unsigned i = 0; i < mm.nr_entries; i++)
		out[i] = (struct pvh_range){map[i].addr, map[i].size, map[i].type};
	return mm.nr_entries;
}

unsigned long host_give_back(pfn_t first, unsigned long n)
{
	static xen_pfn_t gfns[256];
	unsigned long done = 0;
	while (done < n) {
		unsigned long k = MIN(n - done, ARRAY_SIZE(gfns));
		for (unsigned long i = 0; i < k; i++)
			gfns[i] = first.n + done + i;
		struct xen_memory_reservation r = {.nr_extents = k, .extent_order = 0, .domid = DOMID_SELF};
		set_xen_guest_handle(r.extent_start, gfns);
		long rc = hyp_memory_op(XENMEM_decrease_reservation, &r);
		done += rc > 0 ? (unsigned long)rc : 0;
		if (rc != (long)k) {
			printk("pvh: Xen took back %lu of %lu frames outside whole blocks\n", done, n);
			break;
		}
	}
	return done;
}

/* Map the domU's ring pages at their fixed addresses (the direct map covers only the guest's RAM). */
void pvhxen_map_rings(void)
{
	if (dom0)
		return;
	long console = hvm_param(HVM_PARAM_CONSOLE_PFN), store = hvm_param(HVM_PARAM_STORE_PFN);
	if (console <= 0 || pt_map_page(CONSOLE_RING_VA, pfn((unsigned long)console)))
		panic("pvh: no console ring (HVM_PARAM_CONSOLE_PFN %ld)", console);
	if (store > 0 && pt_map_page(STORE_RING_VA, pfn((unsigned long)store)))
		panic("pvh: cannot map the xenstore ring");
}

/* The direct map covers only the guest's RAM: the rings go at fixed addresses, before printk needs them. */
void host_tables_ready(void)
{
	pvhxen_map_rings();
	mapped = true;
	if (!dom0)
		console_ring_init(); /* again, at its fixed address */
}

int pvhxen_place_shared_info(void)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = 0, .gpfn = shared_info_frame.n};
	int rc = (int)hyp_memory_op(XENMEM_add_to_physmap, &xatp);
	if (rc == 0)
		xen_shared_info()->vcpu_info[0].evtchn_upcall_mask = 1; /* events are polled, never delivered */
	return rc;
}

void host_init(void)
{
	if (metapool_take(RESERVED_KERNEL, &shared_info_frame) || pvhxen_place_shared_info())
		panic("pvh: cannot place shared info");
	pvhxen_frame_replaced();
	events_init();
	balloon_init();
	if (!dom0) {
		if (pvhxen_set_event_callback())
			printk("pvh: no event callback: xl will not ask this guest to shut down or save\n");
		console_ring_use_events();
		if (xenstore_init() == 0)
			memory_target_start();
		else
			printk("pvh: no xenstore\n");
	}
}

shared_info_t *xen_shared_info(void) { return frame_to_virt(shared_info_frame); }

void *xen_console_page(void)
{
	return mapped ? (void *)CONSOLE_RING_VA : frame_to_virt(pfn((unsigned long)hvm_param(HVM_PARAM_CONSOLE_PFN)));
}
evtchn_port_t xen_console_evtchn(void) { return (evtchn_port_t)hvm_param(HVM_PARAM_CONSOLE_EVTCHN); }
void *xen_store_page(void) { return hvm_param(HVM_PARAM_STORE_PFN) > 0 ? (void *)STORE_RING_VA : NULL; }
evtchn_port_t xen_store_evtchn(void) { return (evtchn_port_t)hvm_param(HVM_PARAM_STORE_EVTCHN); }

/* A PVH dom0 reaches the machine's I/O ports as they are (Xen keeps only its own). */
bool xen_port_io(void) { return true; }
