# domu tests of tided, the dom0 daemon (tided/), with build/tided and
# build/tidectl in this dom0. Sourced by tests/domu/suite.sh after lib.sh.
# Each test starts its own tided with its own config, and stops it (an EXIT
# trap in the test's subshell) however the test ends; on failure tided's
# log (without its per-round lines) follows the test's own "# " lines.

TIDED=./build/tided
TIDECTL=./build/tidectl

host_free() { xl info | awk '/^free_memory/ { print $3 }'; }

# tided_start CONFIG: a fresh tided (nothing left under /tool/tided) with CONFIG as its file
tided_start() {
	xenstore-rm /tool/tided 2>/dev/null
	printf '%s\n' "$1" > /tmp/tided.conf
	"$TIDED" -c /tmp/tided.conf -v >> /tmp/tided.log 2>&1 &
	TIDED_PID=$!
	trap tided_finish EXIT
	sleep 0.3
	kill -0 "$TIDED_PID" || { echo "# tided did not start" >&2; return 1; }
}

tided_finish() {
	rc=$?
	set +e # the test's set -e must not cut this short
	if ! kill -0 "$TIDED_PID" 2>/dev/null; then
		echo "# tided had exited" >&2
		[ "$rc" != 0 ] || rc=1
	fi
	kill "$TIDED_PID" 2>/dev/null
	wait "$TIDED_PID" 2>/dev/null
	if [ "$rc" != 0 ]; then
		grep -v 'tided: [^ ]*: [a-z]*, pressure' /tmp/tided.log | tail -n 40 | sed 's/^/# /' >&2
	fi
	: > /tmp/tided.log
	exit "$rc"
}

# tidectl_row NAME: the guest's row of tidectl status
tidectl_row() { "$TIDECTL" status | awk -v n="$1" '$1 == n'; }

# burst_sampler: every 0.5 s until /tmp/sampler.stop exists, one line to
# stdout: "S free=MiB fails=N" and a "BAD ..." line for each broken rule.
burst_sampler() {
	prev_idle="" prev_fail=0
	da=$(domid ia) db=$(domid ib) dc=$(domid burst)
	while [ ! -e /tmp/sampler.stop ]; do
		f=$(host_free)
		echo "S free=$f"
		[ "$f" -ge 62 ] || echo "BAD host free $f MiB, below the 64 MiB reserve less a 2 MiB block"
		# one xenstore-read for all five nodes (fails until the guests have reported)
		if v=$(xenstore-read /local/domain/$dc/data/tide/alloc_failures \
			/local/domain/$da/data/meminfo_total /local/domain/$da/data/meminfo_free \
			/local/domain/$db/data/meminfo_total /local/domain/$db/data/meminfo_free 2>/dev/null); then
			set -- $v
			if [ "$1" -gt "$prev_fail" ] && [ -n "$prev_idle" ]; then
				echo "BAD burst failed allocations ($prev_fail -> $1) while idle above min:$prev_idle"
			fi
			prev_fail=$1
			# which of ia, ib sit idle above their min (192 MiB): over 25 % free and above 194 MiB
			prev_idle=""
			[ "$2" -gt $((194 * 1024)) ] && [ $(($3 * 4)) -gt "$2" ] &&
				prev_idle="$prev_idle ia($(($2 / 1024)) MiB, $(($3 / 1024)) free)"
			[ "$4" -gt $((194 * 1024)) ] && [ $(($5 * 4)) -gt "$4" ] &&
				prev_idle="$prev_idle ib($(($4 / 1024)) MiB, $(($5 / 1024)) free)"
		fi
		sleep 0.5
	done
}

# A bursty guest needs far more than its boot memory while two idle guests
# hold most of the host: total demand (2148 MiB) is above what the host has
# (about 1512 MiB free), and even with the idle guests at their min (192
# MiB) only about 100 MiB is left beside the burst. tided must move the
# idle memory over: the burst never fails an allocation while
# another guest sits idle above its min, and Xen's free memory never falls
# below the reserve (less one 2 MiB block), sampled every 0.5 s from before
# the burst starts until after it ends. The pace (40 MiB/s from 124 MiB
# free) leaves 3 s before a failure for tided's first grant (a report, a
# round, the growth), with room for another QEMU on the same cores.
tided_burst_from_idle() {
	tided_start "reserve=64
ia min=192 max=640
ib min=192 max=640
burst min=128 max=1400"
	free0=$(host_free)
	create ia 560 640
	create ib 560 640
	create burst 128 1400 "alloc_mib=900 alloc_after_ms=5000 alloc_rate_mib_s=40"
	rm -f /tmp/sampler.stop
	burst_sampler > /tmp/samples &
	spid=$!
	echo "# host free $free0 MiB at start; demand 560 + 560 + 1028 MiB" >&2
	i=0
	while ! grep -q "allocated 900 of 900 MiB" /var/log/xen/guest-burst.log && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 1.5
	touch /tmp/sampler.stop
	wait $spid || true
	minfree=$(awk -F= '/^S free=/ { if (min == "" || $2 < min) min = $2 } END { print min }' /tmp/samples)
	echo "# $(grep -c '^S ' /tmp/samples) samples; host free at least $minfree MiB; burst holds" \
		"$(mem_mib burst) MiB, failed $(xsr burst data/tide/alloc_failures) allocations;" \
		"ia $(mem_mib ia) MiB, ib $(mem_mib ib) MiB" >&2
	grep -q "allocated 900 of 900 MiB" /var/log/xen/guest-burst.log ||
		{ echo "# the burst never got its 900 MiB" >&2; return 1; }
	grep '^BAD' /tmp/samples | sed 's/^BAD/#/' >&2
	[ "$(grep -c '^S ' /tmp/samples)" -ge 10 ] && ! grep -q '^BAD' /tmp/samples
}

# A guest that ignores its targets (ignore_targets=1) is marked
# uncooperative in xenstore and in tidectl status; and a restarted tided
# (killed with SIGKILL) loses nothing: the mark, the target and the bounds
# set with tidectl are still there.
tided_uncooperative_and_restart() {
	tided_start "u min=64 max=512"
	create u 256 512 "ignore_targets=1"
	wait_node u data/meminfo_total 30
	i=0
	while [ "$(xsr u memory/uncooperative)" != 1 ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(xsr u memory/uncooperative)" = 1 ] || { echo "# u never marked uncooperative; target $(xsr u memory/target)" >&2; return 1; }
	grep -q "memory/target: .* ignored (ignore_targets=1)" /var/log/xen/guest-u.log ||
		{ echo "# u was never asked to move" >&2; return 1; }
	tidectl_row u | grep -q uncooperative || { echo "# tidectl: $(tidectl_row u)" >&2; return 1; }
	[ "$(mem_mib u)" = 256 ] || { echo "# u holds $(mem_mib u) MiB" >&2; return 1; }
	# tidectl set validates, and what it sets survives a restart
	if "$TIDECTL" set u min=600 max=100 2>/dev/null; then echo "# min above max accepted" >&2; return 1; fi
	if "$TIDECTL" set u min=abc 2>/dev/null; then echo "# min=abc accepted" >&2; return 1; fi
	"$TIDECTL" set u max=400 >/dev/null
	target=$(xsr u memory/target)
	kill -9 "$TIDED_PID"
	wait "$TIDED_PID" 2>/dev/null || true
	"$TIDED" -c /tmp/tided.conf -v >> /tmp/tided.log 2>&1 &
	TIDED_PID=$!
	sleep 2
	[ "$(xsr u memory/uncooperative)" = 1 ] || { echo "# mark lost in the restart" >&2; return 1; }
	[ "$(xsr u memory/target)" = "$target" ] || { echo "# target $target -> $(xsr u memory/target) KiB" >&2; return 1; }
	row=$(tidectl_row u)
	echo "$row" | grep -q uncooperative || { echo "# after restart, tidectl: $row" >&2; return 1; }
	[ "$(echo "$row" | awk '{ print $7 }')" = 400 ] || { echo "# max not 400 after restart: $row" >&2; return 1; }
	grep -q "u (dom[0-9]*): managing it: .*marked uncooperative" /tmp/tided.log
}

# A guest that lies (reports nothing free and absurd alloc_waits) gets no
# more than its max bound (256 MiB, below its static-max of 512), ever; and
# when it goes, tided forgets it without a restart.
tided_liar() {
	tided_start "liar min=64 max=256"
	create liar 64 512 "lie_free_kib=0"
	wait_node liar data/meminfo_total 30
	i=0 top=0
	while [ $i -lt 20 ]; do
		m=$(mem_mib liar) t=$(xsr liar memory/target)
		[ "$m" -gt "$top" ] && top=$m
		if [ "$m" -gt 257 ] || [ "$t" -gt $((256 * 1024)) ]; then
			echo "# liar holds $m MiB, target $t KiB" >&2
			return 1
		fi
		sleep 0.5
		i=$((i + 1))
	done
	echo "# liar reached $top MiB (max 256)" >&2
	[ "$top" -ge 250 ] || { echo "# the liar was never given memory (pressure from free=0)" >&2; return 1; }
	tidectl_row liar | grep -q liar
	xl destroy liar
	sleep 1.5
	[ -z "$(tidectl_row liar)" ] || { echo "# tidectl still shows liar" >&2; return 1; }
	! xenstore-exists /tool/tided/guests/liar
}

if [ -x "$TIDED" ] && [ -x "$TIDECTL" ]; then
	run tided_burst_from_idle tided_burst_from_idle
	run tided_uncooperative_and_restart tided_uncooperative_and_restart
	run tided_liar tided_liar
else
	echo "not ok - domu/tided # build/tided or build/tidectl not passed to xlrun"
fi
