/*
 * The kernel heap: malloc-style allocation on top of the page allocator.
 * Objects up to HEAP_MAX_SMALL bytes come from per-size-class pages; larger
 * ones take whole page chunks (up to one 2 MiB block). Returns NULL when
 * memory cannot be had; the page allocator may grow memory first.
 */
#ifndef TIDE_HEAP_H
#define TIDE_HEAP_H

#include <tide/types.h>

#define HEAP_MAX_SMALL 2048
/* Every heap page starts with a header of this size. */
#define HEAP_HEADER_BYTES 32
/* The largest request heap_alloc can satisfy: one block less its header. */
#define HEAP_MAX_BYTES (BLOCK_BYTES - HEAP_HEADER_BYTES)

void *heap_alloc(size_t n);
void *heap_calloc(size_t count, size_t size);
void heap_free(void *p);
/* Bytes currently handed out (requested sizes rounded to their class). */
size_t heap_bytes_in_use(void);

#endif
