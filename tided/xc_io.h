/*
 * Thin wrappers over libxenctrl for tided and tidectl: host memory, the
 * domains' memory and maximums, and setting a maximum.
 */
#ifndef TIDED_XC_IO_H
#define TIDED_XC_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xcio;

struct xcio_dom {
	uint32_t domid;
	uint64_t tot_kib;  /* what the domain holds */
	uint64_t max_kib;  /* Xen's limit for it */
	bool dying;        /* dying or shut down: not to be managed */
};

/* Open libxenctrl (quietly); NULL with a one-line reason in err. */
struct xcio *xcio_open(char *err, size_t errlen);
void xcio_close(struct xcio *x);
/* The host's free and total memory: 0, or -1 (errno set). */
int xcio_host(struct xcio *x, uint64_t *free_kib, uint64_t *total_kib);
/* Up to max domains into out: their number, or -1 (errno set). */
int xcio_domains(struct xcio *x, struct xcio_dom *out, size_t max);
/* Xen's maximum for a domain, in KiB: 0 or -1 (errno set). */
int xcio_set_max(struct xcio *x, uint32_t domid, uint64_t kib);

#endif
