/*
 * The host's targets, followed. With no hypervisor below it, the host sets
 * the guest's memory through two devices, each with a target of its own:
 * the virtio balloon's num_pages (boot memory the host wants back) and
 * virtio-mem's requested size (device memory the host wants plugged). The
 * guest has one target, the balloon's (tide/balloon.h):
 *
 *     boot memory - num_pages + requested size   (at least one page)
 *
 * and one thread follows both devices: every 100 ms (at once while the
 * balloon moves) it reads their targets, sets the balloon's when it
 * changed, runs the balloon one step and lets the balloon device report.
 * When the guest holds a new target it says so in one line, with the time
 * from seeing the change to holding it (make bench reads it):
 *     tide: target 1532 MiB held, from 508 MiB in 212401 us
 * Each device moves only toward its own target (host_take and host_give
 * are refused past it, elastic.c), so a change of either target is met by
 * that device: a requested size that drops is met by unplugging, never by
 * inflating the balloon instead, and one that rises by plugging.
 */
#include <tide/balloon_worker.h>
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/mem_boot.h>
#include <tide/buddy.h>
#include <tide/sched.h>
#include "follow.h"
#include "virtio_balloon.h"
#include "virtio_mem.h"

#define FOLLOW_PERIOD_NS 100000000ULL

static int token;

/* The guest's target as the devices set it now. */
static unsigned long target_now(void)
{
	unsigned long boot = mem_boot_info()->boot_pages, in_balloon = virtio_balloon_wanted();
	unsigned long target = (in_balloon < boot ? boot - in_balloon : 0) + virtio_mem_requested_pages();
	return target ? target : 1;
}

static void follow(void *arg)
{
	(void)arg;
	unsigned long seen = 0, from = 0;
	uint64_t since = 0;
	bool moving = false;
	for (;;) {
		unsigned long target = target_now();
		if (target != seen) {
			seen = target;
			from = frames_populated();
			since = monotonic_ns();
			moving = target != from;
			balloon_set_target(target);
		}
		enum balloon_state s = balloon_work();
		if (moving && frames_populated() == seen) {
			printk("tide: target %lu MiB held, from %lu MiB in %lu us\n", PAGES_TO_MIB(seen), PAGES_TO_MIB(from),
			       (unsigned long)((monotonic_ns() - since) / 1000));
			moving = false;
		}
		virtio_balloon_report();
		if (s == BALLOON_GROWING || s == BALLOON_SHRINKING)
			thread_yield();
		else
			thread_block_on(&token, monotonic_ns() + FOLLOW_PERIOD_NS);
	}
}

void follow_start(void)
{
	balloon_init();
	bool with_balloon = virtio_balloon_start();
	if (!with_balloon)
		page_alloc_set_shortage_hook(NULL, 0); /* virtio-mem cannot plug past the host's request */
	if (virtio_mem_start() || with_balloon)
		thread_create("follow-host", follow, NULL);
}
