/*
 * The page allocator's insides (its public API is tide/page_alloc.h): a
 * binary buddy allocator over online frames, orders 0 (4 KiB) to
 * PAGE_MAX_ORDER (2 MiB, one block). Chunks never span blocks, so
 * a block that drains becomes one order-9 chunk that can be returned whole.
 *
 * Free chunks are kept in one list per order, linked through the free memory
 * itself; the order-9 list is sorted by address so that allocation splits the
 * lowest block and shrinking takes the highest: high blocks drain first.
 *
 * Single pages freed through free_pages() wait, unmerged, in a cache of
 * PAGE_CACHE_PAGES for the next alloc_page() (as Linux's per-CPU lists do),
 * so that a page allocated and freed in a loop does not split and re-merge a
 * whole block each time; an empty cache takes a whole chunk of 32 pages at
 * once, so that allocating many pages costs a pop each. Cached pages count as
 * free; the cache is drained before anything needs whole blocks or larger
 * chunks.
 *
 * Allocation never panics and never loops: when free memory runs low, or
 * when no free chunk is large enough (fragmentation), it asks the shortage
 * hook (grow on shortage) and otherwise returns NULL.
 */
#ifndef TIDE_BUDDY_H
#define TIDE_BUDDY_H

#include <tide/frame.h>
#include <tide/page_alloc.h>

#define PAGE_CACHE_PAGES 64
#define PAGE_CACHE_REFILL_ORDER 5 /* an empty cache takes a chunk of 32 pages at once */

void buddy_init(void);

/* Allocate 2^order contiguous frames (state USED): 0, or -ENOMEM. No growth. */
int buddy_alloc(unsigned order, pfn_t *out);
/* Return a chunk from buddy_alloc. Its frames must be USED. */
void buddy_free(pfn_t p, unsigned order);
/*
 * Hand frames that are UNPOPULATED-now-populated, USED or RESERVED to the
 * allocator as free memory (chunked and coalesced). All must be in one block.
 */
void buddy_add_frames(pfn_t first, unsigned long n);
/*
 * Allocate 2^order frames from block b specifically (its smallest fitting
 * free chunk): 0, or -ENOMEM when the block has none.
 */
int buddy_alloc_in_block(unsigned long b, unsigned order, pfn_t *out);
/* Take the highest wholly free block out of the allocator: true and its number, or false. */
bool buddy_take_free_block(unsigned long *block);
/* The same among the blocks for which ok(block) holds (NULL: any). */
bool buddy_take_free_block_where(bool (*ok)(unsigned long block), unsigned long *block);
/* Give a block taken whole back to the allocator, its frames now reported to the host as free (BLOCK_REPORTED). */
void buddy_add_reported_block(unsigned long b);
/* Take every free chunk of block b out of the allocator (frames stay FREE, in no list). */
void buddy_take_block_chunks(unsigned long b);
/* Copy the cached pages into out (PAGE_CACHE_PAGES entries); returns how many. */
unsigned page_cache_frames(pfn_t *out);
/*
 * Walk the free lists: for each chunk call fn; stops and returns fn's non-zero
 * value, or -EIO if a list is broken (a cycle or a bad link).
 */
int buddy_for_each_chunk(int (*fn)(pfn_t head, unsigned order, void *ctx), void *ctx);
unsigned long buddy_chunks(unsigned order);

/*
 * Called when an allocation of need pages would leave fewer than the low
 * watermark free (contiguous false: any free frames help), and when the free
 * lists hold no chunk of the order asked for however many pages are free
 * (contiguous true: only a wholly new block helps). Returns 0 if it made
 * memory available. Set by the balloon.
 */
typedef int (*shortage_hook_t)(unsigned long need_pages, bool contiguous);
void page_alloc_set_shortage_hook(shortage_hook_t hook, unsigned long low_watermark_pages);

#endif
