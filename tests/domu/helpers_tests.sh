# domu tests of lib.sh itself: a helper that asserts something about a
# domain must fail when that domain is gone, or a guest that powered itself
# off would pass every check. Sourced by tests/domu/suite.sh after lib.sh.

# Each helper, on a destroyed domain, fails at once.
helpers_fail_on_a_gone_domain() {
	create h1 64 128
	wait_node h1 data/meminfo_total 20
	alive h1
	agree h1
	xsw h1 data/helpers 1
	[ "$(xsr h1 data/helpers)" = 1 ]
	xl destroy h1
	t0=$(now_ms)
	for check in "domid h1" "alive h1" "mem_mib h1" "xsr h1 data/helpers" "xsw h1 data/helpers 2" \
		"agree h1" "wait_node h1 data/helpers 5" "wait_mem h1 64 5" "wait_log h1 never-logged 5"; do
		if $check >/dev/null 2>&1; then
			echo "# '$check' succeeds on a destroyed domain" >&2
			return 1
		fi
	done
	t=$(($(now_ms) - t0))
	[ $t -lt 5000 ] || { echo "# the helpers took $t ms to notice the domain is gone" >&2; return 1; }
}

run helpers_fail_on_a_gone_domain helpers_fail_on_a_gone_domain
