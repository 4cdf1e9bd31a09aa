# make bench's figures of tided's two policies (issue 14), in one boot under
# one Linux dom0 (run by tools/bench fluid through tools/xlrun, on a host
# whose free memory for guests is about 2 GiB): the same scenario once with
# policy=conservative and once with policy=fluid.
#
# The scenario: four Tide domUs (build/tide-guest.elf) of 64 MiB, each with
# min 64 and max 1200 MiB in tided's config, that every 40 s allocate 700 MiB
# at 200 MiB/s, hold it 10 s and free it (apps/guest/burst.h), phase-shifted
# by 10 s and idle in between: their peaks sum to about 3 GiB, more than the
# host has, while what they use at any one time (at most two bursts overlap,
# for 3.5 s) fits. build/bench-sampler samples the host and the guests every
# 100 ms for SECONDS_TO_RUN and prints the BENCH lines of
# tided/bench/figures.c, each name ending in .conservative or .fluid; its
# samples come back as FLUID-CSV-<policy>, lines and tided's log as
# FLUID-TIDED-<policy> lines.
#
# The order. The host is warmed first (a throwaway guest grows into all of
# it), so that neither run meets memory that nobody touched since QEMU
# started (Xen scrubs it and QEMU faults it in: several times slower), and
# each run starts the same way: memory that the domains just destroyed left
# behind, and Xen's free memory back where it was. Then conservative, the
# baseline, goes first, so that a fault in the new policy cannot cost the
# figures it is measured against.
. ./tests/domu/lib.sh

SECONDS_TO_RUN=${BENCH_FLUID_SECONDS:-120}
RESERVE=64
SETTLE=30 # seconds sampled past the run, only to time a freeing near its end (conservative: 20 s window + steps)
GUESTS="burst0 burst1 burst2 burst3"
BOOT=64 MIN=64 MAX=1200
BURST="burst_mib=700 burst_rate_mib_s=200 burst_hold_ms=10000 burst_period_ms=40000"
FIRST_MS=8000 # the first burst, after the start of the guests' creation (the sampler runs by then)
PHASE_MS=10000

# wait_free MIB: wait (up to 120 s) until Xen's free memory is at least MIB
wait_free() {
	local i=0
	while [ "$(host_free_mib)" -lt "$1" ]; do
		[ $i -lt 1200 ] || { echo "# Xen's free memory is $(host_free_mib) MiB after 120 s, not $1" >&2; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
}

# warm: a throwaway Tide domU grows into all of the host's free memory, and goes
warm() {
	local free all
	free=$(host_free_mib)
	all=$((free - 16))
	create warm 64 $all && xl mem-set warm $all && wait_mem warm $all 180 >/dev/null
	xl destroy warm
	wait_free $((free - 8))
}

# start_tided POLICY: tided with this run's config, in the background (its pid in tided_pid)
start_tided() {
	{
		echo "# tided's configuration for make bench's policy comparison"
		echo "reserve=$RESERVE"
		echo "policy=$1"
		for g in $GUESTS; do echo "$g min=$MIN max=$MAX"; done
	} > /etc/tided.conf
	./build/tided > "/tmp/tided-$1.log" 2>&1 &
	tided_pid=$!
	sleep 0.3
	kill -0 $tided_pid 2>/dev/null || { echo "# tided did not start with policy=$1:" >&2; cat "/tmp/tided-$1.log" >&2; return 1; }
}

# create_guests: the four bursting guests, each one's first burst PHASE_MS after
# the previous one's, counted from when the first was created
create_guests() {
	local t0 i=0 after
	t0=$(now_ms)
	for g in $GUESTS; do
		after=$((FIRST_MS + i * PHASE_MS - ($(now_ms) - t0)))
		[ $after -gt 0 ] || after=0
		create $g $BOOT $MAX "$BURST burst_after_ms=$after" || return 1
		i=$((i + 1))
	done
}

# run_policy POLICY: the whole scenario under tided with this policy; its BENCH lines
run_policy() {
	local rc=0 free0
	free0=$(host_free_mib)
	echo "bench-fluid: policy=$1, Xen's free memory $free0 MiB, $SECONDS_TO_RUN s of sampling"
	start_tided "$1" || return 1
	create_guests &&
		./build/bench-sampler -l "$1" -s "$SECONDS_TO_RUN" -t $SETTLE -r $RESERVE -o "/tmp/samples-$1.csv" $GUESTS || rc=1
	for g in $GUESTS; do xl destroy $g 2>/dev/null; done
	kill $tided_pid
	wait $tided_pid 2>/dev/null
	sed "s/^/FLUID-TIDED-$1 /" "/tmp/tided-$1.log"
	[ -f "/tmp/samples-$1.csv" ] && sed "s/^/FLUID-CSV-$1,/" "/tmp/samples-$1.csv"
	xenstore-rm /tool/tided 2>/dev/null
	wait_free $((free0 - 8)) || rc=1
	return $rc
}

echo "bench-fluid: Xen's free memory $(host_free_mib) MiB (dom0 512 MiB)"
warm || { echo "# warming the host failed" >&2; exit 1; }
status=0
for policy in conservative fluid; do
	run_policy $policy || { echo "# the run with policy=$policy failed" >&2; status=1; }
done
exit $status
