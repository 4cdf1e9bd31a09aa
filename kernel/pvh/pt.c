/* PVH page tables, written directly; see pt.h. */
#include <tide/lib.h>
#include <tide/platform.h>
#include "pt.h"

static uint64_t *root;
static pfn_t root_frame;
static pt_table_source_t source;

static unsigned index_of(unsigned long va, int level) { return (va >> (PAGE_SHIFT + 9 * (level - 1))) & 511; }
static pfn_t entry_frame(uint64_t e) { return pfn((e & PTE_ADDR_MASK) >> PAGE_SHIFT); }
static uint64_t *table_of(uint64_t e) { return frame_to_virt(entry_frame(e)); }
static void invlpg(unsigned long va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

/* A zeroed table from the source, or NULL. */
static uint64_t *new_table(pfn_t *f)
{
	if (!source || !source(f))
		return NULL;
	uint64_t *t = frame_to_virt(*f);
	memset(t, 0, PAGE_SIZE);
	return t;
}

void pt_set_table_source(pt_table_source_t src) { source = src; }

void pt_init(pt_table_source_t src)
{
	source = src;
	if (!(root = new_table(&root_frame)))
		panic("pvh_pt: no frame for the top-level table");
}

void pt_activate(void) { __asm__ volatile("mov %0, %%cr3" : : "r"(root_frame.n << PAGE_SHIFT) : "memory"); }

/*
 * The entry for va at level (1: the 4 KiB page's, 2: a 2 MiB page's), with
 * the tables above it created when create is set. NULL when one could not
 * be had, or a large page covers va above that level.
 */
static uint64_t *walk(unsigned long va, int level, bool create)
{
	uint64_t *t = root;
	for (int l = 4; l > level; l--) {
		uint64_t *e = &t[index_of(va, l)];
		pfn_t f;
		if (*e & PTE_LARGE)
			return NULL;
		if (!(*e & PTE_PRESENT)) {
			if (!create || !new_table(&f))
				return NULL;
			*e = (f.n << PAGE_SHIFT) | PTE_DATA;
		}
		t = table_of(*e);
	}
	return &t[index_of(va, level)];
}

/* Map frame p at va at level 1 (4 KiB) or 2 (2 MiB, flags PTE_LARGE): 0, or -ENOMEM. */
static int map_at(unsigned long va, int level, pfn_t p, uint64_t flags)
{
	uint64_t *e = walk(va, level, true);
	if (!e)
		return -ENOMEM;
	*e = (p.n << PAGE_SHIFT) | PTE_DATA | flags;
	invlpg(va);
	return 0;
}

int pt_map_page(unsigned long va, pfn_t p) { return map_at(va, 1, p, 0); }
int pt_map_large(unsigned long va, pfn_t p) { return map_at(va, 2, p, PTE_LARGE); }
int pt_map_device(unsigned long va, pfn_t p) { return map_at(va, 1, p, PTE_UNCACHED); }

void pt_unmap_page(unsigned long va)
{
	uint64_t *e = walk(va, 1, false);
	BUG_ON(!e);
	*e = 0;
	invlpg(va);
}

bool pt_lookup(unsigned long va, pfn_t *out)
{
	uint64_t *t = root;
	for (int l = 4; l >= 1; l--) {
		uint64_t e = t[index_of(va, l)];
		if (!(e & PTE_PRESENT))
			return false;
		if (l == 1 || (l == 2 && (e & PTE_LARGE))) {
			unsigned long within = l == 2 ? (va >> PAGE_SHIFT) & (BLOCK_PAGES - 1) : 0;
			*out = pfn(entry_frame(e).n + within);
			return true;
		}
		t = table_of(e);
	}
	return false;
}

bool pt_is_large(unsigned long va)
{
	uint64_t *e = walk(va, 2, false);
	return e && (*e & PTE_PRESENT) && (*e & PTE_LARGE);
}

int pt_split(unsigned long va)
{
	uint64_t *e = walk(va, 2, false);
	pfn_t f;
	BUG_ON(!e || !(*e & PTE_LARGE));
	uint64_t *l1 = new_table(&f);
	if (!l1)
		return -ENOMEM;
	pfn_t first = entry_frame(*e);
	for (unsigned i = 0; i < 512; i++)
		l1[i] = ((first.n + i) << PAGE_SHIFT) | PTE_DATA;
	*e = (f.n << PAGE_SHIFT) | PTE_DATA;
	pt_flush();
	return 0;
}

bool pt_clear_region(unsigned long va, pfn_t *table)
{
	uint64_t *e = walk(va, 2, false);
	if (!e || !(*e & PTE_PRESENT))
		return false;
	bool was_table = !(*e & PTE_LARGE);
	*table = entry_frame(*e);
	*e = 0;
	pt_flush();
	return was_table;
}

void pt_unmap_large(unsigned long va)
{
	uint64_t *e = walk(va, 2, false);
	BUG_ON(!e || !(*e & PTE_LARGE));
	*e = 0;
}

/* Repoint entries of table t (at level, mapping from va) and of the tables below it; see pt_repoint(). */
static long repoint_in(uint64_t *t, int level, unsigned long va, pfn_t from, pfn_t to)
{
	long changed = 0;
	for (unsigned i = 0; i < 512; i++) {
		uint64_t *e = &t[i];
		unsigned long at = va + ((unsigned long)i << (PAGE_SHIFT + 9 * (level - 1)));
		if (!(*e & PTE_PRESENT) || (level == 2 && (*e & PTE_LARGE)))
			continue;
		bool alias = level == 1 && at != (unsigned long)frame_to_virt(from);
		if (entry_frame(*e).n == from.n && (level > 1 || alias)) {
			*e = (*e & ~PTE_ADDR_MASK) | (to.n << PAGE_SHIFT);
			changed++;
		}
		if (level > 1)
			changed += repoint_in(table_of(*e), level - 1, at, from, to);
	}
	return changed;
}

long pt_repoint(pfn_t from, pfn_t to)
{
	if (from.n == root_frame.n)
		return -EBUSY;
	long changed = repoint_in(root, 4, 0, from, to);
	pt_flush();
	return changed;
}

void pt_flush(void) { pt_activate(); }
