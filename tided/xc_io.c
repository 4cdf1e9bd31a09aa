/* Thin wrappers over libxenctrl; see xc_io.h. */
#include "xc_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>

#define PAGE_KIB 4
#define BATCH 256

struct xcio {
	xc_interface *xch;
	xentoollog_logger_stdiostream *log;
};

struct xcio *xcio_open(char *err, size_t errlen)
{
	struct xcio *x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* Only critical messages from the library: tided says what failed in one line. */
	x->log = xtl_createlogger_stdiostream(stderr, XTL_CRITICAL, 0);
	x->xch = xc_interface_open((xentoollog_logger *)x->log, (xentoollog_logger *)x->log, 0);
	if (!x->xch) {
		int e = errno;
		snprintf(err, errlen, "cannot open Xen's control interface (%s): is this dom0 of a Xen host, run as root?",
			 strerror(e ? e : ENOENT));
		if (x->log)
			xtl_logger_destroy((xentoollog_logger *)x->log);
		free(x);
		return NULL;
	}
	return x;
}

void xcio_close(struct xcio *x)
{
	if (!x)
		return;
	xc_interface_close(x->xch);
	if (x->log)
		xtl_logger_destroy((xentoollog_logger *)x->log);
	free(x);
}

int xcio_host(struct xcio *x, uint64_t *free_kib, uint64_t *total_kib)
{
	xc_physinfo_t info;
	memset(&info, 0, sizeof(info));
	if (xc_physinfo(x->xch, &info))
		return -1;
	*free_kib = info.free_pages * PAGE_KIB;
	*total_kib = info.total_pages * PAGE_KIB;
	return 0;
}

int xcio_domains(struct xcio *x, struct xcio_dom *out, size_t max)
{
	xc_domaininfo_t info[BATCH];
	size_t n = 0;
	uint32_t next = 0;
	while (n < max) {
		int got = xc_domain_getinfolist(x->xch, next, BATCH, info);
		if (got < 0)
			return -1;
		for (int i = 0; i < got && n < max; i++) {
			out[n].domid = info[i].domain;
			out[n].tot_kib = info[i].tot_pages * PAGE_KIB;
			out[n].max_kib = info[i].max_pages > UINT64_MAX / PAGE_KIB ? UINT64_MAX : info[i].max_pages * PAGE_KIB;
			out[n].dying = (info[i].flags & (XEN_DOMINF_dying | XEN_DOMINF_shutdown)) != 0;
			n++;
		}
		if (got < BATCH)
			break;
		next = info[got - 1].domain + 1u;
	}
	return (int)n;
}

int xcio_set_max(struct xcio *x, uint32_t domid, uint64_t kib)
{
	return xc_domain_setmaxmem(x->xch, domid, kib) ? -1 : 0;
}
