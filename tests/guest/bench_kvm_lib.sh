# What make bench's two virtio-mem boots share (tests/guest/bench_kvm.sh,
# Tide's, and tests/guest/bench_kvm_linux.sh, Linux's): the machine's memory
# device and the host-side clock over QMP. Sourced after tests/guest/qmp.sh;
# the script sets here, log, port and fail().

MIB=1048576 SIZE_MIB=1024
# the memory device both guests get (QEMU options), its QMP on port
vmem_args=(-object memory-backend-ram,id=vmem0,size=2G
	-device virtio-mem-pci,id=vm0,memdev=vmem0,block-size=2M,requested-size=0
	-qmp "tcp:127.0.0.1:$port,server=on,wait=off")

# stats NAME UNIT: the values on stdin as one BENCH line
stats() {
	sort -n | awk -v name="$1" -v unit="$2" '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		printf "BENCH %s %s %s min=%s max=%s n=%d\n", name, v[int((NR + 1) / 2)], unit, v[1], v[NR], NR }'
}
now_ns() { date +%s%N; }

# size_there BYTES WANT MOST: QEMU's plugged BYTES are WANT, or (MOST above
# WANT) at most MOST
size_there() { [[ $1 == "$2" ]] || [[ -n $1 && $1 -le $3 && $3 -gt $2 ]]; }

# timed_size MIB [DOWN_TO_MIB]: request MIB, print the ns until QEMU has MIB
# plugged (or, given, at most DOWN_TO_MIB: what a guest that keeps some
# plugged gets down to), up to 60 s. In a command substitution, whose
# fail() ends only the subshell: v=$(timed_size ...) || exit 1
timed_size() {
	local t0 t1 want=$(($1 * MIB)) most=$((${2:-$1} * MIB)) now
	t0=$(now_ns)
	mem_request "$1" || fail "QEMU refused requested-size $1 MiB"
	for _ in $(seq 60000); do
		now=$(mem_size)
		size_there "$now" $want $most && break
	done
	t1=$(now_ns)
	size_there "$now" $want $most || fail "requested $1 MiB, QEMU has $((${now:-0} / MIB)) MiB plugged"
	echo $((t1 - t0))
}
