/*
 * Ending the guest. Under the test harness (QEMU with isa-debug-exit at port
 * 0xf4) dom0 writes its status to the port and QEMU exits with
 * (status << 1) | 1. Everywhere else the status becomes Xen's shutdown
 * reason: poweroff for 0, crash otherwise. kernel_reboot() asks for a
 * restart (the toolstack builds the domain again).
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include "console.h"
#include "hypercall.h"
#include "xen.h"

#define DEBUG_EXIT_PORT 0xf4

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static _Noreturn void shutdown(unsigned reason)
{
	struct sched_shutdown sd = {.reason = reason};
	for (;;)
		hyp_sched_op(SCHEDOP_shutdown, &sd);
}

_Noreturn void kernel_exit(int status)
{
	printk("tide: exit status %d\n", status);
	console_flush();
	if (kernel_is_dom0() && xen_port_io())
		outb(DEBUG_EXIT_PORT, (uint8_t)status);
	shutdown(status ? SHUTDOWN_crash : SHUTDOWN_poweroff);
}

_Noreturn void kernel_reboot(void)
{
	printk("tide: reboot\n");
	console_flush();
	shutdown(SHUTDOWN_reboot);
}
