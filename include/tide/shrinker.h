/*
 * Shrinkers: memory an application holds but could give back (a cache it
 * can drop), as in Linux. The application registers a shrinker; Tide counts
 * what it could drop and asks it to drop some when memory is short.
 *
 * Contract:
 *   - count(arg): the pages the application could free now if asked. Cheap
 *     and without side effects: Tide calls it whenever it works out the
 *     floor (tide/balloon.h), several times a second.
 *   - drop(pages, arg): free at least pages of them now (through
 *     free_pages() or heap_free()), or all it has when it has fewer. It
 *     must not block. Tide measures what the guest's free memory gained;
 *     it does not take the application's word for it.
 *   - Tide asks the shrinkers, in the order they were registered:
 *       when free memory runs low, before the guest grows on shortage:
 *         the application's caches make room first, and only what they
 *         cannot cover makes the guest ask the host for memory (growth on
 *         shortage, reported as alloc_waits) and, when that fails too,
 *         makes an allocation fail (page_alloc_failures(), reported as
 *         alloc_failures): a cache never draws memory from the host by
 *         itself, nor shows as pressure;
 *       when the host's target is below what the guest holds: the floor
 *         the balloon keeps counts only what the shrinkers could not drop
 *         (used - count, plus the margin of tide/floor.h), and the balloon
 *         asks them to drop what it needs to reach the target.
 *   - An allocation made inside drop() never calls the shrinkers again.
 *   - The struct is the caller's and stays registered until
 *     shrinker_unregister(); next is Tide's. Registering it again while
 *     registered changes nothing.
 */
#ifndef TIDE_SHRINKER_H
#define TIDE_SHRINKER_H

#include <tide/types.h>

struct shrinker {
	const char *name;
	unsigned long (*count)(void *arg);
	void (*drop)(unsigned long pages, void *arg);
	void *arg;
	struct shrinker *next;
};

void shrinker_register(struct shrinker *s);
void shrinker_unregister(struct shrinker *s);

#endif
