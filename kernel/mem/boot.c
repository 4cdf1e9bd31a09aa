/*
 * Start of day (tide/mem_boot.h): what the platform says each boot block
 * and frame is, written into the frame and block tables by the core.
 */
#include <tide/frame.h>
#include <tide/lib.h>
#include <tide/mem_boot.h>
#include <tide/buddy.h>

void mem_boot_online(unsigned long b)
{
	if (block_set_state(b, BLOCK_ONLINE, 0))
		panic("mem_boot: cannot bring boot block %lu online", b);
}

void mem_boot_hole(uint64_t start, uint64_t end)
{
	for (unsigned long b = start / BLOCK_BYTES; b < DIV_ROUND_UP(end, BLOCK_BYTES) && b < frames_nr_blocks(); b++)
		if (block_state(b) == BLOCK_ABSENT)
			block_set_state(b, BLOCK_HOLE, 0);
}

void mem_boot_reserve(pfn_t first, unsigned long n, unsigned k)
{
	for (unsigned long i = 0; i < n; i++)
		frame_set_state(pfn(first.n + i), FRAME_RESERVED, k, false);
}

void mem_boot_free(pfn_t first, unsigned long n)
{
	while (n) {
		unsigned long run = MIN(n, (pfn_to_block(first) + 1) * BLOCK_PAGES - first.n);
		buddy_add_frames(first, run);
		first.n += run;
		n -= run;
	}
}
