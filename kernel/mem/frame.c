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

void block_set_reported(unsigned long b, bool reported)
{
	if (block_state(b) != BLOCK_ONLINE)
		return;
	if (reported)
		blocks[b].flags |= BLOCK_REPORTED;
	else
		blocks[b].flags &= (uint8_t)~BLOCK_REPORTED;
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

/* Per-state contributions to a block's counters, so that the setter needs no branches. */
static const uint8_t is_free[FRAME_NR_STATES] = {[FRAME_FREE] = 1};
static const uint8_t is_used[FRAME_NR_STATES] = {[FRAME_USED] = 1};
static const uint8_t is_populated[FRAME_NR_STATES] = {[FRAME_FREE] = 1, [FRAME_USED] = 1, [FRAME_RESERVED] = 1};

void frame_set_state(pfn_t p, enum frame_state s, unsigned aux, bool head)
{
	struct block_info *bi = &blocks[pfn_to_block(p)];
	/* reading bi faults if the block's table page is unbacked: the block is absent then */
	BUG_ON(p.n >= nr_blocks * BLOCK_PAGES || bi->state != BLOCK_ONLINE);
	BUG_ON(s == FRAME_HOLE || s >= FRAME_NR_STATES || aux > (AUX_MASK >> AUX_SHIFT));
	uint8_t old = frame_bytes[p.n];
	enum frame_state o = (enum frame_state)(old & STATE_MASK);

	state_count[o]--;
	state_count[s]++;
	bi->nr_free = (uint16_t)(bi->nr_free - is_free[o] + is_free[s]);
	bi->nr_used = (uint16_t)(bi->nr_used - is_used[o] + is_used[s]);
	bi->nr_populated = (uint16_t)(bi->nr_populated - is_populated[o] + is_populated[s]);
	if (o == FRAME_RESERVED)
		kind_count[(old & AUX_MASK) >> AUX_SHIFT]--;
	if (s == FRAME_RESERVED) {
		BUG_ON(aux >= RESERVED_NR_KINDS);
		kind_count[aux]++;
	}
	frame_bytes[p.n] = (uint8_t)(s | (aux << AUX_SHIFT) | (head ? HEAD_FLAG : 0));
}

void frame_set_state_range(pfn_t first, unsigned long n, enum frame_state s)
{
	struct block_info *bi = &blocks[pfn_to_block(first)];
	unsigned long was[FRAME_NR_STATES] = {0};
	BUG_ON(n == 0 || pfn_to_block(first) != pfn_to_block(pfn(first.n + n - 1)));
	BUG_ON(first.n + n > nr_blocks * BLOCK_PAGES || bi->state != BLOCK_ONLINE);
	BUG_ON(s == FRAME_HOLE || s == FRAME_RESERVED || s >= FRAME_NR_STATES);
	uint8_t *bytes = &frame_bytes[first.n];
	for (unsigned long i = 0; i < n; i++) {
		enum frame_state o = (enum frame_state)(bytes[i] & STATE_MASK);
		was[o]++;
		if (o == FRAME_RESERVED)
			kind_count[(bytes[i] & AUX_MASK) >> AUX_SHIFT]--;
		bytes[i] = (uint8_t)s;
	}
	for (int o = 0; o < FRAME_NR_STATES; o++) {
		state_count[o] -= was[o];
		bi->nr_free = (uint16_t)(bi->nr_free - was[o] * is_free[o]);
		bi->nr_used = (uint16_t)(bi->nr_used - was[o] * is_used[o]);
		bi->nr_populated = (uint16_t)(bi->nr_populated - was[o] * is_populated[o]);
	}
	state_count[s] += n;
	bi->nr_free = (uint16_t)(bi->nr_free + n * is_free[s]);
	bi->nr_used = (uint16_t)(bi->nr_used + n * is_used[s]);
	bi->nr_populated = (uint16_t)(bi->nr_populated + n * is_populated[s]);
}

__attribute__((always_inline)) inline void frame_use_plain(pfn_t p)
{
	struct block_info *bi = &blocks[pfn_to_block(p)];
	BUG_ON(p.n >= nr_blocks * BLOCK_PAGES || frame_bytes[p.n] != FRAME_FREE);
	frame_bytes[p.n] = FRAME_USED;
	state_count[FRAME_FREE]--;
	state_count[FRAME_USED]++;
	bi->nr_free--;
	bi->nr_used++;
}

/* block_state(b) == BLOCK_ONLINE for any b, without its BUG_ON: the free paths panic with their own message. */
static bool block_online(unsigned long b)
{
	return b < nr_blocks && table_page_backed(b) && blocks[b].state == BLOCK_ONLINE;
}

void frame_free_plain(pfn_t p)
{
	unsigned long b = pfn_to_block(p);
	if (!block_online(b) || frame_bytes[p.n] != FRAME_USED)
		panic("free_pages: frame %lx is %s, not used", p.n, frame_state_name(frame_state(p)));
	frame_bytes[p.n] = FRAME_FREE;
	state_count[FRAME_USED]--;
	state_count[FRAME_FREE]++;
	blocks[b].nr_used--;
	blocks[b].nr_free++;
}

void frame_free_range(pfn_t first, unsigned long n)
{
	unsigned long b = pfn_to_block(first);
	BUG_ON(n == 0 || b != pfn_to_block(pfn(first.n + n - 1)) || !block_online(b));
	uint8_t *bytes = &frame_bytes[first.n];
	for (unsigned long i = 0; i < n; i++)
		if (bytes[i] != FRAME_USED)
			panic("free_pages: frame %lx is %s, not used", first.n + i,
			      frame_state_name(frame_state(pfn(first.n + i))));
	memset(bytes, FRAME_FREE, n);
	state_count[FRAME_USED] -= n;
	state_count[FRAME_FREE] += n;
	blocks[b].nr_used = (uint16_t)(blocks[b].nr_used - n);
	blocks[b].nr_free = (uint16_t)(blocks[b].nr_free + n);
}

bool frame_heads_free_chunk(pfn_t p, unsigned order)
{
	return frame_bytes[p.n] == (uint8_t)(FRAME_FREE | (order << AUX_SHIFT) | HEAD_FLAG);
}

void frame_set_free_head(pfn_t p, unsigned order, bool head)
{
	BUG_ON((frame_bytes[p.n] & STATE_MASK) != FRAME_FREE);
	frame_bytes[p.n] = (uint8_t)(FRAME_FREE | (head ? (order << AUX_SHIFT) | HEAD_FLAG : 0));
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

unsigned long frames_ballooned(void)
{
	return state_count[FRAME_UNPOPULATED] - block_count[BLOCK_ABSENT] * BLOCK_PAGES;
}

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
