# Helpers for domU tests; sourced by scripts that tools/xlrun runs inside
# the test dom0 (busybox sh, the real xl and xenstore tools). Files passed to
# xlrun are in the current directory.

KERNEL=$PWD/build/tide-guest.elf

# now_ms: milliseconds since dom0 booted
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# create NAME MEMORY_MIB MAXMEM_MIB [EXTRA]: start a Tide domU that may grow to MAXMEM.
# Xen's limit for a new domU stays at memory + 1 MiB whatever maxmem says, so
# the domain is created paused, its limit raised with xl mem-max, then unpaused.
create() {
	cat > "/tmp/$1.cfg" <<CFG
name = "$1"
type = "pv"
kernel = "$KERNEL"
memory = $2
maxmem = $3
extra = "$4"
on_crash = "preserve"
CFG
	xl create -p "/tmp/$1.cfg" >/dev/null && xl mem-max "$1" "$3" && xl unpause "$1"
}

domid() { xl domid "$1" 2>/dev/null; }

# mem_mib NAME: the domain's memory in MiB as xl list shows it (Xen's view)
mem_mib() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $3 }'; }

# xsr NAME PATH: read a node in the guest's xenstore home
xsr() { xenstore-read "/local/domain/$(domid "$1")/$2" 2>/dev/null; }
xsw() { xenstore-write -- "/local/domain/$(domid "$1")/$2" "$3"; }

# wait_mem NAME MIB SECONDS: wait until xl list shows MIB; prints the wait in ms
wait_mem() {
	t0=$(now_ms)
	end=$((t0 + $3 * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		if [ "$(mem_mib "$1")" = "$2" ]; then
			echo $(($(now_ms) - t0))
			return 0
		fi
		sleep 0.1
	done
	echo "# $1 holds $(mem_mib "$1") MiB after $3 s, not $2" >&2
	return 1
}

# wait_node NAME PATH SECONDS: wait until the guest has written PATH
wait_node() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		[ -n "$(xsr "$1" "$2")" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "# $1 never wrote $2" >&2
	return 1
}

# agree NAME: the guest's data/meminfo_total and xl list agree within one 2 MiB block
agree() {
	sleep 1 # the guest reports twice a second
	g=$(($(xsr "$1" data/meminfo_total) / 1024))
	x=$(mem_mib "$1")
	d=$((g - x))
	[ $d -lt 0 ] && d=$((-d))
	[ $d -le 2 ] || { echo "# $1 reports $g MiB, xl list says $x MiB" >&2; return 1; }
}

# alive NAME: the domain still runs (not crashed or shut down)
alive() { xl list "$1" 2>/dev/null | awk 'NR == 2 { exit ($5 ~ /[cs]/) }'; }

# result NAME STATUS: print the TAP line of test NAME
result() {
	if [ "$2" = 0 ]; then echo "ok - domu/$1"; else echo "not ok - domu/$1"; fi
}

# run NAME FUNCTION: run a test function, print its line, clean up its domains
run() {
	( set -e; "$2" ) 
	result "$1" $?
	for d in $(xl list | awk 'NR > 2 { print $1 }'); do xl destroy "$d" 2>/dev/null; done
}
