/*
 * A domU's side of the memory contract (tide/memory_target.h), in three
 * cooperative threads:
 *   balloon   runs the balloon state machine: a step, then a yield; asleep
 *             until balloon_next_work_ns() (the backoff's end, a re-check
 *             while away from the target, or for good), and woken at once by
 *             a new target;
 *   watcher   watches memory/target, control/shutdown and data/, validates
 *             targets and hands valid ones to the balloon, obeys shutdown
 *             requests, and tells the reporter when one of its nodes changed;
 *   reporter  keeps the data/ nodes current.
 *
 * Two test modes, for the host's daemon's tests (tided): ignore_targets=1
 * validates and logs each new target but does not follow it (an
 * uncooperative guest); lie_free_kib=N reports N as data/meminfo_free and a
 * huge, ever-growing data/tide/alloc_waits (a guest that lies).
 */
#include <tide/balloon_worker.h>
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/log_limit.h>
#include <tide/memory_target.h>
#include <tide/page_alloc.h>
#include <tide/sched.h>
#include <tide/xenstore.h>
#include "suspend.h"
#include "xen.h"

#define SECOND_NS 1000000000ULL
#define REPORT_PERIOD_NS (SECOND_NS / 2)

static int balloon_wakeup, report_wakeup; /* tokens */
static bool report_check_needed; /* a report node changed in xenstore */
static bool report_due;		 /* the balloon finished moving: report now, not at the next period */
static bool feature_in_data;	 /* feature-balloon is reported in data/ */
static bool ignore_targets;
static bool lying;
static unsigned long lie_free_kib;

static void balloon_thread(void *unused)
{
	(void)unused;
	bool moving = false;
	for (;;) {
		enum balloon_state s = balloon_work();
		if (s == BALLOON_GROWING || s == BALLOON_SHRINKING) {
			moving = true;
			thread_yield();
			continue;
		}
		if (moving) { /* the host watches for the guest's own view: give it at once */
			moving = false;
			report_due = true;
			thread_wake_all(&report_wakeup);
		}
		thread_block_on(&balloon_wakeup, balloon_next_work_ns());
	}
}

/* The lines that values written by the host cause: refusals, ignored targets. */
static struct log_limit target_log;

static void refuse_target(const char *value, const char *why)
{
	printk_limited(&target_log, "memory/target: \"%s\" refused: %s; staying at %lu KiB", value, why,
		       PAGES_TO_KIB(balloon_stats()->target_pages));
}

/* A target in KiB that the guest can follow, or NULL with why it is refused. */
static const char *target_problem(const char *value, int len, unsigned long *kib)
{
	char max[32];
	unsigned long max_kib = ~0UL;
	if (len == -E2BIG)
		return "longer than a target can be";
	if (parse_decimal(value, (size_t)len, kib))
		return "not a decimal number of KiB";
	if (*kib < PAGES_TO_KIB(1))
		return "less than one 4 KiB page";
	if (xs_read("memory/static-max", max, sizeof(max)) > 0 && parse_decimal(max, strlen(max), &max_kib))
		max_kib = ~0UL;
	if (*kib > max_kib)
		return "above memory/static-max";
	if (*kib > PAGES_TO_KIB(frames_nr_blocks() * BLOCK_PAGES))
		return "beyond this guest's pfn space";
	return NULL;
}

/*
 * The host's word. Every write of memory/target is a target to act on, even
 * the value already followed: it re-arms a balloon that gave up. The one
 * exception is the event xenstore sends when the watch is set: it repeats
 * what the guest booted with, and acting on it would undo a target the guest
 * raised itself by growing on shortage since.
 */
static char boot_value[64];

static void take_target(bool watch_set_echo)
{
	char value[64];
	unsigned long kib;
	int n = xs_read("memory/target", value, sizeof(value));
	if (n < 0 && n != -E2BIG)
		return; /* gone (the domain is being destroyed) */
	if (watch_set_echo && !strcmp(value, boot_value))
		return;
	const char *why = target_problem(value, n, &kib);
	if (why)
		return refuse_target(n < 0 ? "(too long)" : value, why);
	if (ignore_targets) {
		printk_limited(&target_log, "memory/target: %lu KiB ignored (ignore_targets=1)", kib);
		return;
	}
	balloon_set_target(KIB_TO_PAGES(kib));
	thread_wake_all(&balloon_wakeup);
}

/* The toolstack's control/shutdown request: acknowledged (cleared), then obeyed. */
static void take_shutdown(void)
{
	char value[32];
	if (xs_read("control/shutdown", value, sizeof(value)) <= 0)
		return;
	if (!strcmp(value, "suspend"))
		return xen_take_suspend();
	if (strcmp(value, "poweroff") && strcmp(value, "halt") && strcmp(value, "reboot") && strcmp(value, "crash"))
		return; /* anything else: left for the toolstack to time out */
	xs_write("control/shutdown", "");
	printk("tide: %s requested by the toolstack\n", value);
	if (!strcmp(value, "reboot"))
		kernel_reboot();
	kernel_exit(!strcmp(value, "crash") ? 1 : 0);
}

/*
 * The report. Each node is written when the guest's value changes, and
 * checked against xenstore whenever a watch says one of these nodes (or
 * data/ itself) changed: a node someone removed or overwrote is written
 * again. A failed write is logged once and retried every period.
 */
enum report_node {
	NODE_TOTAL, NODE_FREE, NODE_TARGET, NODE_FLOOR, NODE_WAITS, NODE_FAILURES, NODE_DROPPABLE, NODE_STATE,
	NODE_FEATURE, NODE_COUNT
};
static const char *const node_path[NODE_COUNT] = {
	"data/meminfo_total", "data/meminfo_free", "data/tide/target_kib", "data/tide/floor_kib",
	"data/tide/alloc_waits", "data/tide/alloc_failures", "data/tide/droppable_kib", "data/tide/state",
	"data/feature-balloon",
};
static char written[NODE_COUNT][24]; /* what xenstore holds, as far as the guest knows */
static bool write_failure_logged;

static void report_node(enum report_node i, const char *value)
{
	if (!strcmp(written[i], value))
		return;
	int rc = xs_write(node_path[i], value);
	if (rc == 0) {
		snprintf(written[i], sizeof(written[i]), "%s", value);
		return;
	}
	written[i][0] = '\0';
	if (!write_failure_logged)
		printk("memory_target: cannot write %s (error %d); retrying every report\n", node_path[i], rc);
	write_failure_logged = true;
}

static void report_ulong(enum report_node i, unsigned long value)
{
	char text[24];
	snprintf(text, sizeof(text), "%lu", value);
	report_node(i, text);
}

/* Forget what xenstore holds where it no longer holds it, so the next report rewrites it. */
static void report_check(void)
{
	char value[24];
	for (int i = 0; i < NODE_COUNT; i++) {
		if (i == NODE_FEATURE && !feature_in_data)
			continue;
		int n = xs_read(node_path[i], value, sizeof(value));
		if (n < 0 || strcmp(value, written[i]))
			written[i][0] = '\0';
	}
}

/* Report every node whose value changed, or (missing_only) only those xenstore lost. */
static void report_all(unsigned long lies, bool missing_only)
{
	const struct balloon_stats *b = balloon_stats();
	unsigned long values[] = {
		[NODE_TOTAL] = PAGES_TO_KIB(frames_populated()),
		[NODE_FREE] = lying ? lie_free_kib : PAGES_TO_KIB(nr_free_pages()),
		[NODE_TARGET] = PAGES_TO_KIB(b->target_pages),
		[NODE_FLOOR] = PAGES_TO_KIB(b->floor_pages),
		[NODE_WAITS] = lying ? (1UL << 50) + lies : b->shortage_grown,
		[NODE_FAILURES] = page_alloc_failures(),
		[NODE_DROPPABLE] = PAGES_TO_KIB(b->droppable_pages),
	};
	for (int i = 0; i < NODE_STATE; i++)
		if (!missing_only || !written[i][0])
			report_ulong(i, values[i]);
	if (!missing_only || !written[NODE_STATE][0])
		report_node(NODE_STATE, balloon_state_name(balloon_state()));
	if (feature_in_data && (!missing_only || !written[NODE_FEATURE][0]))
		report_node(NODE_FEATURE, "1");
}

/* Twice a second, at once when the balloon stops moving, and when xenstore lost one of the nodes. */
static void reporter_thread(void *unused)
{
	(void)unused;
	unsigned long lies = 0;
	uint64_t next = monotonic_ns();
	for (;;) {
		if (report_check_needed) {
			report_check_needed = false;
			report_check();
			report_all(lies, true);
		}
		if (report_due || monotonic_ns() >= next) {
			report_due = false;
			report_all(lies++, false);
			next = monotonic_ns() + REPORT_PERIOD_NS;
		}
		thread_block_on(&report_wakeup, next);
	}
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);
	return n >= k && !strcmp(s + n - k, tail);
}

/* A watch event about one of the report's own nodes (or the whole data/ directory). */
static bool is_report_path(const char *path)
{
	for (int i = 0; i < NODE_COUNT; i++)
		if (ends_with(path, node_path[i]))
			return true;
	return !strcmp(path, "data") || !strcmp(path, "data/tide") || ends_with(path, "/data") ||
	       ends_with(path, "/data/tide");
}

void memory_target_resume(void)
{
	for (int i = 0; i < NODE_COUNT; i++)
		written[i][0] = '\0'; /* a new domain's xenstore home holds none of the report */
	thread_wake_all(&report_wakeup);
}

static void watcher_thread(void *unused)
{
	(void)unused;
	char path[128], token[32];
	bool target_echo = true;
	if (xs_watch("memory/target", "target") || xs_watch("control/shutdown", "shutdown") ||
	    xs_watch("data", "data"))
		printk("memory_target: cannot set the xenstore watches\n");
	for (;;) {
		if (xs_next_watch(path, sizeof(path), token, sizeof(token), SCHED_FOREVER))
			continue;
		if (!strcmp(token, "target")) {
			take_target(target_echo);
			target_echo = false;
		} else if (!strcmp(token, "shutdown")) {
			balloon_hold(true); /* before the first round trip: a suspend may be on its way (balloon.h) */
			take_shutdown();
			balloon_hold(false);
			thread_wake_all(&balloon_wakeup);
		} else if (!strcmp(token, "data") && is_report_path(path)) {
			report_check_needed = true;
			thread_wake_all(&report_wakeup);
		}
	}
}

void memory_target_start(void)
{
	char value[32];
	ignore_targets = cmdline_ulong("ignore_targets", 0) != 0;
	lying = cmdline_get("lie_free_kib", NULL, 0) >= 0;
	lie_free_kib = cmdline_ulong("lie_free_kib", 0);
	if (ignore_targets)
		printk("memory_target: ignore_targets=1: targets are logged, not followed\n");
	if (lying)
		printk("memory_target: lie_free_kib=%lu: reporting lies\n", lie_free_kib);
	if (xs_read("memory/target", value, sizeof(value)) > 0)
		snprintf(boot_value, sizeof(boot_value), "%s", value);
	int rc = xs_write("control/feature-balloon", "1");
	if (rc) {
		printk("memory_target: the toolstack does not let guests write control/feature-balloon "
		       "(error %d, as with xl); writing data/feature-balloon instead\n", rc);
		feature_in_data = true;
	}
	if (!thread_create("balloon", balloon_thread, NULL) || !thread_create("watcher", watcher_thread, NULL) ||
	    !thread_create("reporter", reporter_thread, NULL))
		panic("memory_target: no memory for the threads");
}
