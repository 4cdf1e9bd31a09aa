/*
 * What the kernel offers its applications and its own subsystems beyond the
 * memory API: console, clock, command line and exit.
 *
 * An application is linked with the kernel and starts at app_main(), as in
 * Mini-OS. Its return value becomes the guest's exit status.
 */
#ifndef TIDE_KERNEL_H
#define TIDE_KERNEL_H

#include <tide/types.h>

int app_main(void);

void console_write(const char *s, size_t n);

/* Nanoseconds since Xen booted; monotonic. */
uint64_t monotonic_ns(void);
/* Sleep without busy-waiting until monotonic_ns() >= deadline_ns. */
void sleep_until_ns(uint64_t deadline_ns);

/* The guest command line, as given to Xen (start_info.cmd_line). */
const char *kernel_cmdline(void);
/*
 * Look up "key=value" on the command line: copies value into buf and returns
 * its length, or -ENOENT. A bare "key" yields an empty value.
 */
int cmdline_get(const char *key, char *buf, size_t size);
/* A numeric option, or dflt when absent; a malformed value logs one line and yields dflt. */
unsigned long cmdline_ulong(const char *key, unsigned long dflt);

/* Stop the guest and hand status to the host (QEMU exit code, or Xen's shutdown reason). */
_Noreturn void kernel_exit(int status);
/* Ask the host to restart the guest (as a domU: Xen's reboot shutdown reason). */
_Noreturn void kernel_reboot(void);

/* True when Tide runs as the control domain (dom0), false as a domU. */
bool kernel_is_dom0(void);

#endif
