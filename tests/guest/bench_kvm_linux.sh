#!/usr/bin/env bash
# make bench's anchor for the KVM/QEMU figures: Linux (Debian's 6.1 and its
# virtio-mem driver, tools/linux-kvm-image) booted by QEMU with the machine
# and memory device of Tide's boot in tests/guest/bench_kvm.sh (q35, 512 MiB,
# a virtio-mem device of 2 GiB with 2 MiB blocks), its requested size set
# over QMP and timed from the host the same way:
#   plug_qmp.linux      requested-size -> 1 GiB: from the QMP command until
#                       QEMU's size is there
#   unplug_qmp.linux    -> 0: until QEMU's size is down to what Linux keeps
#   unplug_left.linux   what Linux keeps plugged 20 s after the first unplug
#                       (it unplugs only what it can take back; the timed
#                       passes then wait for that much, not for 0)
#   plug_latency.linux  2 MiB more requested, until plugged
# A first, untimed pass checks that the plugged GiB shows in the guest's
# MemTotal (onlined: usable, not only plugged). Each printed as "BENCH name
# median unit min=.. max=.. n=.." over PASSES runs.
#   tests/guest/bench_kvm_linux.sh LOG [PASSES]
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
log=$1 passes=${2:-5} name=bench/kvm-linux port=$((20000 + RANDOM % 20000))
. "$here/tests/guest/qmp.sh"
. "$here/tests/guest/bench_kvm_lib.sh"
fail() { echo "bench: the Linux KVM boot failed: $1; see ${log#$here/}" >&2; pkill -f "tcp:127.0.0.1:$port,"; exit 1; }

# mem_total: the guest's last MemTotal line, in KiB
mem_total() { tr -d '\r' < "$log" | sed -n 's/^MEM total_kib=\([0-9]*\)$/\1/p' | tail -n 1; }

: > "$log"
timeout -k 5 900 qemu-system-x86_64 -machine q35 -m 512,maxmem=4096M,slots=1 -display none -no-reboot \
	-monitor none -net none -serial "file:$log" "${vmem_args[@]}" \
	-kernel "$here/build/dom0/vmlinuz" -initrd "$here/build/linux-kvm/initrd.cpio.gz" \
	-append "console=ttyS0 quiet loglevel=3" </dev/null >> "$log.qemu" 2>&1 &
qemu=$!
qmp_connect
guest_says "^linux-kvm: up" 120 || fail "Linux never said it was up"
grep -a -q "insmod .* failed" "$log" && fail "Linux could not load virtio-mem"
guest_says "^MEM total_kib=" 10 || fail "Linux never printed its memory"
before=$(mem_total)
timed_size $SIZE_MIB > /dev/null
for _ in $(seq 50); do [[ $(mem_total) -ge $((before + SIZE_MIB * 1024)) ]] && break; sleep 0.2; done
[[ $(mem_total) -ge $((before + SIZE_MIB * 1024)) ]] ||
	fail "$SIZE_MIB MiB plugged, but MemTotal went from $before only to $(mem_total) KiB"
mem_request 0 || fail "QEMU refused requested-size 0"
sleep 20
left=$(($(mem_size) / MIB))
echo "BENCH unplug_left.linux $left MiB"
ups=() downs=() lat=()
for _ in $(seq "$passes"); do
	v=$(timed_size $SIZE_MIB) || exit 1; ups+=("$v")
	v=$(timed_size 0 "$left") || exit 1; downs+=("$v")
	v=$(timed_size $((left + 2))) || exit 1; lat+=("$v")
	timed_size 0 "$left" > /dev/null
done
printf '%s\n' "${ups[@]}" | awk -v m=$((SIZE_MIB - left)) '{ printf "%d\n", m * 1e9 / $1 }' | stats plug_qmp.linux MiB/s
printf '%s\n' "${downs[@]}" | awk -v m=$((SIZE_MIB - left)) '{ printf "%d\n", m * 1e9 / $1 }' | stats unplug_qmp.linux MiB/s
printf '%s\n' "${lat[@]}" | awk '{ printf "%d\n", $1 / 1e6 }' | stats plug_latency.linux ms
exec 3>&-
pkill -f "tcp:127.0.0.1:$port,"
wait "$qemu" 2>/dev/null
exit 0
