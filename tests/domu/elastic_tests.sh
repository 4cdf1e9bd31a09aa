# domu tests of elastic memory that must not strand memory or refuse what it
# could have had. Sourced by tests/domu/suite.sh after lib.sh.

# xl mem-set to sizes that are not whole 2 MiB blocks: Xen and the guest agree to the KiB.
odd_memset() {
	create o1 64 1100
	wait_node o1 data/meminfo_total 20
	for m in 1001 33 1001; do
		xl mem-set o1 $m
		wait_mem o1 $m 30 >/dev/null
		i=0
		while [ "$(xsr o1 data/meminfo_total)" != $((m * 1024)) ] && [ $i -lt 20 ]; do
			sleep 0.1; i=$((i + 1))
		done
		[ "$(xsr o1 data/meminfo_total)" = $((m * 1024)) ] ||
			{ echo "# o1 reports $(xsr o1 data/meminfo_total) KiB for mem-set $m" >&2; return 1; }
	done
	alive o1
}

# After Xen refused a growth (the host was full), the same xl mem-set again acts at once,
# not after the guest's backoff.
reissue_after_refusal() {
	create r1 64 2048
	create hog 64 2048
	wait_node r1 data/meminfo_total 20
	free=$(host_free_mib)
	xl mem-set hog $((64 + free - 150))
	wait_mem hog $((64 + free - 150)) 60 >/dev/null
	xl mem-set r1 500
	sleep 8 # refused: backoffs of 1, 2 and 4 s, the next one 8 s or more
	grep -q 'balloon: growing refused' /var/log/xen/guest-r1.log ||
		{ echo "# r1 was never refused (holds $(mem_mib r1) MiB)" >&2; return 1; }
	[ "$(mem_mib r1)" -lt 500 ]
	xl destroy hog
	xl mem-set r1 500 # the same value again
	wait_mem r1 500 3 >/dev/null
	agree r1
}

# xl reboot restarts the guest; control/shutdown = crash crashes it (kept: on_crash=preserve).
reboot_and_crash() {
	create rb 64 128
	wait_node rb data/meminfo_total 20
	old=$(domid rb)
	xl reboot rb
	i=0
	while { [ -z "$(domid rb)" ] || [ "$(domid rb)" = "$old" ]; } && [ $i -lt 200 ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ -n "$(domid rb)" ] && [ "$(domid rb)" != "$old" ] ||
		{ echo "# rb was not restarted (domid $(domid rb), was $old)" >&2; return 1; }
	wait_node rb data/meminfo_total 20
	alive rb
	xsw rb control/shutdown crash
	i=0
	while ! xl list rb | awk 'NR == 2 { exit !($5 ~ /c/) }' && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	xl list rb | awk 'NR == 2 { exit !($5 ~ /c/) }' ||
		{ echo "# rb did not crash: $(xl list rb | tail -n 1)" >&2; return 1; }
}

# A report node that someone removes or overwrites is written again.
report_rewritten() {
	create rp 64 128
	wait_node rp data/meminfo_total 20
	xenstore-rm "/local/domain/$(domid rp)/data/feature-balloon"
	xsw rp data/meminfo_total 1
	xsw rp data/tide/floor_kib garbage
	sleep 1.5
	[ "$(xsr rp data/feature-balloon)" = 1 ] || { echo "# data/feature-balloon not rewritten" >&2; return 1; }
	[ "$(xsr rp data/meminfo_total)" = 65536 ] ||
		{ echo "# data/meminfo_total reads $(xsr rp data/meminfo_total)" >&2; return 1; }
	floor=$(xsr rp data/tide/floor_kib)
	[ "$floor" -gt 0 ] && [ "$floor" -lt 65536 ]
}

# Held at its floor above the target, a guest gives back what it frees, with no new target.
floor_then_free() {
	create fr 64 512 "alloc_mib=100 free_after_ms=4000"
	wait_node fr data/tide/floor_kib 20
	[ "$(xsr fr data/tide/floor_kib)" -gt 0 ] # live from the first report
	i=0
	while ! grep -q "allocated 100 of 100 MiB" /var/log/xen/guest-fr.log && [ $i -lt 200 ]; do
		sleep 0.1; i=$((i + 1))
	done
	xl mem-set fr 48
	sleep 1
	[ "$(mem_mib fr)" -gt 100 ] || { echo "# fr holds $(mem_mib fr) MiB before freeing" >&2; return 1; }
	wait_mem fr 48 20 >/dev/null
	agree fr
}

# Xen with free memory but no 2 MiB extent: a hog takes all of Xen's memory and gives back
# every other frame; then a guest grows by three blocks in 4 KiB frames, after one refused
# 2 MiB request (not one per block).
no_2m_extents() {
	create_from "$PWD/build/tide-tests.elf" g2 32 64 "test=grow_without_2m"
	wait_log g2 "grow_without_2m: waiting" 20
	create_from "$PWD/build/tide-tests.elf" hog 64 4096 "test=fragment_host"
	wait_log hog "fragment_host: took" 180
	echo "# Xen's free memory: $(host_free_mib) MiB after the hog"
	xl mem-set g2 38
	wait_log g2 "ok - domu/grow_without_2m" 90
	grep "grow_without_2m: " /var/log/xen/guest-g2.log | tail -n 1 | sed 's/^/# /'
	grep -q "^ok - domu/grow_without_2m" /var/log/xen/guest-g2.log # it checked Xen's count, then powered off
}

run_both odd_memset odd_memset
run_both no_2m_extents no_2m_extents
run_both reissue_after_refusal reissue_after_refusal
run_both reboot_and_crash reboot_and_crash
run_both report_rewritten report_rewritten
run_both floor_then_free floor_then_free
