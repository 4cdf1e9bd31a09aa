/*
 * The kernel's small libc subset: string functions, formatted output and the
 * failure conventions. Functions that can fail return a negative errno (or
 * NULL for allocations); panic() is only for a broken invariant.
 */
#ifndef TIDE_LIB_H
#define TIDE_LIB_H

#include <stdarg.h>
#include <tide/types.h>

#define ENOMEM 12
#define EBUSY 16
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define EAGAIN 11
#define ENOENT 2
#define EIO 5
#define E2BIG 7
#define ENODEV 19
#define EOPNOTSUPP 95

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* Parse an unsigned decimal (or 0x hex) number; -EINVAL on garbage, -ERANGE on overflow. */
int parse_ulong(const char *s, size_t len, unsigned long *out);
/* The same, decimal digits only. */
int parse_decimal(const char *s, size_t len, unsigned long *out);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define BUG_ON(cond)                                                            \
	do {                                                                    \
		if (cond)                                                       \
			panic("%s:%d: BUG_ON(%s)", __FILE__, __LINE__, #cond);  \
	} while (0)

#endif
