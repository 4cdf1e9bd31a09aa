# domu tests of the guest's xenstore client (kernel/xen/xenstore.c) against
# this dom0's real xenstored. Sourced by tests/domu/suite.sh after lib.sh.
# The echo workload is test=xenstore_echo of build/tide-tests.elf
# (tests/guest/xenstore_echo.c).

TESTS_KERNEL=$PWD/build/tide-tests.elf

# xenstored stops reading (SIGSTOP) for 22 s, longer than twice the guest's
# 10 s timeout, while the guest echoes a 1500-byte value (more than the 1 KiB
# request ring) through data/xs_echo ten times a second: requests time out,
# one of them half-written. Once xenstored resumes, every reply must still
# go to its own request: the echo never reads back another value and goes
# on, the guest logged the timeouts and the late replies it dropped,
# and it still follows xl mem-set and reports what it holds.
xs_stalled_store() {
	create_from "$TESTS_KERNEL" xe 64 256 "test=xenstore_echo"
	wait_node xe data/tide/state 20 # the guest's threads have made their first requests
	wait_node xe data/xs_echo 20
	pid=$(cat /run/xenstored.pid)
	trap 'kill -CONT "$pid"' EXIT
	kill -STOP "$pid"
	sleep 22
	kill -CONT "$pid"
	trap - EXIT
	log=/var/log/xen/guest-xe.log
	# the echo goes on (whether its own request timed out, logged as "ok again
	# after", or other threads' did while it waited its turn)
	r0=$(xsr xe data/xs_echo | awk '{ print $2 }')
	i=0
	while [ "$(xsr xe data/xs_echo | awk '{ print $2 }')" -le "$r0" ]; do
		[ $i -lt 300 ] || { echo "# the echo did not go on after the stall (round $r0)" >&2; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "xenstore: .* within 10 s" $log || { echo "# no timeout logged" >&2; return 1; }
	grep -q "xenstore: dropped a late reply" $log || { echo "# no late reply dropped" >&2; return 1; }
	r1=$(xsr xe data/xs_echo | awk '{ print $2 }')
	sleep 1
	r2=$(xsr xe data/xs_echo | awk '{ print $2 }')
	[ "$r2" -gt "$r1" ] || { echo "# the echo is stuck at round $r1" >&2; return 1; }
	xl mem-set xe 96
	wait_mem xe 96 30 >/dev/null
	agree xe
	[ "$(xsr xe data/tide/target_kib)" = 98304 ] || { echo "# follows $(xsr xe data/tide/target_kib) KiB" >&2; return 1; }
	alive xe
	if grep -q MISMATCH $log; then
		grep MISMATCH $log | head -n 3 | sed 's/^/# /' >&2
		return 1
	fi
}

# A memory/target value longer than the guest's 64-byte buffer is refused
# whole, not cut to a prefix: here its first 63 characters read as 80 MiB.
# The guest stays alive on its last valid target, logs one refusal, and
# follows the next valid target.
xs_long_target() {
	create xl1 64 256
	wait_node xl1 data/meminfo_total 20
	xl mem-set xl1 96
	wait_mem xl1 96 20 >/dev/null
	long=$(printf '%058d%s%037d' 0 81920 0)
	[ ${#long} = 100 ]
	xsw xl1 memory/target "$long"
	sleep 2
	alive xl1
	[ "$(xsr xl1 data/tide/target_kib)" = 98304 ] || { echo "# follows $(xsr xl1 data/tide/target_kib) KiB" >&2; return 1; }
	[ "$(mem_mib xl1)" = 96 ] || { echo "# holds $(mem_mib xl1) MiB" >&2; return 1; }
	n=$(grep -c 'memory/target: .* refused' /var/log/xen/guest-xl1.log || true)
	[ "$n" = 1 ] || { echo "# $n refusals logged for one bad value" >&2; return 1; }
	xl mem-set xl1 80
	wait_mem xl1 80 20 >/dev/null
}

run_both xs_stalled_store xs_stalled_store
run_both xs_long_target xs_long_target
