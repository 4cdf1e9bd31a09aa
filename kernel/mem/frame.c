/*
 * Frame and block state tables and their counters. See tide/frame.h for the
 * model. A frame's byte holds: bits 0-2 the state, bits 3-6 the aux value
 * (reserved kind, or free-chunk order), bit 7 the free-chunk-head flag.
 */
#include <tide/frame.h>
#include <tide/lib.h>
#include <tide/platform.h>

#define STATE_MASK 0x07
#define AUX_SHIFT 3
#define AUX_MASK 0x78
#define HEAD_FLAG 0x80

static uint8_t *frame_bytes;
static struct block_info *blocks;
static unsigned long nr_blocks;
static unsigned long state_count[FRAME_NR_STATES];
static unsigned long kind_count[RESERVED_NR_KINDS];
static unsigned long block_count[BLOCK_NR_STATES];
/* Non-absent blocks per page of the block table: a page is backed while this is non-zero. */
static uint16_t table_page_users[MAX_BLOCKS / BLOCKS_PER_TABLE_PAGE];

void frames_init(uint8_t *fbytes, struct block_info *btable, unsigned long nblocks)
{
	BUG_ON(nblocks == 0 || nblocks > MAX_BLOCKS);
	frame_bytes = fbytes;
	blocks = btable;
	nr_blocks = nblocks;
	memset(state_count, 0, sizeof(state_count));
	memset(kind_count, 0, sizeof(kind_count));
	memset(block_count, 0, sizeof(block_count));
	memset(table_page_users, 0, sizeof(table_page_users));
	state_count[FRAME_UNPOPULATED] = nblocks * BLOCK_PAGES;
	block_count[BLOCK_ABSENT] = nblocks;
}

unsigned long frames_nr_blocks(void) { return nr_blocks; }

static bool table_page_backed(unsigned long b)
{
	return table_page_users[b / BLOCKS_PER_TABLE_PAGE] != 0;
}

enum block_state block_state(unsigned long b)
{
	BUG_ON(b >= nr_blocks);
	return table_page_backed(b) ? (enum block_state)blocks[b].state : BLOCK_ABSENT;
}

unsigned long block_next_present(unsigned long b)
{
	while (b < nr_blocks) {
		if (!table_page_backed(b))
			b = (b / BLOCKS_PER_TABLE_PAGE + 1) * BLOCKS_PER_TABLE_PAGE;
		else if (blocks[b].state == BLOCK_ABSENT)
			b++;
		else
			return b;
	}
	return nr_blocks;
}

const struct block_info *block_info(unsigned long b)
{
	static const struct block_info absent;
	return block_state(b) == BLOCK_ABSENT ? &absent : &blocks[b];
}

enum frame_state frame_state(pfn_t p)
{
	unsigned long b = pfn_to_block(p);
	switch (block_state(b)) {
	case BLOCK_HOLE:
		return FRAME_HOLE;
	case BLOCK_ONLINE:
		return (enum frame_state)(frame_bytes[p.n] & STATE_MASK);
	default:
		return FRAME_UNPOPULATED;
	}
}

unsigned frame_aux(pfn_t p)
{
	BUG_ON(block_state(pfn_to_block(p)) != BLOCK_ONLINE);
	return (frame_bytes[p.n] & AUX_MASK) >> AUX_SHIFT;
}

bool frame_is_free_head(pfn_t p)
{
	return block_state(pfn_to_block(p)) == BLOCK_ONLINE && (frame_bytes[p.n] & HEAD_FLAG);
}

static void count_block_frame(struct block_info *bi, enum frame_state s, int delta)
{
	if (s == FRAME_FREE)
		bi->nr_free = (uint16_t)(bi->nr_free + delta);
	else if (s == FRAME_USED)
		bi->nr_used = (uint16_t)(bi->nr_used + delta);
	if (s == FRAME_FREE || s == FRAME_USED || s == FRAME_RESERVED)
		bi->nr_populated = (uint16_t)(bi->nr_populated + delta);
}

void frame_set_state(pfn_t p, enum frame_state s, unsigned aux, bool head)
{
	unsigned long b = pfn_to_block(p);
	BUG_ON(block_state(b) != BLOCK_ONLINE || s == FRAME_HOLE || s >= FRAME_NR_STATES);
	BUG_ON(aux > (AUX_MASK >> AUX_SHIFT));
	uint8_t old = frame_bytes[p.n];
	enum frame_state old_state = (enum frame_state)(old & STATE_MASK);
	struct block_info *bi = &blocks[b];

	state_count[old_state]--;
	count_block_frame(bi, old_state, -1);
	if (old_state == FRAME_RESERVED)
		kind_count[(old & AUX_MASK) >> AUX_SHIFT]--;

	frame_bytes[p.n] = (uint8_t)(s | (aux << AUX_SHIFT) | (head ? HEAD_FLAG : 0));
	state_count[s]++;
	count_block_frame(bi, s, +1);
	if (s == FRAME_RESERVED) {
		BUG_ON(aux >= RESERVED_NR_KINDS);
		kind_count[aux]++;
	}
}

/* Back (or release) the page of frame-state bytes shared by the blocks around b. */
static bool state_page_has_online_block(unsigned long b, unsigned long except)
{
	unsigned long first = b - b % BLOCKS_PER_STATE_PAGE;
	for (unsigned long i = first; i < first + BLOCKS_PER_STATE_PAGE && i < nr_blocks; i++)
		if (i != except && block_state(i) == BLOCK_ONLINE)
			return true;
	return false;
}

static int block_make_present(unsigned long b)
{
	uint16_t *users = &table_page_users[b / BLOCKS_PER_TABLE_PAGE];
	if (*users == 0) {
		int rc = platform_meta_back(&blocks[b]);
		if (rc)
			return rc;
	}
	(*users)++;
	return 0;
}

static void block_make_absent(unsigned long b)
{
	uint16_t *users = &table_page_users[b / BLOCKS_PER_TABLE_PAGE];
	memset(&blocks[b], 0, sizeof(blocks[b]));
	if (--(*users) == 0)
		platform_meta_release(&blocks[b]);
}

static int block_go_online(unsigned long b, unsigned flags)
{
	bool state_page_backed = state_page_has_online_block(b, b);
	int rc = block_make_present(b);
	if (rc)
		return rc;
	if (!state_page_backed) {
		rc = platform_meta_back(&frame_bytes[b * BLOCK_PAGES]);
		if (rc) {
			block_make_absent(b);
			return rc;
		}
	}
	memset(&frame_bytes[b * BLOCK_PAGES], FRAME_UNPOPULATED, BLOCK_PAGES);
	blocks[b] = (struct block_info){.state = BLOCK_ONLINE, .flags = (uint8_t)flags};
	return 0;
}

int block_set_state(unsigned long b, enum block_state s, unsigned flags)
{
	enum block_state old = block_state(b);
	int rc = 0;
	if (old == s)
		return 0;
	if (old == BLOCK_ABSENT && s == BLOCK_ONLINE) {
		rc = block_go_online(b, flags);
	} else if (old == BLOCK_ONLINE && s == BLOCK_ABSENT) {
		BUG_ON(blocks[b].nr_populated != 0);
		if (!state_page_has_online_block(b, b))
			platform_meta_release(&frame_bytes[b * BLOCK_PAGES]);
		block_make_absent(b);
	} else if (old == BLOCK_ABSENT && s == BLOCK_HOLE) {
		rc = block_make_present(b);
		if (!rc) {
			blocks[b] = (struct block_info){.state = BLOCK_HOLE};
			state_count[FRAME_UNPOPULATED] -= BLOCK_PAGES;
			state_count[FRAME_HOLE] += BLOCK_PAGES;
		}
	} else {
		panic("block_set_state: block %lu cannot go from %d to %d", b, old, s);
	}
	if (!rc) {
		block_count[old]--;
		block_count[s]++;
	}
	return rc;
}

unsigned long frames_in_state(enum frame_state s) { return state_count[s]; }
unsigned long frames_reserved(enum reserved_kind k) { return kind_count[k]; }
unsigned long blocks_in_state(enum block_state s) { return block_count[s]; }
unsigned long nr_free_pages(void) { return state_count[FRAME_FREE]; }

unsigned long frames_populated(void)
{
	return state_count[FRAME_FREE] + state_count[FRAME_USED] + state_count[FRAME_RESERVED];
}

const char *frame_state_name(enum frame_state s)
{
	static const char *const names[] = {"hole", "unpopulated", "free", "used", "reserved"};
	return s < FRAME_NR_STATES ? names[s] : "?";
}

const char *reserved_kind_name(enum reserved_kind k)
{
	static const char *const names[] = {"kernel", "pagetable", "p2m", "meta", "pool"};
	return k < RESERVED_NR_KINDS ? names[k] : "?";
}
