/*
 * The xenstore client; see tide/xenstore.h and Xen's io/xs_wire.h for the
 * wire format (a struct xsd_sockmsg header, then len bytes).
 *
 * One reader thread owns the event channel: on each event it pumps whatever
 * bytes the daemon has written into one message buffer (a message may be
 * larger than the 1 KiB ring, so it is assembled piece by piece) and wakes
 * whoever waits. A complete message is either the reply to the one
 * outstanding request (its thread waits on `reply_ready`) or a watch event,
 * which goes into a small queue (the oldest is dropped, and counted, if
 * nobody reads them). Writers waiting for room in the request ring wait on
 * `ring_space`.
 */
#include <tide/types.h>
/* before tide/lib.h: xs_wire.h builds an error table of its own when EINVAL is defined */
#include <xen/io/xs_wire.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/sched.h>
#include <tide/xenstore.h>
#include "events.h"
#include "pv.h"

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

static bool busy;	   /* a request is outstanding */
static uint32_t next_req_id;
static bool reply_ready;
static uint32_t reply_type;
static char reply[XENSTORE_PAYLOAD_MAX + 1];
static size_t reply_len;

static char watch_events[WATCH_QUEUE][WATCH_EVENT_BYTES];
static unsigned watch_head, watch_len;
static unsigned long watch_dropped;
static int watch_arrived, ring_space; /* tokens to wait on */

static void pump(void);

static void reader(void *unused)
{
	(void)unused;
	for (;;) {
		pump();
		thread_wake_all(&ring_space);
		evtchn_wait(port, SCHED_FOREVER);
	}
}

int xenstore_init(void)
{
	const start_info_t *si = pv_start_info();
	if (kernel_is_dom0() || !si->store_mfn)
		return -ENOENT;
	ring = (struct xenstore_domain_interface *)(pv_m2p(mfn(si->store_mfn)).n << PAGE_SHIFT);
	port = si->store_evtchn;
	evtchn_add(port);
	if (!thread_create("xenstore", reader, NULL))
		panic("xenstore: no memory for the reader thread");
	return 0;
}

/* A complete message arrived: hand it to the requester or queue it as a watch event. */
static void deliver(void)
{
	in.body[in.hdr.len] = '\0';
	if (in.hdr.type == XS_WATCH_EVENT) {
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
		return;
	}
	reply_type = in.hdr.type;
	reply_len = in.hdr.len;
	memcpy(reply, in.body, in.hdr.len + 1);
	reply_ready = true;
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

static int write_bytes(const void *data, size_t n, uint64_t deadline)
{
	const char *p = data;
	while (n) {
		XENSTORE_RING_IDX cons = ring->req_cons, prod = ring->req_prod;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		size_t room = XENSTORE_RING_SIZE - (prod - cons);
		if (room == 0) {
			evtchn_notify(port);
			if (monotonic_ns() >= deadline)
				return -EIO;
			thread_block_on(&ring_space, deadline);
			continue;
		}
		size_t k = MIN(n, room);
		for (size_t i = 0; i < k; i++)
			ring->req[MASK_XENSTORE_IDX(prod + i)] = p[i];
		__atomic_thread_fence(__ATOMIC_RELEASE);
		ring->req_prod = prod + (XENSTORE_RING_IDX)k;
		p += k;
		n -= k;
	}
	return 0;
}

static int error_code(const char *name)
{
	static const struct {
		const char *name;
		int code;
	} codes[] = {{"ENOENT", ENOENT}, {"EINVAL", EINVAL}, {"EACCES", 13}, {"EEXIST", 17},
		     {"ENOSPC", ENOSPC}, {"EBUSY", EBUSY}, {"EAGAIN", EAGAIN}, {"E2BIG", 7}};
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
		if (!strcmp(name, codes[i].name))
			return -codes[i].code;
	return -EIO;
}

/* Send one request made of nparts strings (each with its NUL if with_nul) and wait for its reply. */
static int request(uint32_t type, const char *const *parts, const size_t *lens, unsigned nparts)
{
	if (!ring)
		return -ENOENT;
	while (busy)
		thread_block_on(&busy, SCHED_FOREVER);
	busy = true;
	uint64_t deadline = monotonic_ns() + REPLY_TIMEOUT_NS;
	struct xsd_sockmsg hdr = {.type = type, .req_id = ++next_req_id};
	for (unsigned i = 0; i < nparts; i++)
		hdr.len += (uint32_t)lens[i];
	reply_ready = false;
	int rc = write_bytes(&hdr, sizeof(hdr), deadline);
	for (unsigned i = 0; i < nparts && !rc; i++)
		rc = write_bytes(parts[i], lens[i], deadline);
	evtchn_notify(port);
	while (!rc && !reply_ready) {
		if (monotonic_ns() >= deadline) {
			printk("xenstore: no reply to request %u within %llu s\n", hdr.req_id,
			       REPLY_TIMEOUT_NS / 1000000000ULL);
			rc = -EIO;
			break;
		}
		thread_block_on(&reply_ready, deadline);
	}
	if (!rc && reply_type == XS_ERROR)
		rc = error_code(reply);
	busy = false;
	thread_wake_all(&busy);
	return rc;
}

int xs_read(const char *path, char *buf, size_t size)
{
	const char *parts[] = {path};
	size_t lens[] = {strlen(path) + 1};
	int rc = request(XS_READ, parts, lens, 1);
	if (rc)
		return rc;
	size_t n = MIN(reply_len, size - 1);
	memcpy(buf, reply, n);
	buf[n] = '\0';
	return (int)n;
}

int xs_write(const char *path, const char *value)
{
	const char *parts[] = {path, value};
	size_t lens[] = {strlen(path) + 1, strlen(value)};
	return request(XS_WRITE, parts, lens, 2);
}

int xs_watch(const char *path, const char *token)
{
	const char *parts[] = {path, token};
	size_t lens[] = {strlen(path) + 1, strlen(token) + 1};
	return request(XS_WATCH, parts, lens, 2);
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
	if (watch_dropped) {
		printk("xenstore: %lu watch events were dropped (nobody read them in time)\n", watch_dropped);
		watch_dropped = 0;
	}
	return 0;
}
