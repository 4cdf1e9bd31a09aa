/*
 * The cooperative scheduler; see tide/sched.h. Threads sit in one circular
 * list; the scheduler walks it from the current thread for the next runnable
 * one, and idles in the platform when there is none.
 */
#include <tide/kernel.h>
#include <tide/lib.h>
#include <tide/page_alloc.h>
#include <tide/start.h>

#define STACK_ORDER 2 /* 16 KiB */

enum thread_state { THREAD_RUNNABLE, THREAD_BLOCKED, THREAD_DEAD };

struct thread {
	unsigned long rsp;
	const char *name;
	enum thread_state state;
	const void *token;
	uint64_t deadline;
	void (*fn)(void *);
	void *arg;
	void *stack;
	struct thread *next;
};

void thread_switch(unsigned long *from_rsp, unsigned long to_rsp);
extern char thread_trampoline[];

static struct thread boot_thread = {.name = "main", .state = THREAD_RUNNABLE};
static struct thread *current = &boot_thread;
static sched_idle_t idle_hook;

void sched_init(sched_idle_t idle)
{
	boot_thread.next = &boot_thread;
	idle_hook = idle;
}

_Noreturn void thread_main(void);
_Noreturn void thread_main(void)
{
	current->fn(current->arg);
	current->state = THREAD_DEAD;
	thread_yield();
	panic("sched: a dead thread was resumed");
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg)
{
	struct thread *t = alloc_page();
	void *stack = alloc_pages(STACK_ORDER);
	if (!t || !stack) {
		free_page(t);
		free_pages(stack, STACK_ORDER);
		return NULL;
	}
	*t = (struct thread){.name = name, .state = THREAD_RUNNABLE, .fn = fn, .arg = arg, .stack = stack};
	unsigned long *sp = (unsigned long *)((char *)stack + (PAGE_SIZE << STACK_ORDER));
	*--sp = (unsigned long)thread_trampoline;
	for (int i = 0; i < 6; i++)
		*--sp = 0; /* rbp rbx r12 r13 r14 r15 */
	t->rsp = (unsigned long)sp;
	t->next = current->next;
	current->next = t;
	return t;
}

/* Wake sleepers whose deadline passed; true if any thread can run. */
static bool wake_expired(uint64_t now, uint64_t *earliest)
{
	bool runnable = false;
	struct thread *t = current;
	*earliest = SCHED_FOREVER;
	do {
		if (t->state == THREAD_BLOCKED && t->deadline <= now)
			t->state = THREAD_RUNNABLE;
		if (t->state == THREAD_BLOCKED && t->deadline < *earliest)
			*earliest = t->deadline;
		runnable |= t->state == THREAD_RUNNABLE;
		t = t->next;
	} while (t != current);
	return runnable;
}

/* Drop dead threads other than the current one from the list, freeing their stacks. */
static void reap(void)
{
	for (struct thread *prev = current, *t = current->next; t != current; t = prev->next) {
		if (t->state != THREAD_DEAD || t == &boot_thread) {
			prev = t;
			continue;
		}
		prev->next = t->next;
		free_pages(t->stack, STACK_ORDER);
		free_page(t);
	}
}

static void schedule(void)
{
	uint64_t earliest;
	reap();
	while (!wake_expired(monotonic_ns(), &earliest)) {
		if (!idle_hook)
			panic("sched: every thread is blocked and there is no idle hook");
		idle_hook(earliest);
	}
	struct thread *next = current->next;
	while (next->state != THREAD_RUNNABLE)
		next = next->next;
	if (next == current)
		return;
	struct thread *prev = current;
	current = next;
	thread_switch(&prev->rsp, next->rsp);
}

void thread_yield(void) { schedule(); }

void thread_block_on(const void *token, uint64_t deadline_ns)
{
	current->state = THREAD_BLOCKED;
	current->token = token;
	current->deadline = deadline_ns;
	schedule();
	current->token = NULL;
}

void thread_wake_all(const void *token)
{
	struct thread *t = current;
	do {
		if (t->state == THREAD_BLOCKED && t->token == token)
			t->state = THREAD_RUNNABLE;
		t = t->next;
	} while (t != current);
}

void sleep_until_ns(uint64_t deadline_ns)
{
	while (monotonic_ns() < deadline_ns)
		thread_block_on(NULL, deadline_ns);
}
