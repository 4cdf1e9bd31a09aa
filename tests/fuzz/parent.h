/* The parent side of build/fuzz-core: it forks the runs and never touches the core itself. */
#ifndef FUZZ_PARENT_H
#define FUZZ_PARENT_H

#include "fuzz.h"

struct outcome {
	bool failed;	      /* a violation, a crash (ASan, UBSan, panic) or a hang */
	bool hung;	      /* no progress for HANG_SECONDS: stopped by its watchdog */
	unsigned long done;   /* operations finished and checked */
	unsigned long failed_at; /* the operation under way when it failed */
	struct fuzz_coverage cov;
};

#define HANG_SECONDS 60

/* Set up the memory the children share with the parent. Call once, first. */
void child_init(void);
/* run_words() in a child process, watched; quiet sends its output to /dev/null. */
struct outcome child_run(uint64_t epoch_seed, const uint64_t *list, unsigned long n, unsigned long check_every,
			 uint64_t deadline_ns, bool quiet);

/*
 * Shrink the failing list[0..n) of epoch_seed's machine by dropping words
 * while it still fails, until no single word can go or deadline_ns passes.
 * Returns the new length (list is rewritten in place).
 */
unsigned long shrink(uint64_t epoch_seed, uint64_t *list, unsigned long n, unsigned long check_every,
		     uint64_t deadline_ns);
/* Write a list for --replay to path; 0 or -1. Read one back: its length, or -1 (list malloc'd). */
int ops_file_write(const char *path, uint64_t epoch_seed, const uint64_t *list, unsigned long n);
long ops_file_read(const char *path, uint64_t *epoch_seed, uint64_t **list);
/* Print list[0..n) one described word a line (at most max lines). */
void ops_print(const uint64_t *list, unsigned long n, unsigned long max);

#endif
