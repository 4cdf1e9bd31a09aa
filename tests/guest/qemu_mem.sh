#!/usr/bin/env bash
# The qemu suite's checks of virtio-mem: build/tide-devices-direct.elf,
# booted by QEMU with 512 MiB and a virtio-mem device of 2 GiB (2 MiB
# blocks) at 4 GiB, its requested size set over QMP:
#   mem_plug        1 GiB requested is plugged and held, then 0 unplugs to
#                   exactly zero (QEMU's size and the guest's count agree)
#   mem_odd_sizes   2, 38 and 1998 MiB in turn, then 0, each met exactly
#   mem_unplug_held 1 GiB plugged, 900 MiB allocated (part of it in the
#                   hot-added blocks), then 0 requested: the guest unplugs
#                   what it can and keeps what the application holds; once
#                   the application frees it, the device is back at zero
#   mem_with_balloon with a virtio balloon too, each device is moved only
#                   toward its own target: 512 MiB plugged and 256 MiB in
#                   the balloon give 768 MiB held, the plugged size
#                   unchanged; then 0 requested unplugs all and 128 MiB
#                   plugs again, the balloon unchanged each time
#   mem_16m_blocks, mem_4m_unplug_held  the same with device blocks of 16
#                   and 4 MiB, each a run of Tide's 2 MiB blocks
# Every run ends with the memory invariants checked (exit status 0). One
# "ok - qemu/NAME" or "not ok - ..." line each.
#   tests/guest/qemu_mem.sh LOG-PREFIX
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
MIB=1048576 PAGES_PER_MIB=256
. "$here/tests/guest/qmp.sh"

# boot NAME GUEST-OPTIONS [QEMU-ARGS...]: the guest in the background ($qemu), QMP on fd 3, its boot frames ($boot)
boot() {
	name=qemu/$1 log=$prefix-$1.log port=$((20000 + RANDOM % 20000))
	local opts=$2
	shift 2
	: > "$log"
	"$here/tools/qemurun" --quiet --mem 512 --maxmem 4096 --timeout 90 --log "$log" \
		--qemu -object --qemu memory-backend-ram,id=vmem0,size=2G \
		--qemu -device --qemu "virtio-mem-pci,id=vm0,memdev=vmem0,block-size=$block,requested-size=0" \
		--qemu -qmp --qemu "tcp:127.0.0.1:$port,server=on,wait=off" "$@" \
		"$here/build/tide-devices-direct.elf" $opts 2>> "$log" &
	qemu=$!
	qmp_connect
	guest_says "^holding [0-9]* frames$" 20 || fail "the guest never said what it holds"
	boot=$(held)
}

# finish: the guest's exit status (the invariants) decides
finish() {
	exec 3>&-
	wait "$qemu" || fail "exit status $? (1: a memory invariant failed)"
}

# expect MIB: plugged and held exactly, within 20 s
expect() {
	wait_mem_size $(($1 * MIB)) 20 || fail "at $1 MiB requested QEMU has $(($(mem_size) / MIB)) MiB plugged"
	wait_held $((boot + $1 * PAGES_PER_MIB)) 20 ||
		fail "at $1 MiB requested the guest holds $(held) frames, not $((boot + $1 * PAGES_PER_MIB))"
}

plug() (
	boot mem_plug hold_s=15
	mem_request 1024 && expect 1024
	mem_request 0 && expect 0
	pkill -f "tcp:127.0.0.1:$port," # its work is done: no need to wait out hold_s
	wait "$qemu"
	echo "ok - $name # 1024 MiB plugged and held, then unplugged to zero"
)

odd_sizes() (
	boot mem_odd_sizes hold_s=25
	for mib in 2 38 1998 0; do mem_request $mib && expect $mib; done
	pkill -f "tcp:127.0.0.1:$port,"
	wait "$qemu"
	echo "ok - $name # 2, 38, 1998 and 0 MiB met exactly"
)

# unplug_held NAME BLOCK: 900 MiB allocated over 1 GiB plugged in BLOCK device blocks, then 0 requested
unplug_held() (
	block=$2
	boot "$1" "hold_s=40 alloc_at_s=6 alloc_mib=900 free_at_s=20"
	mem_request 1024 && expect 1024
	guest_says "^allocated 900 of 900 MiB$" 20 || fail "the guest did not allocate 900 MiB"
	mem_request 0
	sleep 6
	kept=$(mem_size)
	[[ $kept -gt 0 ]] || fail "with 900 MiB allocated the guest unplugged everything"
	guest_says "^freed 900 MiB$" 20 || fail "the guest did not free its pages"
	expect 0
	finish
	echo "ok - $name # $block device blocks: $((kept / MIB)) MiB stayed plugged while the application held memory there; 0 after it freed it"
)

# QEMU's balloon figures leave plugged memory out: `balloon V` asks for
# num_pages = boot - V, and query-balloon's actual is boot less what the
# balloon holds.
with_balloon() (
	boot mem_with_balloon hold_s=25 --qemu -device --qemu virtio-balloon-pci,id=bal0
	mem_request 512 && expect 512
	balloon 256 # 256 MiB into the balloon
	wait_actual $((256 * MIB)) || fail "at a 256 MiB balloon target QEMU shows $(($(actual) / MIB)) MiB"
	wait_held $((boot + 256 * PAGES_PER_MIB)) 20 || fail "the guest holds $(held) frames, not boot + 256 MiB's"
	[[ $(mem_size) == $((512 * MIB)) ]] || fail "the balloon's move changed the plugged size to $(($(mem_size) / MIB)) MiB"
	mem_request 0 && wait_mem_size 0 20 || fail "with 256 MiB in the balloon, 0 requested leaves $(($(mem_size) / MIB)) MiB plugged"
	wait_held $((boot - 256 * PAGES_PER_MIB)) 20 || fail "the guest holds $(held) frames, not boot - 256 MiB's"
	[[ $(actual) == $((256 * MIB)) ]] || fail "the unplug moved the balloon: QEMU shows $(($(actual) / MIB)) MiB"
	mem_request 128 && wait_mem_size $((128 * MIB)) 20 || fail "with 256 MiB in the balloon, 128 MiB requested plugs $(($(mem_size) / MIB)) MiB"
	wait_held $((boot - 128 * PAGES_PER_MIB)) 20 || fail "the guest holds $(held) frames, not boot - 128 MiB's"
	[[ $(actual) == $((256 * MIB)) ]] || fail "the plug moved the balloon: QEMU shows $(($(actual) / MIB)) MiB"
	pkill -f "tcp:127.0.0.1:$port,"
	wait "$qemu"
	echo "ok - $name # 512 MiB plugged beside 256 MiB in the balloon, unplugged and 128 MiB plugged again: each device at its own target"
)

# Device blocks larger than Tide's (runs of its 2 MiB blocks): the same
# moves in 16 MiB blocks (and unplug_held in 4 MiB ones, below).
sizes_16m() (
	block=16M
	boot mem_16m_blocks hold_s=25
	for mib in 16 48 1024 1984 0; do mem_request $mib && expect $mib; done
	pkill -f "tcp:127.0.0.1:$port,"
	wait "$qemu"
	echo "ok - $name # 16 MiB device blocks: 16, 48, 1024, 1984 and 0 MiB met exactly"
)

prefix=$1 block=2M
plug
odd_sizes
unplug_held mem_unplug_held 2M
with_balloon
sizes_16m
unplug_held mem_4m_unplug_held 4M
