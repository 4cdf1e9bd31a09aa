/*
 * tided-qemu's view of a host of QEMU guests, and its one way of changing
 * them. Each guest is a QMP socket in a directory (NAME.qmp; NAME is the
 * guest's name), kept open from round to round. A guest is managed when it
 * has a virtio-mem device: the first one query-memory-devices lists is the
 * one tided moves, by its requested-size. Its virtio balloon, if any, is
 * only read: its statistics are the guest's report (Tide maps its
 * allocation waits and failures onto major faults and huge-page allocation
 * failures), and what it holds counts in the guest's memory.
 *
 * What the guest holds (the policy's current): the balloon's actual (boot
 * memory less the balloon, or boot memory without one) plus virtio-mem's
 * size. Its target: the balloon's actual plus virtio-mem's requested-size.
 * There is no hypervisor limit to set: a guest cannot plug beyond its
 * requested-size, so the limit is the target (the policy's headroom above
 * it, for growth on shortage, has no effect here).
 *
 * The host's free memory: pool less what every guest in the directory
 * holds, with pool=MiB from the config file (the memory the host gives its
 * guests); without it, the host's MemAvailable (/proc/meminfo).
 */
#ifndef TIDED_QEMU_GUESTS_H
#define TIDED_QEMU_GUESTS_H

#include "config.h"
#include "policy.h"

#define QEMU_GUESTS_MAX 64

struct qemu_guest {
	struct guest_facts f;       /* for the policy; f.domid is tided-qemu's own number for the name */
	char mem_id[64];            /* the virtio-mem device's id */
	uint64_t boot_kib;          /* QEMU's base memory */
	uint64_t actual_kib;        /* boot memory less the balloon */
	uint64_t mem_kib, requested_kib, mem_max_kib, block_kib; /* virtio-mem's size, requested-size, max-size, block-size */
	enum bound_from min_from, max_from;
};

struct qemu_host {
	uint64_t free_kib;
	size_t n;
	struct qemu_guest g[QEMU_GUESTS_MAX];
};

/*
 * Read every guest in dir (a socket that does not answer is left out, with
 * one line the first time): 0, or -1 with err set when dir cannot be read.
 */
int qemu_gather(const char *dir, const struct tided_config *c, struct qemu_host *h, char *err, size_t errlen);
/*
 * Move guest g toward target_kib: virtio-mem's requested-size becomes the
 * target less the balloon's actual, rounded to the nearest block and kept
 * within [0, max-size]. 0 with the size asked in *requested_kib, or -errno.
 */
int qemu_set_target(const struct qemu_guest *g, uint64_t target_kib, uint64_t *requested_kib);
/* Close every socket (at exit). */
void qemu_close_all(void);

#endif
