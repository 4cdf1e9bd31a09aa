/*
 * The balloon: moves the guest's memory towards a target, and grows it on
 * shortage.
 *
 * Target. A number of pages the guest should hold (FREE + USED + RESERVED),
 * set through balloon_set_target() (on a domU, from xenstore's
 * memory/target: see tide/memory_target.h). It is met to the page (see
 * elastic.c for the one exception). The worker moves towards it in steps of
 * at most BALLOON_STEP_PAGES:
 *   growing    first refills ballooned-out frames of online blocks (whole
 *              blocks as 2 MiB extents, else batches of 4 KiB frames), then
 *              hot-adds absent blocks above the boot boundary (skipping holes);
 *              never above Xen's limit for the guest;
 *   shrinking  first unplugs drained hot-added blocks (their metadata goes
 *              too), then gives back whole free blocks as 2 MiB extents, then
 *              single pages, up to 512 per hypercall; never below the floor
 *              (tide/floor.h): used memory (USED + RESERVED) plus a margin of
 *              max(2 MiB, used / 8), where used leaves out what the
 *              application's shrinkers could drop (tide/shrinker.h): below
 *              what is used, the balloon asks them to drop it.
 *
 * States:
 *   IDLE       at the target; or held at the floor, or at Xen's limit (one
 *              log line each per target). While the guest holds other than
 *              its target, the worker looks again every BALLOON_RECHECK_NS:
 *              memory freed since is given back, a raised limit is grown into.
 *   GROWING    below the target, making progress
 *   SHRINKING  above the target, making progress
 *   WAITING    the hypervisor refused or half-fulfilled a request: nothing
 *              is tried until the backoff expires (1 s, doubling to 32 s)
 *   CANCELLED  BALLOON_MAX_RETRIES refusals in a row: the balloon gave up on
 *              this target and waits until a target is set again
 *   HELD       balloon_hold(true): no step and no growth on shortage until
 *              balloon_hold(false), which returns to the state it held in.
 *              A domU holds from the moment it sees a shutdown request until
 *              it has suspended and resumed: `xl save` reads the guest's p2m
 *              before it asks, and a block plugged or unplugged after that
 *              read would spoil the image (kernel/xen/pv_p2m.h).
 * Setting a target, even the same one, resets the backoff and is acted on at
 * once.
 *
 * Grow on shortage. The page allocator calls balloon_on_shortage() when an
 * allocation would leave fewer than BALLOON_LOW_WATERMARK pages free, or when
 * no free chunk is large enough for it. It grows by the shortfall or by the
 * current step (2 MiB, doubling while the shortage lasts, up to 64 MiB; whole
 * blocks when a contiguous chunk is needed), then raises the target to what
 * the guest now holds, so the worker does not shrink it back. A re-entry
 * guard stops recursion; during a backoff, and while held, it returns at
 * once, so a refusal costs one hypercall, not a loop, and the allocation
 * returns NULL. At Xen's limit it makes no hypercall at all.
 */
#ifndef TIDE_BALLOON_H
#define TIDE_BALLOON_H

#include <tide/types.h>

enum balloon_state {
	BALLOON_IDLE,
	BALLOON_GROWING,
	BALLOON_SHRINKING,
	BALLOON_WAITING,
	BALLOON_CANCELLED,
	BALLOON_HELD,
};

#define BALLOON_STEP_PAGES MIB_TO_PAGES(64)
#define BALLOON_LOW_WATERMARK 64 /* pages */
#define BALLOON_MAX_RETRIES 16
#define BALLOON_BACKOFF_MIN_NS 1000000000ULL
#define BALLOON_BACKOFF_MAX_NS 32000000000ULL
#define BALLOON_RECHECK_NS 1000000000ULL
#define SHORTAGE_STEP_MIN_PAGES BLOCK_PAGES
#define SHORTAGE_STEP_MAX_PAGES MIB_TO_PAGES(64)

struct balloon_stats {
	unsigned long target_pages;
	unsigned long floor_pages;     /* the floor now (tide/floor.h) */
	unsigned long droppable_pages; /* what the shrinkers could drop now (tide/shrinker.h) */
	unsigned long refusals;	       /* steps the hypervisor refused or half-fulfilled */
	unsigned long shortages;       /* calls from the allocator */
	unsigned long shortage_grown;  /* ... that made memory available */
	unsigned long shortage_denied; /* ... that could not (limit, refusal, backoff) */
	unsigned long blocks_plugged, blocks_unplugged;
	unsigned long meta_moved;      /* shared metadata frames moved out of hot-added blocks */
	uint64_t backoff_ns;	       /* the current backoff (0: none) */
	uint64_t retry_at_ns;	       /* when WAITING ends */
};

/* Set the target in pages; it is clamped to what the guest can hold. Wakes the balloon. */
void balloon_set_target(unsigned long pages);
enum balloon_state balloon_state(void);
const char *balloon_state_name(enum balloon_state s);
const struct balloon_stats *balloon_stats(void);

/* Stop (on) or let go (off) every change of the guest's size: see HELD above. */
void balloon_hold(bool on);
/*
 * Run the worker until IDLE, CANCELLED or HELD or until deadline_ns; sleeps (no
 * busy loop) while WAITING. Returns the state it stopped in.
 */
enum balloon_state balloon_settle(uint64_t deadline_ns);

/* Shrink by up to pages now, ignoring target and floor: pages released or -errno (-EBUSY: held). */
long balloon_shrink(unsigned long pages);

#endif
