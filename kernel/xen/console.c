/*
 * Console output. As dom0, Tide writes with HYPERVISOR_console_io and the
 * text appears on Xen's serial line; as a domU it writes to its console ring
 * (console_ring.c), which xenconsoled reads. printk() and panic() sit on top
 * (kernel/lib/printk.c).
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include "console.h"
#include "hypercall.h"

static void console_io_write(const char *s, size_t n)
{
	while (n) {
		long rc = hyp_console_write(s, n);
		if (rc <= 0)
			return;
		s += rc;
		n -= (size_t)rc;
	}
}

void console_write(const char *s, size_t n)
{
	if (kernel_is_dom0())
		console_io_write(s, n);
	else
		console_ring_write(s, n);
}

void console_flush(void)
{
	if (!kernel_is_dom0())
		console_ring_flush();
}
