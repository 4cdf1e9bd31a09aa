#!/usr/bin/env bash
# The qemu suite's check of free page reporting, seen from the host:
# build/tide-devices-direct.elf (512 MiB, a virtio balloon) allocates and
# touches 300 MiB, then frees it. QEMU's resident memory (VmRSS) is read
# after the allocation and again after the free:
#   free-page-reporting=on   the guest reports the freed blocks and QEMU
#                            drops them: its RSS falls by at least 200 MiB
#   free-page-reporting=off  nothing is reported: it falls by less than 100
# Both runs end with the memory invariants checked. Prints one
# "ok - qemu/reporting_{on,off}" or "not ok - ..." line each.
#   tests/guest/qemu_reporting.sh LOG-PREFIX
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/guest/qmp.sh"

# rss_mib: QEMU's resident memory now
rss_mib() { awk '/^VmRSS:/ { print int($2 / 1024) }' "/proc/$(pgrep -f "^qemu-system-x86_64 .*tcp:127.0.0.1:$port," | sed -n 1p)/status"; }

run() (
	log=$1-$2.log name=qemu/reporting_$2 port=$((20000 + RANDOM % 20000))
	: > "$log"
	"$here/tools/qemurun" --quiet --mem 512 --timeout 60 --log "$log" \
		--qemu -device --qemu "virtio-balloon-pci,id=bal0,free-page-reporting=$2" \
		--qemu -qmp --qemu "tcp:127.0.0.1:$port,server=on,wait=off" \
		"$here/build/tide-devices-direct.elf" hold_s=16 alloc_at_s=3 alloc_mib=300 free_at_s=7 2>> "$log" &
	qemu=$!
	qmp_connect
	guest_says "^allocated 300 of 300 MiB$" 20 || fail "the guest never allocated 300 MiB"
	sleep 1
	peak=$(rss_mib)
	guest_says "^freed 300 MiB$" 20 || fail "the guest never freed its pages"
	sleep 4
	after=$(rss_mib)
	exec 3>&-
	wait "$qemu" || fail "exit status $? (1: a memory invariant failed)"
	dropped=$((peak - after))
	if [[ $2 == on ]]; then
		[[ $dropped -ge 200 ]] || fail "with reporting QEMU's RSS went from $peak to $after MiB"
	else
		[[ $dropped -lt 100 ]] || fail "without reporting QEMU's RSS still fell from $peak to $after MiB"
	fi
	echo "ok - $name # QEMU's RSS $peak MiB with 300 MiB touched, $after MiB after the guest freed it"
)
run "$1" on
run "$1" off
