/*
 * tided-qemu's QMP client (qmp_io.c) against hostile replies: values read
 * by name with their types and ranges checked, replies read whole with a
 * bound on size and time, events skipped. The "QEMU" is the other end of
 * a socket pair, written by the test.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../qmp_io.h"
#include "check.h"
#include "tests.h"

void test_qmp_values(void)
{
	uint64_t v = 0;
	char s[8];
	CHECK(qmp_u64("{\"return\": {\"base-memory\": 536870912, \"plugged-memory\": 0}}", "base-memory", &v) == 0 &&
		      v == 536870912,
	      "base-memory: %llu", (unsigned long long)v);
	CHECK(qmp_u64("{\"requested-size\": 5, \"size\": 7}", "size", &v) == 0 && v == 7, "size read as %llu",
	      (unsigned long long)v);
	const char *bad[] = {"{\"size\": -1}", "{\"size\": 1e9}", "{\"size\": 1.5}", "{\"size\": \"7\"}",
			     "{\"size\": 99999999999999999999}", "{\"size\": 9223372036854775808}", "{\"size\":}",
			     "{\"other\": 1}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(qmp_u64(bad[i], "size", &v) == -EINVAL, "accepted %s", bad[i]);
	CHECK(qmp_u64("{\"size\": 9223372036854775807}", "size", &v) == 0 && v == 9223372036854775807ULL, "INT64_MAX");
	CHECK(qmp_str("{\"id\": \"vm0\"}", "id", s, sizeof(s)) == 0 && !strcmp(s, "vm0"), "id: %s", s);
	const char *bad_str[] = {"{\"id\": \"a\\\"b\"}", "{\"id\": \"toolongname\"}", "{\"id\": \"open", "{\"id\": 5}"};
	for (size_t i = 0; i < sizeof(bad_str) / sizeof(bad_str[0]); i++)
		CHECK(qmp_str(bad_str[i], "id", s, sizeof(s)) == -EINVAL, "accepted %s", bad_str[i]);
}

/* A client on one end of a socket pair; the test writes "QEMU"'s lines into the other. */
static int pair(struct qmp *q, int *qemu)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	q->fd = sv[0];
	q->len = 0;
	*qemu = sv[1];
	return 0;
}

void test_qmp_replies(void)
{
	static struct qmp q;
	static char reply[QMP_REPLY_MAX + 1], big[QMP_REPLY_MAX + 64];
	int qemu;
	CHECK(pair(&q, &qemu) == 0, "socketpair");
	const char *lines = "{\"event\": \"BALLOON_CHANGE\", \"data\": {\"actual\": 1}}\r\n{\"return\": {\"actual\": 42}}\r\n";
	CHECK(write(qemu, lines, strlen(lines)) == (ssize_t)strlen(lines), "write");
	uint64_t v = 0;
	CHECK(qmp_execute(&q, "{\"execute\":\"query-balloon\"}", reply, sizeof(reply)) == 0 &&
		      qmp_u64(reply, "actual", &v) == 0 && v == 42,
	      "the event was taken for the reply: %s", reply);
	const char *err = "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}}\n";
	CHECK(write(qemu, err, strlen(err)) == (ssize_t)strlen(err), "write");
	CHECK(qmp_execute(&q, "{\"execute\":\"x\"}", reply, sizeof(reply)) == -EPROTO, "an error reply");
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '{';
	CHECK(write(qemu, big, sizeof(big) - 1) > 0, "write");
	CHECK(qmp_execute(&q, "{\"execute\":\"x\"}", reply, sizeof(reply)) == -E2BIG, "a reply over 64 KiB");
	qmp_close(&q);
	close(qemu);
	CHECK(pair(&q, &qemu) == 0, "socketpair");
	CHECK(qmp_execute(&q, "{\"execute\":\"x\"}", reply, sizeof(reply)) == -ETIMEDOUT, "a QEMU that never answers");
	close(qemu);
	CHECK(qmp_execute(&q, "{\"execute\":\"x\"}", reply, sizeof(reply)) < 0, "a QEMU that went away");
	qmp_close(&q);
}
