/*
 * A platform for the memory core made of ordinary process memory, for the
 * host-native unit tests. The "direct map" is one mmap'd range: a populated
 * frame is readable and writable, an unpopulated one is PROT_NONE, so a core
 * that touches memory it does not hold crashes the test. The reservation
 * counter plays Xen's part for the invariant checker.
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
/* The simulated hypervisor refuses every release (decrease) until told otherwise. */
void host_refuse_releases(bool refuse);
/* The simulated clock: monotonic_ns() reads it, sleep_until_ns() jumps it forward. */
void host_advance_ns(uint64_t ns);
unsigned long host_sleeps(void);

#endif
