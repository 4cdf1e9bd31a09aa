# The soak of a live Tide domU (apps/soak: checksummed pages, the memory
# checker after every pass) under the real toolstack. Sourced after lib.sh by
# tests/domu/soak_tests.sh (a short run in make check) and by
# tests/domu/soak_main.sh (make soak).
#
# soak CHANGES SEED: write CHANGES values to the guest's memory/target, in
# bursts of 1 to 20 with pauses of up to 0.3 s: whole MiB, odd KiB, below
# the guest's floor and above Xen's limit for it; every 50th through xl
# mem-set instead, and an xl mem-max between 192 and 704 MiB every 100 (xl
# refuses one below the target; that is counted, not an error). Then it
# settles the guest at 128 MiB and holds it to its word:
#   - no checksum error and no failed invariant check in any pass;
#   - the guest's frame count equals Xen's (XENMEM_current_reservation), and
#     xl list shows the same in MiB;
#   - its log grew by no more than the rate limits allow (three limits of
#     10-line bursts and a line a second: refused targets, the balloon's
#     notices, dropped watch events; and 10 lines of slack);
#   - after xl destroy, Xen's free memory is back within one 2 MiB block.
# Prints "SOAK target_changes N checksum_errors M leaked_frames L" (L: the
# frames the guest and Xen disagree on at the end) and "# " lines with the
# rest; fails if any check does.

SOAK_MAX_MIB=512

# soak_field GUEST NAME: a field of the soak guest's data/soak line
soak_field() { xsr "$1" data/soak | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# soak_value R: a target in KiB for random number R
soak_value() {
	case $(($1 % 10)) in
	0) echo $((1024 + $1 % 15360)) ;;			   # below any floor: 1 to 16 MiB
	1) echo $(((SOAK_MAX_MIB + 1 + $1 % 512) * 1024)) ;;	   # above the limit
	2 | 3 | 4) echo $((16384 + $1 % ((SOAK_MAX_MIB - 16) * 1024))) ;; # odd KiB
	*) echo $(((32 + $1 % (SOAK_MAX_MIB - 32)) * 1024)) ;;	   # whole MiB
	esac
}

soak() {
	local n=$1 r=$2 i=0 burst id free0 lines0 t0 secs maxmem=$SOAK_MAX_MIB memmax_ok=0 memmax_refused=0
	local errors checks frames xen xl_mib lines limit free1 leaked waited fail=0
	free0=$(host_free_mib)
	create_from "$PWD/build/tide-soak.elf" sk 64 $SOAK_MAX_MIB "hold_mib=48 seed=$r"
	wait_node sk data/soak 30
	id=$(domid sk)
	lines0=$(wc -l < /var/log/xen/guest-sk.log)
	t0=$(now_ms)
	while [ $i -lt "$n" ]; do
		r=$(((r * 1103515245 + 12345) % 2147483648))
		burst=$((1 + r % 20))
		while [ $burst -gt 0 ] && [ $i -lt "$n" ]; do
			r=$(((r * 1103515245 + 12345) % 2147483648))
			i=$((i + 1))
			burst=$((burst - 1))
			if [ $((i % 50)) = 0 ]; then
				xl mem-set sk $((32 + r % (maxmem - 32))) 2>/dev/null
			else
				xenstore-write "/local/domain/$id/memory/target" "$(soak_value $r)"
			fi
			if [ $((i % 100)) = 0 ]; then
				maxmem=$((192 + r % 513))
				if xl mem-max sk $maxmem 2>/dev/null; then
					memmax_ok=$((memmax_ok + 1))
				else
					memmax_refused=$((memmax_refused + 1))
				fi
			fi
		done
		r=$(((r * 1103515245 + 12345) % 2147483648))
		[ $((r % 3)) = 0 ] && sleep 0.$((r % 4))
	done
	alive sk || return 1
	secs=$((($(now_ms) - t0) / 1000 + 1))
	echo "# $n targets in $secs s; xl mem-max: $memmax_ok taken, $memmax_refused refused"

	# settle at 128 MiB, then wait for two more passes with the counts agreeing
	xl mem-max sk $SOAK_MAX_MIB
	xl mem-set sk 128
	waited=0
	while [ $waited -lt 300 ]; do
		p=$(soak_field sk passes)
		sleep 1.2
		waited=$((waited + 12))
		[ "$(soak_field sk passes)" -gt $((p + 1)) ] || continue
		[ "$(soak_field sk frames)" = "$(soak_field sk xen_frames)" ] && break
	done
	errors=$(soak_field sk checksum_errors)
	checks=$(soak_field sk check_failures)
	frames=$(soak_field sk frames)
	xen=$(soak_field sk xen_frames)
	xl_mib=$(mem_mib sk)
	leaked=$((xen - frames))
	[ $leaked -lt 0 ] && leaked=$((-leaked))
	echo "# data/soak: $(xsr sk data/soak)"
	[ "$errors" = 0 ] || { echo "# $errors checksum errors" >&2; fail=1; }
	[ "$checks" = 0 ] || { echo "# $checks failed invariant checks" >&2; fail=1; }
	[ $leaked = 0 ] || { echo "# the guest counts $frames frames, Xen $xen" >&2; fail=1; }
	[ "$xl_mib" = $((xen / 256)) ] || { echo "# xl list shows $xl_mib MiB, Xen's count is $xen frames" >&2; fail=1; }
	lines=$(($(wc -l < /var/log/xen/guest-sk.log) - lines0))
	limit=$((3 * (10 + secs) + 10))
	echo "# the guest logged $lines lines in $secs s (limit $limit)"
	[ $lines -le $limit ] || { echo "# log rate above the limit: $lines lines" >&2; fail=1; }

	xl destroy sk
	waited=0
	while [ $waited -lt 30 ] && [ "$(host_free_mib)" -lt $((free0 - 2)) ]; do
		sleep 1
		waited=$((waited + 1))
	done
	free1=$(host_free_mib)
	echo "# Xen's free memory: $free0 MiB before, $free1 MiB after xl destroy"
	[ "$free1" -ge $((free0 - 2)) ] || { echo "# $((free0 - free1)) MiB did not come back" >&2; fail=1; }
	echo "SOAK target_changes $n checksum_errors $errors leaked_frames $leaked"
	return $fail
}
