/* Tests of tided's config file and bounds, and of its one-line error without Xen. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../config.h"
#include "check.h"
#include "tests.h"

void test_config_parse(void)
{
	static struct tided_config c;
	char err[256];
	CHECK(config_parse("# tided\nreserve=96\nidle min=64 max=512\n\nburst max=1024 # big\n", &c, err,
			   sizeof(err)) == 0,
	      "good file refused: %s", err);
	CHECK(c.has_reserve && c.reserve_kib == MiB(96), "reserve %llu", mib(c.reserve_kib));
	CHECK(c.n == 2 && config_bounds(&c, "idle") && config_bounds(&c, "idle")->min_kib == MiB(64) &&
		      config_bounds(&c, "burst")->max_kib == MiB(1024) && !config_bounds(&c, "burst")->has_min,
	      "bounds parsed wrong");
	CHECK(c.policy == CONFIG_POLICY_FLUID, "the default policy is not fluid");
	CHECK(config_parse("reserve=16\npolicy=conservative\n", &c, err, sizeof(err)) == 0 &&
		      c.policy == CONFIG_POLICY_CONSERVATIVE,
	      "policy=conservative refused: %s", err);
	CHECK(config_parse("policy=fluid\n", &c, err, sizeof(err)) == 0 && c.policy == CONFIG_POLICY_FLUID,
	      "policy=fluid refused: %s", err);
	static const char *bad[] = {
		"reserve=-1\n", "reserve=12x\n", "idle min=\n", "idle min=512 max=64\n", "idle\n",
		"idle min=64 foo=3\n", "idle min=0\n", "a min=1\na max=2\n", "min=3\n", "reserve=99999999999\n",
		"x/y min=3\n", "reserve=0\n", "reserve=15\n", "idle min=64 min=128\n", "idle max=64 max=9\n",
		"policy=\n", "policy=eager\n", "policy=fluid x\n", "policy=Fluid\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(config_parse(bad[i], &c, err, sizeof(err)) != 0, "accepted %s", bad[i]);
		CHECK(!strncmp(err, "line ", 5), "error without a line number: %s", err);
	}
	CHECK(config_parse("a min=1\n\nb max=x\n", &c, err, sizeof(err)) && !strncmp(err, "line 3:", 7),
	      "wrong line in: %s", err);
	uint64_t k;
	CHECK(parse_mib("0", &k) == 0 && k == 0 && parse_mib("", &k) && parse_mib("1.5", &k) && parse_mib("-2", &k),
	      "parse_mib");
	CHECK(config_load("/nonexistent/tided.conf", &c, err, sizeof(err)) == 1, "missing file not told apart");
}

void test_bounds_resolve(void)
{
	static struct tided_config c;
	char err[128];
	config_parse("g min=100 max=400\nh max=300\n", &c, err, sizeof(err));
	uint64_t lo, hi;
	enum bound_from lf, hf;
	struct bound_sources src = {.static_max_kib = MiB(1024), .first_seen_kib = MiB(128)};
	bounds_resolve(&c, "g", &src, &lo, &hi, &lf, &hf);
	CHECK(lo == MiB(100) && hi == MiB(400) && lf == FROM_CONFIG && hf == FROM_CONFIG, "config: [%llu, %llu] from %s, %s",
	      mib(lo), mib(hi), bound_from_name(lf), bound_from_name(hf));
	src.set_min_kib = MiB(150);
	bounds_resolve(&c, "g", &src, &lo, &hi, &lf, &hf);
	CHECK(lo == MiB(150) && hi == MiB(400) && lf == FROM_TIDECTL, "tidectl min over config: [%llu, %llu]", mib(lo),
	      mib(hi));
	bounds_resolve(&c, "h", &src, &lo, &hi, &lf, &hf);
	CHECK(lo == MiB(150) && hi == MiB(300), "h: [%llu, %llu]", mib(lo), mib(hi));
	src.set_min_kib = 0;
	bounds_resolve(&c, "other", &src, &lo, &hi, &lf, &hf);
	CHECK(lo == MiB(128) && hi == MiB(1024) && lf == FROM_FIRST_SEEN && hf == FROM_STATIC, "defaults: [%llu, %llu]",
	      mib(lo), mib(hi));
	src.static_min_kib = MiB(96);
	bounds_resolve(&c, "other", &src, &lo, &hi, &lf, &hf);
	CHECK(lo == MiB(96), "static-min default: %llu", mib(lo));
	src.set_max_kib = MiB(4096); /* above static-max: capped */
	bounds_resolve(&c, "other", &src, &lo, &hi, &lf, &hf);
	CHECK(hi == MiB(1024), "max above static-max: %llu", mib(hi));
	src.set_max_kib = MiB(64); /* below min: min comes down */
	bounds_resolve(&c, "other", &src, &lo, &hi, &lf, &hf);
	CHECK(lo == MiB(64) && hi == MiB(64) && lf == FROM_STATIC, "min above max: [%llu, %llu]", mib(lo), mib(hi));
}

/* Without Xen (the build host), tided and tidectl exit 1 with one clear line. */
void test_no_xen_clear_error(void)
{
	struct stat st;
	if (stat("/proc/xen/capabilities", &st) == 0 || stat("/dev/xen/privcmd", &st) == 0) {
		printf("# running on Xen: skipped\n");
		return;
	}
	static const char *cmds[] = {
		"build/tided -c /dev/null 2>&1 >/dev/null",
		"build/tidectl status 2>&1 >/dev/null",
	};
	for (size_t i = 0; i < 2; i++) {
		if (stat(i ? "build/tidectl" : "build/tided", &st)) {
			fail("%s not built", i ? "build/tidectl" : "build/tided");
			continue;
		}
		FILE *p = popen(cmds[i], "r");
		char out[4096] = "";
		size_t n = p ? fread(out, 1, sizeof(out) - 1, p) : 0;
		out[n] = '\0';
		int rc = p ? pclose(p) : -1;
		int lines = 0;
		for (char *c = out; *c; c++)
			lines += *c == '\n';
		CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "%s: exit %d, not 1", cmds[i],
		      WIFEXITED(rc) ? WEXITSTATUS(rc) : -1);
		CHECK(lines == 1 && strstr(out, "xenstore"), "%s said %d lines: %s", cmds[i], lines, out);
	}
}

