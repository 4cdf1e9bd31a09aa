/*
 * Frame and block states: the memory model every other part of Tide obeys.
 *
 * Every guest frame (pfn) below the pfn limit is in exactly one state:
 *
 *   HOLE         not RAM in the memory map; never populated
 *   UNPOPULATED  address space kept for growth, or ballooned out: no machine
 *                frame behind it
 *   FREE         populated and in the page allocator
 *   USED         populated and handed out by the page allocator
 *   RESERVED     populated and owned by the kernel (image, page tables, p2m,
 *                metadata, the metadata reserve); its kind says which
 *
 * Frames are grouped in 2 MiB blocks, the unit in which memory is hot-added
 * and returned. A block is:
 *
 *   ABSENT   nothing behind it: all its frames count as UNPOPULATED and no
 *            per-frame metadata exists for it (the state of a block never
 *            added, or unplugged)
 *   HOLE     in a memory-map hole: all its frames count as HOLE
 *   ONLINE   its per-frame state bytes exist; its frames may be in any state
 *            but HOLE. A HOTPLUGGED online block was added above the boot
 *            boundary and carries its own metadata in its first frames, so
 *            it can be returned whole once it holds nothing else.
 *
 * Transitions happen only through frame_set_state() and block_set_state(),
 * which keep the per-state counters (globally and per block) that the
 * invariant checker recomputes from scratch.
 *
 * Storage: one byte per frame of an online block and one small struct per
 * block, in arrays the platform places in reserved virtual space and backs
 * with memory page by page as blocks come online (platform_meta_back).
 */
#ifndef TIDE_FRAME_H
#define TIDE_FRAME_H

#include <tide/types.h>

enum frame_state {
	FRAME_HOLE,
	FRAME_UNPOPULATED,
	FRAME_FREE,
	FRAME_USED,
	FRAME_RESERVED,
	FRAME_NR_STATES
};

enum reserved_kind {
	RESERVED_KERNEL,    /* image and Xen's start-of-day structures */
	RESERVED_PAGETABLE, /* page-table frames */
	RESERVED_P2M,       /* the PV p2m list and its frame lists */
	RESERVED_META,      /* frame-state and block tables */
	RESERVED_POOL,      /* metadata reserve, kept for growth */
	RESERVED_NR_KINDS
};

enum block_state { BLOCK_ABSENT, BLOCK_HOLE, BLOCK_ONLINE, BLOCK_NR_STATES };

#define BLOCK_HOTPLUGGED 0x1
/*
 * The block has been one free chunk since the host was told its frames are
 * free (virtio-balloon free page reporting): set by buddy_add_reported_block,
 * cleared when the chunk leaves the free lists (allocated, split, taken).
 */
#define BLOCK_REPORTED 0x2

struct block_info {
	uint8_t state;	  /* enum block_state */
	uint8_t flags;	  /* BLOCK_HOTPLUGGED, BLOCK_REPORTED */
	uint16_t nr_free; /* frames in FRAME_FREE */
	uint16_t nr_used; /* frames in FRAME_USED */
	uint16_t nr_populated;
};

/* The largest pfn space Tide supports (the direct map's size): 512 GiB. */
#define MAX_BLOCKS (GIB(512) / BLOCK_BYTES)
/* Block-table entries that share one page of backing. */
#define BLOCKS_PER_TABLE_PAGE (PAGE_SIZE / sizeof(struct block_info))
/* Blocks whose frame-state bytes share one page of backing. */
#define BLOCKS_PER_STATE_PAGE (PAGE_SIZE / BLOCK_PAGES)

static inline unsigned long pfn_to_block(pfn_t p) { return p.n >> BLOCK_ORDER; }
static inline pfn_t block_to_pfn(unsigned long b) { return pfn(b << BLOCK_ORDER); }

/*
 * Set up empty tables for nr_blocks blocks (all ABSENT). frame_bytes and
 * blocks point at reserved virtual space: the core asks the platform to back
 * a page before it first touches it.
 */
void frames_init(uint8_t *frame_bytes, struct block_info *blocks, unsigned long nr_blocks);
unsigned long frames_nr_blocks(void);

enum frame_state frame_state(pfn_t p);
/* For a RESERVED frame, its kind; for a FREE frame, its chunk order (free-chunk heads only). */
unsigned frame_aux(pfn_t p);
bool frame_is_free_head(pfn_t p);
/*
 * The one setter of a frame's state. aux is the reserved kind or, for a free
 * chunk's head, its order (with head = true). Keeps every counter.
 */
void frame_set_state(pfn_t p, enum frame_state s, unsigned aux, bool head);
/*
 * frame_set_state() for n frames of one block, none becoming a head or
 * reserved: the same counters, kept in one pass.
 */
void frame_set_state_range(pfn_t first, unsigned long n, enum frame_state s);
/*
 * The single-page fast path of allocating and freeing, for a plain frame
 * (no head, no aux): FREE to USED, and USED to FREE. frame_free_plain
 * panics unless p is a USED frame of an online block (a double free, or a
 * pointer that was never allocated).
 */
void frame_use_plain(pfn_t p);
void frame_free_plain(pfn_t p);
/* frame_free_plain for n frames of one online block, the counters kept once. */
void frame_free_range(pfn_t first, unsigned long n);
/* Whether p, a frame of an online block, heads a free chunk of exactly this order: one byte read. */
bool frame_heads_free_chunk(pfn_t p, unsigned order);
/* Mark a FREE frame as the head of a free chunk of the given order, or not: no counter changes. */
void frame_set_free_head(pfn_t p, unsigned order, bool head);

/*
 * Change a block's state. ABSENT -> ONLINE backs its state bytes (-ENOMEM
 * when the platform cannot) and marks its frames UNPOPULATED. ONLINE ->
 * ABSENT requires every frame UNPOPULATED and releases the backing once no
 * block sharing it is online. ABSENT -> HOLE marks a memory-map hole.
 */
int block_set_state(unsigned long b, enum block_state s, unsigned flags);
enum block_state block_state(unsigned long b);
/* The first block >= b that is not ABSENT, or frames_nr_blocks(); skips empty table pages fast. */
unsigned long block_next_present(unsigned long b);
const struct block_info *block_info(unsigned long b);
/* Set or clear BLOCK_REPORTED on online block b (the allocator's; see the flag). */
void block_set_reported(unsigned long b, bool reported);

unsigned long frames_in_state(enum frame_state s);
unsigned long frames_reserved(enum reserved_kind k);
unsigned long blocks_in_state(enum block_state s);
unsigned long nr_free_pages(void);
/* Frames of online blocks that are not populated: ballooned out, or the rest of a partly hot-added block. */
unsigned long frames_ballooned(void);
/* Frames that have a machine frame behind them: FREE + USED + RESERVED. */
unsigned long frames_populated(void);

const char *frame_state_name(enum frame_state s);
const char *reserved_kind_name(enum reserved_kind k);

#endif
