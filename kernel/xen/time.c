/*
 * The monotonic clock: Xen's system time for vCPU 0, extrapolated with the
 * TSC as described in xen.h (vcpu_time_info), plus an offset that keeps it
 * running on from where it stopped when the guest is restored on a host
 * whose system time started elsewhere. Sleeping is the scheduler's
 * (core/sched.c), which idles in Xen through events.c.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include "hypercall.h"
#include "xen.h"
#include "time.h"

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t offset_ns;   /* monotonic_ns() - Xen's system time, modulo 2^64 */
static uint64_t suspended_at; /* monotonic_ns() when the guest suspended */

static uint64_t xen_system_time(void)
{
	volatile struct vcpu_time_info *t = &xen_shared_info()->vcpu_info[0].time;
	uint32_t version;
	uint64_t ns;
	do {
		version = t->version;
		__asm__ volatile("" ::: "memory");
		uint64_t delta = rdtsc() - t->tsc_timestamp;
		if (t->tsc_shift >= 0)
			delta <<= t->tsc_shift;
		else
			delta >>= -t->tsc_shift;
		ns = t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
		__asm__ volatile("" ::: "memory");
	} while ((version & 1) || version != t->version);
	return ns;
}

uint64_t monotonic_ns(void) { return xen_system_time() + offset_ns; }

uint64_t time_to_xen(uint64_t mono_ns) { return mono_ns - offset_ns; }

void time_suspend(void) { suspended_at = monotonic_ns(); }

void time_resume(void)
{
	offset_ns = suspended_at - xen_system_time();
}
