/*
 * Console and exit of the PVH platform without a hypervisor: text goes out
 * on QEMU's debug console port (-debugcon), and the exit status through
 * QEMU's isa-debug-exit device, which makes QEMU exit with (status << 1) | 1.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include "pvh.h"

#define DEBUGCON_PORT 0xe9
#define DEBUG_EXIT_PORT 0xf4

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		outb(DEBUGCON_PORT, (uint8_t)s[i]);
}

static _Noreturn void stop(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

_Noreturn void kernel_exit(int status)
{
	printk("tide: exit status %d\n", status);
	outb(DEBUG_EXIT_PORT, (uint8_t)status);
	stop(); /* no exit device: the machine just stops */
}

_Noreturn void kernel_reboot(void)
{
	printk("tide: reboot asked for, but there is no host to restart the guest: stopping\n");
	stop();
}
