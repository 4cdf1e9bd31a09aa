/*
 * The demo application: a guest that boots with 32 MiB grows past its boot
 * memory by allocating (grow on shortage), gives everything back, follows
 * targets set through the balloon API down below its boot memory and up
 * again, and shows the block map (one character per 2 MiB) and a timeline
 * sample after each step.
 */
#include <tide/balloon.h>
#include <tide/frame.h>
#include <tide/heap.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/mem_check.h>
#include <tide/mem_report.h>
#include <tide/page_alloc.h>

#define MAX_OBJECTS 60000

static void *objects[MAX_OBJECTS];

static void show(const char *step)
{
	printk("\n== %s\n", step);
	mem_report_line("");
	mem_report_block_map();
	mem_report_timeline();
	if (mem_check())
		panic("demo: invariant check failed after: %s", step);
}

/* Allocate heap objects until target_mib are in use or memory runs out; returns how many. */
static unsigned fill(unsigned long target_mib)
{
	unsigned n = 0;
	size_t bytes = 0;
	while (n < MAX_OBJECTS && bytes < MIB(target_mib)) {
		size_t size = n % 16 == 0 ? 64 * 1024 : 64 + (n * 131) % 3000;
		objects[n] = heap_alloc(size);
		if (!objects[n])
			break;
		memset(objects[n], 0xa5, size);
		bytes += size;
		n++;
	}
	return n;
}

static void go_to(unsigned long mib)
{
	balloon_set_target(MIB_TO_PAGES(mib));
	enum balloon_state s = balloon_settle(monotonic_ns() + 30ULL * 1000 * 1000 * 1000);
	printk("demo: balloon %s holding %lu KiB (target %lu KiB)\n", balloon_state_name(s),
	       PAGES_TO_KIB(frames_populated()), mib * 1024);
}

int app_main(void)
{
	unsigned long boot_mib = PAGES_TO_MIB(frames_populated());
	unsigned long fill_mib = cmdline_ulong("fill_mib", 160);
	printk("\ndemo: block map: . free  : <25%% used  + <75%% used  # full  (blank) ballooned out"
	       "  _ absent  | boot boundary\n");
	show("at start");

	unsigned n = fill(fill_mib);
	printk("\ndemo: allocated %u objects, %lu MiB on the heap: the guest grew on shortage "
	       "(%lu blocks hot-added)\n", n, (unsigned long)(heap_bytes_in_use() >> 20),
	       balloon_stats()->blocks_plugged);
	show("after allocating past boot memory");

	for (unsigned i = 0; i < n; i++)
		heap_free(objects[i]);
	show("after freeing everything (memory still held)");

	printk("\ndemo: target back to the boot size, %lu MiB\n", boot_mib);
	go_to(boot_mib);
	show("after shrinking to the boot size (hot-added blocks unplugged)");

	printk("\ndemo: target 2 MiB, below what the kernel needs: it stops at the floor\n");
	go_to(2);
	show("held at the floor");

	printk("\ndemo: target 96 MiB\n");
	go_to(96);
	show("after growing by target (refill, then hot-add)");
	return 0;
}
