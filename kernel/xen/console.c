/*
 * Console output. As dom0, Tide writes with HYPERVISOR_console_io and the
 * text appears on Xen's serial line. printk() and panic() sit on top.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include "hypercall.h"

void console_write(const char *s, size_t n)
{
	while (n) {
		long rc = hyp_console_write(s, n);
		if (rc <= 0)
			return;
		s += rc;
		n -= (size_t)rc;
	}
}

void printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}

_Noreturn void panic(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("PANIC: ");
	console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
	printk("\n");
	kernel_exit(99);
}
