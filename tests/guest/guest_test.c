/* The in-guest test harness; see guest_test.h. */
#include <tide/kernel.h>
#include "guest_test.h"

int guest_test_run(const struct guest_test *tests, size_t n, const char *suite)
{
	char name[64];
	if (cmdline_get("test", name, sizeof(name)) <= 0) {
		printk("tests: no test=NAME on the command line; scenarios:");
		for (size_t i = 0; i < n; i++)
			printk(" %s", tests[i].name);
		printk("\n");
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(tests[i].name, name))
			continue;
		int rc = tests[i].fn();
		printk("%s - %s/%s\n", rc ? "not ok" : "ok", suite, name);
		return rc ? 1 : 0;
	}
	printk("tests: no scenario named %s\n", name);
	return 2;
}
