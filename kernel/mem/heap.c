/*
 * Heap on top of the page allocator.
 *
 * Every heap page starts with a header saying what it holds. A small-object
 * page holds objects of one size class (16 B to 2 KiB, powers of two) with a
 * free list threaded through the free objects; pages with free objects sit
 * on their class's partial list, and a page whose objects are all free goes
 * back to the page allocator. A large object gets a chunk of 2^order pages
 * with the header in front of it.
 */
#include <tide/heap.h>
#include <tide/lib.h>
#include <tide/page_alloc.h>

#define HEAP_MAGIC_SMALL 0x534d4c4cU
#define HEAP_MAGIC_LARGE 0x4c524745U
#define NR_CLASSES 8 /* 16 << 0 .. 16 << 7 = 2048 */

struct heap_page {
	uint32_t magic;
	uint16_t class_or_order;
	uint16_t nr_free;
	void *free_objects;
	struct heap_page *next, *prev; /* partial list of the class */
};
_Static_assert(sizeof(struct heap_page) <= HEAP_HEADER_BYTES, "heap page header too large");

static struct heap_page *partial[NR_CLASSES];
static size_t bytes_in_use;

static size_t class_size(unsigned c) { return 16UL << c; }
static unsigned long objects_per_page(unsigned c) { return (PAGE_SIZE - HEAP_HEADER_BYTES) / class_size(c); }

static void partial_remove(struct heap_page *pg, unsigned c)
{
	if (pg->prev)
		pg->prev->next = pg->next;
	else
		partial[c] = pg->next;
	if (pg->next)
		pg->next->prev = pg->prev;
	pg->next = pg->prev = NULL;
}

static void partial_push(struct heap_page *pg, unsigned c)
{
	pg->prev = NULL;
	pg->next = partial[c];
	if (partial[c])
		partial[c]->prev = pg;
	partial[c] = pg;
}

static struct heap_page *small_page_new(unsigned c)
{
	struct heap_page *pg = alloc_page();
	if (!pg)
		return NULL;
	*pg = (struct heap_page){.magic = HEAP_MAGIC_SMALL, .class_or_order = (uint16_t)c};
	char *obj = (char *)pg + HEAP_HEADER_BYTES;
	for (unsigned long i = 0; i < objects_per_page(c); i++, obj += class_size(c)) {
		*(void **)obj = pg->free_objects;
		pg->free_objects = obj;
		pg->nr_free++;
	}
	partial_push(pg, c);
	return pg;
}

static void *small_alloc(unsigned c)
{
	struct heap_page *pg = partial[c] ? partial[c] : small_page_new(c);
	if (!pg)
		return NULL;
	void *obj = pg->free_objects;
	pg->free_objects = *(void **)obj;
	if (--pg->nr_free == 0)
		partial_remove(pg, c);
	bytes_in_use += class_size(c);
	return obj;
}

static void small_free(struct heap_page *pg, void *obj)
{
	unsigned c = pg->class_or_order;
	BUG_ON(c >= NR_CLASSES);
	*(void **)obj = pg->free_objects;
	pg->free_objects = obj;
	bytes_in_use -= class_size(c);
	if (pg->nr_free++ == 0)
		partial_push(pg, c);
	if (pg->nr_free == objects_per_page(c)) {
		partial_remove(pg, c);
		pg->magic = 0;
		free_page(pg);
	}
}

void *heap_alloc(size_t n)
{
	if (n <= HEAP_MAX_SMALL) {
		unsigned c = 0;
		while (class_size(c) < n)
			c++;
		return small_alloc(c);
	}
	if (n > HEAP_MAX_BYTES)
		return NULL;
	unsigned order = 0;
	while ((PAGE_SIZE << order) < n + HEAP_HEADER_BYTES)
		order++;
	struct heap_page *pg = alloc_pages(order);
	if (!pg)
		return NULL;
	*pg = (struct heap_page){.magic = HEAP_MAGIC_LARGE, .class_or_order = (uint16_t)order};
	bytes_in_use += PAGE_SIZE << order;
	return (char *)pg + HEAP_HEADER_BYTES;
}

void *heap_calloc(size_t count, size_t size)
{
	if (size && count > (size_t)-1 / size)
		return NULL;
	void *p = heap_alloc(count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

void heap_free(void *p)
{
	if (!p)
		return;
	struct heap_page *pg = (struct heap_page *)((uintptr_t)p & ~(PAGE_SIZE - 1));
	if (pg->magic == HEAP_MAGIC_SMALL) {
		small_free(pg, p);
	} else if (pg->magic == HEAP_MAGIC_LARGE && (char *)p == (char *)pg + HEAP_HEADER_BYTES) {
		unsigned order = pg->class_or_order;
		pg->magic = 0;
		bytes_in_use -= PAGE_SIZE << order;
		free_pages(pg, order);
	} else {
		panic("heap_free: %p is not a heap object", p);
	}
}

size_t heap_bytes_in_use(void) { return bytes_in_use; }
