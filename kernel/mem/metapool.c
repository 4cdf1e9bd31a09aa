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

unsigned metapool_refill(void)
{
	while (pool_len < METAPOOL_FRAMES) {
		pfn_t p;
		if (buddy_alloc(0, &p))
			break;
		frame_set_state(p, FRAME_RESERVED, RESERVED_POOL, false);
		pool[pool_len++] = p;
	}
	return METAPOOL_FRAMES - pool_len;
}

unsigned metapool_frames(void) { return pool_len; }
