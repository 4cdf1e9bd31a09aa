# domu tests of PVH guests only (every test added with run_both in the
# other files also runs with PVH guests, as domu/pvh/NAME). Sourced by
# tests/domu/suite.sh after lib.sh.

# A PVH domU: it boots from its memory map, finds its console and xenstore
# rings through HVM parameters (xenconsoled has its log; the echo of
# test=xenstore_echo goes round through xenstored), and it
# never crashes or panics on the way.
pvh_domu_boots() {
	(TIDE_MODE=pvh; create_from "$PWD/build/tide-tests.elf" pvh1 64 64 "test=xenstore_echo")
	wait_node pvh1 data/xs_echo 40
	r0=$(xsr pvh1 data/xs_echo | awk '{ print $2 }')
	sleep 2
	r1=$(xsr pvh1 data/xs_echo | awk '{ print $2 }')
	[ "$r1" -gt "$r0" ] || { echo "# the echo is stuck at round $r0" >&2; return 1; }
	grep -q "tide: booting, PVH on Xen" /var/log/xen/guest-pvh1.log
	! grep -q "PANIC\|fatal exception" /var/log/xen/guest-pvh1.log
}

# Created with maxmem above memory and no shadow_memory, as
# examples/tide-domu-pvh.cfg is: Xen backs only memory's worth
# (populate-on-demand), so the guest gives back the rest of the RAM its map
# shows before touching it, and runs; it grows when xl mem-set asks (above
# 4 GiB), and after xl reboot (whose new domain is made that way too) it
# runs again.
pvh_pod_boot() {
	cat > /tmp/pod.cfg <<CFG
name = "pod"
type = "pvh"
kernel = "$PWD/build/tide-guest-pvh.elf"
memory = 64
maxmem = 256
on_crash = "preserve"
CFG
	xl create /tmp/pod.cfg >/dev/null
	wait_node pod data/meminfo_total 30
	grep -q "the host backs" /var/log/xen/guest-pod.log
	agree pod
	xl mem-set pod 200
	wait_mem pod 200 30 >/dev/null
	agree pod
	old=$(domid pod)
	xl reboot pod
	i=0
	while { [ -z "$(domid pod 2>/dev/null)" ] || [ "$(domid pod 2>/dev/null)" = "$old" ]; } && [ $i -lt 200 ]; do
		sleep 0.1; i=$((i + 1))
	done
	wait_node pod data/meminfo_total 30
	alive pod
	agree pod
}

# tided (tided_tests.sh) manages PV and PVH guests alike: an idle PVH guest
# gives back what it does not use, and a PV guest beside it bursts by 300 MiB
# without a failed allocation.
pvh_tided_mixed() {
	tided_start "pvhidle min=64 max=512
pvburst min=64 max=1024"
	(TIDE_MODE=pvh; create pvhidle 256 512)
	create pvburst 64 1024 "alloc_mib=300 alloc_after_ms=4000 alloc_rate_mib_s=100"
	wait_for 40 holds_at_most pvhidle 100 ||
		{ echo "# tided did not take the idle PVH guest down: it holds $(mem_mib pvhidle) MiB" >&2; return 1; }
	wait_log pvburst "allocated 300 of 300 MiB" 60
	[ "$(xsr pvburst data/tide/alloc_failures)" = 0 ]
	agree pvhidle
}

run pvh_domu_boots pvh_domu_boots
run pvh_pod_boot pvh_pod_boot
if [ -x ./build/tided ]; then # tided_tests.sh, sourced after this file, has its helpers
	run pvh_tided_mixed pvh_tided_mixed
fi
