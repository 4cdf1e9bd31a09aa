/* Host platform for the unit tests; see host_platform.h. */
#include "host_platform.h"

#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
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
static long max_pages, hypervisor_free;
static struct platform_stats stats;
static uint64_t now_ns;
static unsigned long sleeps;
static bool refuse_releases;

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
	memset(&stats, 0, sizeof(stats));
	max_pages = LONG_MAX;
	hypervisor_free = LONG_MAX;
	now_ns = 1000000000ULL;
	sleeps = 0;
	refuse_releases = false;
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

void host_set_max_pages(long pages) { max_pages = pages; }
void host_set_hypervisor_free(long pages) { hypervisor_free = pages; }
void host_advance_ns(uint64_t ns) { now_ns += ns; }
unsigned long host_sleeps(void) { return sleeps; }

uint64_t monotonic_ns(void) { return now_ns; }

void sleep_until_ns(uint64_t deadline_ns)
{
	sleeps++;
	if (deadline_ns > now_ns)
		now_ns = deadline_ns;
}

long platform_max_pages(void) { return max_pages; }
unsigned platform_block_meta_frames(void) { return 2; }
const struct platform_stats *platform_stats(void) { return &stats; }

static void hypervisor_takes_back(long n)
{
	if (hypervisor_free != LONG_MAX)
		hypervisor_free += n;
}

/* How many of n frames the simulated hypervisor grants: a prefix, like Xen. */
static long grant(unsigned long n)
{
	long room = MIN(max_pages - reservation, hypervisor_free);
	long k = MIN((long)n, MAX(room, 0L));
	stats.populate_hypercalls++;
	if (k < (long)n)
		stats.refused_hypercalls++;
	if (hypervisor_free != LONG_MAX)
		hypervisor_free -= k;
	return k;
}

long platform_populate(const pfn_t *frames, unsigned long n)
{
	long k = grant(n);
	for (long i = 0; i < k; i++)
		host_populate(frames[i], 1);
	stats.frames_4k += (unsigned long)k;
	return k > 0 ? k : -ENOMEM;
}

long platform_populate_blocks(const unsigned long *blocks, unsigned long n)
{
	long k = grant(n * BLOCK_PAGES);
	for (unsigned long i = 0; i < n && k > (long)(i * BLOCK_PAGES); i++)
		host_populate(block_to_pfn(blocks[i]), MIN(BLOCK_PAGES, (unsigned long)k - i * BLOCK_PAGES));
	stats.extents_2m += (unsigned long)MAX(k, 0L) / BLOCK_PAGES;
	stats.frames_4k += (unsigned long)MAX(k, 0L) % BLOCK_PAGES;
	return k > 0 ? k : -ENOMEM;
}

long platform_release(const pfn_t *frames, unsigned long n)
{
	stats.release_hypercalls++;
	if (refuse_releases) {
		stats.refused_hypercalls++;
		return -EBUSY;
	}
	for (unsigned long i = 0; i < n; i++)
		host_depopulate(frames[i], 1);
	hypervisor_takes_back((long)n);
	return (long)n;
}

static unsigned long release_populated(unsigned long b)
{
	unsigned long n = 0;
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		if (populated[b * BLOCK_PAGES + i]) {
			host_depopulate(pfn(b * BLOCK_PAGES + i), 1);
			n++;
		}
	hypervisor_takes_back((long)n);
	stats.release_hypercalls++;
	return n;
}

long platform_release_blocks(const unsigned long *blocks, unsigned long n)
{
	unsigned long gone = 0;
	if (refuse_releases) {
		stats.release_hypercalls++;
		stats.refused_hypercalls++;
		return -EBUSY;
	}
	for (unsigned long i = 0; i < n; i++)
		gone += release_populated(blocks[i]);
	return (long)gone;
}

long platform_plug_blocks(const unsigned long *blocks, unsigned long n, unsigned long last_frames)
{
	unsigned long want = (n - 1) * BLOCK_PAGES + last_frames;
	long k = grant(want);
	unsigned long done = 0;
	for (unsigned long i = 0; i < n && k > (long)(i * BLOCK_PAGES); i++) {
		unsigned long got = MIN(BLOCK_PAGES, (unsigned long)k - i * BLOCK_PAGES);
		if (got < platform_block_meta_frames()) { /* too little to plug: give it back */
			hypervisor_takes_back((long)got);
			break;
		}
		host_populate(block_to_pfn(blocks[i]), got);
		done += got;
	}
	return done ? (long)done : -ENOMEM;
}

int platform_unplug_block(unsigned long b)
{
	if (refuse_releases) {
		stats.release_hypercalls++;
		stats.refused_hypercalls++;
		return -EBUSY;
	}
	release_populated(b);
	return 0;
}

void host_refuse_releases(bool refuse) { refuse_releases = refuse; }
