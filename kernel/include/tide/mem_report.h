/* Human-readable reports of the memory state, for the console. */
#ifndef TIDE_MEM_REPORT_H
#define TIDE_MEM_REPORT_H

/* Frame states, reserved kinds, blocks and free chunks per order, as a table. */
void mem_report_states(void);
/* The virtual layout and what start of day found and took (platform-specific). */
void mem_report_boot(void);

#endif
