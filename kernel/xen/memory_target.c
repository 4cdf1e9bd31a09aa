/*
 * A domU's side of the memory contract (tide/memory_target.h), in three
 * cooperative threads:
 *   balloon   runs the balloon state machine: a step, then a yield; asleep
 *             when idle or cancelled, until the backoff ends when waiting,
 *             and woken at once by a new target;
 *   watcher   watches memory/target and control/shutdown, validates what it
 *             reads and hands valid targets to the balloon;
 *   reporter  keeps the data/ nodes current.
 *
 * Two test modes, for the host's daemon's tests (tided): ignore_targets=1
 * validates and logs each new target but does not follow it (an
 * uncooperative guest); lie_free_kib=N reports N as data/meminfo_free and a
 * huge, ever-growing data/tide/alloc_waits (a guest that lies).
 */
#include <tide/balloon.h>
#include <tide/frame.h>
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/memory_target.h>
#include <tide/page_alloc.h>
#include <tide/sched.h>
#include <tide/xenstore.h>

#define SECOND_NS 1000000000ULL
#define REPORT_PERIOD_NS (SECOND_NS / 2)

static int balloon_wakeup; /* token */
static bool ignore_targets;
static bool lying;
static unsigned long lie_free_kib;

static void balloon_thread(void *unused)
{
	(void)unused;
	for (;;) {
		enum balloon_state s = balloon_work();
		if (s == BALLOON_IDLE || s == BALLOON_CANCELLED)
			thread_block_on(&balloon_wakeup, SCHED_FOREVER);
		else if (s == BALLOON_WAITING)
			thread_block_on(&balloon_wakeup, balloon_stats()->retry_at_ns);
		else
			thread_yield();
	}
}

/*
 * One log line per refused target, rate-limited as a token bucket: bursts of
 * up to LOG_BURST lines, then one a second; lines not printed are counted and
 * the count is printed with the next line.
 */
#define LOG_BURST 10
static unsigned long unlogged_refusals;

static bool may_log(void)
{
	static uint64_t tokens_at; /* when the bucket was last refilled */
	static unsigned tokens = LOG_BURST;
	uint64_t now = monotonic_ns();
	unsigned long earned = (unsigned long)((now - tokens_at) / SECOND_NS);
	if (earned) {
		tokens = (unsigned)MIN((unsigned long)LOG_BURST, tokens + earned);
		tokens_at = now;
	}
	if (tokens == 0)
		return false;
	tokens--;
	return true;
}

static void refuse_target(const char *value, const char *why)
{
	if (!may_log()) {
		unlogged_refusals++;
		return;
	}
	printk("memory/target: \"%s\" refused: %s; staying at %lu KiB", value, why,
	       PAGES_TO_KIB(balloon_stats()->target_pages));
	if (unlogged_refusals)
		printk(" (and %lu refused values not logged)", unlogged_refusals);
	printk("\n");
	unlogged_refusals = 0;
}

/*
 * The host's last word. A watch event also fires when the watch is set and
 * may repeat a value: only a change is a new target, so that a target the
 * guest raised itself by growing on shortage is not undone by an echo.
 */
static char last_value[64];

static void take_target(void)
{
	char value[64], max[32];
	unsigned long kib, max_kib = ~0UL;
	int n = xs_read("memory/target", value, sizeof(value));
	if (n < 0 || !strcmp(value, last_value))
		return;
	snprintf(last_value, sizeof(last_value), "%s", value);
	if (xs_read("memory/static-max", max, sizeof(max)) > 0 && parse_ulong(max, strlen(max), &max_kib))
		max_kib = ~0UL;
	if (parse_ulong(value, (size_t)n, &kib) || (value[0] == '0' && value[1] == 'x'))
		return refuse_target(value, "not a decimal number of KiB");
	if (kib == 0)
		return refuse_target(value, "zero");
	if (kib > max_kib)
		return refuse_target(value, "above memory/static-max");
	if (kib > frames_nr_blocks() * BLOCK_PAGES * 4)
		return refuse_target(value, "beyond this guest's pfn space");
	if (unlogged_refusals) {
		printk("memory/target: %lu more refused values were not logged\n", unlogged_refusals);
		unlogged_refusals = 0;
	}
	if (ignore_targets) {
		printk("memory/target: %lu KiB ignored (ignore_targets=1)\n", kib);
		return;
	}
	balloon_set_target(KIB_TO_PAGES(kib));
	thread_wake_all(&balloon_wakeup);
}

static void watcher_thread(void *unused)
{
	(void)unused;
	char path[128], token[32], value[32];
	if (xs_watch("memory/target", "target") || xs_watch("control/shutdown", "shutdown"))
		printk("memory_target: cannot set the xenstore watches\n");
	for (;;) {
		if (xs_next_watch(path, sizeof(path), token, sizeof(token), SCHED_FOREVER))
			continue;
		if (!strcmp(token, "target")) {
			take_target();
		} else if (!strcmp(token, "shutdown") && xs_read("control/shutdown", value, sizeof(value)) > 0) {
			if (!strcmp(value, "poweroff") || !strcmp(value, "halt") || !strcmp(value, "reboot")) {
				printk("tide: %s requested by the toolstack\n", value);
				kernel_exit(0);
			}
		}
	}
}

/* Write an unsigned value under data/ if it changed since the last write. */
static void report(const char *path, unsigned long value, unsigned long *last)
{
	char text[24];
	if (*last == value)
		return;
	snprintf(text, sizeof(text), "%lu", value);
	if (xs_write(path, text) == 0)
		*last = value;
}

static void reporter_thread(void *unused)
{
	(void)unused;
	static unsigned long last[8];
	static char last_state[16];
	unsigned long lies = 0;
	memset(last, 0xff, sizeof(last));
	for (;;) {
		const struct balloon_stats *b = balloon_stats();
		report("data/meminfo_total", PAGES_TO_KIB(frames_populated()), &last[0]);
		report("data/meminfo_free", lying ? lie_free_kib : PAGES_TO_KIB(nr_free_pages()), &last[1]);
		report("data/tide/target_kib", PAGES_TO_KIB(b->target_pages), &last[2]);
		report("data/tide/floor_kib", PAGES_TO_KIB(b->floor_pages), &last[3]);
		report("data/tide/alloc_waits", lying ? (1UL << 50) + lies++ : b->shortage_grown, &last[4]);
		report("data/tide/alloc_failures", page_alloc_failures(), &last[5]);
		const char *state = balloon_state_name(balloon_state());
		if (strcmp(state, last_state) && xs_write("data/tide/state", state) == 0)
			snprintf(last_state, sizeof(last_state), "%s", state);
		sleep_until_ns(monotonic_ns() + REPORT_PERIOD_NS);
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
		snprintf(last_value, sizeof(last_value), "%s", value); /* what we booted with */
	int rc = xs_write("control/feature-balloon", "1");
	if (rc) {
		printk("memory_target: the toolstack does not let guests write control/feature-balloon "
		       "(error %d, as with xl); writing data/feature-balloon instead\n", rc);
		xs_write("data/feature-balloon", "1");
	}
	if (!thread_create("balloon", balloon_thread, NULL) || !thread_create("watcher", watcher_thread, NULL) ||
	    !thread_create("reporter", reporter_thread, NULL))
		panic("memory_target: no memory for the threads");
}
