#!/usr/bin/env bash
# The qemu suite's check of PCI and virtio discovery (the first step of
# Tide on KVM): build/tide-devices-direct.elf, booted by QEMU directly with
# a virtio-mem device, a virtio-balloon device (transitional, as QEMU makes
# it by default) and a legacy-only virtio-rng device, must list every PCI
# function of bus 0 that QEMU has, find virtio-mem (type 24) and the balloon
# (type 5) with all four configuration structures, in a memory BAR, and
# leave the legacy-only device alone. Prints "ok - qemu/devices" or
# "not ok - ...".
#   tests/guest/qemu_devices.sh LOG
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
log=$1 name=qemu/devices
"$here/tools/qemurun" --quiet --mem 512 --maxmem 4096 --log "$log" \
	--qemu -object --qemu memory-backend-ram,id=vmem0,size=2G \
	--qemu -device --qemu virtio-mem-pci,id=vm0,memdev=vmem0,block-size=2M,requested-size=0 \
	--qemu -device --qemu virtio-balloon-pci,id=bal0 \
	--qemu -device --qemu virtio-rng-pci,disable-modern=on \
	"$here/build/tide-devices-direct.elf" 2>> "$log"
rc=$?
fail() { echo "not ok - $name # $1; log: ${log#$here/}"; exit 0; }
[[ $rc == 0 ]] || fail "exit status $rc"
where='bar [0-5] +0x[0-9a-f]* (0x[0-9a-f]*) at 0x[1-9a-f][0-9a-f]*'
structures="common $where notify $where isr $where device $where notify x[1-9]"
grep -q "^virtio [0-9a-f.]* type 24: $structures" "$log" || fail "no virtio-mem device with its four structures"
grep -q "^virtio [0-9a-f.]* type 5: $structures" "$log" || fail "no virtio-balloon device with its four structures"
grep -q "^pci [0-9a-f.]* 1af4:1005 " "$log" || fail "the legacy virtio-rng function is not listed"
grep -q "^virtio .* type 4:" "$log" && fail "the legacy-only virtio-rng was taken for a virtio 1.x device"
# the PCI host bridge, VGA, the three devices, and q35's LPC, SATA and SMBus functions
functions=$(grep -c "^pci " "$log")
grep -q "^devices: $functions PCI functions on bus 0, 2 virtio 1.x devices$" "$log" || fail "the summary does not match the $functions functions listed"
[[ $functions == 8 ]] || fail "$functions PCI functions, QEMU's q35 with these devices has 8"
echo "ok - $name # $functions functions, virtio-mem and virtio-balloon found"
