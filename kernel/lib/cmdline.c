/* Command-line options: space-separated "key=value" words. */
#include <tide/kernel.h>
#include <tide/lib.h>

int cmdline_get(const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = kernel_cmdline();
	while (*p) {
		while (*p == ' ')
			p++;
		const char *word = p;
		while (*p && *p != ' ')
			p++;
		size_t wlen = (size_t)(p - word);
		if (wlen < klen || strncmp(word, key, klen))
			continue;
		if (wlen == klen || word[klen] == '=') {
			size_t vlen = wlen == klen ? 0 : wlen - klen - 1;
			if (size) {
				size_t n = MIN(vlen, size - 1);
				memcpy(buf, word + klen + 1, n);
				buf[n] = '\0';
			}
			return (int)vlen;
		}
	}
	return -ENOENT;
}

unsigned long cmdline_ulong(const char *key, unsigned long dflt)
{
	char buf[32];
	unsigned long v;
	int n = cmdline_get(key, buf, sizeof(buf));
	if (n < 0)
		return dflt;
	if (n >= (int)sizeof(buf) || parse_ulong(buf, (size_t)n, &v)) {
		printk("tide: option %s=%s is not a number; using %lu\n", key, buf, dflt);
		return dflt;
	}
	return v;
}
