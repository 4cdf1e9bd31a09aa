/*
 * Ending the guest. Under the test harness (QEMU with isa-debug-exit at port
 * 0xf4) dom0 writes its status to the port and QEMU exits with
 * (status << 1) | 1. Everywhere else the status becomes Xen's shutdown
 * reason: poweroff for 0, crash otherwise.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include "console.h"
#include "hypercall.h"

#define DEBUG_EXIT_PORT 0xf4

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

_Noreturn void kernel_exit(int status)
{
	printk("tide: exit status %d\n", status);
	console_flush();
	if (kernel_is_dom0()) {
		struct physdev_set_iopl iopl = {.iopl = 1};
		if (hyp_physdev_op(PHYSDEVOP_set_iopl, &iopl) == 0)
			outb(DEBUG_EXIT_PORT, (uint8_t)status);
	}
	struct sched_shutdown sd = {.reason = status ? SHUTDOWN_crash : SHUTDOWN_poweroff};
	for (;;)
		hyp_sched_op(SCHEDOP_shutdown, &sd);
}
