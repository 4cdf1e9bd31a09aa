#!/usr/bin/env bash
# make bench's KVM/QEMU figures, from one boot of build/tide-devices-direct.elf
# by QEMU directly (512 MiB, a virtio-mem device of 2 GiB with 2 MiB blocks),
# its requested size set over QMP:
#   raw_plug_map.kvm, raw_unplug_map.kvm          virtio-mem's own plug path
#   raw_plug_request.kvm, raw_unplug_request.kvm  (tide/raw_limits.h, run by
#                                  the guest with its balloon held: requests of
#                                  64 blocks plus a large page each; one request)
#   raw_plug_touch.kvm             raw_plug_map plus one word written into each
#                                  block: the host backs it then, which Tide's
#                                  plug also pays (its free-list node is there)
#   plug.kvm, unplug.kvm           Tide's path: requested-size 0 -> 1 GiB -> 0,
#                                  as the guest times it (from seeing the new
#                                  size to holding it: its "target ... held" line)
#   plug_qmp.kvm, unplug_qmp.kvm   the same seen from the host: from the QMP
#                                  command until QEMU's size is there (the
#                                  guest's 100 ms poll period included)
#   plug_latency.kvm               requested-size 0 -> 2 MiB, from the host:
#                                  the time until the guest has plugged it
# The first raw_plug_touch pass is the first time the host backs the blocks
# (its min): every later plug finds them backed once already (warm).
# Each printed as "BENCH name median unit min=.. max=.. n=.." over PASSES runs.
#   tests/guest/bench_kvm.sh LOG [PASSES]
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
log=$1 passes=${2:-5} name=bench/kvm port=$((20000 + RANDOM % 20000))
. "$here/tests/guest/qmp.sh"
. "$here/tests/guest/bench_kvm_lib.sh"
fail() { echo "bench: the KVM boot failed: $1; see ${log#$here/}" >&2; pkill -f "tcp:127.0.0.1:$port,"; exit 1; }

# held_line: the guest's lines "tide: target T MiB held, from F MiB in U us", as "T F U"
held_line() { tr -d '\0' < "$log" | sed -n 's/^tide: target \([0-9]*\) MiB held, from \([0-9]*\) MiB in \([0-9]*\) us$/\1 \2 \3/p'; }

: > "$log"
qemu_opts=()
for a in "${vmem_args[@]}"; do qemu_opts+=(--qemu "$a"); done
"$here/tools/qemurun" --quiet --mem 512 --maxmem 4096 --timeout 600 --log "$log" "${qemu_opts[@]}" \
	"$here/build/tide-devices-direct.elf" hold_s=500 raw_mib=$SIZE_MIB raw_passes="$passes" 2>> "$log" &
qemu=$!
qmp_connect
guest_says "^raw: waiting for $SIZE_MIB MiB requested$" 20 || fail "the guest never started its raw passes"
mem_request $SIZE_MIB || fail "QEMU refused requested-size $SIZE_MIB MiB"
guest_says "^raw: done$" 300 || fail "the raw passes never ended"
grep -a -q '^raw: [-0-9]* of ' "$log" && fail "a raw pass fell short"
wait_mem_size $((SIZE_MIB * MIB)) 60 || fail "after the raw passes the guest did not plug $SIZE_MIB MiB"
timed_size 0 > /dev/null
for what in plug_map plug_touch unplug_map plug_request unplug_request; do
	tr -d '\0' < "$log" | sed -n "s/^raw pass.* $what \([0-9]*\) .*/\1/p" | stats "raw_$what.kvm" MiB/s
done
sleep 0.5 # the guest's line for that unplug comes a moment after QEMU's size
held_from=$(($(held_line | wc -l) + 1)) # the guest's own times from here on: warm, as the raw passes after the first
ups=() downs=() lat=()
for _ in $(seq "$passes"); do
	v=$(timed_size $SIZE_MIB) || exit 1; ups+=("$v")
	v=$(timed_size 0) || exit 1; downs+=("$v")
	v=$(timed_size 2) || exit 1; lat+=("$v")
	timed_size 0 > /dev/null
done
held() { held_line | tail -n +"$held_from"; }
held | awk -v m=$SIZE_MIB '$1 - $2 == m { printf "%d\n", m * 1e6 / $3 }' | stats plug.kvm MiB/s
held | awk -v m=$SIZE_MIB '$2 - $1 == m { printf "%d\n", m * 1e6 / $3 }' | stats unplug.kvm MiB/s
printf '%s\n' "${ups[@]}" | awk -v m=$SIZE_MIB '{ printf "%d\n", m * 1e9 / $1 }' | stats plug_qmp.kvm MiB/s
printf '%s\n' "${downs[@]}" | awk -v m=$SIZE_MIB '{ printf "%d\n", m * 1e9 / $1 }' | stats unplug_qmp.kvm MiB/s
printf '%s\n' "${lat[@]}" | awk '{ printf "%d\n", $1 / 1e6 }' | stats plug_latency.kvm ms
exec 3>&-
pkill -f "tcp:127.0.0.1:$port,"
wait "$qemu" 2>/dev/null
exit 0
