/* The metadata reserve; see tide/metapool.h. */
#include <tide/lib.h>
#include <tide/metapool.h>
#include <tide/page_alloc.h>

static pfn_t pool[METAPOOL_FRAMES];
static unsigned pool_len;

int metapool_take(enum reserved_kind kind, pfn_t *out)
{
	if (pool_len == 0)
		return -ENOMEM;
	*out = pool[--pool_len];
	frame_set_state(*out, FRAME_RESERVED, kind, false);
	return 0;
}

void metapool_put(pfn_t p)
{
	BUG_ON(frame_state(p) != FRAME_RESERVED);
	if (pool_len < METAPOOL_FRAMES) {
		frame_set_state(p, FRAME_RESERVED, RESERVED_POOL, false);
		pool[pool_len++] = p;
	} else {
		buddy_add_frames(p, 1);
	}
}

/*
 * A frame for the reserve, from the lowest block that has one, boot blocks
 * before hot-added ones: metadata placed in a hot-added block would pin it,
 * and high blocks must stay free to drain and be returned whole.
 */
static bool take_low_frame(pfn_t *out)
{
	for (int pass = 0; pass < 2; pass++)
		for (unsigned long b = block_next_present(0); b < frames_nr_blocks();
		     b = block_next_present(b + 1)) {
			bool hotplugged = block_info(b)->flags & BLOCK_HOTPLUGGED;
			if (hotplugged == (pass == 0))
				continue;
			if (buddy_alloc_in_block(b, 0, out) == 0)
				return true;
		}
	return false;
}

unsigned metapool_refill(void)
{
	while (pool_len < METAPOOL_FRAMES) {
		pfn_t p;
		if (!take_low_frame(&p))
			break;
		frame_set_state(p, FRAME_RESERVED, RESERVED_POOL, false);
		pool[pool_len++] = p;
	}
	return METAPOOL_FRAMES - pool_len;
}

unsigned metapool_frames(void) { return pool_len; }
