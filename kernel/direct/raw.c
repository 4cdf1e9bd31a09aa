/*
 * The raw limits with no hypervisor (tide/raw_limits.h): virtio-mem's own
 * plug path, for make bench to set the memory core's against. raw_map_*:
 * plug and unplug requests of RAW_BATCH blocks (as Xen's raw passes batch
 * 2 MiB extents) and one large page per block in the direct map;
 * raw_hypercall_*: one request for every block, nothing mapped. bases holds
 * each block's first frame number. The device must have been asked for at
 * least the blocks' size (requested-size): it refuses a plug past it.
 */
#include <tide/frame.h>
#include <tide/lib.h>
#include <tide/raw_limits.h>
#include "../pvh/pt.h"
#include "virtio_mem.h"

#define RAW_BATCH 64
#define ALL_AT_ONCE 0xffff

static void set_bases(unsigned long first_block, unsigned long nblocks, unsigned long *bases)
{
	for (unsigned long i = 0; i < nblocks; i++)
		bases[i] = block_to_pfn(first_block + i).n;
}

/* Requests of batch blocks at most over the consecutive blocks at bases: nblocks, or -errno. */
static long requests(bool plug, const unsigned long *bases, unsigned long nblocks, unsigned long batch)
{
	for (unsigned long done = 0; done < nblocks;) {
		unsigned long n = MIN(batch, nblocks - done);
		int rc = virtio_mem_request(plug, (uint64_t)bases[done] << PAGE_SHIFT, n);
		if (rc)
			return rc;
		done += n;
	}
	return (long)nblocks;
}

long raw_map_populate(unsigned long first_block, unsigned long nblocks, unsigned long *bases)
{
	set_bases(first_block, nblocks, bases);
	for (unsigned long done = 0; done < nblocks;) {
		unsigned long n = MIN((unsigned long)RAW_BATCH, nblocks - done);
		if (requests(true, bases + done, n, n) != (long)n)
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
	return requests(false, bases, nblocks, RAW_BATCH);
}

long raw_hypercall_populate(unsigned long first_block, unsigned long nblocks, unsigned long *bases)
{
	set_bases(first_block, nblocks, bases);
	return requests(true, bases, nblocks, ALL_AT_ONCE);
}

long raw_hypercall_release(unsigned long nblocks, unsigned long *bases)
{
	return requests(false, bases, nblocks, ALL_AT_ONCE);
}
