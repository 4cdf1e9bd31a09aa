/*
 * The xenstore client; see tide/xenstore.h and Xen's io/xs_wire.h for the
 * wire format (a struct xsd_sockmsg header, then len bytes).
 *
 * One request at a time: the caller whose turn it is composes its whole
 * message in `out`, writes it into the 1 KiB request ring as room appears,
 * and waits for the reply that carries its req_id.
 *
 * One reader thread owns the event channel: on each event it pumps whatever
 * bytes the daemon has written into one message buffer (a message may be
 * larger than the ring, so it is assembled piece by piece), pushes on what
 * is left of `out`, and wakes whoever waits. A complete message is the
 * reply the caller waits for, a watch event, which goes into a small queue
 * (the oldest is dropped, and counted, if nobody reads them), or a reply
 * nobody waits for any more, which is dropped with one log line.
 *
 * A slow store: a caller waits at most REPLY_TIMEOUT_NS for room and for its
 * reply, then fails with -EIO (the store may still act on the request
 * later). The ring stays in step: a request that is partly in the ring when
 * its caller gives up is finished by the reader thread as the store makes
 * room, and the next caller waits for that before writing its own; a
 * request with nothing in the ring yet is withdrawn.
 */
#include <tide/types.h>
/* before tide/lib.h: xs_wire.h builds an error table of its own when EINVAL is defined */
#include <xen/io/xs_wire.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/log_limit.h>
#include <tide/sched.h>
#include <tide/start.h>
#include "events.h"
#include "xen.h"
#include "suspend.h"

#define REPLY_TIMEOUT_NS (10ULL * 1000 * 1000 * 1000)
#define WATCH_QUEUE 32
#define WATCH_EVENT_BYTES 256

static volatile struct xenstore_domain_interface *ring;
static evtchn_port_t port;

static struct {
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX + 1];
} in;
static size_t in_have; /* bytes of `in` assembled so far */

static struct {
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX];
} out;
static size_t out_len, out_sent; /* the message in `out` (0: none) and how much of it is in the ring */

static bool busy; /* a caller has its turn */
static uint32_t next_req_id;
static bool awaiting; /* the caller waits for the reply to req_id `awaited` */
static uint32_t awaited;
static bool reply_ready;
static uint32_t reply_type;
static char reply[XENSTORE_PAYLOAD_MAX + 1];
static size_t reply_len;

static char watch_events[WATCH_QUEUE][WATCH_EVENT_BYTES];
static unsigned watch_head, watch_len;
static unsigned long watch_dropped;
static int watch_arrived, ring_space; /* tokens to wait on */

static void pump(void);
static bool push_out(void);

static void reader(void *unused)
{
	(void)unused;
	for (;;) {
		pump();
		push_out();
		thread_wake_all(&ring_space);
		evtchn_wait(port, SCHED_FOREVER);
	}
}

int xenstore_init(void)
{
	if (kernel_is_dom0() || !(ring = xen_store_page()))
		return -ENOENT;
	port = xen_store_evtchn();
	evtchn_add(port);
	if (!thread_create("xenstore", reader, NULL))
		panic("xenstore: no memory for the reader thread");
	return 0;
}

/* Queue the watch event in `in`, dropping (and counting) the oldest when the queue is full. */
static void queue_watch_event(void)
{
	if (watch_len == WATCH_QUEUE) {
		watch_head = (watch_head + 1) % WATCH_QUEUE;
		watch_len--;
		watch_dropped++;
	}
	char *e = watch_events[(watch_head + watch_len++) % WATCH_QUEUE];
	memcpy(e, in.body, MIN((size_t)in.hdr.len, (size_t)WATCH_EVENT_BYTES));
	e[WATCH_EVENT_BYTES - 1] = '\0';
	if (in.hdr.len < WATCH_EVENT_BYTES)
		e[in.hdr.len] = '\0';
	thread_wake_all(&watch_arrived);
}

/*
 * A complete message arrived: queue a watch event, hand the awaited reply to
 * its caller, and drop any other reply (to a request whose caller gave up).
 */
static void deliver(void)
{
	in.body[in.hdr.len] = '\0';
	if (in.hdr.type == XS_WATCH_EVENT) {
		queue_watch_event();
		return;
	}
	if (!awaiting || in.hdr.req_id != awaited) {
		printk("xenstore: dropped a late reply to request %u (nobody waits for it)\n", in.hdr.req_id);
		return;
	}
	reply_type = in.hdr.type;
	reply_len = in.hdr.len;
	memcpy(reply, in.body, in.hdr.len + 1);
	reply_ready = true;
	awaiting = false;
	thread_wake_all(&reply_ready);
}

/* Move what the daemon wrote into messages. */
static void pump(void)
{
	bool consumed = false;
	for (;;) {
		XENSTORE_RING_IDX cons = ring->rsp_cons, prod = ring->rsp_prod;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (cons == prod)
			break;
		size_t want = in_have < sizeof(in.hdr) ? sizeof(in.hdr) - in_have
						       : sizeof(in.hdr) + in.hdr.len - in_have;
		size_t k = MIN(want, (size_t)(prod - cons));
		for (size_t i = 0; i < k; i++)
			((char *)&in)[in_have + i] = ring->rsp[MASK_XENSTORE_IDX(cons + i)];
		__atomic_thread_fence(__ATOMIC_RELEASE);
		ring->rsp_cons = cons + (XENSTORE_RING_IDX)k;
		consumed = true;
		in_have += k;
		if (in_have == sizeof(in.hdr) && in.hdr.len > XENSTORE_PAYLOAD_MAX)
			panic("xenstore: the daemon sent a %u-byte message", in.hdr.len);
		if (in_have >= sizeof(in.hdr) && in_have == sizeof(in.hdr) + in.hdr.len) {
			deliver();
			in_have = 0;
		}
	}
	if (consumed)
		evtchn_notify(port);
}

/* Copy as much of `out` into the request ring as fits: true once all of it is there (`out` is then free). */
static bool push_out(void)
{
	XENSTORE_RING_IDX cons = ring->req_cons, prod = ring->req_prod;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	size_t k = MIN(out_len - out_sent, (size_t)(XENSTORE_RING_SIZE - (prod - cons)));
	if (k) {
		for (size_t i = 0; i < k; i++)
			ring->req[MASK_XENSTORE_IDX(prod + i)] = ((const char *)&out)[out_sent + i];
		__atomic_thread_fence(__ATOMIC_RELEASE);
		ring->req_prod = prod + (XENSTORE_RING_IDX)k;
		out_sent += k;
		evtchn_notify(port);
	}
	if (out_sent < out_len)
		return false;
	out_len = out_sent = 0;
	return true;
}

/* Wait until `out` is free (a request a caller gave up on is fully in the ring): 0, or -EIO at deadline. */
static int wait_out_free(uint64_t deadline)
{
	while (out_len) {
		if (monotonic_ns() >= deadline) {
			printk("xenstore: request not sent: the store has not read the one before it within %llu s\n",
			       REPLY_TIMEOUT_NS / 1000000000ULL);
			return -EIO;
		}
		thread_block_on(&ring_space, deadline);
	}
	return 0;
}

/* Put a request made of nparts byte strings, len bytes in all, in `out` and await its reply. */
static void compose(uint32_t type, const char *const *parts, const size_t *lens, unsigned nparts, size_t len)
{
	out.hdr = (struct xsd_sockmsg){.type = type, .req_id = ++next_req_id, .len = (uint32_t)len};
	size_t at = 0;
	for (unsigned i = 0; i < nparts; i++) {
		memcpy(out.body + at, parts[i], lens[i]);
		at += lens[i];
	}
	out_len = sizeof(out.hdr) + len;
	out_sent = 0;
	awaited = out.hdr.req_id;
	awaiting = true;
	reply_ready = false;
}

/*
 * Write `out` into the ring by deadline: 0, or -EIO. A request with nothing
 * in the ring yet is withdrawn; one partly in it stays for the reader to finish.
 */
static int send_out(uint64_t deadline)
{
	while (!push_out()) {
		if (monotonic_ns() < deadline) {
			thread_block_on(&ring_space, deadline);
			continue;
		}
		printk("xenstore: request %u not sent within %llu s (%zu of %zu bytes in the ring)\n", out.hdr.req_id,
		       REPLY_TIMEOUT_NS / 1000000000ULL, out_sent, out_len);
		if (out_sent == 0)
			out_len = 0;
		return -EIO;
	}
	return 0;
}

/* Wait for the reply to the request just sent: 0, or -EIO at deadline. */
static int await_reply(uint64_t deadline)
{
	while (!reply_ready) {
		if (monotonic_ns() >= deadline) {
			printk("xenstore: no reply to request %u within %llu s\n", awaited,
			       REPLY_TIMEOUT_NS / 1000000000ULL);
			return -EIO;
		}
		thread_block_on(&reply_ready, deadline);
	}
	return 0;
}

static int error_code(const char *name)
{
	static const struct {
		const char *name;
		int code;
	} codes[] = {{"ENOENT", ENOENT}, {"EINVAL", EINVAL}, {"EACCES", 13}, {"EEXIST", 17},
		     {"ENOSPC", ENOSPC}, {"EBUSY", EBUSY}, {"EAGAIN", EAGAIN}, {"E2BIG", E2BIG}};
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
		if (!strcmp(name, codes[i].name))
			return -codes[i].code;
	return -EIO;
}

/*
 * Send one request made of nparts byte strings and wait for its reply (in
 * `reply`): 0, -E2BIG when the request is larger than the store takes, -EIO
 * when the store does not take it or answer within REPLY_TIMEOUT_NS, or the
 * store's error. Callers take turns.
 */
static int request(uint32_t type, const char *const *parts, const size_t *lens, unsigned nparts)
{
	if (!ring)
		return -ENOENT;
	size_t len = 0;
	for (unsigned i = 0; i < nparts; i++)
		len += lens[i];
	if (len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	while (busy)
		thread_block_on(&busy, SCHED_FOREVER);
	busy = true;
	uint64_t deadline = monotonic_ns() + REPLY_TIMEOUT_NS;
	int rc = wait_out_free(deadline);
	if (!rc) {
		compose(type, parts, lens, nparts, len);
		rc = send_out(deadline);
	}
	if (!rc)
		rc = await_reply(deadline);
	if (!rc && reply_type == XS_ERROR)
		rc = error_code(reply);
	awaiting = false;
	busy = false;
	thread_wake_all(&busy);
	return rc;
}

int xs_read(const char *path, char *buf, size_t size)
{
	const char *parts[] = {path};
	size_t lens[] = {strlen(path) + 1};
	int rc = request(XS_READ, parts, lens, 1);
	buf[0] = '\0';
	if (rc)
		return rc;
	if (reply_len >= size)
		return -E2BIG;
	memcpy(buf, reply, reply_len);
	buf[reply_len] = '\0';
	return (int)reply_len;
}

int xs_write(const char *path, const char *value)
{
	const char *parts[] = {path, value};
	size_t lens[] = {strlen(path) + 1, strlen(value)};
	return request(XS_WRITE, parts, lens, 2);
}

/* The watches set, to set again in the store of a restored domain. */
#define MAX_WATCHES 4
static struct {
	char path[64], token[16];
} watches[MAX_WATCHES];
static unsigned nr_watches;

static int send_watch(const char *path, const char *token)
{
	const char *parts[] = {path, token};
	size_t lens[] = {strlen(path) + 1, strlen(token) + 1};
	return request(XS_WATCH, parts, lens, 2);
}

int xs_watch(const char *path, const char *token)
{
	if (nr_watches == MAX_WATCHES || strlen(path) >= sizeof(watches[0].path) ||
	    strlen(token) >= sizeof(watches[0].token))
		return -ENOSPC;
	int rc = send_watch(path, token);
	if (!rc) {
		snprintf(watches[nr_watches].path, sizeof(watches[0].path), "%s", path);
		snprintf(watches[nr_watches++].token, sizeof(watches[0].token), "%s", token);
	}
	return rc;
}

void xenstore_suspend(void)
{
	while (busy)
		thread_block_on(&busy, SCHED_FOREVER);
	busy = true;
}

evtchn_port_t xenstore_port(void) { return port; }

int xenstore_resume(bool new_domain)
{
	if (new_domain) { /* a new store: what was on the way to or from the old one is gone */
		port = xen_store_evtchn();
		in_have = out_len = out_sent = 0;
	}
	busy = false;
	thread_wake_all(&busy);
	if (!new_domain)
		return 0;
	int rc = 0;
	for (unsigned i = 0; i < nr_watches; i++)
		if (send_watch(watches[i].path, watches[i].token))
			rc = -EIO;
	return rc;
}

int xs_next_watch(char *path, size_t path_size, char *token, size_t token_size, uint64_t deadline_ns)
{
	if (!ring)
		return -ENOENT;
	while (!watch_len) {
		if (monotonic_ns() >= deadline_ns)
			return -EAGAIN;
		thread_block_on(&watch_arrived, deadline_ns);
	}
	const char *e = watch_events[watch_head];
	watch_head = (watch_head + 1) % WATCH_QUEUE;
	watch_len--;
	size_t plen = strlen(e);
	snprintf(path, path_size, "%s", e);
	snprintf(token, token_size, "%s", plen + 1 < WATCH_EVENT_BYTES ? e + plen + 1 : "");
	if (watch_dropped) { /* bursts of writes by the host cause this: rate-limited */
		static struct log_limit dropped_log;
		printk_limited(&dropped_log, "xenstore: %lu watch events were dropped (nobody read them in time)",
			       watch_dropped);
		watch_dropped = 0;
	}
	return 0;
}
