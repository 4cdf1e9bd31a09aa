/* printk() and panic(), on any platform's console_write() (tide/kernel.h). */
#include <tide/kernel.h>
#include <tide/lib.h>

void printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}

_Noreturn void panic(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("PANIC: ");
	console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
	printk("\n");
	kernel_exit(99);
}
