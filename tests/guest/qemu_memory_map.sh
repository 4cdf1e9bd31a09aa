#!/usr/bin/env bash
# The qemu suite's check of the memory map: the PVH image, booted by QEMU
# directly with MIB of memory, must take exactly the whole 2 MiB blocks of
# RAM that the memory map it printed shows, and count every other block
# below the last one as a hole. Prints "ok - qemu/memory_map_MIB" or
# "not ok - ...".
#   tests/guest/qemu_memory_map.sh MIB LOG
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
mib=$1 log=$2 name="qemu/memory_map_$1"
"$here/tools/qemurun" --quiet --mem "$mib" --log "$log" "$here/build/tide-tests-direct.elf" test=report 2>> "$log"
rc=$?
[[ $rc == 0 ]] || { echo "not ok - $name # exit status $rc; log: ${log#$here/}"; exit 0; }
# whole RAM blocks from the map (adjacent RAM ranges joined), and the holes below the last one
B=$((2 * 1024 * 1024)) n=0 last=0 s=-1 e=-1
flush() { local f=$(((s + B - 1) / B)) l=$((e / B)); ((s < 0 || l <= f)) || { n=$((n + l - f)); last=$l; }; }
while read -r a b; do
	a=$((16#$a)) b=$((16#$b))
	if ((a == e)); then e=$b; else flush; s=$a e=$b; fi
done < <(sed -n 's/^tide: memory map \([0-9a-f]*\)-\([0-9a-f]*\) type 1$/\1 \2/p' "$log")
flush
want="$n $((last - n))"
got=$(sed -n 's/^  boot memory [0-9]* MiB in \([0-9]*\) blocks; .*(\([0-9]*\) blocks are holes)$/\1 \2/p' "$log")
if [[ -n $want && $want == "$got" ]]; then
	echo "ok - $name # $want (RAM blocks, holes)"
else
	echo "not ok - $name # the map says $want (RAM blocks, holes), the guest $got; log: ${log#$here/}"
fi
