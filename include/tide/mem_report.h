/*
 * The guest's memory, as numbers for the application (mem_info) and as
 * human-readable reports for the console. Pages are 4 KiB.
 */
#ifndef TIDE_MEM_REPORT_H
#define TIDE_MEM_REPORT_H

struct mem_info {
	unsigned long held_pages;   /* what the host gave the guest (Xen's tot_pages) */
	unsigned long free_pages;   /* free in the page allocator */
	unsigned long used_pages;   /* allocated, the kernel's own metadata included */
	unsigned long target_pages; /* what the balloon follows (tide/balloon.h) */
	unsigned long floor_pages;  /* the least it would shrink to now */
};

/* The numbers now. */
void mem_info(struct mem_info *out);

/* Frame states, reserved kinds, blocks and free chunks per order, as a table. */
void mem_report_states(void);
/*
 * One character per block, up to the highest non-absent block: '_' absent,
 * 'x' hole, ' ' online but ballooned out, and for online blocks by the share
 * of frames in use (used or reserved): '.' none, ':' under a quarter, '+'
 * under three quarters, '#' more. A '|' marks the boot boundary.
 */
void mem_report_block_map(void);
/* One line: free, used and reserved MiB, online blocks. */
void mem_report_line(const char *label);
/*
 * One machine-readable sample of the memory timeline:
 * "TIMELINE t_ms=.. target_kib=.. current_kib=.. free_kib=.. used_kib=.. max_kib=.."
 */
void mem_report_timeline(void);
/* The virtual layout and what start of day found and took (platform-specific). */
void mem_report_boot(void);

#endif
