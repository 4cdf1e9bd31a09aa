/*
 * Bursts of allocation for tided's benchmark (tests/domu/bench_fluid.sh),
 * configured on the guest's command line:
 *   burst_mib=N          allocate N MiB of 4 KiB pages (touching each) ...
 *   burst_rate_mib_s=R   ... at R MiB a second, in steps of 20 ms (0: all at
 *                        once); a page that cannot be had is retried on the
 *                        next step, so the burst waits for the host
 *   burst_hold_ms=H      hold them H ms once all are allocated, then free them
 *   burst_period_ms=P    a burst starts every P ms (0: one burst only); one
 *                        that waited so long that its successor is due starts
 *                        its successor at once when it frees
 *   burst_after_ms=O     the first burst starts O ms after the guest started
 *
 * After each burst's allocation the guest writes data/bench/burst =
 * "SEQ WAITED_MS ALLOC_MS FAILURES": ALLOC_MS is how long the allocation
 * took, WAITED_MS how much of that was waiting for memory (ALLOC_MS minus
 * the N/R the schedule needs, at least 0) and FAILURES the allocations that
 * failed meanwhile (page_alloc_failures(), the whole guest's). Right after
 * freeing it writes data/bench/freed = "SEQ FREED_KIB", so that dom0 can
 * time how soon the host gets the memory back. SEQ counts bursts from 1.
 * One console line per burst.
 */
#ifndef GUEST_BURST_H
#define GUEST_BURST_H

#include <tide/types.h>

#include "pile.h"

enum burst_phase { BURST_WAITING, BURST_ALLOCATING, BURST_HOLDING, BURST_DONE };

struct burst {
	unsigned long pages, rate_pages_s, hold_ms, period_ms;
	enum burst_phase phase;
	unsigned long seq;
	uint64_t start_ns;	 /* of the current (or next) burst */
	uint64_t free_at_ns;	 /* while holding */
	unsigned long failures0; /* page_alloc_failures() when the burst started */
	struct pile pile;
};

/* Read the burst_* options: false when burst_mib is absent or 0 (no bursts). */
bool burst_configure(struct burst *b, uint64_t now_ns);
/* Do what the schedule says at now_ns (allocate, free, start a burst): when to be called next. */
uint64_t burst_step(struct burst *b, uint64_t now_ns);

#endif
