# domu tests of the PVH image under the real xl (type = "pvh"). Sourced by
# tests/domu/suite.sh after lib.sh. Growing and giving back are not built
# for PVH yet: these show the guest boots and talks to the toolstack.

PVH_KERNEL=$PWD/build/tide-tests-pvh.elf

# A PVH domU: it boots from its memory map, finds its console and xenstore
# rings through HVM parameters (xenconsoled has its log; the echo of
# test=xenstore_echo goes round through xenstored), and it
# never crashes or panics on the way.
pvh_domu_boots() {
	cat > /tmp/pvh1.cfg <<CFG
name = "pvh1"
type = "pvh"
kernel = "$PVH_KERNEL"
memory = 64
extra = "test=xenstore_echo"
on_crash = "preserve"
CFG
	xl create /tmp/pvh1.cfg >/dev/null
	wait_node pvh1 data/xs_echo 40
	r0=$(xsr pvh1 data/xs_echo | awk '{ print $2 }')
	sleep 2
	r1=$(xsr pvh1 data/xs_echo | awk '{ print $2 }')
	[ "$r1" -gt "$r0" ] || { echo "# the echo is stuck at round $r0" >&2; return 1; }
	grep -q "tide: booting, PVH on Xen" /var/log/xen/guest-pvh1.log
	! grep -q "PANIC\|fatal exception" /var/log/xen/guest-pvh1.log
}

run pvh_domu_boots pvh_domu_boots
