/* Console tables of the memory core's state. */
#include <tide/lib.h>
#include <tide/mem_report.h>
#include <tide/page_alloc.h>

static void bar(unsigned long part, unsigned long whole)
{
	char line[41];
	unsigned long n = whole ? (part * 40 + whole / 2) / whole : 0;
	for (unsigned long i = 0; i < 40; i++)
		line[i] = i < n ? '#' : '.';
	line[40] = '\0';
	printk("%s", line);
}

void mem_report_states(void)
{
	unsigned long populated = frames_populated();
	printk("  frames        pages       MiB  share of populated\n");
	for (int s = FRAME_FREE; s <= FRAME_RESERVED; s++) {
		printk("  %-11s %9lu %9lu  ", frame_state_name(s), frames_in_state(s),
		       PAGES_TO_MIB(frames_in_state(s)));
		bar(frames_in_state(s), populated);
		printk("\n");
	}
	printk("  %-11s %9lu %9lu  (address space kept for growth)\n", "unpopulated",
	       frames_in_state(FRAME_UNPOPULATED), PAGES_TO_MIB(frames_in_state(FRAME_UNPOPULATED)));
	printk("  %-11s %9lu %9lu\n", "hole", frames_in_state(FRAME_HOLE),
	       PAGES_TO_MIB(frames_in_state(FRAME_HOLE)));
	printk("  reserved by kind:");
	for (int k = 0; k < RESERVED_NR_KINDS; k++)
		printk(" %s %lu", reserved_kind_name(k), frames_reserved(k));
	printk("\n  blocks: online %lu, absent %lu, hole %lu\n", blocks_in_state(BLOCK_ONLINE),
	       blocks_in_state(BLOCK_ABSENT), blocks_in_state(BLOCK_HOLE));
	printk("  free chunks by order:");
	for (unsigned o = 0; o <= PAGE_MAX_ORDER; o++)
		printk(" %u:%lu", o, buddy_chunks(o));
	printk("\n");
}
