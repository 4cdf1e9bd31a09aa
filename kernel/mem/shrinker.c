/*
 * Shrinkers; see tide/shrinker.h. A list in registration order. Dropping
 * asks each shrinker for what is still missing and measures the guest's
 * free pages before and after, so a shrinker that frees less, or more, than
 * it was asked cannot mislead the balloon. A flag stops the re-entry of an
 * allocation made inside a drop.
 */
#include <tide/frame.h>
#include <tide/shrinker.h>
#include "shrinkers.h"

static struct shrinker *shrinkers;
static bool dropping;

void shrinker_register(struct shrinker *s)
{
	struct shrinker **p = &shrinkers;
	for (; *p; p = &(*p)->next)
		if (*p == s)
			return; /* registered already */
	s->next = NULL;
	*p = s;
}

void shrinker_unregister(struct shrinker *s)
{
	for (struct shrinker **p = &shrinkers; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			return;
		}
}

unsigned long shrinkers_droppable(void)
{
	unsigned long pages = 0;
	if (dropping)
		return 0;
	for (struct shrinker *s = shrinkers; s; s = s->next)
		pages += s->count(s->arg);
	return pages;
}

unsigned long shrinkers_drop(unsigned long want)
{
	if (dropping)
		return 0;
	dropping = true;
	unsigned long before = nr_free_pages(), gained = 0;
	for (struct shrinker *s = shrinkers; s && gained < want; s = s->next) {
		s->drop(want - gained, s->arg);
		unsigned long now = nr_free_pages();
		gained = now > before ? now - before : 0;
	}
	dropping = false;
	return gained;
}
