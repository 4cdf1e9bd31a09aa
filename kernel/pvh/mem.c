/*
 * Memory at start of day on the PVH platform, and the memory core's
 * platform calls (tide/platform.h) with no hypervisor behind them.
 *
 * The memory map (start info) says where RAM is. A block is Tide's when all
 * of its 2 MiB is RAM. Every other block below 4 GiB and below the top of
 * RAM is a hole, and so is every block above that the map lists as not RAM,
 * so nothing is ever mapped, handed out or hot-added inside a hole, an MMIO
 * range or the BIOS's first megabyte; the rest of the pfn space (as large
 * as the host lets the guest grow, host.h) is room to hot-add into. A map
 * that lists UNUSABLE ranges is Xen's for a PVH dom0, which mirrors the
 * machine's: there, space the map does not list may hold a device's 64-bit
 * BARs, and only the UNUSABLE ranges (the host's RAM dom0 was not given)
 * are room to hot-add into; the pfn space ends with the last of them.
 * Start of day then:
 *   1. takes frames for tables and metadata from the boot frontier, the
 *      frames just past the image (pvh.ld puts it at 2 MiB, in RAM);
 *   2. builds the direct map in new tables: each RAM block with one 2 MiB
 *      page, except block 0 (if RAM) whose page 0 stays unmapped as the NULL
 *      guard; and switches to them;
 *   3. sets up the frame tables over the RAM blocks, tells the core what
 *      each boot block and frame is (tide/mem_boot.h), and fills the
 *      metadata reserve, which replaces the frontier from then on;
 *   4. gives the host back the RAM outside whole blocks (host.h), pages that
 *      are only partly RAM included (they hold firmware tables Tide never
 *      reads), once nothing of the start info is needed any more.
 * The host (host.h) answers the elastic calls and says what the guest holds.
 */
#include <tide/frame.h>
#include <tide/lib.h>
#include <tide/mem_boot.h>
#include <tide/metapool.h>
#include <tide/buddy.h>
#include <tide/platform.h>
#include "host.h"
#include "layout.h"
#include "pt.h"
#include "pvh.h"

extern char _image_start[], _image_end[];

static struct mem_boot_info info;

const struct mem_boot_info *mem_boot_info(void) { return &info; }

void *frame_to_virt(pfn_t p) { return (void *)(DIRECTMAP_BASE + (p.n << PAGE_SHIFT)); }
pfn_t virt_to_frame(const void *va) { return pfn(((unsigned long)va - DIRECTMAP_BASE) >> PAGE_SHIFT); }

/* ---- RAM blocks: runs [first, end) of blocks that are RAM throughout ---- */

static struct {
	unsigned long first, end;
} ram[PVH_MAX_RANGES];
static unsigned nr_ram;

static void find_ram_blocks(void)
{
	unsigned n;
	const struct pvh_range *map = pvh_memmap(&n);
	for (unsigned i = 0; i < n; i++) {
		if (map[i].type != PVH_RAM)
			continue;
		uint64_t start = map[i].addr, end = map[i].addr + map[i].size;
		while (i + 1 < n && map[i + 1].type == PVH_RAM && map[i + 1].addr == end)
			end += map[++i].size; /* adjacent RAM ranges make one */
		unsigned long first = DIV_ROUND_UP(start, BLOCK_BYTES), last = end / BLOCK_BYTES;
		if (first < last && nr_ram < ARRAY_SIZE(ram)) {
			ram[nr_ram].first = first;
			ram[nr_ram++].end = MIN(last, MAX_BLOCKS);
		}
	}
	if (!nr_ram)
		panic("pvh_mem: no whole 2 MiB block of RAM in the memory map");
}

/* Frames of room left under what the host backs, for its pages outside RAM (a domU's rings and tables). */
#define BACKED_SLACK_PAGES BLOCK_PAGES

/*
 * When the host backs fewer frames than the RAM blocks hold
 * (populate-on-demand: xl's maxmem above memory, or a reboot after xl
 * mem-max raised it), keep only the lowest RAM blocks that fit under what
 * is backed, less some slack: the rest is given back untouched with the
 * RAM outside whole blocks (give_back_partial_ram), since touching more
 * than is backed would crash the guest. Those blocks become holes: growth
 * goes above the map's RAM, as always.
 */
static void trim_to_backed(void)
{
	unsigned long backed = host_backed_pages(), total = 0;
	for (unsigned i = 0; i < nr_ram; i++)
		total += (ram[i].end - ram[i].first) * BLOCK_PAGES;
	if (backed == ~0UL || backed >= total)
		return;
	unsigned long keep = backed > BACKED_SLACK_PAGES + BLOCK_PAGES ? (backed - BACKED_SLACK_PAGES) / BLOCK_PAGES : 1;
	for (unsigned i = 0; i < nr_ram; i++) {
		ram[i].end = ram[i].first + MIN(ram[i].end - ram[i].first, keep);
		keep -= ram[i].end - ram[i].first;
	}
	while (nr_ram && ram[nr_ram - 1].end == ram[nr_ram - 1].first)
		nr_ram--;
	printk("tide: the host backs %lu of the %lu frames of RAM blocks in the memory map: using the lowest %lu MiB\n",
	       backed, total, PAGES_TO_MIB((ram[nr_ram - 1].end - ram[0].first) * BLOCK_PAGES));
}

static bool block_is_ram(unsigned long b)
{
	for (unsigned i = 0; i < nr_ram; i++)
		if (b >= ram[i].first && b < ram[i].end)
			return true;
	return false;
}

/* ---- boot frontier ---- */

static bool booting = true;
static unsigned long frontier_first, frontier_next;
static struct {
	uint8_t kind;
	uint32_t count;
} runs[32];
static unsigned nr_runs;

static bool frontier_take(enum reserved_kind kind, pfn_t *out)
{
	if (!block_is_ram(pfn_to_block(pfn(frontier_next))))
		panic("pvh_mem: boot frontier at pfn %lx left RAM", frontier_next);
	if (nr_runs && runs[nr_runs - 1].kind == kind) {
		runs[nr_runs - 1].count++;
	} else {
		BUG_ON(nr_runs == ARRAY_SIZE(runs));
		runs[nr_runs].kind = (uint8_t)kind;
		runs[nr_runs++].count = 1;
	}
	*out = pfn(frontier_next++);
	return true;
}

static bool take_frame(enum reserved_kind kind, pfn_t *out)
{
	if (booting)
		return frontier_take(kind, out);
	return metapool_take(kind, out) == 0;
}

/*
 * L1 tables a block no longer needs (it went back whole, or is mapped whole
 * again) are kept for the next block that needs one, as PV keeps its
 * tables: handing them to the allocator would move the guest's floor under
 * a shrink that is meeting it.
 */
static pfn_t spare_tables[64];
static unsigned nr_spare_tables;

void pvh_table_put(pfn_t table)
{
	if (nr_spare_tables < ARRAY_SIZE(spare_tables))
		spare_tables[nr_spare_tables++] = table;
	else
		metapool_put(table);
}

static bool take_table_frame(pfn_t *out)
{
	if (nr_spare_tables) {
		*out = spare_tables[--nr_spare_tables];
		return true;
	}
	return take_frame(RESERVED_PAGETABLE, out);
}

int platform_meta_back(void *va)
{
	pfn_t f;
	if (!take_frame(RESERVED_META, &f))
		return -ENOMEM;
	memset(frame_to_virt(f), 0, PAGE_SIZE);
	int rc = pt_map_page((unsigned long)va & ~(PAGE_SIZE - 1), f);
	if (rc && !booting)
		metapool_put(f);
	return rc;
}

void platform_meta_release(void *va)
{
	unsigned long page = (unsigned long)va & ~(PAGE_SIZE - 1);
	pfn_t f;
	BUG_ON(!pt_lookup(page, &f));
	pt_unmap_page(page);
	metapool_put(f);
}

/* ---- the direct map ---- */

static void map_ram(void)
{
	for (unsigned i = 0; i < nr_ram; i++)
		for (unsigned long b = ram[i].first; b < ram[i].end; b++) {
			int rc = 0;
			if (b == 0) /* the NULL guard: page 0 unmapped */
				for (unsigned long p = 1; p < BLOCK_PAGES && !rc; p++)
					rc = pt_map_page(p << PAGE_SHIFT, pfn(p));
			else
				rc = pt_map_large(b * BLOCK_BYTES, block_to_pfn(b));
			if (rc)
				panic("pvh_mem: cannot map block %lu", b);
		}
}

/* ---- what each boot frame is ---- */

/* Frames [p, end) of RAM: reserved where the image, the NULL guard or the frontier are, else free. */
static void tell_frames(unsigned long p, unsigned long end)
{
	unsigned long image_first = (unsigned long)_image_start >> PAGE_SHIFT;
	while (p < end) {
		unsigned long next = end;
		if (p == 0) {
			mem_boot_reserve(pfn(0), 1, RESERVED_KERNEL); /* NULL guard */
			p++;
			continue;
		}
		if (p >= image_first && p < frontier_first) {
			next = MIN(end, frontier_first);
			mem_boot_reserve(pfn(p), next - p, RESERVED_KERNEL);
		} else if (p >= frontier_first && p < frontier_next) {
			unsigned long at = frontier_first;
			for (unsigned r = 0; r < nr_runs; at += runs[r++].count)
				if (p < at + runs[r].count) {
					next = MIN(end, at + runs[r].count);
					mem_boot_reserve(pfn(p), next - p, runs[r].kind);
					break;
				}
		} else {
			if (p < image_first)
				next = MIN(end, image_first);
			mem_boot_free(pfn(p), next - p);
		}
		p = next;
	}
}

/* Does the map list the machine's RAM that the guest was not given (a PVH dom0's)? */
static bool map_mirrors_machine(const struct pvh_range *map, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (map[i].type == PVH_UNUSABLE)
			return true;
	return false;
}

/*
 * The pfn space: the host's (host_space_blocks), but where the map mirrors
 * the machine's, no further than its last range of RAM or UNUSABLE, the
 * end of what the guest could ever grow into: no frame-state or block
 * table for the rest, and no walk over it.
 */
static unsigned long space_blocks(void)
{
	unsigned n;
	const struct pvh_range *map = pvh_memmap(&n);
	unsigned long ram_end = ram[nr_ram - 1].end, blocks = host_space_blocks(ram_end), end = ram_end;
	if (!map_mirrors_machine(map, n))
		return blocks;
	for (unsigned i = 0; i < n; i++)
		if (map[i].type == PVH_UNUSABLE)
			end = MAX(end, (unsigned long)((map[i].addr + map[i].size) / BLOCK_BYTES));
	return MIN(blocks, end);
}

/* Blocks that are not room to hot-add into: the rules at the top. */
static void tell_holes(void)
{
	unsigned n;
	const struct pvh_range *map = pvh_memmap(&n);
	if (map_mirrors_machine(map, n)) { /* holes between the whole blocks of the UNUSABLE ranges (in order) */
		uint64_t from = 0;
		for (unsigned i = 0; i < n; i++) {
			uint64_t first = DIV_ROUND_UP(map[i].addr, BLOCK_BYTES) * BLOCK_BYTES;
			uint64_t end = (map[i].addr + map[i].size) / BLOCK_BYTES * BLOCK_BYTES;
			if (map[i].type != PVH_UNUSABLE || first >= end)
				continue;
			mem_boot_hole(from, first);
			from = end;
		}
		mem_boot_hole(from, info.space_blocks * BLOCK_BYTES);
		return;
	}
	uint64_t low = MAX(MAX((uint64_t)GIB(4), ram[nr_ram - 1].end * BLOCK_BYTES), host_room_start());
	mem_boot_hole(0, low);
	for (unsigned i = 0; i < n; i++)
		if (map[i].type != PVH_RAM)
			mem_boot_hole(map[i].addr, map[i].addr + map[i].size);
}

static void tell_core(void)
{
	for (unsigned i = 0; i < nr_ram; i++)
		for (unsigned long b = ram[i].first; b < ram[i].end; b++)
			mem_boot_online(b);
	tell_holes();
	for (unsigned i = 0; i < nr_ram; i++)
		tell_frames(ram[i].first * BLOCK_PAGES, ram[i].end * BLOCK_PAGES);
}

/* ---- RAM outside whole blocks ---- */

static void give_back_partial_ram(void)
{
	unsigned n;
	unsigned long given = 0;
	const struct pvh_range *map = pvh_memmap(&n);
	for (unsigned i = 0; i < n; i++) {
		if (map[i].type != PVH_RAM)
			continue;
		unsigned long p = map[i].addr >> PAGE_SHIFT, end = DIV_ROUND_UP(map[i].addr + map[i].size, PAGE_SIZE);
		while (p < end) {
			unsigned long run = 0;
			while (p + run < end && !block_is_ram(pfn_to_block(pfn(p + run))))
				run++;
			given += run ? host_give_back(pfn(p), run) : 0;
			p += run;
			while (p < end && block_is_ram(pfn_to_block(pfn(p))))
				p++;
		}
	}
	if (given)
		printk("tide: gave back %lu frames of RAM outside the blocks it uses\n", given);
}

/* ---- start of day ---- */

void pvh_mem_init(void)
{
	find_ram_blocks();
	trim_to_backed();
	info.space_blocks = space_blocks();
	for (unsigned i = 0; i < nr_ram; i++)
		info.boot_blocks += ram[i].end - ram[i].first;
	frontier_first = frontier_next = (unsigned long)_image_end >> PAGE_SHIFT;
	pt_init(take_table_frame);
	map_ram();
	pt_activate();
	host_tables_ready();
	frames_init((uint8_t *)FRAME_STATE_BASE, (struct block_info *)BLOCK_TABLE_BASE, info.space_blocks);
	buddy_init();
	metapool_init();
	tell_core();
	booting = false;
	metapool_refill();
	info.frontier_pages = frontier_next - frontier_first;
	give_back_partial_ram();
	info.boot_pages = frames_populated();
	host_memory_ready(info.boot_pages);
	info.boot_reservation = platform_reservation_pages();
	info.max_reservation = platform_max_pages();
}

/* ---- the platform's invariants ---- */

/* Is frame p mapped where the direct map says, as it should be? */
static int check_frame(pfn_t p)
{
	pfn_t at;
	bool mapped = pt_lookup((unsigned long)frame_to_virt(p), &at);
	bool should = frame_state(p) != FRAME_UNPOPULATED && frame_state(p) != FRAME_HOLE && p.n != 0;
	if (mapped == should && (!mapped || at.n == p.n))
		return 0;
	printk("pvh_check: frame %lx (%s) is %smapped%s\n", p.n, frame_state_name(frame_state(p)),
	       mapped ? "" : "not ", mapped && at.n != p.n ? " to another frame" : "");
	return -EINVAL;
}

int platform_check(void)
{
	pfn_t at;
	for (unsigned long b = 0; b < frames_nr_blocks(); b++) {
		if (block_state(b) != BLOCK_ONLINE) {
			if (pt_lookup(b * BLOCK_BYTES, &at)) {
				printk("pvh_check: block %lu is not online but mapped\n", b);
				return -EINVAL;
			}
			continue;
		}
		for (unsigned long i = 0; i < BLOCK_PAGES; i++)
			if (check_frame(pfn(b * BLOCK_PAGES + i)))
				return -EINVAL;
	}
	return 0;
}

/*
 * A page table or a metadata page moves by copying it and repointing what
 * refers to it (pt_repoint); a spare L1 table is referred to by nothing
 * but the spare list.
 */
int platform_meta_move(pfn_t p, pfn_t to)
{
	memcpy(frame_to_virt(to), frame_to_virt(p), PAGE_SIZE);
	for (unsigned i = 0; i < nr_spare_tables; i++)
		if (spare_tables[i].n == p.n) {
			spare_tables[i] = to;
			return 0;
		}
	long changed = pt_repoint(p, to);
	return changed > 0 ? 0 : changed < 0 ? (int)changed : -ENOENT;
}
