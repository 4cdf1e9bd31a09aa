/*
 * Page-table walking and updating for x86-64 PV. See pv_pt.h.
 *
 * Levels are numbered 4 (root) to 1 (leaf). The walker reads tables through
 * the direct map: the virtual address of a table is its pfn, found from the
 * entry's mfn through Xen's M2P table.
 */
#include <tide/lib.h>
#include "hypercall.h"
#include "pv.h"
#include "pv_pt.h"

static uint64_t *l4_table;
static pt_table_source_t table_source;

void pt_init(unsigned long l4_va) { l4_table = (uint64_t *)l4_va; }
void pt_set_table_source(pt_table_source_t src) { table_source = src; }

static unsigned pt_index(unsigned long va, int level)
{
	return (unsigned)((va >> (PAGE_SHIFT + 9 * (level - 1))) & 511);
}

static uint64_t *entry_table(uint64_t e)
{
	return (uint64_t *)(pv_m2p(mfn((e & PTE_MFN_MASK) >> PAGE_SHIFT)).n << PAGE_SHIFT);
}

/* Machine address of a table entry reached through the direct map. */
static uint64_t entry_maddr(const uint64_t *e)
{
	pfn_t table = pfn((unsigned long)e >> PAGE_SHIFT);
	return (pv_p2m_get(table).n << PAGE_SHIFT) | ((unsigned long)e & (PAGE_SIZE - 1));
}

static long write_entry(uint64_t *e, uint64_t val)
{
	mmu_update_t req = {.ptr = entry_maddr(e) | MMU_NORMAL_PT_UPDATE, .val = val};
	return hyp_mmu_update(&req, 1) == 1 ? 0 : -EINVAL;
}

int pt_make_table_frame(pfn_t t)
{
	unsigned long va = t.n << PAGE_SHIFT;
	memset((void *)va, 0, PAGE_SIZE);
	return hyp_update_va_mapping(va, pte_make(pv_p2m_get(t), PTE_READONLY),
				     UVMF_INVLPG | UVMF_LOCAL)
		       ? -EINVAL
		       : 0;
}

/*
 * The level-`level` entry (1..4) covering va, walking down from the root and
 * creating missing tables above it when create is set. NULL when a table on
 * the way is missing (or no table frame could be had).
 */
static uint64_t *walk(unsigned long va, int level, bool create)
{
	uint64_t *table = l4_table;
	for (int l = 4;; l--) {
		uint64_t *e = &table[pt_index(va, l)];
		if (l == level)
			return e;
		if (!(*e & PTE_PRESENT)) {
			pfn_t t;
			if (!create || !table_source || !table_source(&t))
				return NULL;
			if (pt_make_table_frame(t) || write_entry(e, pte_make(pv_p2m_get(t), PTE_TABLE)))
				panic("pt: cannot install a new level-%d table for %lx", l - 1, va);
		}
		table = entry_table(*e);
	}
}

uint64_t pt_lookup(unsigned long va)
{
	uint64_t *l2e = walk(va, 2, false);
	if (!l2e || !(*l2e & PTE_PRESENT))
		return 0;
	return entry_table(*l2e)[pt_index(va, 1)];
}

bool pt_has_l1(unsigned long va)
{
	uint64_t *l2e = walk(va, 2, false);
	return l2e && (*l2e & PTE_PRESENT);
}

static uint64_t *l1_entry(unsigned long va, bool create) { return walk(va, 1, create); }

int pt_map_page(unsigned long va, mfn_t m, uint64_t flags)
{
	uint64_t *e = l1_entry(va, true);
	if (!e)
		return -ENOMEM;
	return (int)write_entry(e, pte_make(m, flags));
}

int pt_unmap_page(unsigned long va)
{
	return (int)hyp_update_va_mapping(va, 0, UVMF_INVLPG | UVMF_LOCAL);
}

int pt_hook_l1(unsigned long va, mfn_t l1)
{
	uint64_t *l2e = walk(va, 2, true);
	if (!l2e)
		return -ENOMEM;
	BUG_ON(*l2e & PTE_PRESENT);
	return (int)write_entry(l2e, pte_make(l1, PTE_TABLE));
}

pfn_t pt_unhook_l1(unsigned long va)
{
	uint64_t *l2e = walk(va, 2, false);
	BUG_ON(!l2e || !(*l2e & PTE_PRESENT));
	pfn_t l1 = pv_m2p(mfn((*l2e & PTE_MFN_MASK) >> PAGE_SHIFT));
	if (write_entry(l2e, 0))
		panic("pt: cannot unhook the L1 table of %lx", va);
	return l1;
}

void pt_flush_tlb(void)
{
	struct mmuext_op flush = {.cmd = MMUEXT_TLB_FLUSH_LOCAL};
	hyp_mmuext_op(&flush, 1);
}

pfn_t pt_l1_frame(unsigned long va)
{
	uint64_t *l2e = walk(va, 2, false);
	BUG_ON(!l2e || !(*l2e & PTE_PRESENT));
	return pv_m2p(mfn((*l2e & PTE_MFN_MASK) >> PAGE_SHIFT));
}

/*
 * The entry that points at table frame m, searched from a level-`level`
 * table down to level 2 (only the guest's lower half of the root): tables
 * are never shared, so there is at most one. NULL when there is none.
 */
static uint64_t *find_parent(uint64_t *table, int level, mfn_t m)
{
	for (unsigned i = 0; i < (level == 4 ? 256U : 512U); i++) {
		uint64_t e = table[i];
		if (!(e & PTE_PRESENT))
			continue;
		if ((e & PTE_MFN_MASK) >> PAGE_SHIFT == m.n)
			return &table[i];
		uint64_t *found = level > 2 ? find_parent(entry_table(e), level - 1, m) : NULL;
		if (found)
			return found;
	}
	return NULL;
}

int pt_move_table(pfn_t t, pfn_t to)
{
	uint64_t *parent = find_parent(l4_table, 4, pv_p2m_get(t));
	unsigned long t_va = t.n << PAGE_SHIFT, to_va = to.n << PAGE_SHIFT;
	if (!parent)
		return -ENOENT;
	memcpy((void *)to_va, (void *)t_va, PAGE_SIZE);
	if (hyp_update_va_mapping(to_va, pte_make(pv_p2m_get(to), PTE_READONLY), UVMF_INVLPG | UVMF_LOCAL))
		return -EINVAL;
	if (write_entry(parent, (*parent & ~PTE_MFN_MASK) | (pv_p2m_get(to).n << PAGE_SHIFT))) {
		if (hyp_update_va_mapping(to_va, pte_make(pv_p2m_get(to), PTE_DATA), UVMF_INVLPG | UVMF_LOCAL))
			panic("pt: cannot map frame %lx writable again", to.n);
		return -EINVAL;
	}
	pt_flush_tlb();
	/* nothing refers to t as a table now: Xen lets it be a plain page again */
	if (hyp_update_va_mapping(t_va, pte_make(pv_p2m_get(t), PTE_DATA), UVMF_INVLPG | UVMF_LOCAL))
		panic("pt: table frame %lx is still in use after its move", t.n);
	return 0;
}

/* Queue one update of the entry at machine address maddr; a full batch is sent. */
static void batch_push(struct pt_batch *b, uint64_t maddr, uint64_t val)
{
	b->req[b->n].ptr = maddr | MMU_NORMAL_PT_UPDATE;
	b->req[b->n].val = val;
	if (++b->n == ARRAY_SIZE(b->req))
		pt_batch_flush(b);
}

void pt_batch_set(struct pt_batch *b, unsigned long va, uint64_t pte)
{
	unsigned long region = va >> (PAGE_SHIFT + 9);
	if (b->n == 0 || b->l1_region != region) {
		uint64_t *e = l1_entry(va, false);
		BUG_ON(!e);
		b->l1_region = region;
		b->l1_maddr = entry_maddr(e) - pt_index(va, 1) * sizeof(uint64_t);
	}
	batch_push(b, b->l1_maddr + pt_index(va, 1) * sizeof(uint64_t), pte);
}

void pt_batch_set_l2(struct pt_batch *b, unsigned long va, uint64_t entry)
{
	uint64_t *l2e = walk(va, 2, false);
	BUG_ON(!l2e);
	b->l1_region = ~0UL; /* the L1 it remembered may be the one this unhooks */
	batch_push(b, entry_maddr(l2e), entry);
}

long pt_batch_flush(struct pt_batch *b)
{
	if (b->n) {
		long rc = hyp_mmu_update(b->req, b->n);
		if (rc != (long)b->n && !b->error)
			b->error = rc < 0 ? rc : -EINVAL;
		b->n = 0;
	}
	return b->error;
}
