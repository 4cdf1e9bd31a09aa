/*
 * The raw limits of a PVH guest under Xen (tide/raw_limits.h): 2 MiB
 * extents at the blocks' own frame numbers, and one large page per block
 * in the direct map (no L1 table, no p2m). bases holds each block's first
 * frame number.
 */
#include <tide/frame.h>
#include <tide/lib.h>
#include <tide/platform.h>
#include <tide/raw_limits.h>
#include "../pvh/pt.h"
#include "../xen/hypercall.h"

#define RAW_BATCH 64 /* 2 MiB extents per request, as PV's raw pass */

static struct platform_stats raw_stats; /* kept apart from the core's counts */

static long reservation(unsigned cmd, unsigned long *bases, unsigned long n)
{
	return hyp_reservation_op(&raw_stats, cmd, bases, n, BLOCK_ORDER);
}

static void set_bases(unsigned long first_block, unsigned long nblocks, unsigned long *bases)
{
	for (unsigned long i = 0; i < nblocks; i++)
		bases[i] = block_to_pfn(first_block + i).n;
}

long raw_map_populate(unsigned long first_block, unsigned long nblocks, unsigned long *bases)
{
	set_bases(first_block, nblocks, bases);
	for (unsigned long done = 0; done < nblocks;) {
		unsigned long n = MIN((unsigned long)RAW_BATCH, nblocks - done);
		if (reservation(XENMEM_populate_physmap, bases + done, n) != (long)n)
			return -ENOMEM;
		for (unsigned long i = done; i < done + n; i++)
			if (pt_map_large(bases[i] << PAGE_SHIFT, pfn(bases[i])))
				return -ENOMEM;
		done += n;
	}
	return (long)nblocks;
}

long raw_map_release(unsigned long first_block, unsigned long nblocks, unsigned long *bases)
{
	(void)first_block;
	for (unsigned long i = 0; i < nblocks; i++)
		pt_unmap_large(bases[i] << PAGE_SHIFT);
	pt_flush();
	for (unsigned long done = 0; done < nblocks;) {
		unsigned long n = MIN((unsigned long)RAW_BATCH, nblocks - done);
		if (reservation(XENMEM_decrease_reservation, bases + done, n) != (long)n)
			return -EIO;
		done += n;
	}
	return (long)nblocks;
}

long raw_hypercall_populate(unsigned long first_block, unsigned long nblocks, unsigned long *bases)
{
	set_bases(first_block, nblocks, bases);
	return reservation(XENMEM_populate_physmap, bases, nblocks);
}

long raw_hypercall_release(unsigned long nblocks, unsigned long *bases)
{
	return reservation(XENMEM_decrease_reservation, bases, nblocks);
}
