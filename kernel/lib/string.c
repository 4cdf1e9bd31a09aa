/* String and memory primitives for a kernel without libc. */
#include <tide/lib.h>

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	if (((uintptr_t)d & 7) == 0 && (n & 7) == 0) {
		uint64_t v = (uint8_t)c * 0x0101010101010101ULL;
		uint64_t *q = dst;
		for (size_t i = 0; i < n / 8; i++)
			q[i] = v;
		return dst;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

/* Parse the digits s[i..len) in base 10 or 16. */
static int parse_digits(const char *s, size_t i, size_t len, unsigned long base, unsigned long *out)
{
	unsigned long v = 0;
	if (i == len)
		return -EINVAL;
	for (; i < len; i++) {
		unsigned long d;
		char c = s[i];
		if (c >= '0' && c <= '9')
			d = (unsigned long)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned long)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned long)(c - 'A' + 10);
		else
			return -EINVAL;
		if (v > (~0UL - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

int parse_ulong(const char *s, size_t len, unsigned long *out)
{
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_digits(s, 2, len, 16, out);
	return parse_digits(s, 0, len, 10, out);
}

int parse_decimal(const char *s, size_t len, unsigned long *out) { return parse_digits(s, 0, len, 10, out); }
