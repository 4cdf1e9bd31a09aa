/*
 * The xenstore client of a domU: requests and replies over the ring in the
 * store page, one request at a time (a second caller waits its turn), and
 * watches, whose events are queued until a thread asks for them. Paths
 * without a leading '/' are relative to the guest's home directory
 * (/local/domain/<domid>). Calls block the calling thread, never the guest.
 *
 * A store that does not take a request or answer it within 10 s fails the
 * call with -EIO and one log line; the store may still carry the request
 * out later, and its late reply is dropped (one log line). Later calls work
 * as before once the store is back.
 */
#ifndef TIDE_XENSTORE_H
#define TIDE_XENSTORE_H

#include <tide/types.h>

/*
 * Read a node into buf (size >= 1, NUL-terminated): its length, or -errno:
 * -ENOENT when absent, -E2BIG when the value does not fit in size - 1 bytes
 * (it is refused whole, never cut). On failure buf holds "".
 */
int xs_read(const char *path, char *buf, size_t size);
/* Write a node: 0, or -errno (-E2BIG when path and value exceed the store's 4 KiB message). */
int xs_write(const char *path, const char *value);
/* Watch path (and everything below it); events carry token. -ENOSPC past 4 watches. */
int xs_watch(const char *path, const char *token);
/* The next watch event: 0, or -EAGAIN when deadline_ns passes first. */
int xs_next_watch(char *path, size_t path_size, char *token, size_t token_size, uint64_t deadline_ns);

#endif
