/*
 * Unit tests of the shrinkers (tide/shrinker.h) against the host platform:
 * a cache of pages the application can drop, and one that lies about it.
 */
#include <tide/balloon_worker.h>
#include <tide/buddy.h>
#include <tide/floor.h>
#include <tide/lib.h>
#include <tide/mem_check.h>
#include <tide/shrinker.h>

#include "host_platform.h"
#include "unit.h"

/*
 * A cache of whole pages, linked through themselves.
 */
struct page_cache_app {
	void **head;
	unsigned long pages, dropped, asked, counted; /* asked: drop calls; counted: count calls (drifting_count) */
	bool lies; /* counts its pages but drops none */
};

static unsigned long cache_count(void *arg) { return ((struct page_cache_app *)arg)->pages; }

static void cache_drop(unsigned long pages, void *arg)
{
	struct page_cache_app *c = arg;
	c->asked++;
	for (unsigned long i = 0; i < pages && c->head && !c->lies; i++) {
		void **p = c->head;
		c->head = *p;
		free_page(p);
		c->pages--;
		c->dropped++;
	}
}

static int cache_fill(struct page_cache_app *c, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++) {
		void **p = alloc_page();
		CHECK(p != NULL);
		*p = c->head;
		c->head = p;
		c->pages++;
	}
	return 0;
}

/*
 * The cache and shrinker the tests share. Static, and registered once
 * whatever happens (registering again changes nothing): a test that fails
 * before it unregisters leaves a live shrinker, not a dangling pointer.
 * Each test starts them afresh, the cache empty.
 */
static struct page_cache_app cache;
static struct shrinker cache_shrinker;

static void cache_start(bool lies)
{
	cache = (struct page_cache_app){.lies = lies};
	cache_shrinker = (struct shrinker){.name = lies ? "liar" : "cache", .count = cache_count, .drop = cache_drop,
					   .arg = &cache};
}

static void cache_empty(struct page_cache_app *c)
{
	c->lies = false;
	cache_drop(c->pages, c);
}

static unsigned long used_pages(void) { return frames_in_state(FRAME_USED) + frames_in_state(FRAME_RESERVED); }

/* A target below what is used: the floor leaves the cache out, and the balloon drops just enough of it. */
int test_shrinker_drops_to_target_below_used(void)
{
	unit_boot(32, 8);
	cache_start(false);
	CHECK(cache_fill(&cache, 5 * BLOCK_PAGES / 2) == 0);
	unsigned long used = used_pages();
	balloon_set_target(BLOCK_PAGES); /* far below what is used */
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(frames_populated() == tide_floor_pages(used)); /* no shrinker: the old floor */
	CHECK(cache.asked == 0);
	shrinker_register(&cache_shrinker);
	CHECK(balloon_stats()->floor_pages == tide_floor_pages(used - cache.pages));
	unsigned long target = used - BLOCK_PAGES; /* below used, above the floor without the cache */
	balloon_set_target(target);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(frames_populated() == target);
	CHECK(cache.dropped >= BLOCK_PAGES && cache.pages > 0); /* dropped enough, not all */
	CHECK(balloon_stats()->refusals == 0);
	CHECK_INVARIANTS();
	balloon_set_target(BLOCK_PAGES); /* now down to what the cache cannot cover */
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(cache.pages == 0);
	CHECK(frames_populated() == balloon_stats()->floor_pages);
	CHECK(frames_populated() == tide_floor_pages(used_pages()));
	CHECK_INVARIANTS();
	shrinker_unregister(&cache_shrinker);
	return 0;
}

/* At the host's limit, the cache goes before an allocation fails, and only then is the failure counted. */
int test_shrinker_before_allocation_fails(void)
{
	unit_boot(32, 4);
	cache_start(false);
	CHECK(cache_fill(&cache, BLOCK_PAGES) == 0);
	shrinker_register(&cache_shrinker);
	host_set_max_pages((long)frames_populated()); /* no growth */
	unsigned long failures = page_alloc_failures(), free_then = nr_free_pages(), got = 0;
	void **mine = NULL, **p;
	while ((p = alloc_page())) {
		*p = mine;
		mine = p;
		got++;
		CHECK(page_alloc_failures() == failures);
	}
	CHECK(page_alloc_failures() == failures + 1);
	CHECK(cache.pages == 0 && cache.dropped == BLOCK_PAGES);
	CHECK(got == free_then + BLOCK_PAGES);
	CHECK_INVARIANTS();
	while (mine) {
		p = mine;
		mine = *p;
		free_page(p);
	}
	shrinker_unregister(&cache_shrinker);
	return 0;
}

/* A shrinker that counts pages it never drops: the balloon keeps the margin free and says so, no hypercall refused. */
int test_shrinker_that_lies_keeps_the_margin(void)
{
	unit_boot(32, 8);
	cache_start(true);
	CHECK(cache_fill(&cache, 2 * BLOCK_PAGES) == 0);
	shrinker_register(&cache_shrinker);
	balloon_set_target(BLOCK_PAGES);
	CHECK(balloon_settle(~0ULL) == BALLOON_IDLE);
	CHECK(cache.asked > 0 && cache.pages == 2 * BLOCK_PAGES);
	unsigned long used = used_pages();
	CHECK(frames_populated() == tide_floor_pages(used)); /* what the floor keeps without the liar's count */
	CHECK(balloon_stats()->refusals == 0);
	CHECK_INVARIANTS();
	cache_empty(&cache);
	shrinker_unregister(&cache_shrinker);
	return 0;
}

/* With room to grow, the cache still goes first: the guest grows (pressure on the host) only once it is empty. */
int test_shrinker_before_growth(void)
{
	cache_start(false);
	unit_boot(32, 4);
	CHECK(cache_fill(&cache, BLOCK_PAGES) == 0);
	shrinker_register(&cache_shrinker);
	unsigned long held = frames_populated(), grown = balloon_stats()->shortage_grown;
	unsigned long failures = page_alloc_failures();
	bool grew = false;
	for (unsigned long i = 0; i < 8 * BLOCK_PAGES && !grew; i++) {
		CHECK(alloc_page() != NULL);
		if (frames_populated() > held) {
			CHECK(cache.pages == 0); /* grown only with the cache gone */
			CHECK(balloon_stats()->shortage_grown == grown + 1);
			grew = true;
		}
	}
	CHECK(grew && cache.dropped == BLOCK_PAGES);
	CHECK(page_alloc_failures() == failures);
	CHECK_INVARIANTS();
	shrinker_unregister(&cache_shrinker);
	return 0;
}

/* A cache that changes as it is counted (another thread fills it): the report's floor and droppable come from one count. */
static unsigned long drifting_count(void *arg)
{
	struct page_cache_app *c = arg;
	return c->pages - (++c->counted % 2); /* one page fewer at every other call */
}

int test_shrinker_report_counts_once(void)
{
	unit_boot(32, 4);
	cache_start(false);
	CHECK(cache_fill(&cache, BLOCK_PAGES / 2) == 0);
	cache_shrinker.count = drifting_count;
	shrinker_register(&cache_shrinker);
	for (int i = 0; i < 4; i++) {
		const struct balloon_stats *st = balloon_stats();
		CHECK(st->droppable_pages + 1 >= cache.pages && st->droppable_pages <= cache.pages);
		CHECK(st->floor_pages == tide_floor_pages(used_pages() - st->droppable_pages));
	}
	shrinker_unregister(&cache_shrinker);
	cache_empty(&cache);
	CHECK_INVARIANTS();
	return 0;
}
