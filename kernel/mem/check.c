/*
 * Invariant checker (see tide/mem_check.h). Invariants:
 *  1. every frame has one state; a block's frames agree with its state;
 *  2. the global, per-kind and per-block counters equal a fresh recount;
 *  3. each free chunk is aligned, starts with a head marked with its order,
 *     covers only FREE non-head frames, has no free buddy of its order, and
 *     the order-9 list is sorted; the chunks and the page cache (FREE
 *     non-head frames, each once) cover exactly the FREE frames;
 *  4. FREE + USED + RESERVED equals the platform's reservation;
 *  5. the platform's own invariants hold (platform_check: on PV, the direct
 *     map and the p2m agree with the frame states).
 */
#include <tide/lib.h>
#include <tide/mem_check.h>
#include <tide/buddy.h>
#include <tide/platform.h>

#define FAIL(...)                                                               \
	do {                                                                    \
		printk("check: " __VA_ARGS__);                                  \
		printk("\n");                                                   \
		return -EINVAL;                                                 \
	} while (0)

struct recount {
	unsigned long state[FRAME_NR_STATES];
	unsigned long kind[RESERVED_NR_KINDS];
	unsigned long block[BLOCK_NR_STATES];
	unsigned long heads;
};

static int check_online_block(unsigned long b, struct recount *r)
{
	const struct block_info *bi = block_info(b);
	unsigned long nfree = 0, nused = 0, npop = 0;
	for (unsigned long i = 0; i < BLOCK_PAGES; i++) {
		pfn_t p = pfn(b * BLOCK_PAGES + i);
		enum frame_state s = frame_state(p);
		if (s == FRAME_HOLE || s >= FRAME_NR_STATES)
			FAIL("frame %lx of online block %lu has state %d", p.n, b, s);
		r->state[s]++;
		if (s == FRAME_RESERVED) {
			if (frame_aux(p) >= RESERVED_NR_KINDS)
				FAIL("reserved frame %lx has kind %u", p.n, frame_aux(p));
			r->kind[frame_aux(p)]++;
		}
		if (frame_is_free_head(p))
			r->heads++;
		nfree += s == FRAME_FREE;
		nused += s == FRAME_USED;
		npop += s == FRAME_FREE || s == FRAME_USED || s == FRAME_RESERVED;
	}
	if (nfree != bi->nr_free || nused != bi->nr_used || npop != bi->nr_populated)
		FAIL("block %lu counts free %u used %u populated %u, recount %lu %lu %lu", b,
		     bi->nr_free, bi->nr_used, bi->nr_populated, nfree, nused, npop);
	pfn_t first = block_to_pfn(b);
	if ((bi->flags & BLOCK_REPORTED) && !(frame_is_free_head(first) && frame_aux(first) == PAGE_MAX_ORDER))
		FAIL("block %lu is marked reported but is not one free chunk", b);
	return 0;
}

static int check_counts(void)
{
	struct recount r = {0};
	for (unsigned long b = 0; b < frames_nr_blocks(); b++) {
		enum block_state bs = block_state(b);
		r.block[bs]++;
		if (bs == BLOCK_ABSENT)
			r.state[FRAME_UNPOPULATED] += BLOCK_PAGES;
		else if (bs == BLOCK_HOLE)
			r.state[FRAME_HOLE] += BLOCK_PAGES;
		else if (check_online_block(b, &r))
			return -EINVAL;
	}
	for (int s = 0; s < FRAME_NR_STATES; s++)
		if (r.state[s] != frames_in_state(s))
			FAIL("%lu frames are %s, counter says %lu", r.state[s],
			     frame_state_name(s), frames_in_state(s));
	for (int k = 0; k < RESERVED_NR_KINDS; k++)
		if (r.kind[k] != frames_reserved(k))
			FAIL("%lu frames reserved for %s, counter says %lu", r.kind[k],
			     reserved_kind_name(k), frames_reserved(k));
	for (int s = 0; s < BLOCK_NR_STATES; s++)
		if (r.block[s] != blocks_in_state(s))
			FAIL("%lu blocks in state %d, counter says %lu", r.block[s], s, blocks_in_state(s));
	unsigned long chunks = 0;
	for (unsigned o = 0; o <= PAGE_MAX_ORDER; o++)
		chunks += buddy_chunks(o);
	if (r.heads != chunks)
		FAIL("%lu frames are marked as free-chunk heads, free lists hold %lu", r.heads, chunks);
	return 0;
}

struct chunk_walk {
	unsigned long frames;
	unsigned long last_block_pfn;
};

static int check_chunk(pfn_t head, unsigned order, void *ctx)
{
	struct chunk_walk *w = ctx;
	if (head.n & ((1UL << order) - 1))
		FAIL("free chunk %lx of order %u is misaligned", head.n, order);
	if (!frame_is_free_head(head) || frame_aux(head) != order)
		FAIL("free chunk %lx is not marked as a head of order %u", head.n, order);
	for (unsigned long i = 1; i < (1UL << order); i++) {
		pfn_t p = pfn(head.n + i);
		if (frame_state(p) != FRAME_FREE || frame_is_free_head(p))
			FAIL("frame %lx inside free chunk %lx is %s%s", p.n, head.n,
			     frame_state_name(frame_state(p)), frame_is_free_head(p) ? " (head)" : "");
	}
	if (order < PAGE_MAX_ORDER) {
		pfn_t buddy = pfn(head.n ^ (1UL << order));
		if (frame_is_free_head(buddy) && frame_aux(buddy) == order)
			FAIL("free chunks %lx and %lx of order %u were not merged", head.n, buddy.n, order);
	} else {
		if (w->last_block_pfn != ~0UL && w->last_block_pfn >= head.n)
			FAIL("free blocks out of order: %lx after %lx", head.n, w->last_block_pfn);
		w->last_block_pfn = head.n;
	}
	w->frames += 1UL << order;
	return 0;
}

int mem_check(void)
{
	if (check_counts())
		return -EINVAL;
	struct chunk_walk w = {0, ~0UL};
	int rc = buddy_for_each_chunk(check_chunk, &w);
	if (rc == -EIO)
		FAIL("a free list is broken (cycle or bad link)");
	if (rc)
		return rc;
	pfn_t cached[PAGE_CACHE_PAGES];
	unsigned ncached = page_cache_frames(cached);
	for (unsigned i = 0; i < ncached; i++) {
		if (frame_state(cached[i]) != FRAME_FREE || frame_is_free_head(cached[i]))
			FAIL("cached page %lx is %s%s", cached[i].n, frame_state_name(frame_state(cached[i])),
			     frame_is_free_head(cached[i]) ? " (head)" : "");
		for (unsigned j = 0; j < i; j++)
			if (cached[j].n == cached[i].n)
				FAIL("page %lx is cached twice", cached[i].n);
	}
	w.frames += ncached;
	if (w.frames != nr_free_pages())
		FAIL("free lists hold %lu frames, %lu are free", w.frames, nr_free_pages());
	long held = platform_reservation_pages();
	if (held < 0)
		FAIL("cannot read the reservation: %ld", held);
	if ((unsigned long)held != frames_populated())
		FAIL("guest holds %lu frames, the hypervisor says %ld", frames_populated(), held);
	return platform_check();
}
