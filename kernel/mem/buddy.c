/*
 * Binary buddy allocator. See tide/page_alloc.h for the contract.
 *
 * A free chunk's first frame is marked FREE with the head flag and its order
 * in the frame byte; its other frames are FREE without the flag. The list
 * node lives in the chunk's first page (reached through the direct map).
 */
#include <tide/lib.h>
#include <tide/buddy.h>
#include <tide/platform.h>
#include "shrinkers.h"

struct free_chunk {
	struct free_chunk *next, *prev;
};

static struct free_chunk free_lists[PAGE_MAX_ORDER + 1];
static unsigned long free_list_len[PAGE_MAX_ORDER + 1];
/* Single free pages kept unmerged for the next alloc_page(): FREE, not heads, in no list. */
static pfn_t page_cache[PAGE_CACHE_PAGES];
static unsigned page_cache_len;

void buddy_init(void)
{
	for (unsigned o = 0; o <= PAGE_MAX_ORDER; o++) {
		free_lists[o].next = free_lists[o].prev = &free_lists[o];
		free_list_len[o] = 0;
	}
	page_cache_len = 0;
}

static struct free_chunk *chunk_node(pfn_t p) { return frame_to_virt(p); }
static pfn_t node_pfn(struct free_chunk *c) { return virt_to_frame(c); }

static void list_link_after(struct free_chunk *pos, struct free_chunk *c)
{
	c->prev = pos;
	c->next = pos->next;
	pos->next->prev = c;
	pos->next = c;
}

/* Put the chunk at p (frames already FREE) on its list as a head. */
static void free_insert(pfn_t p, unsigned order)
{
	struct free_chunk *c = chunk_node(p), *pos = &free_lists[order];
	frame_set_free_head(p, order, true);
	if (order == PAGE_MAX_ORDER && free_list_len[order]) {
		/* Address-ordered, walking in from the nearer end of the list. */
		unsigned long lo = node_pfn(pos->next).n, hi = node_pfn(pos->prev).n;
		if (p.n - MIN(p.n, lo) < MAX(p.n, hi) - p.n) {
			while (pos->next != &free_lists[order] && node_pfn(pos->next).n < p.n)
				pos = pos->next;
		} else {
			while (pos->prev != &free_lists[order] && node_pfn(pos->prev).n > p.n)
				pos = pos->prev;
			pos = pos->prev;
		}
	}
	list_link_after(pos, c);
	free_list_len[order]++;
}

/* Take the chunk at p off its list; its frames stay FREE, no longer a head. */
static void free_unlink(pfn_t p, unsigned order)
{
	struct free_chunk *c = chunk_node(p);
	c->prev->next = c->next;
	c->next->prev = c->prev;
	free_list_len[order]--;
	frame_set_free_head(p, 0, false);
	if (order == PAGE_MAX_ORDER)
		block_set_reported(pfn_to_block(p), false);
}

static void mark_chunk(pfn_t p, unsigned order, enum frame_state s)
{
	if (order == 0)
		frame_set_state(p, s, 0, false);
	else
		frame_set_state_range(p, 1UL << order, s);
}

/* Merge the chunk at p (already FREE) with free buddies, and list it. */
static void chunk_merge(pfn_t p, unsigned order)
{
	while (order < PAGE_MAX_ORDER) {
		pfn_t buddy = pfn(p.n ^ (1UL << order));
		if (!frame_heads_free_chunk(buddy, order))
			break;
		free_unlink(buddy, order);
		p = pfn(p.n & ~(1UL << order));
		order++;
	}
	free_insert(p, order);
}

/* Mark the chunk FREE, merge it with free buddies, and list it. */
static void chunk_release(pfn_t p, unsigned order)
{
	mark_chunk(p, order, FRAME_FREE);
	chunk_merge(p, order);
}

/* Fill the empty cache with the lowest-order chunk there is, split to 32 pages at most. */
static bool page_cache_refill(void)
{
	unsigned o = 0;
	while (o <= PAGE_MAX_ORDER && free_list_len[o] == 0)
		o++;
	if (o > PAGE_MAX_ORDER)
		return false;
	pfn_t p = node_pfn(free_lists[o].next);
	free_unlink(p, o);
	while (o > PAGE_CACHE_REFILL_ORDER) {
		o--;
		free_insert(pfn(p.n + (1UL << o)), o);
	}
	for (unsigned long i = 1UL << o; i-- > 0;)
		page_cache[page_cache_len++] = pfn(p.n + i);
	return true;
}

static void page_cache_drain(void)
{
	while (page_cache_len)
		chunk_merge(page_cache[--page_cache_len], 0);
}

unsigned page_cache_frames(pfn_t *out)
{
	for (unsigned i = 0; i < page_cache_len; i++)
		out[i] = page_cache[i];
	return page_cache_len;
}

/* Take the free chunk p of order o off its list and hand out its first 2^order frames. */
static void take_from_chunk(pfn_t p, unsigned o, unsigned order)
{
	free_unlink(p, o);
	while (o > order) {
		o--;
		free_insert(pfn(p.n + (1UL << o)), o);
	}
	mark_chunk(p, order, FRAME_USED);
}

int buddy_alloc(unsigned order, pfn_t *out)
{
	unsigned o = order;
	if (order > PAGE_MAX_ORDER)
		return -EINVAL;
	while (o <= PAGE_MAX_ORDER && free_list_len[o] == 0)
		o++;
	if (o > PAGE_MAX_ORDER && page_cache_len) {
		page_cache_drain();
		return buddy_alloc(order, out);
	}
	if (o > PAGE_MAX_ORDER)
		return -ENOMEM;
	*out = node_pfn(free_lists[o].next);
	take_from_chunk(*out, o, order);
	return 0;
}

int buddy_alloc_in_block(unsigned long b, unsigned order, pfn_t *out)
{
	pfn_t best = pfn(~0UL);
	unsigned best_order = PAGE_MAX_ORDER + 1;
	page_cache_drain();
	if (block_state(b) != BLOCK_ONLINE || block_info(b)->nr_free < (1UL << order))
		return -ENOMEM;
	for (unsigned long i = 0; i < BLOCK_PAGES; i++) {
		pfn_t p = pfn(b * BLOCK_PAGES + i);
		if (frame_is_free_head(p) && frame_aux(p) >= order && frame_aux(p) < best_order) {
			best = p;
			best_order = frame_aux(p);
		}
	}
	if (best_order > PAGE_MAX_ORDER)
		return -ENOMEM;
	take_from_chunk(best, best_order, order);
	*out = best;
	return 0;
}

void buddy_free(pfn_t p, unsigned order)
{
	BUG_ON(order > PAGE_MAX_ORDER || (p.n & ((1UL << order) - 1)));
	frame_free_range(p, 1UL << order);
	chunk_merge(p, order);
}

void buddy_add_frames(pfn_t first, unsigned long n)
{
	BUG_ON(n && pfn_to_block(first) != pfn_to_block(pfn(first.n + n - 1)));
	while (n) {
		unsigned order = PAGE_MAX_ORDER;
		while ((first.n & ((1UL << order) - 1)) || (1UL << order) > n)
			order--;
		chunk_release(first, order);
		first.n += 1UL << order;
		n -= 1UL << order;
	}
}

bool buddy_take_free_block_where(bool (*ok)(unsigned long block), unsigned long *block)
{
	page_cache_drain();
	struct free_chunk *c = free_lists[PAGE_MAX_ORDER].prev; /* the list is sorted: highest last */
	while (c != &free_lists[PAGE_MAX_ORDER] && ok && !ok(pfn_to_block(node_pfn(c))))
		c = c->prev;
	if (c == &free_lists[PAGE_MAX_ORDER])
		return false;
	pfn_t p = node_pfn(c);
	free_unlink(p, PAGE_MAX_ORDER);
	*block = pfn_to_block(p);
	return true;
}

bool buddy_take_free_block(unsigned long *block) { return buddy_take_free_block_where(NULL, block); }

void buddy_add_reported_block(unsigned long b)
{
	buddy_add_frames(block_to_pfn(b), BLOCK_PAGES);
	block_set_reported(b, true);
}

void buddy_take_block_chunks(unsigned long b)
{
	pfn_t first = block_to_pfn(b);
	page_cache_drain();
	for (unsigned long i = 0; i < BLOCK_PAGES;) {
		pfn_t p = pfn(first.n + i);
		if (frame_is_free_head(p)) {
			unsigned order = frame_aux(p);
			free_unlink(p, order);
			i += 1UL << order;
		} else {
			i++;
		}
	}
}

int buddy_for_each_chunk(int (*fn)(pfn_t head, unsigned order, void *ctx), void *ctx)
{
	for (unsigned o = 0; o <= PAGE_MAX_ORDER; o++) {
		unsigned long seen = 0;
		for (struct free_chunk *c = free_lists[o].next; c != &free_lists[o]; c = c->next) {
			if (++seen > free_list_len[o] || c->next->prev != c)
				return -EIO; /* a cycle or a broken link */
			int rc = fn(node_pfn(c), o, ctx);
			if (rc)
				return rc;
		}
	}
	return 0;
}

unsigned long buddy_chunks(unsigned order) { return free_list_len[order]; }

static shortage_hook_t shortage_hook;
static unsigned long low_watermark;
static unsigned long alloc_failures;

unsigned long page_alloc_failures(void) { return alloc_failures; }

void page_alloc_set_shortage_hook(shortage_hook_t hook, unsigned long low_watermark_pages)
{
	shortage_hook = hook;
	low_watermark = low_watermark_pages;
}

/* Take 2^order frames from the cache or the free lists, without growing: 0 or -ENOMEM. */
static int alloc_now(unsigned order, pfn_t *out)
{
	if (order == 0 && (page_cache_len || page_cache_refill())) {
		*out = page_cache[--page_cache_len];
		frame_use_plain(*out);
		return 0;
	}
	return buddy_alloc(order, out);
}

static bool below_watermark(unsigned long need) { return nr_free_pages() < need + low_watermark; }

/* The free pages an allocation of need pages lacks to leave the low watermark free (0: none). */
static unsigned long shortfall(unsigned long need)
{
	return below_watermark(need) ? need + low_watermark - nr_free_pages() : 0;
}

static void *alloc_pages_slow(unsigned order)
{
	unsigned long need = 1UL << order;
	pfn_t p;
	/* the application's caches first: only what they cannot cover is pressure on the host */
	if (shortfall(need))
		shrinkers_drop(MAX(shortfall(need), SHRINK_BATCH_PAGES));
	if (shortage_hook && shortfall(need))
		shortage_hook(shortfall(need), false);
	if (alloc_now(order, &p) == 0)
		return frame_to_virt(p);
	/* enough free pages, none contiguous enough: only a new block helps */
	if (shortage_hook && order > 0 && shortage_hook(need, true) == 0 && alloc_now(order, &p) == 0)
		return frame_to_virt(p);
	/* the guest cannot grow: whatever the caches still hold goes before the allocation fails */
	if (shrinkers_drop(need) > 0 && alloc_now(order, &p) == 0)
		return frame_to_virt(p);
	alloc_failures++;
	return NULL;
}

void *alloc_pages(unsigned order)
{
	if (order == 0 && page_cache_len && !below_watermark(1)) { /* the fast path: a pop */
		pfn_t p = page_cache[--page_cache_len];
		frame_use_plain(p);
		return frame_to_virt(p);
	}
	return alloc_pages_slow(order);
}

void free_pages(void *va, unsigned order)
{
	if (!va)
		return;
	pfn_t p = virt_to_frame(va);
	if (order == 0 && page_cache_len < PAGE_CACHE_PAGES) {
		frame_free_plain(p);
		page_cache[page_cache_len++] = p;
		return;
	}
	buddy_free(p, order);
}
