/* The reference model: what the application holds, with a pattern in each; see model.c. */
#ifndef FUZZ_MODEL_H
#define FUZZ_MODEL_H

#include <tide/types.h>

#define MODEL_PAGE_SLOTS 4096
#define MODEL_HEAP_SLOTS 4096
#define MODEL_META_SLOTS 8

void model_reset(void);

/* Page chunks from alloc_pages(): add writes the pattern, take checks it and returns the chunk. */
bool model_page_held(unsigned slot);
void model_page_add(unsigned slot, void *va, unsigned order);
void *model_page_take(unsigned slot, unsigned *order);

/*
 * Heap objects: add checks where the heap put an object of n bytes (and that
 * it is zero when zeroed, from heap_calloc), then writes the pattern; take
 * checks the pattern and returns the object.
 */
bool model_heap_held(unsigned slot);
void model_heap_add(unsigned slot, void *p, size_t n, bool zeroed);
void *model_heap_take(unsigned slot);

/* Frames taken from the metadata reserve, as the platform takes them for shared tables. */
unsigned long model_meta_count(void);
void model_meta_add(pfn_t p);
pfn_t model_meta_take(void);
/* The core moved shared metadata frame from to frame to: follow it (host_set_meta_move_hook). */
bool model_meta_moved(pfn_t from, pfn_t to);

/* Frames held through alloc_pages() and the heap (the core's USED frames), and heap bytes in use. */
unsigned long model_used_pages(void);
size_t model_heap_bytes(void);
/* Check every pattern. */
void model_check_all(void);

#endif
