/*
 * Exceptions. Tide has no recoverable faults: every exception prints where it
 * happened (and the faulting address for a page fault) and stops the guest
 * with status 3, so a test sees a crash as a failure, not as a hang.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include "hypercall.h"
#include "xen.h"

#define TRAP(v) extern char trap_##v[];
TRAP(0) TRAP(1) TRAP(3) TRAP(4) TRAP(5) TRAP(6) TRAP(7) TRAP(8) TRAP(10) TRAP(11) TRAP(12)
TRAP(13) TRAP(14) TRAP(16) TRAP(17) TRAP(18) TRAP(19)
#undef TRAP

#define ENTRY(v) {v, 0, FLAT_KERNEL_CS, (unsigned long)trap_##v}
static const struct trap_info trap_table[] = {
	ENTRY(0),  ENTRY(1),  ENTRY(3),  ENTRY(4),  ENTRY(5),  ENTRY(6),
	ENTRY(7),  ENTRY(8),  ENTRY(10), ENTRY(11), ENTRY(12), ENTRY(13),
	ENTRY(14), ENTRY(16), ENTRY(17), ENTRY(18), ENTRY(19), {0, 0, 0, 0},
};
#undef ENTRY

void traps_init(void)
{
	if (hyp_set_trap_table(trap_table))
		printk("tide: set_trap_table failed\n");
}

/* Called from the stubs in head.S with the stack Xen built: rcx, r11, [error], rip, ... */
_Noreturn void trap_fatal(unsigned vector, const unsigned long *frame, int has_error)
{
	unsigned long error = has_error ? frame[2] : 0;
	unsigned long rip = frame[has_error ? 3 : 2];
	printk("tide: fatal exception %u at rip %lx, error %lx", vector, rip, error);
	if (vector == 14)
		printk(", address %lx", xen_shared_info()->vcpu_info[0].arch.cr2);
	printk("\n");
	kernel_exit(3);
}
