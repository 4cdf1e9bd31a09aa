/* A QMP client with bounded, distrustful reads; see qmp_io.h. */
#include "qmp_io.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define REPLY_TIMEOUT_MS 1000

static uint64_t now_ms_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Read one line (without its newline) into line: 0, -E2BIG, -ETIMEDOUT or -errno. */
static int read_line(struct qmp *q, char *line, size_t size, uint64_t deadline)
{
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		if (nl) {
			size_t n = (size_t)(nl - q->buf);
			if (n >= size)
				return -E2BIG;
			memcpy(line, q->buf, n);
			line[n] = '\0';
			if (n && line[n - 1] == '\r')
				line[n - 1] = '\0';
			memmove(q->buf, nl + 1, q->len - n - 1);
			q->len -= n + 1;
			return 0;
		}
		if (q->len >= QMP_REPLY_MAX)
			return -E2BIG;
		uint64_t now = now_ms_mono();
		if (now >= deadline)
			return -ETIMEDOUT;
		struct pollfd p = {.fd = q->fd, .events = POLLIN};
		int rc = poll(&p, 1, (int)(deadline - now));
		if (rc < 0 && errno != EINTR)
			return -errno;
		if (rc <= 0)
			continue;
		ssize_t got = read(q->fd, q->buf + q->len, QMP_REPLY_MAX - q->len);
		if (got == 0)
			return -ECONNRESET;
		if (got < 0 && errno != EINTR)
			return -errno;
		if (got > 0)
			q->len += (size_t)got;
	}
}

static int send_line(struct qmp *q, const char *command)
{
	size_t n = strlen(command);
	/* MSG_NOSIGNAL: a QEMU that went away is an error here, not a SIGPIPE */
	if (send(q->fd, command, n, MSG_NOSIGNAL) != (ssize_t)n || send(q->fd, "\n", 1, MSG_NOSIGNAL) != 1)
		return errno ? -errno : -EIO;
	return 0;
}

int qmp_execute(struct qmp *q, const char *command, char *reply, size_t size)
{
	int rc = send_line(q, command);
	uint64_t deadline = now_ms_mono() + REPLY_TIMEOUT_MS;
	while (rc == 0 && (rc = read_line(q, reply, size, deadline)) == 0) {
		if (!strncmp(reply, "{\"return\"", 9))
			return 0;
		if (!strncmp(reply, "{\"error\"", 8))
			return -EPROTO;
		/* an event ({"event": ...}) or anything else: not the reply */
	}
	return rc;
}

int qmp_open(struct qmp *q, const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	static char greeting[QMP_REPLY_MAX];
	q->len = 0;
	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0)
		return -errno;
	int rc = connect(q->fd, (struct sockaddr *)&a, sizeof(a)) ? -errno : 0;
	if (!rc)
		rc = read_line(q, greeting, sizeof(greeting), now_ms_mono() + REPLY_TIMEOUT_MS);
	if (!rc && strncmp(greeting, "{\"QMP\"", 6))
		rc = -EPROTO;
	if (!rc)
		rc = qmp_execute(q, "{\"execute\":\"qmp_capabilities\"}", greeting, sizeof(greeting));
	if (rc)
		qmp_close(q);
	return rc;
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}

/* Where key's value starts in json ("\"key\":" then spaces), or NULL. */
static const char *value_of(const char *json, const char *key)
{
	char pattern[80];
	int n = snprintf(pattern, sizeof(pattern), "\"%s\":", key);
	if (n <= 0 || (size_t)n >= sizeof(pattern))
		return NULL;
	const char *at = strstr(json, pattern);
	if (!at)
		return NULL;
	at += n;
	while (*at == ' ')
		at++;
	return at;
}

int qmp_u64(const char *json, const char *key, uint64_t *out)
{
	const char *at = value_of(json, key);
	uint64_t v = 0;
	if (!at || *at < '0' || *at > '9')
		return -EINVAL;
	for (; *at >= '0' && *at <= '9'; at++) {
		if (v > (uint64_t)INT64_MAX / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*at - '0');
	}
	if (v > (uint64_t)INT64_MAX || *at == '.' || *at == 'e' || *at == 'E')
		return -EINVAL;
	*out = v;
	return 0;
}

int qmp_str(const char *json, const char *key, char *out, size_t size)
{
	const char *at = value_of(json, key);
	if (!at || *at != '"' || size == 0)
		return -EINVAL;
	size_t n = 0;
	for (at++; *at && *at != '"'; at++) {
		if (*at == '\\' || n + 1 >= size)
			return -EINVAL;
		out[n++] = *at;
	}
	if (*at != '"')
		return -EINVAL;
	out[n] = '\0';
	return 0;
}
