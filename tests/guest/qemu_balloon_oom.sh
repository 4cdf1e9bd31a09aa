#!/usr/bin/env bash
# The qemu suite's check of growth on shortage under virtio-balloon: the
# guest (build/tide-devices-direct.elf, 512 MiB) is ballooned to 256 MiB,
# then allocates 300 MiB. A guest may take pages back from the balloon past
# the host's target only when VIRTIO_BALLOON_F_DEFLATE_ON_OOM is agreed, so:
#   deflate-on-oom=off  the allocation stops short and the guest stays at
#                       the 256 MiB target (QEMU's query-balloon);
#   deflate-on-oom=on   the allocation gets its 300 MiB, the guest growing
#                       past the target.
# Both runs end with the memory invariants checked. Prints one
# "ok - qemu/balloon_oom_{off,on}" or "not ok - ..." line each.
#   tests/guest/qemu_balloon_oom.sh LOG-PREFIX
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
MIB=1048576
. "$here/tests/guest/qmp.sh"

# run off|on: one boot, one TAP line
run() (
	log=$1-$2.log name=qemu/balloon_oom_$2 port=$((20000 + RANDOM % 20000))
	: > "$log"
	"$here/tools/qemurun" --quiet --mem 512 --timeout 60 --log "$log" \
		--qemu -device --qemu "virtio-balloon-pci,id=bal0,deflate-on-oom=$2" \
		--qemu -qmp --qemu "tcp:127.0.0.1:$port,server=on,wait=off" \
		"$here/build/tide-devices-direct.elf" hold_s=10 alloc_at_s=4 alloc_mib=300 2>> "$log" &
	qemu=$!
	qmp_connect
	guest_says "^holding [0-9]* frames$" 20 || fail "the guest never said what it holds"
	balloon 256
	wait_actual $((256 * MIB)) || fail "at a 256 MiB target QEMU shows $(actual) bytes"
	guest_says "^allocated [0-9]* of 300 MiB$" 20 || fail "the guest never allocated"
	got=$(tr -d '\0' < "$log" | sed -n 's/^allocated \([0-9]*\) of 300 MiB$/\1/p')
	[[ $2 == off ]] || wait_actual_above $((300 * MIB))
	now=$(actual)
	exec 3>&-
	wait "$qemu" || fail "exit status $? (1: a memory invariant failed)"
	if [[ $2 == off ]]; then
		[[ $got -lt 300 && $now == $((256 * MIB)) ]] ||
			fail "without deflate on OOM the guest allocated $got MiB and holds $((now / MIB)) MiB at a 256 MiB target"
		echo "ok - $name # $got of 300 MiB allocated, held at the 256 MiB target"
	else
		[[ $got == 300 && $now -gt $((300 * MIB)) ]] ||
			fail "with deflate on OOM the guest allocated $got MiB and holds $((now / MIB)) MiB"
		echo "ok - $name # 300 MiB allocated, grown past the target to $((now / MIB)) MiB"
	fi
)
run "$1" off
run "$1" on
