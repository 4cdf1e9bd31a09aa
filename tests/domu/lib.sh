# Helpers for domU tests; sourced by scripts that tools/xlrun runs inside
# the test dom0 (busybox sh, the real xl and xenstore tools). Files passed to
# xlrun are in the current directory.

KERNEL=$PWD/build/tide-guest.elf

# now_ms: milliseconds since dom0 booted
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# create NAME MEMORY_MIB MAXMEM_MIB [EXTRA]: start a Tide domU (build/tide-guest.elf) that may grow to MAXMEM.
create() { create_from "$KERNEL" "$@"; }

# create_from KERNEL NAME MEMORY_MIB MAXMEM_MIB [EXTRA]: the same with another image.
# Xen's limit for a new domU stays at memory + 1 MiB whatever maxmem says, so
# the domain is created paused, its limit raised with xl mem-max, then unpaused.
# In a PVH test (TIDE_MODE=pvh: run_both) the guest is KERNEL's PVH image
# (NAME-pvh.elf), type = "pvh", created with maxmem = memory (PVH has no
# populate-on-demand: a larger maxmem would put RAM in its memory map that
# Xen never populated) and with a paging pool in which Xen can split the
# 2 MiB mappings of what the guest gives back (a 4 KiB table per 2 MiB, on
# top of libxl's 1 MiB + 4 KiB per MiB for HAP): 2 MiB + 8 KiB per MiB of
# MAXMEM_MIB, with room to spare.
create_from() {
	if [ "${TIDE_MODE:-pv}" = pvh ]; then
		cat > "/tmp/$2.cfg" <<CFG
name = "$2"
type = "pvh"
kernel = "${1%.elf}-pvh.elf"
memory = $3
maxmem = $3
shadow_memory = $((2 + $4 / 128))
extra = "$5"
on_crash = "preserve"
CFG
	else
		cat > "/tmp/$2.cfg" <<CFG
name = "$2"
type = "pv"
kernel = "$1"
memory = $3
maxmem = $4
extra = "$5"
on_crash = "preserve"
CFG
	fi
	xl create -p "/tmp/$2.cfg" >/dev/null && xl mem-max "$2" "$4" && xl unpause "$2"
}

# Every helper that asserts something about a domain fails (with a "# "
# line on stderr) when the domain is not there: a guest that powered itself
# off must not pass a check. Helpers keep their variables local.

# domid NAME: the domain's id
domid() { xl domid "$1" 2>/dev/null || { echo "# no domain $1" >&2; return 1; }; }

# alive NAME: the domain exists and is not crashed, shut down or dying
alive() {
	local state
	state=$(xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }')
	case $state in
	"") echo "# no domain $1" >&2; return 1 ;;
	*[csd]*) echo "# $1 is $state (crashed, shut down or dying)" >&2; return 1 ;;
	esac
}

# mem_mib NAME: the domain's memory in MiB as xl list shows it (Xen's view)
mem_mib() {
	xl list "$1" 2>/dev/null | awk 'NR == 2 { print $3; found = 1 } END { exit !found }' ||
		{ echo "# no domain $1" >&2; return 1; }
}

# host_free_mib: Xen's free memory in MiB (xl info)
host_free_mib() { xl info | awk '/^free_memory/ { print $3 }'; }

# xsr NAME PATH: read a node in the guest's xenstore home; fails if either is absent
xsr() {
	local id
	id=$(domid "$1") || return 1
	xenstore-read "/local/domain/$id/$2" 2>/dev/null
}

# xsw NAME PATH VALUE: write a node in the guest's xenstore home
xsw() {
	local id
	id=$(domid "$1") || return 1
	xenstore-write -- "/local/domain/$id/$2" "$3"
}

# wait_mem NAME MIB SECONDS: wait until xl list shows MIB; prints the wait in ms
wait_mem() {
	local t0 end m
	t0=$(now_ms)
	end=$((t0 + $3 * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		m=$(mem_mib "$1") || return 1
		if [ "$m" = "$2" ]; then
			echo $(($(now_ms) - t0))
			return 0
		fi
		sleep 0.1
	done
	echo "# $1 holds $m MiB after $3 s, not $2" >&2
	return 1
}

# wait_node NAME PATH SECONDS: wait until the guest has written PATH
wait_node() {
	local i=0
	while [ $i -lt $(($3 * 10)) ]; do
		[ -n "$(xsr "$1" "$2" 2>/dev/null)" ] && return 0
		alive "$1" || return 1
		sleep 0.1
		i=$((i + 1))
	done
	echo "# $1 never wrote $2" >&2
	return 1
}

# agree NAME: the guest's data/meminfo_total and xl list agree within one 2 MiB block
agree() {
	local g x d
	sleep 1 # the guest reports twice a second
	g=$(xsr "$1" data/meminfo_total) || { echo "# $1 has no data/meminfo_total" >&2; return 1; }
	g=$((g / 1024))
	x=$(mem_mib "$1") || return 1
	d=$((g - x))
	[ $d -lt 0 ] && d=$((-d))
	[ $d -le 2 ] || { echo "# $1 reports $g MiB, xl list says $x MiB" >&2; return 1; }
}

# wait_log NAME REGEX SECONDS: wait until the guest's console log has a line
# matching REGEX; the log outlives the domain, but a gone domain writes no more
wait_log() {
	local i=0 log="/var/log/xen/guest-$1.log"
	while [ $i -lt $(($3 * 10)) ]; do
		grep -q -e "$2" "$log" 2>/dev/null && return 0
		alive "$1" || { grep -q -e "$2" "$log" 2>/dev/null; return; }
		sleep 0.1
		i=$((i + 1))
	done
	echo "# $1 never logged /$2/" >&2
	return 1
}

# local_receiver: for xl migrate to this same host: -s names the command xl runs as
# "COMMAND HOST xl migrate-receive", here a script that drops HOST and runs
# the receiving side locally
local_receiver() {
	printf '#!/bin/sh\nshift\nexec "$@"\n' > /tmp/local-receiver
	chmod +x /tmp/local-receiver
}

# result NAME STATUS: print the TAP line of test NAME (a failure makes run_all's status 1)
result() {
	if [ "$2" = 0 ]; then echo "ok - domu/$1"; else echo "not ok - domu/$1"; some_failed=1; fi
}

# run NAME FUNCTION: add a test to the suite. tests/domu/main.sh calls
# run_all once every test file has added its tests, so that the plan is
# printed before the first test runs.
run() { DOMU_TESTS="${DOMU_TESTS:+$DOMU_TESTS }$1:$2"; }

# run_both NAME FUNCTION: the test with PV guests (domu/NAME) and again with
# PVH guests (domu/pvh/NAME): the same function, with create_from making
# PVH domUs of the same images.
run_both() { run "$1" "$2"; run "pvh/$1" "$2"; }

# run_all: print the plan ("1..N" and a "# plan domu/NAME" line per test),
# then run the tests in the order they were added. In a boot that goes on
# after the emulated machine stopped (tools/run-tests), ./domu-skip lists
# the tests an earlier boot reported: no plan then (it was printed), and
# those are not run again. Its status: 1 if a test failed, else 0.
run_all() {
	set -- $DOMU_TESTS
	some_failed=
	if [ ! -f ./domu-skip ]; then
		echo "1..$#"
		for t; do echo "# plan domu/${t%%:*}"; done
	fi
	for t; do
		[ -f ./domu-skip ] && grep -q -x -F "${t%%:*}" ./domu-skip && continue
		run_one "${t%%:*}" "${t#*:}"
	done
	[ -z "$some_failed" ]
}

# kill_tree PID: the process and everything it started
kill_tree() {
	local c
	for c in $(ps -o pid,ppid | awk -v p="$1" '$2 == p { print $1 }'); do kill_tree "$c"; done
	kill -9 "$1" 2>/dev/null
}

TEST_TIMEOUT_S=300 # the longest test takes about 90 s

# run_one NAME FUNCTION: run a test function (PVH guests for a pvh/ name),
# print its line, clean up its domains. A test still running after
# TEST_TIMEOUT_S (something it runs hung) is stopped and fails, with what
# was running then, so that the rest of the suite still runs.
run_one() {
	local mode=pv pid rc waited=0
	case $1 in pvh/*) mode=pvh ;; esac
	( set -e; TIDE_MODE=$mode; "$2" ) &
	pid=$!
	while kill -0 "$pid" 2>/dev/null && [ $waited -lt $((TEST_TIMEOUT_S * 2)) ]; do
		sleep 0.5
		waited=$((waited + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "# $1 still running after $TEST_TIMEOUT_S s: stopped. Its processes, and the domains:" >&2
		ps -o pid,ppid,args | awk -v p="$pid" '$2 == p || $1 == p' | sed 's/^/# /' >&2
		xl list | sed 's/^/# /' >&2
		kill_tree "$pid"
	fi
	wait "$pid"
	rc=$?
	result "$1" $rc
	for d in $(xl list | awk 'NR > 2 { print $1 }'); do xl destroy "$d" 2>/dev/null; done
	rm -f /tmp/*.save # a failed save test's image must not fill dom0's RAM disk for the next
	# the next test's guest of the same name (run_both) starts a log of its own;
	# this one's comes back as [guest TEST:NAME]
	for f in /var/log/xen/guest-*.log; do
		case $f in *:*) continue ;; esac
		[ -f "$f" ] && mv "$f" "/var/log/xen/guest-$(echo "$1" | tr / .):${f#/var/log/xen/guest-}"
	done
}
