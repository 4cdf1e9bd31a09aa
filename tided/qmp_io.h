/*
 * A QMP client for tided-qemu: one QEMU's monitor over its UNIX socket,
 * commands sent one at a time and their replies read whole. A reply is
 * untrusted input (a guest can influence what QEMU reports): it is read
 * with a bound on its size and on the time it may take, events in between
 * are skipped, and values are taken out of it by name with their types
 * and ranges checked, never trusted to be well formed.
 */
#ifndef TIDED_QMP_IO_H
#define TIDED_QMP_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QMP_REPLY_MAX 65536 /* a longer reply is refused */

struct qmp {
	int fd;
	char buf[QMP_REPLY_MAX + 1];
	size_t len; /* bytes read past the last reply (the start of the next line) */
};

/* Connect to the socket at path and leave the greeting's capability negotiation done: 0, or -errno. */
int qmp_open(struct qmp *q, const char *path);
void qmp_close(struct qmp *q);
/*
 * Send one command (a JSON object on one line) and read its reply into
 * reply (NUL-terminated): 0 when it is {"return": ...}, -EPROTO for an
 * {"error": ...}, -E2BIG for a reply longer than QMP_REPLY_MAX, -ETIMEDOUT
 * after a second without it, -errno when the socket fails.
 */
int qmp_execute(struct qmp *q, const char *command, char *reply, size_t size);

/*
 * The first value named key ("\"key\": ") in json: a whole number in
 * [0, INT64_MAX] (0 or -EINVAL), or a string of at most size - 1
 * characters without escapes (0 or -EINVAL).
 */
int qmp_u64(const char *json, const char *key, uint64_t *out);
int qmp_str(const char *json, const char *key, char *out, size_t size);

#endif
