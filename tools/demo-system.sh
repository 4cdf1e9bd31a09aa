# make demo, the whole system: run by tools/demo-system inside the dom0 that
# tools/xlrun boots (busybox sh). tided balances three Tide domUs with
# different workloads; twice a second this prints, for each guest, its
# target, what Xen says it holds, what it uses and its failed allocations,
# and Xen's free memory, as TIMELINE-CSV lines that the host turns into a
# plot. At the end: tidectl status, tided's decisions, and the figures of
# build/bench-sampler (tided/bench/sampler.c) over the same run, as
# DEMO-FIGURE lines: reclaim latency, burst wait, idle memory, reserve
# crossings, overcommit. tided runs its default policy, fluid.
. ./tests/domu/lib.sh

SECONDS_TO_RUN=${DEMO_SECONDS:-70}
RESERVE=64
cat > /etc/tided.conf <<CONF
# tided's configuration for the demo
reserve=$RESERVE
policy=fluid
idle   min=64  max=768
burst  min=96  max=1400
steady min=128 max=384
CONF
./build/tided > /tmp/tided.log 2>&1 &
tided_pid=$!
sleep 0.3
kill -0 $tided_pid || { echo "demo: tided did not start"; cat /tmp/tided.log; exit 1; }

echo "TIMELINE-GUEST,idle,64,768,640,boots with 640 MiB and uses about 6 MiB"
echo "TIMELINE-GUEST,burst,96,1400,96,boots with 96 MiB; 8 s in allocates 1000 MiB at 60 MiB/s and frees it 5 s later"
echo "TIMELINE-GUEST,steady,128,384,160,a PVH guest: boots with 160 MiB and holds 120 MiB from the start"
echo "TIMELINE-HOST,$RESERVE,$(host_free_mib)"
# the idle guest last, so that the plot shows its whole descent
# the steady guest is PVH (tided manages PV and PVH guests alike); PVH is
# created with maxmem = memory and its limit raised after (no populate-on-demand)
cat > /tmp/steady.cfg <<CFG
name = "steady"
type = "pvh"
kernel = "$PWD/build/tide-guest-pvh.elf"
memory = 160
maxmem = 160
shadow_memory = 16
extra = "alloc_mib=120 alloc_rate_mib_s=60"
CFG
xl create -p /tmp/steady.cfg >/dev/null && xl mem-max steady 384 && xl unpause steady
create burst 96 1400 "burst_mib=1000 burst_after_ms=8000 burst_rate_mib_s=60 burst_hold_ms=5000"
create idle 640 768 ""
guests="idle burst steady"
paths=""
for g in $guests; do
	d=$(domid $g)
	paths="$paths /local/domain/$d/memory/target /local/domain/$d/data/meminfo_total"
	paths="$paths /local/domain/$d/data/meminfo_free /local/domain/$d/data/tide/alloc_failures"
	paths="$paths /tool/tided/guests/$g/state"
done

./build/bench-sampler -l demo -s "$SECONDS_TO_RUN" -r $RESERVE $guests > /tmp/figures 2>&1 &
sampler_pid=$!

# One sample: xl list (what Xen says each guest holds), xl info (Xen's free
# memory) and one xenstore-read of every guest's target, report and state
# in tided's view (it fails until all have reported and tided manages all:
# those samples have the host line only). About 300 ms in this dom0.
t0=$(now_ms)
next=$t0
end=$((t0 + SECONDS_TO_RUN * 1000))
while [ "$(now_ms)" -lt "$end" ]; do
	t=$(($(now_ms) - t0))
	list=$(xl list)
	free=$(host_free_mib)
	echo "TIMELINE-CSV,$t,host,$free,$RESERVE"
	if v=$(xenstore-read $paths 2>/dev/null); then
		{ echo "$list"; echo "--"; echo "$v"; } | awk -v t=$t -v gs="$guests" '
			$0 == "--" { vals = 1; next }
			!vals { cur[$1] = $3; next }
			{ val[n++] = $0 }
			END {
				k = split(gs, g, " ")
				for (i = 1; i <= k; i++) {
					b = (i - 1) * 5
					printf "TIMELINE-CSV,%d,%s,%d,%d,%d,%d,%d\n", t, g[i], val[b], cur[g[i]],
						val[b + 1] - val[b + 2], val[b + 3], val[b + 4] == "uncooperative"
				}
			}'
	fi
	next=$((next + 500))
	now=$(now_ms)
	if [ $next -gt $now ]; then
		sleep "$(awk -v ms=$((next - now)) 'BEGIN { printf "%.3f", ms / 1000 }')"
	else
		next=$now
	fi
done

./build/tidectl status | sed 's/^/DEMO-STATUS /'
wait $sampler_pid || echo "DEMO-FIGURE # bench-sampler failed"
sed 's/^/DEMO-FIGURE /' /tmp/figures
kill $tided_pid
wait $tided_pid 2>/dev/null
sed 's/^/DEMO-TIDED /' /tmp/tided.log
for g in $guests; do xl destroy $g; done
exit 0
