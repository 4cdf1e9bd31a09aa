/* The metadata reserve; see tide/metapool.h. */
#include <tide/lib.h>
#include <tide/metapool.h>
#include <tide/buddy.h>

static pfn_t pool[METAPOOL_FRAMES];
static unsigned pool_len;

void metapool_init(void) { pool_len = 0; }

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

/* A frame from the lowest block below `below` of the given kind (boot or hot-added) that has one. */
static bool take_frame_from(bool hotplugged, unsigned long below, pfn_t *out)
{
	unsigned long end = MIN(below, frames_nr_blocks());
	for (unsigned long b = block_next_present(0); b < end; b = block_next_present(b + 1))
		if (!(block_info(b)->flags & BLOCK_HOTPLUGGED) == !hotplugged &&
		    buddy_alloc_in_block(b, 0, out) == 0)
			return true;
	return false;
}

bool metapool_frame_below(unsigned long b, pfn_t *out)
{
	return take_frame_from(false, ~0UL, out) || take_frame_from(true, b, out);
}

/*
 * A frame for the reserve, from the lowest block that has one, boot blocks
 * before hot-added ones: metadata placed in a hot-added block would pin it,
 * and high blocks must stay free to drain and be returned whole.
 */
static bool take_low_frame(pfn_t *out) { return metapool_frame_below(~0UL, out); }

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

/* Reserve frame i moves to frame other (taken off the allocator); its old frame goes back. */
static void replace_pool_frame(unsigned i, pfn_t other)
{
	frame_set_state(other, FRAME_RESERVED, RESERVED_POOL, false);
	buddy_add_frames(pool[i], 1);
	pool[i] = other;
}

bool metapool_move_out_of(unsigned long b)
{
	for (unsigned i = 0; i < pool_len; i++) {
		pfn_t other;
		if (pfn_to_block(pool[i]) != b)
			continue;
		if (!metapool_frame_below(b, &other))
			return false;
		replace_pool_frame(i, other);
	}
	return true;
}

void metapool_move_low(void)
{
	for (unsigned i = 0; i < pool_len; i++) {
		if (!(block_info(pfn_to_block(pool[i]))->flags & BLOCK_HOTPLUGGED))
			continue;
		pfn_t low;
		if (!take_frame_from(false, ~0UL, &low))
			return; /* no room in boot memory: keep the rest where they are */
		replace_pool_frame(i, low);
	}
}

unsigned metapool_frames(void) { return pool_len; }
