/*
 * The p2m frame lists that Xen's tools read through shared info (save,
 * restore, dump): a three-level tree, shared_info.arch.pfn_to_mfn_frame_list_list
 * -> one frame-list page per 512 p2m pages -> the p2m pages. One p2m page
 * covers exactly one block, so entry b of the tree is block b's p2m page; a
 * block without one points at a shared page of INVALID entries.
 *
 * A save walks the pfns below shared_info.arch.max_pfn and writes a header
 * for each, so max_pfn is one past the highest block with a p2m page: it
 * falls when that block is unplugged, and a guest that gave memory back
 * does not carry its old peak into every save.
 *
 * The toolstack reads this tree, and maps the p2m pages it names, before it
 * asks the guest to suspend; it reads the pages' entries after. A block
 * plugged in between is missing from its tree, and the page tables that map
 * the block cannot be saved (the restored guest crashed, in a test); a block
 * unplugged in between leaves its p2m page, still mapped by the toolstack,
 * in the image, a frame the restored guest does not know it holds. So the
 * guest changes no block from the moment it sees the request until it has
 * resumed (balloon.h: HELD), and shrinks to its target in place, blocks kept
 * (balloon_shrink_for_suspend). Not covered: a block changed in
 * the milliseconds between the toolstack's read and the request reaching
 * the guest.
 */
#ifndef TIDE_XEN_PV_P2M_H
#define TIDE_XEN_PV_P2M_H

#include <tide/types.h>

/* Build the tree for the boot blocks (frames from the metadata reserve). */
void p2m_lists_init(unsigned long boot_blocks);
/* Point block b's entry at its p2m page; -ENOMEM when a frame-list page cannot be had. */
int p2m_lists_set(unsigned long b, mfn_t p2m_page);
void p2m_lists_clear(unsigned long b);
/*
 * After a restore: every frame has a new machine frame, so the tree is
 * rebuilt from the p2m (which the toolstack has rewritten) and published in
 * the new shared info again.
 */
void p2m_lists_resume(void);
/* Move the frame-list page in frame p to frame to (copied, repointed): 0, or -ENOENT. */
int p2m_lists_move(pfn_t p, pfn_t to);
/* Check the tree against the p2m region: 0, or -EINVAL after logging. */
int p2m_lists_check(void);

#endif
