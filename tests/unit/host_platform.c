/* Host platform for the unit tests; see host_platform.h. */
#include "host_platform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <tide/lib.h>
#include <tide/page_alloc.h>
#include <tide/platform.h>

#define SPACE_BLOCKS 64UL

static char *directmap;
static uint8_t *frame_bytes;
static struct block_info *block_table;
static long reservation;
static unsigned long meta_pages;
static bool populated[SPACE_BLOCKS * BLOCK_PAGES];

static void *reserve(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return p;
}

static void set_access(void *va, size_t bytes, bool on)
{
	if (!on)
		madvise(va, bytes, MADV_DONTNEED);
	if (mprotect(va, bytes, on ? PROT_READ | PROT_WRITE : PROT_NONE)) {
		perror("mprotect");
		exit(2);
	}
}

void host_reset(unsigned long nr_blocks)
{
	if (!directmap) {
		directmap = reserve(SPACE_BLOCKS * BLOCK_BYTES);
		frame_bytes = reserve(SPACE_BLOCKS * BLOCK_PAGES);
		block_table = reserve(MAX_BLOCKS * sizeof(struct block_info));
	}
	if (nr_blocks > SPACE_BLOCKS)
		abort();
	set_access(directmap, SPACE_BLOCKS * BLOCK_BYTES, false);
	set_access(frame_bytes, SPACE_BLOCKS * BLOCK_PAGES, false);
	set_access(block_table, MAX_BLOCKS * sizeof(struct block_info), false);
	reservation = 0;
	meta_pages = 0;
	memset(populated, 0, sizeof(populated));
	frames_init(frame_bytes, block_table, nr_blocks);
	buddy_init();
}

void host_populate(pfn_t first, unsigned long n)
{
	set_access(frame_to_virt(first), n * PAGE_SIZE, true);
	memset(&populated[first.n], true, n);
	reservation += (long)n;
}

void host_depopulate(pfn_t first, unsigned long n)
{
	set_access(frame_to_virt(first), n * PAGE_SIZE, false);
	memset(&populated[first.n], false, n);
	reservation -= (long)n;
}

void host_online_block(unsigned long b)
{
	if (block_set_state(b, BLOCK_ONLINE, 0))
		abort();
	host_populate(block_to_pfn(b), BLOCK_PAGES);
	buddy_add_frames(block_to_pfn(b), BLOCK_PAGES);
}

void host_skew_reservation(long delta) { reservation += delta; }
unsigned long host_meta_pages(void) { return meta_pages; }
uint8_t *host_frame_bytes(void) { return frame_bytes; }

void *frame_to_virt(pfn_t p) { return directmap + (p.n << PAGE_SHIFT); }
pfn_t virt_to_frame(const void *va) { return pfn((unsigned long)((const char *)va - directmap) >> PAGE_SHIFT); }

int platform_meta_back(void *va)
{
	set_access((void *)((uintptr_t)va & ~(PAGE_SIZE - 1)), PAGE_SIZE, true);
	meta_pages++;
	return 0;
}

void platform_meta_release(void *va)
{
	set_access((void *)((uintptr_t)va & ~(PAGE_SIZE - 1)), PAGE_SIZE, false);
	meta_pages--;
}

long platform_reservation_pages(void) { return reservation; }

/* A frame is accessible exactly when the core counts it as populated. */
int platform_check(void)
{
	for (unsigned long p = 0; p < frames_nr_blocks() * BLOCK_PAGES; p++) {
		enum frame_state s = frame_state(pfn(p));
		bool core_says = s == FRAME_FREE || s == FRAME_USED || s == FRAME_RESERVED;
		if (core_says != populated[p]) {
			printk("check: frame %lx is %s but %spopulated\n", p, frame_state_name(s),
			       populated[p] ? "" : "not ");
			return -EINVAL;
		}
	}
	return 0;
}

void printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

_Noreturn void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("PANIC: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	abort();
}
