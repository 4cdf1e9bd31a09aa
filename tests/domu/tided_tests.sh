# domu tests of tided, the dom0 daemon (tided/), run from the files of its
# Debian package: tools/run-tests passes build/tide-host_*_amd64.deb, which
# is unpacked into this dom0's / (busybox dpkg-deb -x, as dpkg would lay it
# out; no maintainer scripts to run). Sourced by tests/domu/suite.sh after lib.sh.
# Each test starts its own tided with its own config, and stops it (an EXIT
# trap in the test's subshell) however the test ends; on failure tided's
# log (without its per-round lines) follows the test's own "# " lines.

TIDED=/usr/sbin/tided
TIDECTL=/usr/sbin/tidectl
for deb in ./build/tide-host_*_amd64.deb; do
	[ -f "$deb" ] && dpkg-deb -x "$deb" /
done

# tided_spawn: tided on /tmp/tided.conf in the background, its log appended to /tmp/tided.log (TIDED_PID)
tided_spawn() {
	"$TIDED" -c /tmp/tided.conf -v >> /tmp/tided.log 2>&1 &
	TIDED_PID=$!
}

# tided_stop [-SIGNAL]: stop it (SIGTERM unless told) and wait until it is gone
tided_stop() {
	kill ${1:+"$1"} "$TIDED_PID"
	wait "$TIDED_PID" 2>/dev/null || true
}

# tided_start CONFIG: a fresh tided (nothing left under /tool/tided) with CONFIG as its file
tided_start() {
	xenstore-rm /tool/tided 2>/dev/null
	printf '%s\n' "$1" > /tmp/tided.conf
	tided_spawn
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
	kill "$TIDED_PID" ${TIDECTL_PIDS:-} 2>/dev/null
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
		f=$(host_free_mib)
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
	free0=$(host_free_mib)
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
	tided_stop -9
	tided_spawn
	sleep 2
	[ "$(xsr u memory/uncooperative)" = 1 ] || { echo "# mark lost in the restart" >&2; return 1; }
	[ "$(xsr u memory/target)" = "$target" ] || { echo "# target $target -> $(xsr u memory/target) KiB" >&2; return 1; }
	row=$(tidectl_row u)
	echo "$row" | grep -q uncooperative || { echo "# after restart, tidectl: $row" >&2; return 1; }
	[ "$(echo "$row" | awk '{ print $7 }')" = 400 ] || { echo "# max not 400 after restart: $row" >&2; return 1; }
	grep -q "u (dom[0-9]*): managing it: .*marked uncooperative" /tmp/tided.log
}

# A guest that lies (nothing free, ever more alloc_waits) boots beside an
# honest guest that bursts: the liar never gets more than its max bound,
# and no more than its fair share while the honest guest competes (before
# issue 16 it took 1024 MiB in 3.6 s and the burst stalled with 1,594
# failed allocations); the burst gets all it asks for with few failures.
# When the liar goes, tided forgets it without a restart.
tided_liar_beside_burst() {
	tided_start "liar min=64 max=1024
honest min=128 max=1024"
	create liar 64 1024 "lie_free_kib=0"
	create honest 128 1024 "alloc_mib=560 alloc_after_ms=1000 alloc_rate_mib_s=40"
	i=0 top=0
	while ! grep -q "allocated 560 of 560 MiB" /var/log/xen/guest-honest.log && [ $i -lt 90 ]; do
		m=$(mem_mib liar)
		[ "$m" -gt "$top" ] && top=$m
		[ "$m" -le 1025 ] || { echo "# the liar holds $m MiB, above its max" >&2; return 1; }
		sleep 0.5
		i=$((i + 1))
	done
	fails=$(xsr honest data/tide/alloc_failures)
	echo "# the liar reached $top MiB; the honest guest holds $(mem_mib honest) MiB, failed $fails allocations" >&2
	grep -q "allocated 560 of 560 MiB" /var/log/xen/guest-honest.log ||
		{ echo "# the burst never got its 560 MiB" >&2; return 1; }
	[ "$fails" -le 100 ] || { echo "# the burst failed $fails allocations" >&2; return 1; }
	tidectl_row liar | grep -q liar
	xl destroy liar
	sleep 1.5
	[ -z "$(tidectl_row liar)" ] || { echo "# tidectl still shows liar" >&2; return 1; }
	! xenstore-exists /tool/tided/guests/liar
}

# wait_for SECONDS COMMAND...: run COMMAND every 0.2 s until it succeeds; 1 after SECONDS
wait_for() {
	end=$(($(now_ms) + $1 * 1000))
	shift
	while ! "$@"; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

target_is() { [ "$(xsr "$1" memory/target)" = "$2" ]; }
# holds_at_least NAME MIB, free_at_most/least NAME KIB: what Xen says it holds, what it reports free
holds_at_least() { m=$(mem_mib "$1"); [ -n "$m" ] && [ "$m" -ge "$2" ]; }
free_at_most() { f=$(xsr "$1" data/meminfo_free); [ -n "$f" ] && [ "$f" -le "$2" ]; }
free_at_least() { f=$(xsr "$1" data/meminfo_free); [ -n "$f" ] && [ "$f" -ge "$2" ]; }
holds_at_most() { m=$(mem_mib "$1"); [ -n "$m" ] && [ "$m" -le "$2" ]; }
target_at_least() { t=$(xsr "$1" memory/target); [ -n "$t" ] && [ "$t" -ge "$2" ]; }
tidectl_row_is_there() { [ -n "$(tidectl_row "$1")" ]; }

# xl mem-set by hand on a guest tided manages (min 256): tided takes the
# outside target back in its next round with one line saying so, below the
# min (180) and above it (400), and the guest, which followed the outside
# target, is never marked uncooperative (before issue 16: marked 10 s after
# it obeyed, and tidectl showed TARGET 180 "growing").
tided_operator_memset() {
	tided_start "g min=256 max=512"
	create g 256 512
	wait_node g data/meminfo_total 30
	sleep 1
	for v in 180 400; do
		xl mem-set g $v
		wait_for 3 target_is g 262144 ||
			{ echo "# xl mem-set $v: memory/target $(xsr g memory/target) after 3 s, not taken back" >&2; return 1; }
	done
	sleep 12
	[ -z "$(xsr g memory/uncooperative)" ] || { echo "# g marked uncooperative" >&2; return 1; }
	row=$(tidectl_row g)
	[ -n "$row" ] && echo "$row" |
		awk '{ exit !($3 == 256 && $4 >= 254 && $4 <= 258 && $9 != "growing" && $9 != "uncooperative") }' ||
		{ echo "# tidectl: $row" >&2; return 1; }
	n=$(grep -c "g (dom[0-9]*): memory/target .* was written outside tided" /tmp/tided.log)
	[ "$n" = 2 ] || { echo "# $n lines about the outside targets, not 2" >&2; return 1; }
}

# tided killed with SIGKILL during a burst, just after a grant, and
# started again 2 s later once the guest has little memory left: the new
# tided knows the guest's pace from the state the old one kept in xenstore
# and gives in its first round (before issue 16: its first grant came 1.1 s
# after the restart, with 515 ms of memory left), and the burst fails no
# allocation after the restart.
tided_restart_keeps_pace() {
	# the conservative policy's grants (the fluid one's headroom leaves the
	# guest no 100 MiB free to wait on: it grows at once, without a grant)
	tided_start "policy=conservative
rb min=128 max=1024"
	create rb 128 1024 "alloc_mib=600 alloc_after_ms=3000 alloc_rate_mib_s=30"
	wait_for 40 holds_at_least rb 300 || { echo "# rb never reached 300 MiB" >&2; return 1; }
	wait_for 10 free_at_least rb 102400 || { echo "# rb never had 100 MiB free" >&2; return 1; }
	tided_stop -9
	killed=$(now_ms)
	sleep 2
	# 60 MiB left: 2 s at the guest's pace, for the harness to read its counts and start tided again
	wait_for 10 free_at_most rb 61440 || { echo "# rb kept more than 60 MiB free for 12 s" >&2; return 1; }
	free=$(xsr rb data/meminfo_free) fails=$(xsr rb data/tide/alloc_failures)
	"$TIDED" -c /tmp/tided.conf -v > /tmp/tided2.log 2>&1 &
	TIDED_PID=$!
	sleep 2
	cat /tmp/tided2.log >> /tmp/tided.log
	first=$(grep -m1 "rb (dom[0-9]*): target" /tmp/tided2.log)
	echo "# restarted $(($(now_ms) - killed - 2000)) ms after the kill with $((free / 1024)) MiB free: $first" >&2
	[ -n "$first" ] && echo "$first" | awk '{ sub(/^\[ */, ""); exit !($1 + 0 <= 0.4) }' ||
		{ echo "# no grant in the first round after the restart" >&2; return 1; }
	wait_for 30 grep -q "allocated 600 of 600 MiB" /var/log/xen/guest-rb.log ||
		{ echo "# the burst never got its 600 MiB" >&2; return 1; }
	[ "$(xsr rb data/tide/alloc_failures)" = "$fails" ] ||
		{ echo "# rb failed $(($(xsr rb data/tide/alloc_failures) - fails)) allocations after the restart" >&2; return 1; }
}

# A guest saved and restored comes back with another domid: tided keeps
# managing it by name, with the bounds tidectl gave it before the save, and
# acts on bounds changed after the restore.
# The same across a live migration (PVH: a PV guest cannot migrate here).
tided_follows_migration() {
	TIDED_MOVE=migrate # each test runs in a subshell of its own
	tided_follows_restore
}

tided_follows_restore() {
	tided_start "sv min=64 max=256"
	create sv 128 256
	wait_node sv data/meminfo_total 30
	"$TIDECTL" set sv min=140 max=140 >/dev/null
	wait_for 10 target_is sv 143360 || { echo "# tided never set sv to 140 MiB" >&2; return 1; }
	wait_mem sv 140 30 >/dev/null
	old=$(domid sv)
	if [ "${TIDED_MOVE:-restore}" = migrate ]; then
		local_receiver
		xl migrate -s /tmp/local-receiver sv localhost >/dev/null 2>&1
	else
		xl save sv /tmp/sv.save
		xl restore /tmp/sv.save
		rm -f /tmp/sv.save
	fi
	[ "$(domid sv)" != "$old" ]
	"$TIDECTL" set sv min=100 max=100 >/dev/null
	wait_for 10 target_is sv 102400 ||
		{ echo "# tided did not move the restored sv (dom$(domid sv)) to 100 MiB" >&2; xenstore-ls -f /local/domain/$(domid sv) | sed "s/^/# /" >&2; return 1; }
	wait_mem sv 100 30 >/dev/null
	tidectl_row sv | grep -q . || { echo "# tidectl status has no row for sv" >&2; return 1; }
}

# One tided at a time, and tidectl says what it does: a second tided
# refuses to start (one line) and leaves the first's pid alone; tidectl set
# refuses a name no domain has, a repeated bound, and a max below the min
# from the config file; a reserve above the host's memory is refused; with
# tided stopped, tidectl status says its view is stale and exits 3.
tided_one_instance_and_tidectl() {
	tided_start "reserve=64
g1 min=64"
	create g1 128 512
	wait_node g1 data/meminfo_total 30
	sleep 1
	rc=0
	timeout 5 "$TIDED" -c /tmp/tided.conf > /tmp/second.log 2>&1 || rc=$?
	echo "# second tided: exit $rc: $(cat /tmp/second.log)" >&2
	{ [ "$rc" = 1 ] && [ "$(wc -l < /tmp/second.log)" = 1 ] &&
		grep -q "another tided is running (pid $TIDED_PID" /tmp/second.log; } || return 1
	[ "$(xenstore-read /tool/tided/pid)" = "$TIDED_PID" ] || { echo "# pid node $(xenstore-read /tool/tided/pid)" >&2; return 1; }
	"$TIDECTL" status > /tmp/status.txt || { echo "# tidectl status exit $? with tided running" >&2; return 1; }
	grep -q "^tided: running" /tmp/status.txt || return 1
	for args in "nosuch min=100" "g1 min=100 min=200" "g1 max=32"; do
		rc=0
		"$TIDECTL" set $args 2> /tmp/set.err || rc=$?
		echo "# tidectl set $args: exit $rc: $(cat /tmp/set.err)" >&2
		[ "$rc" = 2 ] || return 1
	done
	if xenstore-exists /tool/tided/bounds/nosuch || xenstore-exists /tool/tided/bounds/g1; then
		echo "# a refused bound was stored" >&2
		return 1
	fi
	printf 'reserve=99999\n' > /tmp/huge.conf
	rc=0
	timeout 5 "$TIDED" -c /tmp/huge.conf > /tmp/huge.log 2>&1 || rc=$?
	echo "# reserve=99999: exit $rc: $(cat /tmp/huge.log)" >&2
	{ [ "$rc" = 2 ] && grep -q "not below the host" /tmp/huge.log; } || return 1
	tided_stop
	! xenstore-exists /tool/tided/pid || { echo "# tided left its pid behind" >&2; return 1; }
	rc=0
	"$TIDECTL" status > /tmp/status.txt || rc=$?
	sed 's/^/# stale: /' /tmp/status.txt >&2
	{ [ "$rc" = 3 ] && grep -q "not running.*stale" /tmp/status.txt && grep -q "^g1 " /tmp/status.txt &&
		awk '$1 == "g1" { exit !($9 == "?") }' /tmp/status.txt; } || return 1
	tided_spawn
}

# One line per event: a managed guest destroyed; host free below the
# reserve because a domain tided does not manage (built paused, it never
# advertises feature-balloon) took it, and back above when it goes; a bad
# config file on SIGHUP refused on one line with the same time stamp as
# every other line; a tided started on a host below its reserve.
tided_event_lines() {
	tided_start "reserve=64"
	create d1 128 256
	wait_node d1 data/meminfo_total 30
	sleep 1
	xl destroy d1
	sleep 2
	n=$(grep -c "d1 (dom[0-9]*): no longer managed: gone" /tmp/tided.log)
	[ "$n" = 1 ] || { echo "# $n lines about d1 going" >&2; return 1; }
	free=$(host_free_mib)
	cat > /tmp/big.cfg <<CFG
name = "big"
type = "pv"
kernel = "$KERNEL"
memory = $((free - 40))
CFG
	xl create -p /tmp/big.cfg > /dev/null
	sleep 2
	xl destroy big
	sleep 2
	grep "reserve" /tmp/tided.log | sed 's/^/# /' >&2
	[ "$(grep -c "fell below the reserve of 64 MiB.*big (dom[0-9]*, not managed) took" /tmp/tided.log)" = 1 ] ||
		return 1
	[ "$(grep -c "back above the reserve" /tmp/tided.log)" = 1 ] || return 1
	printf 'reserve=abc\n' > /tmp/tided.conf
	kill -HUP "$TIDED_PID"
	sleep 1
	grep -q '^\[ *[0-9]*\.[0-9][0-9][0-9]\] tided: /tmp/tided.conf: line 1: .*kept the old configuration' /tmp/tided.log ||
		{ echo "# no time-stamped line refusing the config" >&2; return 1; }
	# a tided that starts on a host already below its reserve says so, without blaming anyone
	tided_stop
	sed -i "s/^memory = .*/memory = $(($(host_free_mib) - 40))/" /tmp/big.cfg
	xl create -p /tmp/big.cfg > /dev/null
	printf 'reserve=64\n' > /tmp/tided.conf
	tided_spawn
	sleep 1.5
	xl destroy big
	[ "$(grep -c "below the reserve of 64 MiB as tided starts" /tmp/tided.log)" = 1 ] ||
		{ echo "# no line about starting below the reserve" >&2; return 1; }
}

# The fluid policy's headroom: with tided stopped (SIGSTOP: no round at
# all), a guest at a 64 MiB target allocating 100 MiB grows on shortage
# into the headroom tided left it in Xen's maximum, without a failed
# allocation; let go, tided takes what it grew into as its target. (Under
# policy=conservative the same guest stops at its target + 1 MiB.)
tided_fluid_burst_without_a_round() {
	tided_start "policy=fluid
hb min=64 max=512"
	create hb 64 512 "alloc_mib=100 alloc_after_ms=8000"
	wait_for 10 tidectl_row_is_there hb || { echo "# tided never managed hb" >&2; return 1; }
	sleep 2 # a few rounds: Xen's maximum is tided's now
	kill -STOP "$TIDED_PID"
	wait_log hb "allocated 100 of 100 MiB\|allocation failed" 30 || { kill -CONT "$TIDED_PID"; return 1; }
	held=$(mem_mib hb) failures=$(xsr hb data/tide/alloc_failures) target=$(xsr hb memory/target)
	kill -CONT "$TIDED_PID"
	echo "# with tided stopped: hb holds $held MiB, memory/target $target KiB, $failures failed allocations" >&2
	grep -q "allocated 100 of 100 MiB" /var/log/xen/guest-hb.log && [ "$failures" = 0 ] && [ "$held" -ge 100 ] ||
		{ echo "# the burst did not grow into its headroom" >&2; return 1; }
	wait_for 5 target_at_least hb $((held * 1024 - 1024)) ||
		{ echo "# memory/target $(xsr hb memory/target) KiB: tided did not take the growth as hb's" >&2; return 1; }
	grep -q "hb (dom[0-9]*): target .* (grew into its headroom" /tmp/tided.log
}

# The fluid policy's reclaim: a guest allocates 300 MiB (at 150 MiB/s: a
# pace its headroom keeps up with) and frees them, and within 10 s it holds
# at least 225 MiB less than at its peak (the conservative policy waits for
# its 20 s peak window, then takes 64 MiB a move); make bench measures how
# fast. The peak is read in the 3 s the guest holds its 300 MiB: read once
# the "freed" line shows, it could already be part given back (the console
# log can lag behind the guest by more than tided's reclaim delay).
tided_fluid_reclaims_fast() {
	tided_start "policy=fluid
fr min=64 max=512"
	create fr 64 512 "alloc_mib=300 alloc_rate_mib_s=150 alloc_after_ms=4000 free_after_ms=3000"
	wait_log fr "allocated 300 of 300 MiB" 40 || return 1
	held=$(mem_mib fr)
	wait_log fr "freed 300 MiB" 10 || return 1
	t0=$(now_ms)
	wait_for 10 holds_at_most fr $((held - 225)) ||
		{ echo "# fr holds $(mem_mib fr) MiB 10 s after freeing 300 of $held MiB" >&2; return 1; }
	echo "# fr gave back $((held - $(mem_mib fr))) MiB of $held MiB within $(($(now_ms) - t0)) ms of freeing 300" >&2
}

# json_field JSON NAME KEY: the value of KEY in the guest NAME's object of
# tidectl status --json (one line; guests' objects hold no nested braces)
json_field() {
	echo "$1" | grep -o "{\"name\":\"$2\",[^}]*}" | sed -n "s/.*\"$3\":\([^,}]*\).*/\1/p"
}

# json_settled NAME JSON: NAME's object without the figures that change
# between rounds by themselves (what it holds, what it has free)
json_settled() { echo "$2" | grep -o "{\"name\":\"$1\",[^}]*}" | sed 's/"current_mib":[0-9]*,//; s/"free_mib":[0-9]*,//'; }

# status_sandwich NAME: json (tidectl status --json) and row (NAME's row of
# the table) read within one round: the table is read between two JSON reads
# that agree on NAME (tided moves an idle guest's target at any round), up
# to 10 tries
status_sandwich() {
	local i=0 again
	while [ $i -lt 10 ]; do
		json=$("$TIDECTL" status --json) || { echo "# status --json exit $? with tided running" >&2; return 1; }
		row=$(tidectl_row "$1")
		again=$("$TIDECTL" status --json) || return 1
		[ "$(json_settled "$1" "$json")" = "$(json_settled "$1" "$again")" ] && return 0
		sleep 0.3
		i=$((i + 1))
	done
	echo "# $1's row changed at every one of 10 reads" >&2
	return 1
}

# tidectl status --json holds what the table shows: the guest's row (its
# domid, target, min, max and state, read from both within one round) and
# tided's liveness; with tided stopped, "not running" and exit status 3.
tided_status_json() {
	tided_start "sj min=96 max=384"
	create sj 128 384
	wait_node sj data/meminfo_total 30
	wait_for 10 tidectl_row_is_there sj || { echo "# tided never managed sj" >&2; return 1; }
	sleep 1
	status_sandwich sj
	echo "# json: $json" >&2
	echo "# table: $row" >&2
	[ "$(echo "$json" | wc -l)" = 1 ] && echo "$json" | grep -q '^{"tided":{"state":"running","pid":'"$TIDED_PID"',' ||
		{ echo "# not one line with tided running" >&2; return 1; }
	set -- $row
	[ "$(json_field "$json" sj domid)" = "$2" ] && [ "$(json_field "$json" sj target_mib)" = "$3" ] &&
		[ "$(json_field "$json" sj min_mib)" = "$6" ] && [ "$(json_field "$json" sj max_mib)" = "$7" ] &&
		[ "$(json_field "$json" sj state)" = "\"$9\"" ] && [ "$6" = 96 ] && [ "$7" = 384 ] ||
		{ echo "# the JSON and the table differ" >&2; return 1; }
	tided_stop
	rc=0
	json=$("$TIDECTL" status --json) || rc=$?
	echo "# stopped: exit $rc: $json" >&2
	[ "$rc" = 3 ] && echo "$json" | grep -q '^{"tided":{"state":"not running","pid":null,' || return 1
	[ "$(json_field "$json" sj state)" = '"?"' ] || return 1
	tided_spawn
}

# tidectl events streams tided's decisions as they are made: started
# before a bound changes, it prints the target change with the guest's
# name and the reason (for that guest alone, and as JSON for all).
tided_events_stream() {
	tided_start "ev min=64 max=512"
	create ev 128 512
	wait_node ev data/meminfo_total 30
	wait_for 10 tidectl_row_is_there ev || { echo "# tided never managed ev" >&2; return 1; }
	"$TIDECTL" events ev > /tmp/events.txt 2>&1 &
	TIDECTL_PIDS=$!
	"$TIDECTL" events --json > /tmp/events.json 2>&1 &
	TIDECTL_PIDS="$TIDECTL_PIDS $!"
	sleep 1
	"$TIDECTL" set ev min=200 max=200 >/dev/null
	wait_for 10 grep -q "ev (dom[0-9]*): target [0-9]* -> 200 MiB ([a-z]" /tmp/events.txt ||
		{ sed 's/^/# events: /' /tmp/events.txt >&2; echo "# no event of the target change" >&2; return 1; }
	wait_for 5 grep -q '"name":"ev","domid":[0-9]*,"text":"target [0-9]* -> 200 MiB (' /tmp/events.json ||
		{ sed 's/^/# json: /' /tmp/events.json >&2; echo "# no JSON event of the target change" >&2; return 1; }
	grep "target" /tmp/events.txt | sed 's/^/# /' >&2
	! grep -v "ev (dom[0-9]*): " /tmp/events.txt || { echo "# lines about others in ev's stream" >&2; return 1; }
}

if [ -x "$TIDED" ] && [ -x "$TIDECTL" ]; then
	run_both tided_burst_from_idle tided_burst_from_idle
	run_both tided_uncooperative_and_restart tided_uncooperative_and_restart
	run_both tided_liar_beside_burst tided_liar_beside_burst
	run_both tided_operator_memset tided_operator_memset
	run_both tided_restart_keeps_pace tided_restart_keeps_pace
	run_both tided_one_instance_and_tidectl tided_one_instance_and_tidectl
	run_both tided_event_lines tided_event_lines
	run_both tided_follows_restore tided_follows_restore
	run pvh/tided_follows_migration tided_follows_migration
	run_both tided_fluid_burst_without_a_round tided_fluid_burst_without_a_round
	run_both tided_fluid_reclaims_fast tided_fluid_reclaims_fast
	run tided_status_json tided_status_json
	run tided_events_stream tided_events_stream
else
	echo "not ok - domu/tided # no $TIDED or $TIDECTL: build/tide-host_*_amd64.deb not passed to xlrun"
fi
