/* Runs in child processes, watched for crashes and hangs; see parent.h. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <tide/types.h>

#include "parent.h"

#define HUNG_STATUS 3
#define STR_(x) #x
#define STR(x) STR_(x)

static struct fuzz_progress *shared;

void child_init(void)
{
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		perror("fuzz-core: mmap");
		exit(2);
	}
}

static void silence(void)
{
	int fd = open("/dev/null", O_WRONLY);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
}

/*
 * The child's watchdog, every HANG_SECONDS: no operation started or finished
 * since the last time is a hang (a loop that never ends); the child ends with
 * HUNG_STATUS, and the parent learns where from the shared progress.
 */
static void watchdog(int sig)
{
	static const char msg[] = "fuzz: no progress for " STR(HANG_SECONDS) " s: hung\n";
	static unsigned long op = ~0UL, done = ~0UL;
	(void)sig;
	if (op == shared->op && done == shared->done) {
		ssize_t said = write(1, msg, sizeof(msg) - 1);
		(void)said;
		_exit(HUNG_STATUS);
	}
	op = shared->op;
	done = shared->done;
}

static void start_watchdog(void)
{
	struct itimerval every = {{HANG_SECONDS, 0}, {HANG_SECONDS, 0}};
	signal(SIGALRM, watchdog);
	setitimer(ITIMER_REAL, &every, NULL);
}

struct outcome child_run(uint64_t epoch_seed, const uint64_t *list, unsigned long n, unsigned long check_every,
			 uint64_t deadline_ns, bool quiet)
{
	memset(shared, 0, sizeof(*shared));
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fuzz-core: fork");
		exit(2);
	}
	if (pid == 0) {
		if (quiet)
			silence();
		start_watchdog();
		fuzz_progress = shared;
		run_words(epoch_seed, list, n, check_every, deadline_ns);
		fflush(stdout);
		_exit(0);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		;
	struct outcome o = {.done = shared->done, .failed_at = shared->op, .cov = shared->cov};
	o.hung = WIFEXITED(status) && WEXITSTATUS(status) == HUNG_STATUS;
	o.failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	return o;
}
