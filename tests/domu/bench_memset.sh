# make bench's side-by-side figures, in one boot under one Linux dom0 (run
# by tools/bench through tools/xlrun): a Tide domU (build/tide-guest.elf) and
# a Linux PV domU (tools/linux-domu-image: Debian's 6.1 kernel, busybox),
# both created with memory = 128 and maxmem = 2048, Xen's limit raised with
# xl mem-max.
#
#   1. Cold: each guest's first growth to 1536 MiB into host memory nobody
#      has touched since QEMU started (Xen scrubs it and QEMU faults it in),
#      the other guest holding its own, so both are cold; then both back.
#   2. xl save and xl restore of each at 128 MiB, BENCH_ROUNDS times in
#      alternating order, the other guest paused; the image size.
#   3. The whole host warmed once (a throwaway Tide domU grows into all of it).
#   4. BENCH_ROUNDS rounds (default 3), Tide, Tide as a PVH domU (created
#      before step 3) and Linux in turn: xl mem-set to
#      1536 MiB and back to 128. The clock starts before xl mem-set; a step
#      is done when xl list shows the target and the guest's own view
#      agrees: Tide's data/meminfo_total, Linux's MemTotal as its init prints
#      it every 100 ms, each against what it said at 128 MiB plus the change;
#      report_lag is how long the guest's view trailed xl list. Then the
#      floor under a step: a no-op xl mem-set, and one poll of each guest.
#   4c. The same steps timed by build/bench-stepclock, which writes
#      memory/target itself and reads Xen's count in a loop: no xl, no poll
#      period; until the count first moves, and until it is there.
#   5. Usable memory at 128 MiB: Tide's data/meminfo_free, Linux's MemAvailable.
# Every timed figure: "BENCH name median unit min=.. max=.. n=..".
. ./tests/domu/lib.sh

ROUNDS=${BENCH_ROUNDS:-3}
LINUX_KERNEL=$PWD/build/dom0/vmlinuz # compressed: 8 MiB to carry into dom0, not 63
LINUX_INITRD=$PWD/build/linux-domu/initrd.cpio.gz
UP=1536 BASE=128

# create_linux NAME MEMORY_MIB MAXMEM_MIB: the Linux PV domU, created paused, limit raised, unpaused
create_linux() {
	cat > "/tmp/$1.cfg" <<CFG
name = "$1"
type = "pv"
kernel = "$LINUX_KERNEL"
ramdisk = "$LINUX_INITRD"
extra = "console=hvc0 quiet loglevel=3"
memory = $2
maxmem = $3
on_crash = "preserve"
CFG
	xl create -p "/tmp/$1.cfg" >/dev/null && xl mem-max "$1" "$3" && xl unpause "$1"
}

# linux_mem FIELD: total_kib or avail_kib from the Linux guest's last complete MEM line
linux_mem() { tail -n 2 /var/log/xen/guest-linux.log | sed -n "s/.*MEM .*$1=\([0-9]*\).*/\1/p" | tail -n 1; }

# view NAME: the guest's own MemTotal in KiB (Tide: data/meminfo_total; Linux:
# its last MEM line). Tide's xenstore path is looked up before a step's clock
# starts (view_path), so that a poll costs the same for both guests.
view_path() {
	case $1 in tide*) tide_view=/local/domain/$(domid "$1")/data/meminfo_total ;; esac
}
view() {
	case $1 in
	tide*) xenstore-read "$tide_view" 2>/dev/null ;;
	*) linux_mem total_kib ;;
	esac
}

# step NAME MIB: xl mem-set, then wait until xl list shows MIB and the guest's view
# is its view at BASE plus the change; prints the milliseconds. How long the
# guest's view lagged behind xl list (0 if it did not) goes to /tmp/lag.NAME.
step() {
	local t0 t_xl="" t_view="" now want
	eval "want=\$base_view_$1"
	want=$((want + ($2 - BASE) * 1024))
	view_path "$1"
	t0=$(now_ms)
	xl mem-set "$1" "$2"
	while [ -z "$t_xl" ] || [ -z "$t_view" ]; do
		now=$(now_ms)
		[ -n "$t_xl" ] || [ "$(mem_mib "$1")" != "$2" ] || t_xl=$now
		[ -n "$t_view" ] || [ "$(view "$1")" != "$want" ] || t_view=$now
		[ $((now - t0)) -lt 180000 ] ||
			{ echo "# $1 never reached $2 MiB: xl list $(mem_mib "$1"), own view $(view "$1") KiB, want $want" >&2; return 1; }
		[ -n "$t_xl" ] && [ -n "$t_view" ] || sleep 0.05
	done
	echo $((t_view > t_xl ? t_view - t_xl : 0)) >> "/tmp/lag.$1"
	echo $(($(now_ms) - t0))
}

# stats NAME UNIT DIVISOR VALUES...: the BENCH line of a timed figure
stats() {
	local name=$1 unit=$2 div=$3
	shift 3
	printf '%s\n' "$@" | sort -n | awk -v name="$name" -v unit="$unit" -v div="$div" '
		{ v[NR] = $1 / div }
		END {
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "BENCH %s %.2f %s min=%.2f max=%.2f n=%d\n", name, m, unit, v[1], v[NR], NR
		}'
}

# settle NAME: wait until the guest has reported (Tide) or printed (Linux) its view
settle() {
	local i=0
	view_path "$1"
	while [ -z "$(view "$1")" ]; do
		[ $i -lt 600 ] || { echo "# $1 never showed its memory" >&2; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	sleep 1
}

set -e
create tide $BASE 2048
create_linux linux $BASE 2048
settle tide
settle linux
base_view_tide=$(view tide)
base_view_linux=$(view linux)

# 1. cold, both
cold_up_tide=$(step tide $UP)
cold_up_linux=$(step linux $UP)
cold_down_tide=$(step tide $BASE)
cold_down_linux=$(step linux $BASE)
stats xl_memset_up_cold.tide s 1000 "$cold_up_tide"
stats xl_memset_up_cold.linux s 1000 "$cold_up_linux"
stats xl_memset_down_cold.tide s 1000 "$cold_down_tide"
stats xl_memset_down_cold.linux s 1000 "$cold_down_linux"

# 2. save and restore, each guest at 128 MiB, the other guest paused meanwhile
# (the Linux guest's init prints its memory every 100 ms, which costs dom0
# and the emulated CPU time that would land on Tide's figure only); the
# order alternates from round to round, so that both meet Xen's background
# scrubbing of what the cold step freed alike
saves_tide="" restores_tide="" saves_linux="" restores_linux=""
for r in $(seq "$ROUNDS"); do
	order="tide linux"
	[ $((r % 2)) = 0 ] && order="linux tide"
	for g in $order; do
		other=linux
		[ "$g" = linux ] && other=tide
		xl pause "$other"
		t0=$(now_ms)
		xl save "$g" "/tmp/$g.save" >/dev/null 2>&1
		t1=$(now_ms)
		eval "size_$g=$(($(wc -c < "/tmp/$g.save") / 1048576))"
		xl restore "/tmp/$g.save" >/dev/null 2>&1
		t2=$(now_ms)
		xl unpause "$other"
		rm -f "/tmp/$g.save"
		eval "saves_$g=\"\$saves_$g $((t1 - t0))\" restores_$g=\"\$restores_$g $((t2 - t1))\""
		settle "$g"
	done
done
for g in tide linux; do
	eval "stats xl_save.$g s 1000 \$saves_$g"
	eval "stats xl_restore.$g s 1000 \$restores_$g"
	eval "echo \"BENCH xl_save_image.$g \$size_$g MiB\""
done

# 3. a Tide PVH domU beside them for the warm rounds, then the rest of the
# host warmed once: a throwaway Tide domU grows into all of it
(TIDE_MODE=pvh; create tide_pvh $BASE 2048)
settle tide_pvh
base_view_tide_pvh=$(view tide_pvh)
all=$(( $(host_free_mib) - 16 ))
create warm 64 $all
xl mem-set warm $all
wait_mem warm $all 180 >/dev/null
xl destroy warm

# 4. warm rounds, in turn
ups_tide="" downs_tide="" ups_linux="" downs_linux="" ups_tide_pvh="" downs_tide_pvh=""
rm -f /tmp/lag.tide /tmp/lag.linux /tmp/lag.tide_pvh
for r in $(seq "$ROUNDS"); do
	for g in tide tide_pvh linux; do
		eval "ups_$g=\"\$ups_$g $(step $g $UP)\""
		eval "downs_$g=\"\$downs_$g $(step $g $BASE)\""
	done
done
stats xl_memset_up.tide s 1000 $ups_tide
stats xl_memset_up.tide_pvh s 1000 $ups_tide_pvh
stats xl_memset_up.linux s 1000 $ups_linux
stats xl_memset_down.tide s 1000 $downs_tide
stats xl_memset_down.tide_pvh s 1000 $downs_tide_pvh
stats xl_memset_down.linux s 1000 $downs_linux
stats report_lag.tide s 1000 $(cat /tmp/lag.tide)
stats report_lag.linux s 1000 $(cat /tmp/lag.linux)

# 4b. the floor under every step: an xl mem-set that changes nothing, and one
# poll of xl list and the guest's view (the loop in step() polls every 50 ms)
noops="" polls_tide="" polls_linux=""
for i in 1 2 3 4 5; do
	t0=$(now_ms)
	xl mem-set tide $BASE
	noops="$noops $(($(now_ms) - t0))"
	for g in tide linux; do
		view_path $g
		t0=$(now_ms)
		mem_mib $g >/dev/null
		view $g >/dev/null
		eval "polls_$g=\"\$polls_$g $(($(now_ms) - t0))\""
	done
done
stats xl_memset_noop s 1000 $noops
stats xl_poll.tide s 1000 $polls_tide
stats xl_poll.linux s 1000 $polls_linux

# 4c. the same steps with xl and the polls taken out: build/bench-stepclock
# writes memory/target itself and reads Xen's count in a loop (libxenctrl),
# for the time until the count first moves (the guest saw the target) and
# until it is there. xl mem-set left Xen's maximum at 128 MiB + slack: raised
# first, as create did.
for g in tide tide_pvh linux; do
	xl mem-max $g 2048
	ups="" downs="" up_firsts="" down_firsts=""
	for r in $(seq "$ROUNDS"); do
		for to in $UP $BASE; do
			line=$(./build/bench-stepclock "$(domid $g)" $to)
			first=$(echo "$line" | sed -n 's/.* first_ms=\([0-9.]*\) .*/\1/p')
			done_ms=$(echo "$line" | sed -n 's/.* done_ms=\([0-9.]*\)$/\1/p')
			if [ $to = $UP ]; then ups="$ups $done_ms" up_firsts="$up_firsts $first"
			else downs="$downs $done_ms" down_firsts="$down_firsts $first"; fi
			sleep 1
		done
	done
	stats xl_target_up.$g s 1000 $ups
	stats xl_target_up_first.$g s 1000 $up_firsts
	stats xl_target_down.$g s 1000 $downs
	stats xl_target_down_first.$g s 1000 $down_firsts
done

# 5. usable memory at 128 MiB
sleep 1
echo "BENCH usable_at_128.tide $(($(xsr tide data/meminfo_free) / 1024)) MiB"
echo "BENCH usable_at_128.linux $(($(linux_mem avail_kib) / 1024)) MiB"

xl destroy tide
xl destroy linux
