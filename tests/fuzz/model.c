/*
 * The reference model of what the application holds, as plain as it can be.
 *
 * Page chunks, heap objects and frames taken from the metadata reserve sit in
 * numbered slots. Each carries a pattern made from its own id, written when
 * it is handed out and checked when it is given back and at every full
 * check, so a chunk handed out twice, a free-list node or heap header written
 * into held memory, or a frame given back under the application shows up.
 *
 * For the heap the model follows heap.h's contract: a small object of n
 * bytes takes a slot of the smallest class 16 << c >= n on a page of that
 * class only, at most (PAGE_SIZE - HEAP_HEADER_BYTES) / (16 << c) to a page,
 * and a new page only when no page of the class has room; a large one takes
 * a chunk of the smallest order that fits n + HEAP_HEADER_BYTES, the object
 * right after the header. Pages are counted as their objects come and go, so
 * the model knows how many frames the application holds (model_used_pages).
 */
#include <string.h>

#include <tide/heap.h>
#include <tide/platform.h>

#include "fuzz.h"
#include "model.h"

#define NR_CLASSES 8 /* 16 B .. 2 KiB */
#define MAX_FRAMES (FUZZ_MAX_BLOCKS * BLOCK_PAGES)

struct held {
	uint64_t id; /* 0: the slot is empty */
	char *va;
	size_t bytes;	/* page chunks: PAGE_SIZE << order; heap objects: as asked */
	unsigned order; /* of the chunk; for a small heap object, its size class */
};

static struct held pages[MODEL_PAGE_SLOTS], objects[MODEL_HEAP_SLOTS], metas[MODEL_META_SLOTS];
static uint64_t next_id;
static unsigned long page_frames, heap_frames, meta_count;
static size_t heap_bytes;
static uint16_t objects_on[MAX_FRAMES]; /* live small objects per heap page */
static uint8_t class_on[MAX_FRAMES];
static unsigned long roomy_pages[NR_CLASSES]; /* pages of the class with objects and room for more */

void model_reset(void)
{
	memset(pages, 0, sizeof(pages));
	memset(objects, 0, sizeof(objects));
	memset(metas, 0, sizeof(metas));
	memset(objects_on, 0, sizeof(objects_on));
	memset(roomy_pages, 0, sizeof(roomy_pages));
	next_id = 1;
	page_frames = heap_frames = meta_count = 0;
	heap_bytes = 0;
}

static uint64_t stamp(uint64_t id, size_t offset) { return mix64(id * GOLDEN ^ offset); }

/* Write, or check, the word of h's pattern at offset. */
static void pattern_word(const struct held *h, const char *what, size_t offset, bool write)
{
	uint64_t v, want = stamp(h->id, offset);
	if (write) {
		memcpy(h->va + offset, &want, sizeof(want));
		return;
	}
	memcpy(&v, h->va + offset, sizeof(v));
	EXPECT(v == want, "%s %p (%zu bytes, id %lu): pattern broken at offset %zu: %016lx, not %016lx", what,
	       (void *)h->va, h->bytes, (unsigned long)h->id, offset, (unsigned long)v, (unsigned long)want);
}

/*
 * Write (or check) the pattern of h: a word made from its id and the offset
 * at its start, at every page boundary inside it (where a free-list node or
 * a heap header would land), and at its end; an object of under 16 bytes has
 * every byte set to the low byte of its first word.
 */
static void pattern(const struct held *h, const char *what, bool write)
{
	uint8_t b = (uint8_t)stamp(h->id, 0);
	for (size_t i = 0; h->bytes < 16 && i < h->bytes; i++) {
		if (write)
			h->va[i] = (char)b;
		else
			EXPECT((uint8_t)h->va[i] == b, "%s %p (%zu bytes): byte %zu broken", what, (void *)h->va,
			       h->bytes, i);
	}
	for (size_t at = 0, last = h->bytes - 8; h->bytes >= 16;) {
		pattern_word(h, what, at, write);
		if (at == last)
			return;
		size_t boundary = at + PAGE_SIZE - (uintptr_t)(h->va + at) % PAGE_SIZE;
		at = boundary + 8 <= last ? boundary : last;
	}
}

static void hold(struct held *h, void *va, size_t bytes, unsigned order)
{
	*h = (struct held){.id = next_id++, .va = va, .bytes = bytes, .order = order};
	pattern(h, "", true);
}

bool model_page_held(unsigned slot) { return pages[slot].id != 0; }

void model_page_add(unsigned slot, void *va, unsigned order)
{
	pfn_t f = virt_to_frame(va);
	EXPECT((f.n & ((1UL << order) - 1)) == 0, "alloc_pages(%u) gave frame %lx, not aligned to its order", order, f.n);
	hold(&pages[slot], va, PAGE_SIZE << order, order);
	page_frames += 1UL << order;
}

void *model_page_take(unsigned slot, unsigned *order)
{
	struct held *h = &pages[slot];
	pattern(h, "page chunk", false);
	h->id = 0;
	page_frames -= 1UL << h->order;
	*order = h->order;
	return h->va;
}

static unsigned size_class(size_t n)
{
	unsigned c = 0;
	while ((16UL << c) < n)
		c++;
	return c;
}

static unsigned long per_page(unsigned c) { return (PAGE_SIZE - HEAP_HEADER_BYTES) / (16UL << c); }
static bool roomy(unsigned long f) { return objects_on[f] && objects_on[f] < per_page(class_on[f]); }

/* A small object of class c appeared at obj: check its place, count its page. */
static void small_enter(char *obj, unsigned c)
{
	unsigned long f = virt_to_frame(obj).n, at = (uintptr_t)obj % PAGE_SIZE;
	EXPECT(f < MAX_FRAMES, "heap object %p is outside the direct map", (void *)obj);
	EXPECT(at >= HEAP_HEADER_BYTES && (at - HEAP_HEADER_BYTES) % (16UL << c) == 0 &&
		       at + (16UL << c) <= PAGE_SIZE, "heap object %p of class %u is not at a slot of its class",
	       (void *)obj, c);
	if (objects_on[f] == 0) {
		EXPECT(roomy_pages[c] == 0, "heap took page %lx for class %u while %lu pages of it had room", f, c,
		       roomy_pages[c]);
		class_on[f] = (uint8_t)c;
		heap_frames++;
	}
	EXPECT(class_on[f] == c, "heap object %p of class %u on a page of class %u", (void *)obj, c, class_on[f]);
	EXPECT(objects_on[f] < per_page(c), "heap page %lx holds more than %lu objects", f, per_page(c));
	bool was = roomy(f);
	objects_on[f]++;
	roomy_pages[c] = roomy_pages[c] - was + roomy(f);
}

static void small_leave(char *obj)
{
	unsigned long f = virt_to_frame(obj).n;
	unsigned c = class_on[f];
	bool was = roomy(f);
	objects_on[f]--;
	roomy_pages[c] = roomy_pages[c] - was + roomy(f);
	if (objects_on[f] == 0)
		heap_frames--;
}

/* The order of the chunk a large object of n bytes takes, header included. */
static unsigned large_order(size_t n)
{
	unsigned order = 0;
	while ((PAGE_SIZE << order) < n + HEAP_HEADER_BYTES)
		order++;
	return order;
}

static void large_enter(char *obj, unsigned order)
{
	pfn_t f = virt_to_frame(obj);
	EXPECT((uintptr_t)obj % PAGE_SIZE == HEAP_HEADER_BYTES && (f.n & ((1UL << order) - 1)) == 0,
	       "large heap object %p is not right after the header of an order-%u chunk", (void *)obj, order);
	heap_frames += 1UL << order;
}

static bool all_zero(const char *p, size_t n)
{
	static const char zero[PAGE_SIZE];
	for (size_t k = 0; k < n; k += PAGE_SIZE)
		if (memcmp(p + k, zero, MIN(PAGE_SIZE, n - k)))
			return false;
	return true;
}

bool model_heap_held(unsigned slot) { return objects[slot].id != 0; }

void model_heap_add(unsigned slot, void *p, size_t n, bool zeroed)
{
	bool small = n <= HEAP_MAX_SMALL;
	unsigned order = small ? size_class(n) : large_order(n);
	EXPECT(((uintptr_t)p & 15) == 0, "heap object %p of %zu bytes is not 16-byte aligned", p, n);
	EXPECT(!zeroed || all_zero(p, n), "heap_calloc(%zu) gave %p, not all zero", n, p);
	if (small)
		small_enter(p, order);
	else
		large_enter(p, order);
	heap_bytes += small ? 16UL << order : PAGE_SIZE << order;
	hold(&objects[slot], p, n, order);
}

void *model_heap_take(unsigned slot)
{
	struct held *h = &objects[slot];
	pattern(h, "heap object", false);
	if (h->bytes <= HEAP_MAX_SMALL) {
		small_leave(h->va);
		heap_bytes -= 16UL << h->order;
	} else {
		heap_frames -= 1UL << h->order;
		heap_bytes -= PAGE_SIZE << h->order;
	}
	h->id = 0;
	return h->va;
}

unsigned long model_meta_count(void) { return meta_count; }

void model_meta_add(pfn_t p)
{
	hold(&metas[meta_count++], frame_to_virt(p), PAGE_SIZE, 0);
}

bool model_meta_moved(pfn_t from, pfn_t to)
{
	for (unsigned i = 0; i < meta_count; i++) {
		if (metas[i].va != frame_to_virt(from))
			continue;
		metas[i].va = frame_to_virt(to);
		return true;
	}
	return false;
}

pfn_t model_meta_take(void)
{
	struct held *h = &metas[--meta_count];
	pattern(h, "reserve frame", false);
	h->id = 0;
	return virt_to_frame(h->va);
}

unsigned long model_used_pages(void) { return page_frames + heap_frames; }
size_t model_heap_bytes(void) { return heap_bytes; }

void model_check_all(void)
{
	for (unsigned i = 0; i < MODEL_PAGE_SLOTS; i++)
		if (pages[i].id)
			pattern(&pages[i], "page chunk", false);
	for (unsigned i = 0; i < MODEL_HEAP_SLOTS; i++)
		if (objects[i].id)
			pattern(&objects[i], "heap object", false);
	for (unsigned i = 0; i < meta_count; i++)
		pattern(&metas[i], "reserve frame", false);
}
