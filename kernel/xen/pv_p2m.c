/* The p2m frame-list tree for Xen's tools; see pv_p2m.h. */
#include <tide/frame.h>
#include <tide/lib.h>
#include <tide/metapool.h>
#include <tide/platform.h>
#include "layout.h"
#include "pv.h"
#include "xen.h"
#include "pv_p2m.h"
#include "pv_pt.h"

#define ENTRIES (PAGE_SIZE / sizeof(unsigned long))

static unsigned long *list_list;	    /* mfns of the frame-list pages */
static unsigned long *lists[ENTRIES];	    /* the frame-list pages (direct map) */
static mfn_t missing_page;		    /* a p2m page of INVALID entries */
static unsigned long *missing;		    /* the same, in the direct map */
static unsigned long top_listed;	    /* one past the highest block with its own p2m page */

static void *take_page(mfn_t *m)
{
	pfn_t p;
	if (metapool_take(RESERVED_P2M, &p))
		return NULL;
	*m = pv_p2m_get(p);
	return frame_to_virt(p);
}

void p2m_lists_init(unsigned long boot_blocks)
{
	mfn_t list_list_mfn;
	missing = take_page(&missing_page);
	list_list = take_page(&list_list_mfn);
	if (!missing || !list_list)
		panic("p2m: no frames for the frame lists");
	memset(missing, 0xff, PAGE_SIZE);
	for (unsigned long i = 0; i < ENTRIES; i++)
		list_list[i] = INVALID_MFN;
	for (unsigned long b = 0; b < boot_blocks; b++) {
		uint64_t pte = pt_lookup(P2M_BASE + b * PAGE_SIZE);
		if (p2m_lists_set(b, mfn((pte & PTE_MFN_MASK) >> PAGE_SHIFT)))
			panic("p2m: no frames for the frame lists");
	}
	xen_shared_info()->arch.pfn_to_mfn_frame_list_list = list_list_mfn.n;
}

/* The range a save walks (shared info's max_pfn): every block with its own p2m page, no more. */
static void publish_range(void) { xen_shared_info()->arch.max_pfn = top_listed * BLOCK_PAGES; }

int p2m_lists_set(unsigned long b, mfn_t p2m_page)
{
	unsigned long top = b / ENTRIES;
	BUG_ON(top >= ENTRIES);
	if (!lists[top]) {
		mfn_t m;
		unsigned long *page = take_page(&m);
		if (!page)
			return -ENOMEM;
		for (unsigned long i = 0; i < ENTRIES; i++)
			page[i] = missing_page.n;
		lists[top] = page;
		list_list[top] = m.n;
	}
	lists[top][b % ENTRIES] = p2m_page.n;
	if (b >= top_listed) {
		top_listed = b + 1;
		publish_range();
	}
	return 0;
}

static bool listed(unsigned long b) { return lists[b / ENTRIES] && lists[b / ENTRIES][b % ENTRIES] != missing_page.n; }

void p2m_lists_clear(unsigned long b)
{
	BUG_ON(!lists[b / ENTRIES]);
	lists[b / ENTRIES][b % ENTRIES] = missing_page.n;
	while (top_listed > 0 && !listed(top_listed - 1))
		top_listed--;
	publish_range();
}

/* What entry b of the tree must hold: the mfn of block b's p2m page, or the missing page's. */
static unsigned long list_entry(unsigned long b)
{
	uint64_t pte = b < frames_nr_blocks() && block_state(b) == BLOCK_ONLINE ? pt_lookup(P2M_BASE + b * PAGE_SIZE)
										  : 0;
	return pte ? (pte & PTE_MFN_MASK) >> PAGE_SHIFT : missing_page.n;
}

int p2m_lists_check(void)
{
	unsigned long max_pfn = xen_shared_info()->arch.max_pfn;
	if (max_pfn != top_listed * BLOCK_PAGES || (top_listed && !listed(top_listed - 1))) {
		printk("check: shared info's max_pfn is %lx, not one past the highest listed block (%lu)\n", max_pfn,
		       top_listed);
		return -EINVAL;
	}
	for (unsigned long b = 0; b < frames_nr_blocks(); b++) {
		unsigned long *list = lists[b / ENTRIES];
		unsigned long want = list_entry(b);
		unsigned long have = list ? list[b % ENTRIES] : missing_page.n;
		if (have != want) {
			printk("check: frame list says block %lu's p2m page is mfn %lx, not %lx\n", b, have, want);
			return -EINVAL;
		}
	}
	return 0;
}

void p2m_lists_resume(void)
{
	missing_page = pv_p2m_get(virt_to_frame(missing));
	for (unsigned long top = 0; top < ENTRIES; top++) {
		if (!lists[top])
			continue;
		list_list[top] = pv_p2m_get(virt_to_frame(lists[top])).n;
		for (unsigned long i = 0; i < ENTRIES; i++)
			lists[top][i] = list_entry(top * ENTRIES + i);
	}
	xen_shared_info()->arch.pfn_to_mfn_frame_list_list = pv_p2m_get(virt_to_frame(list_list)).n;
	publish_range();
}

int p2m_lists_move(pfn_t p, pfn_t to)
{
	for (unsigned long top = 0; top < ENTRIES; top++) {
		if (!lists[top] || virt_to_frame(lists[top]).n != p.n)
			continue;
		memcpy(frame_to_virt(to), lists[top], PAGE_SIZE);
		lists[top] = frame_to_virt(to);
		list_list[top] = pv_p2m_get(to).n;
		return 0;
	}
	return -ENOENT;
}
