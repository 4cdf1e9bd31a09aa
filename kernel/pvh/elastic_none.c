/*
 * The elastic calls of tide/platform.h for a PVH guest that has no memory
 * to grow into or give back: every request is refused (-EOPNOTSUPP), as a
 * host that says no. kernel/direct uses them (no hypervisor), and so does
 * the PVH guest under Xen until its elastic memory is built (issue 12's
 * next step: populate and release by guest frame number). The host gives
 * the reservation, the limit and the statistics.
 */
#include <tide/lib.h>
#include <tide/platform.h>

long platform_populate(const pfn_t *frames, unsigned long n) { (void)frames, (void)n; return -EOPNOTSUPP; }
long platform_populate_blocks(const unsigned long *blocks, unsigned long n) { (void)blocks, (void)n; return -EOPNOTSUPP; }
long platform_release(const pfn_t *frames, unsigned long n) { (void)frames, (void)n; return -EOPNOTSUPP; }
long platform_release_blocks(const unsigned long *blocks, unsigned long n) { (void)blocks, (void)n; return -EOPNOTSUPP; }
unsigned platform_block_meta_frames(void) { return 2; }
long platform_plug_blocks(const unsigned long *blocks, unsigned long n, unsigned long last_frames)
{
	(void)blocks, (void)n, (void)last_frames;
	return -EOPNOTSUPP;
}
int platform_unplug_block(unsigned long b) { (void)b; return -EOPNOTSUPP; }
