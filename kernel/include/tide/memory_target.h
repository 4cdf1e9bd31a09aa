/*
 * The guest-host memory contract of a Tide domU, in xenstore (paths relative
 * to the guest's home, values in KiB as decimal text):
 *
 *   memory/target          written by the host (xl mem-set, tided): what the
 *                          guest should hold. Tide follows it through the
 *                          balloon: down to the floor at most, up to Xen's
 *                          limit for the domain (raise it with xl mem-max).
 *                          A value that is not a decimal number, is zero, or
 *                          is above memory/static-max is refused with one log
 *                          line (bursts of 10 lines, then one a second, with
 *                          a count of the rest) and the guest stays on the
 *                          last valid target.
 *   memory/static-max      written by the toolstack: the largest valid target.
 *   control/feature-balloon  "1": this guest follows memory/target. xl does
 *                          not let guests write there (XenServer's toolstack
 *                          does); Tide then writes data/feature-balloon.
 *                          A repeated value is not a new target: a target the
 *                          guest raised by growing on shortage stays until
 *                          the host writes a different one.
 *   data/meminfo_total     what the guest holds (Xen's tot_pages, in KiB)
 *   data/meminfo_free      what is free in its allocator
 *   data/tide/target_kib   the target it is following
 *   data/tide/floor_kib    the least it would shrink to now
 *   data/tide/alloc_waits  allocations that had to wait for memory to grow
 *   data/tide/alloc_failures  allocations that failed (pressure)
 *   data/tide/state        the balloon's state (idle, growing, ...)
 *   control/shutdown       "poweroff", "halt" or "reboot" from the toolstack
 *                          ends the guest with status 0.
 *
 * The data/ values are rewritten when they change, at most twice a second.
 *
 * Two test modes break the contract on purpose, for tided's tests (command
 * line): ignore_targets=1 logs targets but never follows them (an
 * uncooperative guest), lie_free_kib=N reports N KiB free and a huge
 * alloc_waits (a guest that lies).
 */
#ifndef TIDE_MEMORY_TARGET_H
#define TIDE_MEMORY_TARGET_H

/* Start the balloon, target-watcher and reporter threads (domU with xenstore only). */
void memory_target_start(void);

#endif
