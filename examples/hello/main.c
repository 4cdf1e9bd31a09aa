/*
 * hello: a Tide application built outside Tide's tree (see Makefile), and
 * a tour of the public API. It says hello with its xenstore name, keeps a
 * cache of pages that it can drop (a shrinker), and prints its memory once
 * a second from a timer until run_s seconds have passed (0: until the host
 * shuts it down).
 *
 * Command line: cache_mib=N (default 16), run_s=N (default 0).
 */
#include <tide/balloon.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/mem_report.h>
#include <tide/page_alloc.h>
#include <tide/sched.h>
#include <tide/shrinker.h>
#include <tide/timer.h>
#include <tide/xenstore.h>

#define SECOND 1000000000ULL

/* The cache: whole pages linked through their first word, dropped newest first. */
static void **cache_head;
static unsigned long cache_pages;

static unsigned long cache_count(void *unused)
{
	(void)unused;
	return cache_pages;
}

static void cache_drop(unsigned long pages, void *unused)
{
	(void)unused;
	unsigned long dropped = 0;
	while (dropped < pages && cache_head) {
		void **page = cache_head;
		cache_head = *page;
		free_page(page);
		cache_pages--;
		dropped++;
	}
	printk("hello: dropped %lu KiB of cache when asked for %lu KiB; %lu KiB left\n", PAGES_TO_KIB(dropped),
	       PAGES_TO_KIB(pages), PAGES_TO_KIB(cache_pages));
}

static struct shrinker cache_shrinker = {.name = "hello-cache", .count = cache_count, .drop = cache_drop};

static void cache_fill(unsigned long pages)
{
	while (cache_pages < pages) {
		void **page = alloc_page();
		if (!page) {
			printk("hello: the cache stops at %lu pages: no memory\n", cache_pages);
			return;
		}
		*page = cache_head;
		cache_head = page;
		cache_pages++;
	}
}

static struct timer report_timer;
static int report_ticks; /* token: main waits on it */

static void report(void *unused)
{
	(void)unused;
	struct mem_info m;
	mem_info(&m);
	printk("hello: holds %lu MiB (target %lu, floor %lu, used %lu, free %lu), cache %lu MiB, balloon %s\n",
	       PAGES_TO_MIB(m.held_pages), PAGES_TO_MIB(m.target_pages), PAGES_TO_MIB(m.floor_pages),
	       PAGES_TO_MIB(m.used_pages), PAGES_TO_MIB(m.free_pages), PAGES_TO_MIB(cache_pages),
	       balloon_state_name(balloon_state()));
	thread_wake_all(&report_ticks);
	timer_start(&report_timer, SECOND, report, NULL);
}

int app_main(void)
{
	char name[64];
	if (xs_read("name", name, sizeof(name)) < 0)
		snprintf(name, sizeof(name), "%s", kernel_is_dom0() ? "dom0" : "a guest with no name");
	printk("hello from Tide, I am %s\n", name);

	cache_fill(MIB_TO_PAGES(cmdline_ulong("cache_mib", 16)));
	shrinker_register(&cache_shrinker);
	if (timer_start(&report_timer, 0, report, NULL) < 0) {
		printk("hello: no memory for the timer thread\n");
		return 1;
	}
	unsigned long run_s = cmdline_ulong("run_s", 0);
	uint64_t end = run_s ? monotonic_ns() + run_s * SECOND : SCHED_FOREVER;
	while (monotonic_ns() < end)
		thread_block_on(&report_ticks, end);
	printk("hello: goodbye\n");
	return 0;
}
