# domu tests of the PVH images under the real xl (type = "pvh"). Sourced by
# tests/domu/suite.sh after lib.sh.

PVH_KERNEL=$PWD/build/tide-tests-pvh.elf
PVH_GUEST=$PWD/build/tide-guest-pvh.elf

# pvh_create NAME KERNEL MEMORY_MIB MAXMEM_MIB [EXTRA]: as lib.sh's create_from,
# type = "pvh"; created with maxmem = memory (PVH has no populate-on-demand:
# a larger maxmem would put RAM in its memory map that Xen never populated),
# Xen's limit raised with xl mem-max before it runs; and with room in Xen's
# paging pool (sized from maxmem at creation otherwise: too small for Xen
# to split the 2 MiB mappings of a guest grown far, whose single pages then
# cannot go back)
pvh_create() {
	cat > "/tmp/$1.cfg" <<CFG
name = "$1"
type = "pvh"
kernel = "$2"
memory = $3
maxmem = $3
shadow_memory = 16
extra = "$5"
on_crash = "preserve"
CFG
	xl create -p "/tmp/$1.cfg" >/dev/null && xl mem-max "$1" "$4" && xl unpause "$1"
}

# A PVH domU: it boots from its memory map, finds its console and xenstore
# rings through HVM parameters (xenconsoled has its log; the echo of
# test=xenstore_echo goes round through xenstored), and it
# never crashes or panics on the way.
pvh_domu_boots() {
	pvh_create pvh1 "$PVH_KERNEL" 64 64 "test=xenstore_echo"
	wait_node pvh1 data/xs_echo 40
	r0=$(xsr pvh1 data/xs_echo | awk '{ print $2 }')
	sleep 2
	r1=$(xsr pvh1 data/xs_echo | awk '{ print $2 }')
	[ "$r1" -gt "$r0" ] || { echo "# the echo is stuck at round $r0" >&2; return 1; }
	grep -q "tide: booting, PVH on Xen" /var/log/xen/guest-pvh1.log
	! grep -q "PANIC\|fatal exception" /var/log/xen/guest-pvh1.log
}

# A PVH domU follows xl mem-set up (hot-add above its RAM, 2 MiB extents)
# and down (unplugged), and its own report agrees with xl list each time.
pvh_domu_memset() {
	pvh_create pvh2 "$PVH_GUEST" 64 512
	wait_node pvh2 data/meminfo_total 30
	agree pvh2
	xl mem-set pvh2 256; wait_mem pvh2 256 30 >/dev/null; agree pvh2
	xl mem-set pvh2 96; wait_mem pvh2 96 30 >/dev/null; agree pvh2
}

# A PVH domU grows by itself when an allocation runs short, up to Xen's
# limit, without a failed allocation.
pvh_domu_grows_on_shortage() {
	pvh_create pvh3 "$PVH_GUEST" 64 512 "alloc_mib=200"
	wait_log pvh3 "allocated 200 of 200 MiB\|allocation failed" 60
	grep -q "allocated 200 of 200 MiB" /var/log/xen/guest-pvh3.log
	[ "$(mem_mib pvh3)" -gt 200 ] || { echo "# pvh3 holds $(mem_mib pvh3) MiB" >&2; return 1; }
	[ "$(xsr pvh3 data/tide/alloc_failures)" = 0 ]
	agree pvh3
}

# tided (tided_tests.sh) manages PV and PVH guests alike: an idle PVH guest
# gives back what it does not use, and a PV guest beside it bursts by 300 MiB
# without a failed allocation.
pvh_tided_mixed() {
	tided_start "pvhidle min=64 max=512
pvburst min=64 max=1024"
	pvh_create pvhidle "$PVH_GUEST" 256 512
	create pvburst 64 1024 "alloc_mib=300 alloc_after_ms=4000 alloc_rate_mib_s=100"
	wait_for 40 holds_at_most pvhidle 100 ||
		{ echo "# tided did not take the idle PVH guest down: it holds $(mem_mib pvhidle) MiB" >&2; return 1; }
	wait_log pvburst "allocated 300 of 300 MiB" 60
	[ "$(xsr pvburst data/tide/alloc_failures)" = 0 ]
	agree pvhidle
}

run pvh_domu_boots pvh_domu_boots
run pvh_domu_memset pvh_domu_memset
run pvh_domu_grows_on_shortage pvh_domu_grows_on_shortage
if [ -x ./build/tided ]; then # tided_tests.sh, sourced after this file, has its helpers
	run pvh_tided_mixed pvh_tided_mixed
fi
