/*
 * The host of a PVH guest that QEMU boots directly, with no hypervisor
 * (pvh/host.h): text goes out on QEMU's debug console port (-debugcon),
 * and the exit status through QEMU's isa-debug-exit device, which makes
 * QEMU exit with (status << 1) | 1. Alone on the machine, the guest is as
 * dom0 is: no toolstack, no xenstore; the application drives its memory.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include "../pvh/host.h"
#include "../pvh/pvh.h"

#define DEBUGCON_PORT 0xe9
#define DEBUG_EXIT_PORT 0xf4

const char *host_name(void) { return "no hypervisor"; }
void host_early_init(void) {}
unsigned long host_give_back(pfn_t first, unsigned long n)
{
	(void)first, (void)n;
	return 0;
}

/* QEMU's PVH loader always gives a memory map in the start info. */
unsigned host_memory_map(struct pvh_range *out, unsigned max)
{
	(void)out, (void)max;
	return 0;
}
bool kernel_is_dom0(void) { return true; }

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
