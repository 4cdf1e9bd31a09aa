/*
 * PV invariants for the checker (platform_check): for every frame of every
 * online block, the direct map and the p2m agree with the frame's state.
 *   populated  -> direct-mapped to p2m[pfn], read-only if it is a page table
 *   otherwise  -> not mapped, and p2m[pfn] is INVALID_MFN
 * Page 0 is the exception: populated (kernel image) but unmapped, the NULL guard.
 * And the p2m frame lists that Xen's tools read agree with the p2m region.
 */
#include <tide/frame.h>
#include <tide/lib.h>
#include <tide/platform.h>
#include "pv.h"
#include "pv_p2m.h"
#include "pv_pt.h"

static int check_frame(pfn_t p)
{
	enum frame_state s = frame_state(p);
	uint64_t pte = pt_lookup((unsigned long)frame_to_virt(p));
	bool populated = s == FRAME_FREE || s == FRAME_USED || s == FRAME_RESERVED;
	if (p.n == 0)
		return pte ? -EINVAL : 0;
	if (!populated) {
		if ((pte & PTE_PRESENT) || pv_p2m_get(p).n != INVALID_MFN) {
			printk("check: %s frame %lx has pte %lx, p2m %lx\n", frame_state_name(s), p.n,
			       (unsigned long)pte, pv_p2m_get(p).n);
			return -EINVAL;
		}
		return 0;
	}
	if (!(pte & PTE_PRESENT) || ((pte & PTE_MFN_MASK) >> PAGE_SHIFT) != pv_p2m_get(p).n) {
		printk("check: %s frame %lx has pte %lx but p2m %lx\n", frame_state_name(s), p.n,
		       (unsigned long)pte, pv_p2m_get(p).n);
		return -EINVAL;
	}
	if (s == FRAME_RESERVED && frame_aux(p) == RESERVED_PAGETABLE && (pte & PTE_RW)) {
		printk("check: page-table frame %lx is mapped writable\n", p.n);
		return -EINVAL;
	}
	if (pv_m2p(pv_p2m_get(p)).n != p.n) {
		printk("check: frame %lx -> mfn %lx, but the M2P says %lx\n", p.n, pv_p2m_get(p).n,
		       pv_m2p(pv_p2m_get(p)).n);
		return -EINVAL;
	}
	return 0;
}

int platform_check(void)
{
	for (unsigned long b = block_next_present(0); b < frames_nr_blocks(); b = block_next_present(b + 1)) {
		if (block_state(b) != BLOCK_ONLINE)
			continue;
		for (unsigned long i = 0; i < BLOCK_PAGES; i++)
			if (check_frame(pfn(b * BLOCK_PAGES + i)))
				return -EINVAL;
	}
	return p2m_lists_check();
}
