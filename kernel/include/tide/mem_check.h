/*
 * The invariant checker. It recomputes every counter of the memory model from
 * the frame and block tables, walks the allocator's free lists, and compares
 * the frames the guest thinks it holds with what the platform (Xen) says.
 * Tests run it after every operation that changes memory.
 */
#ifndef TIDE_MEM_CHECK_H
#define TIDE_MEM_CHECK_H

/* 0 when every invariant holds; otherwise -EINVAL after logging the first violation. */
int mem_check(void);

#endif
