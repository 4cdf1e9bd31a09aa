/*
 * The demo application: a small workload that fills memory with heap objects
 * of mixed sizes, frees them in two waves, and shows the allocator's state
 * and a map of the blocks (one character per 2 MiB) after each step.
 */
#include <tide/heap.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/mem_check.h>
#include <tide/mem_report.h>
#include <tide/page_alloc.h>

#define MAX_OBJECTS 20000

static void *objects[MAX_OBJECTS];

static void show(const char *step)
{
	mem_report_line(step);
	mem_report_block_map();
	if (mem_check())
		panic("demo: invariant check failed after: %s", step);
}

/* Allocate objects until target_mib are in use or memory runs out; returns how many. */
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

int app_main(void)
{
	unsigned long target = cmdline_ulong("fill_mib", 24);
	printk("\ndemo: block map legend: . free  : <25%% used  + <75%% used  # full  _ absent\n");
	show("at start");
	unsigned n = fill(target);
	printk("\ndemo: allocated %u objects (%lu KiB on the heap)\n", n, (unsigned long)heap_bytes_in_use() / 1024);
	show("after filling");
	for (unsigned i = 0; i < n; i += 2)
		heap_free(objects[i]);
	printk("\ndemo: freed every other object\n");
	show("after freeing half");
	for (unsigned i = 1; i < n; i += 2)
		heap_free(objects[i]);
	printk("\ndemo: freed the rest\n");
	show("after freeing all");
	return 0;
}
