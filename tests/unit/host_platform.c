/* Host platform for the unit tests; see host_platform.h. */
#include "host_platform.h"

#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <tide/lib.h>
#include <tide/metapool.h>
#include <tide/buddy.h>
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
static bool superpage[SPACE_BLOCKS]; /* populated as one 2 MiB extent */
static unsigned long plugged_blocks;
static host_fault_hook_t fault_hook;
static host_meta_move_hook_t meta_move_hook;
static bool refuse_releases, whole_only;
static bool log_quiet;
static char log_ring[4096]; /* the last bytes of the log when quiet */
static size_t log_end;	    /* bytes written to the ring so far */
static unsigned long log_lines;	/* lines printk has ended */

static void *reserve(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return p;
}

/* Make memory accessible or not; discard also drops what it held (it reads zero when accessible again). */
static void set_access(void *va, size_t bytes, bool on, bool discard)
{
	if (discard)
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
	set_access(directmap, SPACE_BLOCKS * BLOCK_BYTES, false, true);
	set_access(frame_bytes, SPACE_BLOCKS * BLOCK_PAGES, false, true);
	set_access(block_table, MAX_BLOCKS * sizeof(struct block_info), false, true);
	reservation = 0;
	meta_pages = 0;
	memset(populated, 0, sizeof(populated));
	memset(&stats, 0, sizeof(stats));
	max_pages = LONG_MAX;
	hypervisor_free = LONG_MAX;
	now_ns = 1000000000ULL;
	sleeps = 0;
	memset(superpage, 0, sizeof(superpage));
	plugged_blocks = 0;
	fault_hook = NULL;
	meta_move_hook = NULL;
	refuse_releases = false;
	whole_only = false;
	frames_init(frame_bytes, block_table, nr_blocks);
	buddy_init();
	metapool_init();
}

/* The simulated hypervisor's own contract: it populates only what is not, and takes back only what is. */
static void expect_populated(pfn_t first, unsigned long n, bool want)
{
	for (unsigned long i = 0; i < n; i++)
		if (populated[first.n + i] != want)
			panic("host: frame %lx %s", first.n + i,
			      want ? "is not populated: nothing to give back" : "is populated already");
}

void host_populate(pfn_t first, unsigned long n)
{
	expect_populated(first, n, false);
	set_access(frame_to_virt(first), n * PAGE_SIZE, true, false);
	memset(&populated[first.n], true, n);
	reservation += (long)n;
}

void host_depopulate(pfn_t first, unsigned long n)
{
	expect_populated(first, n, true);
	set_access(frame_to_virt(first), n * PAGE_SIZE, false, false); /* kept: cheap to give back again */
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
	set_access((void *)((uintptr_t)va & ~(PAGE_SIZE - 1)), PAGE_SIZE, true, false);
	meta_pages++;
	return 0;
}

void platform_meta_release(void *va)
{
	set_access((void *)((uintptr_t)va & ~(PAGE_SIZE - 1)), PAGE_SIZE, false, true);
	meta_pages--;
}

/*
 * Shared metadata in the host platform is whatever a test or the fuzzer took
 * from the reserve; the hook, when set, finds its holder and repoints it.
 */
void host_set_meta_move_hook(host_meta_move_hook_t hook) { meta_move_hook = hook; }

int platform_meta_move(pfn_t p, pfn_t to)
{
	expect_populated(p, 1, true);
	expect_populated(to, 1, true);
	if (!meta_move_hook || !meta_move_hook(p, to))
		return -ENOENT;
	memcpy(frame_to_virt(to), frame_to_virt(p), PAGE_SIZE);
	return 0;
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
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = MIN(n, (int)sizeof(line) - 1);
	for (int i = 0; i < n; i++) {
		log_lines += line[i] == '\n';
		if (log_quiet)
			log_ring[log_end++ % sizeof(log_ring)] = line[i];
	}
	if (!log_quiet)
		fputs(line, stdout);
}

unsigned long host_log_lines(void) { return log_lines; }

void host_log_quiet(bool quiet) { log_quiet = quiet; }

void host_log_print(void)
{
	size_t n = MIN(log_end, sizeof(log_ring));
	for (size_t i = log_end - n; i < log_end; i++)
		putchar(log_ring[i % sizeof(log_ring)]);
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
bool platform_hotplugged_whole_only(void) { return whole_only; } /* as Xen (any frame back) unless told */
void host_set_hotplugged_whole_only(bool on) { whole_only = on; }
unsigned platform_block_meta_frames(void) { return 2; }
const struct platform_stats *platform_stats(void) { return &stats; }
long host_hypervisor_free(void) { return hypervisor_free; }
unsigned long host_plugged_blocks(void) { return plugged_blocks; }
void host_set_fault_hook(host_fault_hook_t hook) { fault_hook = hook; }

/* What the fault hook lets through of a request for n frames or extents: all of it without a hook. */
static unsigned long fault_cap(enum host_request r, unsigned long n)
{
	if (refuse_releases && r != HOST_POPULATE_4K && r != HOST_POPULATE_2M)
		return 0;
	return fault_hook ? MIN(fault_hook(r, n), n) : n;
}

/* Frames the hypervisor can still give: within its limit and its free memory. */
static unsigned long room(void)
{
	return (unsigned long)MAX(MIN(max_pages - reservation, hypervisor_free), 0L);
}

static void hypervisor_gives(unsigned long n)
{
	if (hypervisor_free != LONG_MAX)
		hypervisor_free -= (long)n;
}

static void hypervisor_takes_back(unsigned long n)
{
	if (hypervisor_free != LONG_MAX)
		hypervisor_free += (long)n;
}

/* A request for n 4 KiB frames: how many the hypervisor grants, a prefix, as Xen does. */
static unsigned long grant_frames(unsigned long n)
{
	unsigned long k = fault_cap(HOST_POPULATE_4K, n);
	k = MIN(k, room());
	hypervisor_gives(k);
	stats.frames_4k += k;
	return k;
}

/* A request for n 2 MiB extents: how many whole ones the hypervisor grants. */
static unsigned long grant_extents(unsigned long n)
{
	unsigned long k = fault_cap(HOST_POPULATE_2M, n);
	k = MIN(k, room() / BLOCK_PAGES);
	hypervisor_gives(k * BLOCK_PAGES);
	stats.extents_2m += k;
	return k;
}

/* Populate (or depopulate) frames[0..n), a run of consecutive frames at a time. */
static void populate_list(const pfn_t *frames, unsigned long n, bool on)
{
	for (unsigned long i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && frames[j].n == frames[j - 1].n + 1; j++)
			;
		if (on)
			host_populate(frames[i], j - i);
		else
			host_depopulate(frames[i], j - i);
		for (unsigned long k = i; k < j; k++)
			superpage[pfn_to_block(frames[k])] = false;
	}
}

long platform_populate(const pfn_t *frames, unsigned long n)
{
	stats.populate_hypercalls++;
	unsigned long k = grant_frames(n);
	if (k < n)
		stats.refused_hypercalls++;
	populate_list(frames, k, true);
	return k > 0 ? (long)k : -ENOMEM;
}

/* Block b populated as one 2 MiB extent. */
static void populate_superpage(unsigned long b)
{
	host_populate(block_to_pfn(b), BLOCK_PAGES);
	superpage[b] = true;
}

/* The first n frames of block b populated as 4 KiB frames. */
static void populate_prefix(unsigned long b, unsigned long n)
{
	if (n)
		host_populate(block_to_pfn(b), n);
	superpage[b] = false;
}

/* As pv_elastic.c: 2 MiB extents while the hypervisor has them, else one block in 4 KiB frames. */
long platform_populate_blocks(const unsigned long *blocks, unsigned long n)
{
	unsigned long done = 0;
	stats.populate_hypercalls++;
	for (unsigned long i = 0; i < n;) {
		unsigned long whole = grant_extents(n - i);
		for (unsigned long j = 0; j < whole; j++)
			populate_superpage(blocks[i + j]);
		done += whole * BLOCK_PAGES;
		i += whole;
		if (i == n)
			break;
		stats.fallbacks_2m++;
		unsigned long got = grant_frames(BLOCK_PAGES);
		populate_prefix(blocks[i], got);
		done += got;
		if (got < BLOCK_PAGES)
			break;
		i++;
	}
	if (done < n * BLOCK_PAGES)
		stats.refused_hypercalls++;
	return done ? (long)done : -ENOMEM;
}

/* Give back frames[0..n) as one 4 KiB request: how many went, a prefix. */
static unsigned long release_frames(const pfn_t *frames, unsigned long n)
{
	unsigned long k = fault_cap(HOST_RELEASE_4K, n);
	populate_list(frames, k, false);
	hypervisor_takes_back(k);
	return k;
}

long platform_release(const pfn_t *frames, unsigned long n)
{
	stats.release_hypercalls++;
	unsigned long k = release_frames(frames, n);
	return k > 0 ? (long)k : -EIO;
}

/* Give back the n superpage blocks as one 2 MiB request: how many went, a prefix. */
static unsigned long release_superpages(const unsigned long *blocks, unsigned long n)
{
	unsigned long k = fault_cap(HOST_RELEASE_2M, n);
	for (unsigned long i = 0; i < k; i++) {
		host_depopulate(block_to_pfn(blocks[i]), BLOCK_PAGES);
		superpage[blocks[i]] = false;
	}
	hypervisor_takes_back(k * BLOCK_PAGES);
	return k;
}

/* As pv_elastic.c: runs of superpage blocks as 2 MiB extents, other blocks as 4 KiB frames. */
long platform_release_blocks(const unsigned long *blocks, unsigned long n)
{
	static pfn_t frames[BLOCK_PAGES];
	unsigned long done = 0;
	stats.release_hypercalls++;
	for (unsigned long i = 0; i < n;) {
		unsigned long run = 0;
		while (i + run < n && superpage[blocks[i + run]])
			run++;
		unsigned long k = run ? release_superpages(blocks + i, run) : 0;
		done += k * BLOCK_PAGES;
		if (k < run)
			break;
		i += run;
		if (i == n)
			break;
		for (unsigned long j = 0; j < BLOCK_PAGES; j++)
			frames[j] = pfn(blocks[i] * BLOCK_PAGES + j);
		unsigned long got = release_frames(frames, BLOCK_PAGES);
		done += got;
		if (got < BLOCK_PAGES)
			break;
		i++;
	}
	return done ? (long)done : -EIO;
}

/*
 * As pv_elastic.c: 2 MiB extents for the whole blocks first, then 4 KiB
 * frames (the last block's first last_frames) until the hypervisor comes up short.
 */
long platform_plug_blocks(const unsigned long *blocks, unsigned long n, unsigned long last_frames)
{
	stats.populate_hypercalls++;
	unsigned long whole_blocks = last_frames == BLOCK_PAGES ? n : n - 1;
	unsigned long whole = grant_extents(whole_blocks), done = whole * BLOCK_PAGES;
	for (unsigned long i = 0; i < whole; i++)
		populate_superpage(blocks[i]);
	plugged_blocks += whole;
	stats.fallbacks_2m += whole_blocks - whole;
	for (unsigned long i = whole; i < n; i++) {
		unsigned long want = i + 1 == n ? last_frames : BLOCK_PAGES;
		unsigned long got = grant_frames(want);
		if (got < platform_block_meta_frames()) { /* too little to plug: give it back */
			hypervisor_takes_back(got);
			break;
		}
		populate_prefix(blocks[i], got);
		plugged_blocks++;
		done += got;
		if (got < want)
			break;
	}
	return done ? (long)done : -ENOMEM;
}

/* Block b's populated frames go back, a run of consecutive frames at a time; or all stay. */
int platform_unplug_block(unsigned long b)
{
	unsigned long n = 0;
	stats.release_hypercalls++;
	if (fault_cap(HOST_UNPLUG, 1) == 0) {
		stats.refused_hypercalls++;
		return -EBUSY;
	}
	for (unsigned long i = 0, j; i < BLOCK_PAGES; i = j + 1) {
		for (j = i; j < BLOCK_PAGES && populated[b * BLOCK_PAGES + j]; j++)
			;
		if (j > i)
			host_depopulate(pfn(b * BLOCK_PAGES + i), j - i);
		n += j - i;
	}
	hypervisor_takes_back(n);
	superpage[b] = false;
	plugged_blocks--;
	return 0;
}

void host_refuse_releases(bool refuse) { refuse_releases = refuse; }
