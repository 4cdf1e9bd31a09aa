/*
 * The xenstore client of a domU: requests and replies over the ring in the
 * store page, one request at a time (a second caller waits its turn), and
 * watches, whose events are queued until a thread asks for them. Paths
 * without a leading '/' are relative to the guest's home directory
 * (/local/domain/<domid>). Calls block the calling thread, never the guest.
 */
#ifndef TIDE_XENSTORE_H
#define TIDE_XENSTORE_H

#include <tide/types.h>

/* Connect to the ring named in start_info: 0, or -ENOENT when there is none (dom0 here). */
int xenstore_init(void);
/* Read a node into buf (NUL-terminated): its length, or -errno (-ENOENT when absent). */
int xs_read(const char *path, char *buf, size_t size);
int xs_write(const char *path, const char *value);
/* Watch path (and everything below it); events carry token. */
int xs_watch(const char *path, const char *token);
/* The next watch event: 0, or -EAGAIN when deadline_ns passes first. */
int xs_next_watch(char *path, size_t path_size, char *token, size_t token_size, uint64_t deadline_ns);

#endif
