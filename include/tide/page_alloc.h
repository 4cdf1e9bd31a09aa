/*
 * Page allocation: 2^order contiguous 4 KiB frames, order 0 (4 KiB) up to
 * PAGE_MAX_ORDER (2 MiB, one block), mapped at their direct-map address.
 *
 * Contract:
 *   - alloc_pages() never panics and never loops. When free memory runs
 *     low it first asks the application's shrinkers (tide/shrinker.h) to
 *     drop what they can, then grows the guest (the balloon's grow on
 *     shortage, up to the host's limit; a new block when no free chunk is
 *     large enough), and only then returns NULL, counted in
 *     page_alloc_failures() (pressure the guest reports to the host).
 *   - free_pages() takes what alloc_pages() gave, with the same order;
 *     NULL is ignored.
 *   - Frames are not zeroed.
 *   - Threads are cooperative (tide/sched.h): no locking is needed, and an
 *     allocation may block the calling thread only while the guest grows.
 *
 * How it works (a binary buddy allocator whose chunks never span 2 MiB
 * blocks, with a cache of single pages) is in kernel/include/tide/buddy.h.
 */
#ifndef TIDE_PAGE_ALLOC_H
#define TIDE_PAGE_ALLOC_H

#include <tide/types.h>

#define PAGE_MAX_ORDER BLOCK_ORDER

/* The direct-map address of 2^order frames, or NULL. May grow memory. */
void *alloc_pages(unsigned order);
/* Allocations through alloc_pages() that returned NULL so far. */
unsigned long page_alloc_failures(void);
void free_pages(void *va, unsigned order);
static inline void *alloc_page(void) { return alloc_pages(0); }
static inline void free_page(void *va) { free_pages(va, 0); }

#endif
