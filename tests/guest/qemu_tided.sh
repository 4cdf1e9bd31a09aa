#!/usr/bin/env bash
# The qemu suite's check of tided-qemu (tided's policy over QMP) balancing
# two Tide guests booted by QEMU with no hypervisor, each with a virtio-mem
# device (2 GiB, 2 MiB blocks) and a virtio balloon (its statistics are the
# guest's report), in a pool of 1400 MiB (pool= in tided's config):
#   idle   256 MiB of boot memory and 768 MiB plugged at start, unused
#   burst  256 MiB; from 8 s in it allocates 500 MiB, 4 MiB every 50 ms,
#          retrying what fails: it can only get there by tided's grants,
#          and the pool has them only once tided takes from the idle guest
# Passes when the burst gets its 500 MiB within 45 s, the idle guest was
# asked to give memory back (its requested-size fell), what the guests
# held never went over the pool (tided-qemu's status, sampled), and both
# guests' memory invariants hold at the end. One TAP line.
#   tests/guest/qemu_tided.sh LOG-PREFIX
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
prefix=$1 name=qemu/tided MIB=1048576
dir=$(mktemp -d) pids=()
log=$prefix-burst.log
fail() {
	echo "not ok - $name # $1; logs: ${prefix#$here/}-{burst,idle,tided}.log"
	kill "${pids[@]}" 2>/dev/null
	rm -rf "$dir"
	exit 0
}
. "$here/tests/guest/qmp.sh"

# guest NAME BOOT-MIB PLUGGED-MIB OPTIONS: one guest, its QMP socket in $dir; $port is its second QMP (the test's)
guest() {
	port=$((20000 + RANDOM % 20000))
	: > "$prefix-$1.log"
	"$here/tools/qemurun" --quiet --mem "$2" --maxmem 4096 --timeout 150 --log "$prefix-$1.log" \
		--qemu -object --qemu memory-backend-ram,id=vmem0,size=2G \
		--qemu -device --qemu "virtio-mem-pci,id=vm0,memdev=vmem0,block-size=2M,requested-size=${3}M" \
		--qemu -device --qemu virtio-balloon-pci,id=bal0 \
		--qemu -qmp --qemu "unix:$dir/$1.qmp,server=on,wait=off" \
		--qemu -qmp --qemu "tcp:127.0.0.1:$port,server=on,wait=off" \
		"$here/build/tide-devices-direct.elf" $4 2>> "$prefix-$1.log" &
	pids+=($!)
}

printf 'pool=1400\nreserve=64\n' > "$dir/tided.conf"
guest idle 256 768 hold_s=60
guest burst 256 0 "hold_s=60 burst_at_s=8 burst_mib=500"
log=$prefix-burst.log
for _ in $(seq 100); do [[ -S $dir/idle.qmp && -S $dir/burst.qmp ]] && break; sleep 0.1; done
"$here/build/tided-qemu" -v -c "$dir/tided.conf" -s "$dir/status" "$dir" > "$prefix-tided.log" 2>&1 &
tided=$!
pids+=($tided)
peak=0 done_line=""
for _ in $(seq 225); do # 45 s
	sleep 0.2
	held=$(awk 'NR > 1 { s += $4 } END { print s / 1024 }' "$dir/status" 2>/dev/null)
	[[ -n $held && ${held%.*} -gt $peak ]] && peak=${held%.*}
	done_line=$(tr -d '\0' < "$log" | grep -a '^burst: 500 MiB in' || true)
	[[ -n $done_line ]] && break
done
[[ -n $done_line ]] || fail "the burst never got its 500 MiB (tided-qemu: $(tail -n 1 "$prefix-tided.log"))"
grep -q '^\[.*\] tided-qemu: idle: target .* -> ' "$prefix-tided.log" || fail "tided-qemu never lowered the idle guest's target"
[[ $peak -le 1400 ]] || fail "the guests held $peak MiB at one time, over the 1400 MiB pool"
"$here/build/tidectl" status --qemu "$dir/status" > "$prefix-tidectl.txt" || fail "tidectl status --qemu failed"
grep -q '^burst ' "$prefix-tidectl.txt" && grep -q '^idle ' "$prefix-tidectl.txt" || fail "tidectl status --qemu shows $(cat "$prefix-tidectl.txt")"
kill "$tided"
for p in "${pids[@]:0:2}"; do wait "$p" || fail "a guest exited $? (1: a memory invariant failed)"; done
rm -rf "$dir"
echo "ok - $name # ${done_line#burst: }; the guests held at most $peak MiB of the 1400 MiB pool"
