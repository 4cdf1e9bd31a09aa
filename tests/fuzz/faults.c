/*
 * The faults a word asks the simulated hypervisor for, through the host
 * platform's fault hook: what real Xen can do to a guest. A word's second
 * byte picks a profile (none for 144 of 256); while it is active, each
 * request is hit with probability 1/2, so that an operation of many requests
 * sees some go through and others not:
 *   refuse-populate   a populate request gets nothing
 *   half-populate     ... half of it, or a random prefix
 *   no-2m             no 2 MiB extents: blocks come as 4 KiB frames
 *   refuse-release    a decrease request gives back nothing, an unplug is
 *                     refused
 *   half-release      ... half of it, or a random prefix
 *   max-moves         Xen's limit moves in the middle of the operation
 *   host-runs-out     the host's free memory drops to under a block
 *   chaos             any of these, request by request
 */
#include <limits.h>

#include <tide/platform.h>

#include "../unit/host_platform.h"
#include "fuzz.h"

enum profile {
	F_NONE,
	F_REFUSE_POPULATE,
	F_HALF_POPULATE,
	F_NO_2M,
	F_REFUSE_RELEASE,
	F_HALF_RELEASE,
	F_MAX_MOVES,
	F_HOST_RUNS_OUT,
	F_CHAOS,
	F_NR
};

static const char *const names[F_NR] = {"none",		"refuse-populate", "half-populate",
					"no-2m",	"refuse-release",  "half-release",
					"max-moves",	"host-runs-out",   "chaos"};

#define QUIET_OF_256 144 /* words whose second byte is below this inject nothing */

static enum profile profile;
static struct rng rng;

static enum profile profile_of(uint64_t word)
{
	unsigned b = (word >> 8) & 0xff;
	return b < QUIET_OF_256 ? F_NONE : (enum profile)(F_REFUSE_POPULATE + (b - QUIET_OF_256) / 14);
}

const char *faults_name(uint64_t word) { return names[profile_of(word)]; }

/* All of n, half of it, or a random prefix. */
static unsigned long cut(unsigned long n)
{
	return rng_below(&rng, 2) ? n / 2 : rng_below(&rng, n + 1);
}

/* Xen's limit jumps to somewhere from three blocks below what the guest holds to six above, or away. */
static void move_max(void)
{
	long held = platform_reservation_pages();
	long to = held - 3 * (long)BLOCK_PAGES + (long)rng_below(&rng, 9 * BLOCK_PAGES);
	host_set_max_pages(rng_below(&rng, 4) ? MAX(to, 0L) : LONG_MAX);
}

/* What profile p does to a request for n frames or extents: how many it lets through. */
static unsigned long apply(enum profile p, enum host_request r, unsigned long n)
{
	bool populate = r == HOST_POPULATE_4K || r == HOST_POPULATE_2M;
	switch (p) {
	case F_REFUSE_POPULATE: return populate ? 0 : n;
	case F_HALF_POPULATE: return populate ? cut(n) : n;
	case F_NO_2M: return r == HOST_POPULATE_2M ? 0 : n;
	case F_REFUSE_RELEASE: return populate ? n : 0;
	case F_HALF_RELEASE: return populate ? n : cut(n);
	case F_MAX_MOVES: move_max(); return n;
	case F_HOST_RUNS_OUT: host_set_hypervisor_free((long)rng_below(&rng, BLOCK_PAGES)); return n;
	case F_CHAOS: return apply((enum profile)(F_REFUSE_POPULATE + rng_below(&rng, F_CHAOS - 1)), r, n);
	default: return n;
	}
}

static unsigned long hook(enum host_request r, unsigned long n)
{
	if (profile == F_NONE || rng_below(&rng, 2))
		return n;
	fuzz_progress->cov.faults_injected++;
	return apply(profile, r, n);
}

void faults_begin(uint64_t word)
{
	profile = profile_of(word);
	rng.s = mix64(word ^ 0xfa0175);
	host_set_fault_hook(hook);
}

void faults_end(void) { profile = F_NONE; }
