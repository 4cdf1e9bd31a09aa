/*
 * One look at the host, shared by tided and tidectl: every domain's memory
 * as Xen sees it, what its xenstore home says (the guest's report, its
 * target, its mark) and the bounds tided resolved for it.
 *
 * xenstore nodes of tided's own (values in KiB):
 *   /tool/tided/bounds/NAME/{min,max}   written by tidectl set: they override
 *                                       the config file, and survive restarts
 *   /tool/tided/guests/NAME/...         tided's view of each managed guest:
 *       domid, first_kib (its memory when tided first saw it: the default
 *       min), min_kib, max_kib, min_from, max_from (where each bound came
 *       from: tidectl, config, static, first-seen, none), target_kib, state,
 *       pressure, saved (the policy's state, for a restarted tided)
 *   /tool/tided/host/{free_kib,reserve_kib,available_kib}
 *   /tool/tided/heartbeat_ms            tided's monotonic clock at its last round
 *   /tool/tided/pid                     the running tided's (removed by it when it stops)
 *   /tool/tided/events/{last,0..63}     tided's decisions, a ring for tidectl events (events.h)
 */
#ifndef TIDED_GATHER_H
#define TIDED_GATHER_H

#include "config.h"
#include "policy.h"
#include "say.h"
#include "xc_io.h"
#include "xs_io.h"

#define TOOL "/tool/tided"
#define GATHER_MAX 256

struct guest_view {
	struct guest_facts f;      /* for the policy */
	uint64_t static_max_kib;   /* 0: none */
	bool has_record;           /* /tool/tided/guests/NAME is this domain's */
	uint64_t first_kib;
	uint64_t set_min_kib, set_max_kib; /* tidectl's overrides, 0 if none */
	enum bound_from min_from, max_from; /* where the bounds came from (with a config) */
};

struct host_view {
	uint64_t free_kib, total_kib;
	size_t n;
	struct guest_view g[GATHER_MAX];
};

/*
 * Fill v: 0, or -1 with err set when Xen or xenstore cannot be read. dom0
 * and dying domains are left out. With c, the bounds are resolved and the
 * saved state of each guest is read (for tided); without, min/max come from
 * tided's records (for tidectl).
 */
int gather(struct xs_handle *xs, struct xcio *xc, const struct tided_config *c, struct host_view *v, char *err,
	   size_t errlen);

#endif
