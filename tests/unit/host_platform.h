/*
 * A platform for the memory core made of ordinary process memory, for the
 * host-native unit tests. The "direct map" is one mmap'd range: a populated
 * frame is readable and writable, an unpopulated one is PROT_NONE, so a core
 * that touches memory it does not hold crashes the test. A frame given back
 * and populated again still holds what it held (Xen would give a scrubbed
 * one): the core must not care, and the host saves the page faults. The
 * reservation counter plays Xen's part for the invariant checker.
 */
#ifndef HOST_PLATFORM_H
#define HOST_PLATFORM_H

#include <tide/frame.h>

/* Fresh core over nr_blocks blocks of address space, all ABSENT. */
void host_reset(unsigned long nr_blocks);
/* Bring block b online and give all its frames to the allocator. */
void host_online_block(unsigned long b);
/* Populate frames (RW) and count them in the reservation, or the reverse. */
void host_populate(pfn_t first, unsigned long n);
void host_depopulate(pfn_t first, unsigned long n);
/* The test can skew the reservation, as a hypervisor that disagrees would. */
void host_skew_reservation(long delta);
/* Metadata pages currently backed. */
unsigned long host_meta_pages(void);
/* Raw access to the frame-state bytes, to corrupt them on purpose. */
uint8_t *host_frame_bytes(void);

/* The simulated hypervisor: its limit for the guest and the frames it has left to give. */
void host_set_max_pages(long pages);
void host_set_hypervisor_free(long pages);
/* The simulated clock: monotonic_ns() reads it, sleep_until_ns() jumps it forward. */
void host_advance_ns(uint64_t ns);
unsigned long host_sleeps(void);

/*
 * Fault injection. Every request the simulated hypervisor gets (a batch of
 * 4 KiB frames or of 2 MiB extents, to populate or to give back; the same
 * requests kernel/xen/pv_elastic.c makes) first goes to the hook, when one is
 * set. It returns the most the hypervisor will do of the n frames or extents
 * asked: n (all of it), 0 (refuse) or less (a prefix: a half-fulfilled batch;
 * no 2 MiB extents when it refuses HOST_POPULATE_2M, so that blocks come as
 * 4 KiB frames). It may also move the limit or the free memory
 * (host_set_max_pages, host_set_hypervisor_free), as a toolstack can at any
 * moment. HOST_UNPLUG asks for one block to be unplugged: 0 refuses it.
 */
enum host_request { HOST_POPULATE_4K, HOST_POPULATE_2M, HOST_RELEASE_4K, HOST_RELEASE_2M, HOST_UNPLUG };
typedef unsigned long (*host_fault_hook_t)(enum host_request r, unsigned long n);
void host_set_fault_hook(host_fault_hook_t hook);
/* Refuse every release and unplug until told otherwise (without a hook). */
void host_refuse_releases(bool refuse);
/* Take hot-added memory back only whole, by unplug (as virtio-mem), until the next reset. */
void host_set_hotplugged_whole_only(bool on);
/* Frames the simulated hypervisor has left to give (LONG_MAX: no end). */
long host_hypervisor_free(void);
/* Hot-added blocks the hypervisor has plugged and not yet unplugged. */
unsigned long host_plugged_blocks(void);
/*
 * Quiet: printk keeps only the last few KiB of the log, for host_log_print()
 * to show when something goes wrong, instead of printing everything.
 */
void host_log_quiet(bool quiet);
void host_log_print(void);
/*
 * platform_meta_move asks the hook whether it knows frame p as shared
 * metadata; if it does (and has repointed its record to frame to), the
 * contents are copied and the move succeeds. Without a hook: -ENOENT.
 */
typedef bool (*host_meta_move_hook_t)(pfn_t p, pfn_t to);
void host_set_meta_move_hook(host_meta_move_hook_t hook);
/* Lines printk has ended so far (quiet or not). */
unsigned long host_log_lines(void);

#endif
