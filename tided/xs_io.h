/*
 * Thin wrappers over libxenstore for tided and tidectl: open with one clear
 * error, read numbers and strings, write, list, watch. Paths are absolute.
 */
#ifndef TIDED_XS_IO_H
#define TIDED_XS_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xs_handle;

/* Open xenstore; NULL with a one-line reason in err. */
struct xs_handle *xsio_open(char *err, size_t errlen);
void xsio_close(struct xs_handle *h);
/* Read a node into buf (NUL-terminated, truncated): 0, or -errno (-ENOENT: no such node). */
int xsio_read(struct xs_handle *h, const char *path, char *buf, size_t size);
/* Read a signed decimal number: 0; -ENOENT; -EINVAL if the text is not one. */
int xsio_read_i64(struct xs_handle *h, const char *path, int64_t *v);
int xsio_write(struct xs_handle *h, const char *path, const char *value);
int xsio_write_u64(struct xs_handle *h, const char *path, uint64_t v);
int xsio_rm(struct xs_handle *h, const char *path);
/* The children of path (a malloc'd array to free()), or NULL; *n their number. */
char **xsio_list(struct xs_handle *h, const char *path, unsigned *n);
int xsio_watch(struct xs_handle *h, const char *path, const char *token);
/* The fd to poll for watch events. */
int xsio_fd(struct xs_handle *h);
/* One pending watch event, without blocking: 1 (path, token filled), 0 none, -errno. */
int xsio_next_event(struct xs_handle *h, char *path, size_t psize, char *token, size_t tsize);
/* A read error that means the connection to xenstore is gone. */
bool xsio_fatal(int err);

/* Parse a whole decimal number (optional sign, no junk): 0 or -EINVAL. */
int parse_i64(const char *s, int64_t *v);

#endif
