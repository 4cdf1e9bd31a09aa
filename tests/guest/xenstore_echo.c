/*
 * A domU workload for tests/domu/xenstore_tests.sh: write a node, read it
 * back, compare, ten rounds a second, until the domain is destroyed. The
 * value is larger than the 1 KiB request ring, so a store that stops reading
 * catches a request half-written. The dom0 test judges from the log:
 *   "xs_echo: round N: error E"            the first failed round of a run
 *   "xs_echo: round N: ok again after K failed rounds"
 *   "xs_echo: round N: MISMATCH ..."        a read that returned another value
 * A failed call is what a stalled store may cause; a mismatch never is.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/xenstore.h>
#include "guest_test.h"
#include "xenstore_tests.h"

#define ECHO_PATH "data/xs_echo"
#define ECHO_BYTES 1500 /* under xenstored's 2048-byte node quota */
#define ROUND_NS (100ULL * 1000 * 1000)

/* The value of round r: "round R " and then letters that differ from round to round. */
static void echo_value(char *buf, unsigned long r)
{
	int n = snprintf(buf, ECHO_BYTES + 1, "round %lu ", r);
	for (int i = n; i < ECHO_BYTES; i++)
		buf[i] = (char)('a' + (r + (unsigned long)i) % 26);
	buf[ECHO_BYTES] = '\0';
}

/* One round: 0 when the value read back is the one written, 1 on a mismatch, or -errno. */
static int echo_round(unsigned long r)
{
	static char sent[ECHO_BYTES + 1], got[ECHO_BYTES + 1];
	echo_value(sent, r);
	int rc = xs_write(ECHO_PATH, sent);
	if (rc)
		return rc;
	rc = xs_read(ECHO_PATH, got, sizeof(got));
	if (rc < 0)
		return rc;
	if (strcmp(got, sent)) {
		char head[25];
		snprintf(head, sizeof(head), "%s", got);
		printk("xs_echo: round %lu: MISMATCH: read back \"%s...\" (%d bytes)\n", r, head, rc);
		return 1;
	}
	return 0;
}

int test_xenstore_echo(void)
{
	unsigned long failed = 0;
	printk("xs_echo: echoing %d bytes through %s\n", ECHO_BYTES, ECHO_PATH);
	for (unsigned long r = 1;; r++) {
		int rc = echo_round(r);
		if (rc < 0 && failed++ == 0)
			printk("xs_echo: round %lu: error %d\n", r, rc);
		if (rc == 0 && failed) {
			printk("xs_echo: round %lu: ok again after %lu failed rounds\n", r, failed);
			failed = 0;
		}
		sleep_until_ns(monotonic_ns() + ROUND_NS);
	}
}
