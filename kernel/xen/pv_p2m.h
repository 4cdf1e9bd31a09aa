/*
 * The p2m frame lists that Xen's tools read through shared info (save,
 * restore, dump): a three-level tree, shared_info.arch.pfn_to_mfn_frame_list_list
 * -> one frame-list page per 512 p2m pages -> the p2m pages. One p2m page
 * covers exactly one block, so entry b of the tree is block b's p2m page; a
 * block without one points at a shared page of INVALID entries.
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
