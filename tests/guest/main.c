#include <tide/kernel.h>
#include <tide/lib.h>
int app_main(void)
{
	printk("hello from the demo\n");
	return 0;
}
