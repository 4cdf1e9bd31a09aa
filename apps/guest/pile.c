/* A pile of pages held by the guest app; see pile.h. */
#include "pile.h"

#include <tide/page_alloc.h>

bool pile_take(struct pile *p, unsigned long pages)
{
	while (p->pages < pages) {
		void **page = alloc_page();
		if (!page)
			return false;
		page[0] = p->top;
		p->top = page;
		p->pages++;
	}
	return true;
}

void pile_release(struct pile *p)
{
	while (p->top) {
		void **page = p->top;
		p->top = page[0];
		free_page(page);
	}
	p->pages = 0;
}
