/* Console tables of the memory core's state. */
#include <tide/balloon.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/mem_report.h>
#include <tide/buddy.h>
#include <tide/platform.h>

void mem_info(struct mem_info *out)
{
	const struct balloon_stats *b = balloon_stats();
	*out = (struct mem_info){
		.held_pages = frames_populated(),
		.free_pages = nr_free_pages(),
		.used_pages = frames_in_state(FRAME_USED) + frames_in_state(FRAME_RESERVED),
		.target_pages = b->target_pages,
		.floor_pages = b->floor_pages,
	};
}

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

static char block_char(unsigned long b)
{
	switch (block_state(b)) {
	case BLOCK_ABSENT:
		return '_';
	case BLOCK_HOLE:
		return 'x';
	default: {
		const struct block_info *bi = block_info(b);
		unsigned long busy = bi->nr_populated - bi->nr_free;
		if (bi->nr_populated == 0)
			return ' ';
		if (busy == 0)
			return '.';
		if (busy < BLOCK_PAGES / 4)
			return ':';
		return busy < BLOCK_PAGES * 3 / 4 ? '+' : '#';
	}
	}
}

void mem_report_block_map(void)
{
	unsigned long last = 0;
	for (unsigned long b = 0; b < frames_nr_blocks(); b++)
		if (block_state(b) != BLOCK_ABSENT)
			last = b;
	unsigned long boundary = 0;
	while (boundary < frames_nr_blocks() && block_state(boundary) == BLOCK_ONLINE &&
	       !(block_info(boundary)->flags & BLOCK_HOTPLUGGED))
		boundary++;
	char row[66];
	for (unsigned long b = 0; b <= last; b += 64) {
		unsigned long n = 0;
		for (unsigned long i = b; i <= last && i < b + 64; i++) {
			if (i == boundary && i != 0)
				row[n++] = '|';
			row[n++] = block_char(i);
		}
		row[n] = '\0';
		printk("  %6lu MiB [%s]\n", b * (BLOCK_BYTES >> 20), row);
	}
}

void mem_report_line(const char *label)
{
	printk("  %-28s free %5lu MiB  used %5lu MiB  reserved %4lu KiB  online %lu blocks\n", label,
	       PAGES_TO_MIB(nr_free_pages()), PAGES_TO_MIB(frames_in_state(FRAME_USED)),
	       PAGES_TO_KIB(frames_in_state(FRAME_RESERVED)), blocks_in_state(BLOCK_ONLINE));
}

void mem_report_timeline(void)
{
	long max = platform_max_pages();
	printk("TIMELINE t_ms=%lu target_kib=%lu current_kib=%lu free_kib=%lu used_kib=%lu max_kib=%lu\n",
	       (unsigned long)(monotonic_ns() / 1000000), PAGES_TO_KIB(balloon_stats()->target_pages),
	       PAGES_TO_KIB(frames_populated()), PAGES_TO_KIB(nr_free_pages()),
	       PAGES_TO_KIB(frames_in_state(FRAME_USED) + frames_in_state(FRAME_RESERVED)),
	       max > 0 ? PAGES_TO_KIB(max) : 0);
}
