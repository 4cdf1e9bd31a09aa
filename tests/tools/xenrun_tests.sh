#!/usr/bin/env bash
# Unit tests of tools/xenrun's exit status, with a stand-in for
# qemu-system-x86_64 first in PATH: QEMU's own failure (exit 1, which is also
# how isa-debug-exit reports status 0) must come out as 125, not as a pass;
# a status counts only when the guest printed it. Prints "ok - unit/NAME" or
# "not ok - unit/NAME" per case; run by tools/run-tests in the unit suite.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
: > "$tmp/image.elf"
failed=0

# case NAME WANT QEMU_EXIT [CONSOLE LINE]: the stand-in prints the line (if
# any) and exits QEMU_EXIT; xenrun must exit WANT
case_() {
	local name=$1 want=$2 qemu_rc=$3 line=${4:-} got
	printf '#!/bin/sh\n%s\nexit %d\n' "${line:+echo '$line'}" "$qemu_rc" > "$tmp/bin/qemu-system-x86_64"
	chmod +x "$tmp/bin/qemu-system-x86_64"
	PATH="$tmp/bin:$PATH" "$here/tools/xenrun" --quiet --log "$tmp/$name.log" "$tmp/image.elf" 2> /dev/null
	got=$?
	if [[ $got == "$want" ]]; then
		echo "ok - unit/xenrun_$name"
	else
		echo "# xenrun exited $got, wanted $want"
		echo "not ok - unit/xenrun_$name"
		failed=$((failed + 1))
	fi
}

case_ qemu_failure_is_no_status 125 1 "qemu-system-x86_64: cannot set up guest memory"
case_ guest_status_0 0 1 "tide: exit status 0"
case_ guest_status_3 3 7 "tide: exit status 3"
case_ status_not_the_one_printed 125 7 "tide: exit status 0"
case_ xen_crash_is_no_status 125 0 "(XEN) Panic on CPU 0:"
exit $((failed > 0))
