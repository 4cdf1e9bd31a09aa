/*
 * A pile of 4 KiB pages that the guest app holds: each page is allocated
 * with alloc_page() and linked through its first word, so taking a page
 * touches it (the host must really back it) and the pile needs no memory of
 * its own. The app's one-off allocation and its bursts each keep a pile, so
 * that a burst frees only its own pages.
 */
#ifndef GUEST_PILE_H
#define GUEST_PILE_H

#include <tide/types.h>

struct pile {
	void **top;
	unsigned long pages;
};

/*
 * Take pages until the pile holds `pages`: true, or false at the first
 * allocation that failed (the pages taken so far stay in the pile, so a
 * later call carries on where this one stopped).
 */
bool pile_take(struct pile *p, unsigned long pages);
/* Free every page of the pile; it is empty afterwards. */
void pile_release(struct pile *p);

#endif
