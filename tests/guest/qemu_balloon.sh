#!/usr/bin/env bash
# The qemu suite's check of virtio-balloon: build/tide-devices-direct.elf,
# booted by QEMU directly with 512 MiB and a virtio-balloon device, follows
# the target QEMU is given over QMP (`balloon`, in bytes of guest memory):
# down to 256 MiB (QEMU's `query-balloon` then shows 256 MiB: the guest put
# exactly the difference in the balloon, and its statistics, which QEMU
# polls, count that memory), to 1 MiB, below its floor (it
# stops at the floor, a few MiB for this small application, says so and
# runs on), and back up to 512 MiB (every frame taken back).
# At the end the guest checks its memory invariants and exits 0. Prints
# "ok - qemu/balloon" or "not ok - ...".
#   tests/guest/qemu_balloon.sh LOG
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
log=$1 name=qemu/balloon MIB=1048576
. "$here/tests/guest/qmp.sh"
port=$((20000 + RANDOM % 20000))
: > "$log" # before QEMU starts: what is waited for below must be this run's
"$here/tools/qemurun" --quiet --mem 512 --timeout 90 --log "$log" \
	--qemu -device --qemu virtio-balloon-pci,id=bal0 --qemu -qmp --qemu "tcp:127.0.0.1:$port,server=on,wait=off" \
	"$here/build/tide-devices-direct.elf" hold_s=15 2>> "$log" &
qemu=$!
qmp_connect
guest_says "^holding [0-9]* frames$" 20 || fail "the guest never said what it holds"
grep -a -q "^tide: virtio-balloon at .* follows the host's target" "$log" || fail "the guest did not take the balloon"
boot=$(holding)

balloon 256
wait_actual $((256 * MIB)) || fail "at a 256 MiB target QEMU shows $(actual) bytes"
sleep 1
grep -a -q "^holding $((boot - 65536)) frames$" "$log" || fail "the guest does not hold $((boot - 65536)) frames at 256 MiB"
# its statistics, as QEMU polls them every second
qmp '{"execute":"qom-set","arguments":{"path":"/machine/peripheral/bal0","property":"guest-stats-polling-interval","value":1}}' > /dev/null
sleep 2.5
stats=$(qmp '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/bal0","property":"guest-stats"}}')
stat() { sed -n "s/.*\"stat-$1\": *\([0-9]*\).*/\1/p" <<< "$stats"; }
[[ $(stat total-memory) == $(((boot - 65536) * 4096)) ]] ||
	fail "its statistics say $(stat total-memory) bytes in all, not $(((boot - 65536) * 4096)): $stats"
[[ -n $(stat free-memory) && $(stat free-memory) -gt 0 && $(stat free-memory) -lt $(stat total-memory) ]] ||
	fail "its statistics say $(stat free-memory) bytes free: $stats"
[[ $(stat major-faults) == 0 && $(stat htlb-pgfail) == 0 ]] ||
	fail "its statistics say $(stat major-faults) waits and $(stat htlb-pgfail) failures of allocation, not 0: $stats"

balloon 1
sleep 3
low=$(actual)
[[ -n $low && $low -gt $((1 * MIB)) ]] || fail "at a 1 MiB target the guest went to $low bytes, below its floor"
grep -a -q "^balloon: target .* is below the floor" "$log" || fail "the guest did not say the floor stopped it"

balloon 512
wait_actual $((512 * MIB)) || fail "back at 512 MiB QEMU shows $(actual) bytes"
sleep 1
[[ $(holding) == "$boot" ]] || fail "the guest did not take every frame back"
exec 3>&-
wait "$qemu"
rc=$?
[[ $rc == 0 ]] || fail "exit status $rc (1: a memory invariant failed)"
echo "ok - $name # 512 -> 256 MiB, held at its floor ($((low / MIB)) MiB) under a 1 MiB target, back to 512 MiB"
