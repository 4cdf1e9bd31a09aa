/* Thin wrappers over libxenstore; see xs_io.h. */
#include "xs_io.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

struct xs_handle *xsio_open(char *err, size_t errlen)
{
	struct xs_handle *h = xs_open(0);
	if (!h)
		snprintf(err, errlen, "cannot open xenstore (%s): is this dom0 with xenstored running?",
			 strerror(errno));
	return h;
}

void xsio_close(struct xs_handle *h)
{
	if (h)
		xs_close(h);
}

int xsio_read(struct xs_handle *h, const char *path, char *buf, size_t size)
{
	unsigned len = 0;
	char *v = xs_read(h, XBT_NULL, path, &len);
	if (!v)
		return errno ? -errno : -EIO;
	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(buf, v, n);
		buf[n] = '\0';
	}
	free(v);
	return 0;
}

int parse_i64(const char *s, int64_t *v)
{
	char *end;
	if (!*s || (*s != '-' && (*s < '0' || *s > '9')))
		return -EINVAL;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (errno || *end || end == s)
		return -EINVAL;
	*v = x;
	return 0;
}

int xsio_read_i64(struct xs_handle *h, const char *path, int64_t *v)
{
	char buf[64];
	int rc = xsio_read(h, path, buf, sizeof(buf));
	if (rc)
		return rc;
	return parse_i64(buf, v);
}

int xsio_write(struct xs_handle *h, const char *path, const char *value)
{
	return xs_write(h, XBT_NULL, path, value, strlen(value)) ? 0 : (errno ? -errno : -EIO);
}

int xsio_write_u64(struct xs_handle *h, const char *path, uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return xsio_write(h, path, buf);
}

int xsio_rm(struct xs_handle *h, const char *path)
{
	if (xs_rm(h, XBT_NULL, path) || errno == ENOENT)
		return 0;
	return errno ? -errno : -EIO;
}

char **xsio_list(struct xs_handle *h, const char *path, unsigned *n)
{
	*n = 0;
	return xs_directory(h, XBT_NULL, path, n);
}

int xsio_watch(struct xs_handle *h, const char *path, const char *token)
{
	return xs_watch(h, path, token) ? 0 : (errno ? -errno : -EIO);
}

int xsio_fd(struct xs_handle *h) { return xs_fileno(h); }

int xsio_next_event(struct xs_handle *h, char *path, size_t psize, char *token, size_t tsize)
{
	errno = 0;
	char **ev = xs_check_watch(h);
	if (!ev)
		return errno == EAGAIN || errno == 0 ? 0 : -errno;
	snprintf(path, psize, "%s", ev[XS_WATCH_PATH]);
	snprintf(token, tsize, "%s", ev[XS_WATCH_TOKEN]);
	free(ev);
	return 1;
}

bool xsio_fatal(int err)
{
	return err == -EPIPE || err == -ECONNRESET || err == -EBADF || err == -ENOTCONN || err == -EIO ||
	       err == -ESHUTDOWN;
}
