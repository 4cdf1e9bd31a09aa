# The domu suite: Tide domUs under the real xl toolstack, in one dom0 boot.
# Sourced by tests/domu/main.sh (which tools/run-tests runs through
# tools/xlrun): each `run` line adds a test; main.sh runs them all after.
. ./tests/domu/lib.sh # passed to xlrun as a FILE, so it is under /work/tests/domu

memset_down_up() {
	create t1 128 256
	wait_node t1 data/meminfo_total 20
	agree t1
	xl mem-set t1 64; wait_mem t1 64 20 >/dev/null; agree t1
	xl mem-set t1 128; wait_mem t1 128 20 >/dev/null; agree t1
	[ "$(xsr t1 control/feature-balloon)" = 1 ] || [ "$(xsr t1 data/feature-balloon)" = 1 ]
}

grow_beyond_boot_by_memset() {
	create t2 64 512
	wait_node t2 data/meminfo_total 20
	xl mem-set t2 384; wait_mem t2 384 30 >/dev/null; agree t2
	xl mem-set t2 96; wait_mem t2 96 30 >/dev/null; agree t2
}

grow_beyond_boot_by_allocation() {
	create t3 32 512 "alloc_mib=200"
	wait_node t3 data/meminfo_total 20
	# 200 MiB of pages beside about 1 MiB of kernel: it must hold more than 200 MiB
	i=0
	while ! grep -q "allocated 200 of 200 MiB" /var/log/xen/guest-t3.log && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(mem_mib t3)" -gt 200 ] || { echo "# t3 holds $(mem_mib t3) MiB" >&2; return 1; }
	agree t3
	[ "$(xsr t3 data/tide/alloc_waits)" -gt 0 ]
	[ "$(xsr t3 data/tide/alloc_failures)" = 0 ]
}

bad_targets() {
	create t4 64 256
	wait_node t4 data/meminfo_total 20
	xl mem-set t4 96; wait_mem t4 96 20 >/dev/null
	long=1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111
	n=0
	for v in abc -5 0 99999999999 0x1000 0X100 +98304 3 "12 34" "" $long; do
		xsw t4 memory/target "$v"
		n=$((n + 1))
		sleep 0.5
	done
	alive t4
	refused=$(grep -c 'memory/target: .* refused' /var/log/xen/guest-t4.log || true)
	[ "$refused" -ge $n ] || { echo "# t4 logged $refused refusals for $n bad values" >&2; return 1; }
	[ "$(xsr t4 data/tide/target_kib)" = 98304 ] || { echo "# t4 follows $(xsr t4 data/tide/target_kib) KiB" >&2; return 1; }
	[ "$(mem_mib t4)" = 96 ] || { echo "# t4 holds $(mem_mib t4) MiB" >&2; return 1; }
	xl mem-set t4 80; wait_mem t4 80 20 >/dev/null
}

target_storm() {
	create t5 64 256
	wait_node t5 data/meminfo_total 20
	i=0
	while [ $i -lt 500 ]; do
		xsw t5 memory/target $(( (64 + i % 64) * 1024 ))
		i=$((i + 1))
	done
	xsw t5 memory/target 81920
	wait_mem t5 80 30 >/dev/null
	alive t5
	agree t5
}

below_floor() {
	create t6 64 128
	wait_node t6 data/meminfo_total 20
	xsw t6 memory/target 1024
	sleep 2
	alive t6
	floor=$(xsr t6 data/tide/floor_kib)
	total=$(xsr t6 data/meminfo_total)
	[ "$total" -ge "$floor" ] && [ "$total" -lt 8192 ] && [ "$total" -gt 1024 ]
}

three_guests() {
	create g1 64 256; create g2 64 256; create g3 64 256
	for g in g1 g2 g3; do wait_node $g data/meminfo_total 20; done
	xl mem-set g1 32; xl mem-set g2 128; xl mem-set g3 200
	wait_mem g1 32 30 >/dev/null; wait_mem g2 128 30 >/dev/null; wait_mem g3 200 30 >/dev/null
	for g in g1 g2 g3; do agree $g; done
}

destroy_during_balloon() {
	free0=$(host_free_mib)
	create t7 64 1024
	wait_node t7 data/meminfo_total 20
	xl mem-set t7 900
	sleep 0.3
	xl destroy t7
	i=0
	while [ $i -lt 100 ]; do
		free1=$(host_free_mib)
		[ "$free1" -ge "$free0" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "# free memory $free1 MiB after destroy, $free0 MiB before" >&2
	return 1
}

# Other test files (tests/domu/*_tests.sh) add their own `run` lines.
for f in ./tests/domu/*_tests.sh; do
	[ -f "$f" ] && . "$f"
done

run_both memset_down_up memset_down_up
run_both grow_beyond_boot_by_memset grow_beyond_boot_by_memset
run_both grow_beyond_boot_by_allocation grow_beyond_boot_by_allocation
run_both bad_targets bad_targets
run_both target_storm target_storm
run_both below_floor below_floor
run_both three_guests three_guests
run_both destroy_during_balloon destroy_during_balloon
