/*
 * The balloon's side that the kernel itself drives (its contract is in
 * tide/balloon.h): start of day, the worker's steps and schedule, the
 * backoff rule every refusal shares, the shrink before a suspend, and the
 * page allocator's shortage hook.
 */
#ifndef TIDE_BALLOON_WORKER_H
#define TIDE_BALLOON_WORKER_H

#include <tide/balloon.h>

/* Start the balloon with the guest's current size as target and hook it into the allocator. */
void balloon_init(void);
/* Do at most one step towards the target if not waiting or held; returns the state after it. */
enum balloon_state balloon_work(void);
/*
 * When the worker should next run: now (growing, shrinking), when the
 * backoff ends (waiting), BALLOON_RECHECK_NS on (idle away from the target),
 * or ~0 (idle at the target, cancelled, held: only a new target or the end
 * of the hold wakes it).
 */
uint64_t balloon_next_work_ns(void);
/*
 * The one backoff rule for anything the hypervisor refused: *backoff_ns
 * doubles from BALLOON_BACKOFF_MIN_NS (0: first refusal) up to
 * BALLOON_BACKOFF_MAX_NS; returns when the next try may happen.
 */
uint64_t balloon_backoff_next(uint64_t now, uint64_t *backoff_ns);

/*
 * Before a suspend, held: make the guest fit what a restore will give it.
 * restore_pages is the most the restored domain may hold (libxl restores
 * with the toolstack's memory/target as Xen's limit); a guest that grew on
 * shortage holds more. Free frames go back in place, without unplugging a
 * block or moving metadata, so that no p2m page the toolstack has mapped
 * goes away: down to the target and the floor, and further, down to
 * restore_pages (keeping BALLOON_LOW_WATERMARK pages free), when those are
 * above it. Nothing is given back when what the guest uses cannot fit.
 * 0 when the guest now holds no more than restore_pages; -ENOSPC when it
 * still holds more (the suspend must not happen: its image could not be
 * restored).
 */
int balloon_shrink_for_suspend(unsigned long restore_pages);
/*
 * The page allocator's shortage hook (see above). contiguous: the allocation
 * needs a chunk the free lists do not have. 0 when memory was made available.
 */
int balloon_on_shortage(unsigned long need_pages, bool contiguous);

#endif
