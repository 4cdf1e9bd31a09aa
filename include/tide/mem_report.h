/* Human-readable reports of the memory state, for the console. */
#ifndef TIDE_MEM_REPORT_H
#define TIDE_MEM_REPORT_H

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
