/*
 * The clock with no hypervisor (pvh/host.h's host_init): the TSC, its rate
 * measured once against the PIT (channel 2, 10 ms, read through port 0x61
 * as PC firmware does). Sleeping spins: with no hypervisor and no devices,
 * only time can wake a thread, and a wait for anything else is a bug.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/start.h>
#include "../pvh/host.h"
#include "../pvh/pvh.h"
#include "follow.h"

#define PIT_HZ 1193182
#define CALIBRATE_MS 10

static uint64_t tsc_at_boot, tsc_per_ms;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t measure_tsc_per_ms(void)
{
	unsigned latch = PIT_HZ * CALIBRATE_MS / 1000;
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01)); /* channel 2 gate on, speaker off */
	outb(0x43, 0xb0);				     /* channel 2, lobyte/hibyte, one-shot */
	outb(0x42, (uint8_t)(latch & 0xff));
	outb(0x42, (uint8_t)(latch >> 8));
	uint64_t t0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		;
	return (rdtsc() - t0) / CALIBRATE_MS;
}

uint64_t monotonic_ns(void)
{
	uint64_t ticks = rdtsc() - tsc_at_boot;
	return (uint64_t)((unsigned __int128)ticks * 1000000 / tsc_per_ms);
}

static void spin_until(uint64_t deadline_ns)
{
	if (deadline_ns == SCHED_FOREVER)
		panic("pvh: every thread waits for an event, and without a hypervisor none can come");
	while (monotonic_ns() < deadline_ns)
		__asm__ volatile("pause");
}

void host_init(void)
{
	tsc_per_ms = measure_tsc_per_ms();
	if (!tsc_per_ms)
		panic("pvh: the TSC does not advance");
	tsc_at_boot = rdtsc();
	printk("tide: TSC at %lu kHz\n", (unsigned long)tsc_per_ms);
	sched_init(spin_until);
	follow_start();
}
