/*
 * The guest-host memory contract of a Tide domU, in xenstore (paths relative
 * to the guest's home, values in KiB as decimal text):
 *
 *   memory/target          written by the host (xl mem-set, tided): what the
 *                          guest should hold. Tide follows it through the
 *                          balloon, to the 4 KiB page: down to the floor at
 *                          most, up to Xen's limit for the domain (xl
 *                          mem-set sets that limit to target + 1 MiB; raise
 *                          it with xl mem-max after mem-set, or let tided
 *                          manage it). Held at the floor or at the limit,
 *                          the guest looks again every second: memory it
 *                          frees since is given back, a raised limit is
 *                          grown into, with no new target needed.
 *                          Every write is acted on, even of the value already
 *                          followed: it re-arms a balloon that gave up after
 *                          repeated refusals. The one write not acted on is
 *                          the echo xenstore sends when the guest sets its
 *                          watch, when it repeats the value the guest booted
 *                          with (so a target the guest raised itself, by
 *                          growing on shortage, is not undone by it).
 *                          A value that is not plain decimal digits (no
 *                          sign, no 0x), is under one page (4 KiB), is longer
 *                          than a number can be, or is above
 *                          memory/static-max is refused with one log line
 *                          (bursts of 10 lines, then one a second, with a
 *                          count of the rest) and the guest stays on the last
 *                          valid target.
 *   memory/static-max      written by the toolstack: the largest valid target.
 *   control/feature-balloon  "1": this guest follows memory/target. xl does
 *                          not let guests write there (XenServer's toolstack
 *                          does); Tide then writes data/feature-balloon.
 *   data/meminfo_total     what the guest holds (Xen's tot_pages, in KiB)
 *   data/meminfo_free      what is free in its allocator
 *   data/tide/target_kib   the target it is following
 *   data/tide/floor_kib    the least it would shrink to now (tide/floor.h),
 *                          from the first report on
 *   data/tide/alloc_waits  allocations that had to wait for memory to grow
 *   data/tide/alloc_failures  allocations that failed (pressure)
 *   data/tide/droppable_kib  what the application's shrinkers could drop
 *                          now (tide/shrinker.h): used, but not needed; the
 *                          floor leaves it out
 *   data/tide/state        the balloon's state (idle, growing, ...)
 *   control/shutdown       "poweroff" or "halt" ends the guest (status 0),
 *                          "reboot" asks the toolstack to restart it,
 *                          "crash" crashes it; each is acknowledged by
 *                          clearing the node. "suspend" suspends it for
 *                          xl save (kernel/xen/suspend.h); restored, it
 *                          carries on in its new domain.
 *
 * The data/ values are rewritten when they change: twice a second, at once
 * when the balloon stops moving (so the guest's own view agrees with Xen's
 * as soon as a target is met), at once when a node under data/ no longer
 * holds what the guest wrote (removed or overwritten by someone else), and
 * all of them after a restore. A write that fails is logged once and
 * retried every report.
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
