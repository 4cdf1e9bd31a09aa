# domu tests of suspend and resume (kernel/xen/suspend.h) under the real xl:
# save and restore, a checkpoint, a save that fails, a save in the middle of
# growth and one in the middle of a shrink, each with PV and PVH guests, and
# live migration (PVH; PV is refused here). The guest is the soak guest
# (apps/soak): checksummed pages and the memory checker after every pass,
# reported in data/soak. Images go to dom0's /tmp (RAM), so guests stay small.
# Sourced by tests/domu/suite.sh after lib.sh; soak.sh gives soak_field.
. ./tests/domu/soak.sh

SOAK_KERNEL=$PWD/build/tide-soak.elf

# soak_passes_on NAME N: wait (up to 30 s) until the soak guest has made N more
# verifying passes, then require no checksum error, no failed check, and its
# frame count equal to Xen's and to xl list's
soak_passes_on() {
	local start p i=0 frames xen
	start=$(soak_field "$1" passes)
	while p=$(soak_field "$1" passes); [ "${p:--1}" -lt $((${start:-0} + $2)) ]; do
		[ $i -lt 300 ] || { echo "# $1 made no verifying pass in 30 s" >&2; return 1; }
		alive "$1" || return 1
		sleep 0.1
		i=$((i + 1))
	done
	echo "# $1: $(xsr "$1" data/soak)"
	xsr "$1" data/soak | grep -q ' checksum_errors=0 check_failures=0 ' ||
		{ echo "# $1 found damaged pages or failed a check" >&2; return 1; }
	frames=$(soak_field "$1" frames)
	xen=$(soak_field "$1" xen_frames)
	[ "$frames" = "$xen" ] || { echo "# $1 counts $frames frames, Xen $xen" >&2; return 1; }
	[ "$(mem_mib "$1")" = $((xen / 256)) ] || { echo "# xl list shows $(mem_mib "$1") MiB for $xen frames" >&2; return 1; }
}

# size_mib FILE
size_mib() { echo $(($(wc -c < "$1") / 1048576)); }

# image_slack_mib PEAK_MIB: what the image of a guest that grew to PEAK_MIB
# may hold beyond its frames, in MiB. A save writes 8 bytes for every frame
# number up to the guest's highest: on PV the highest it holds (under 1 MiB
# for these guests); on PVH the highest Xen ever mapped for it, which a
# shrink does not lower: its rings sit just under 4 GiB and it grows above
# 4 GiB, so 8 bytes a frame of 4 GiB + PEAK_MIB, and its HVM context.
image_slack_mib() {
	if [ "${TIDE_MODE:-pv}" = pvh ]; then echo $(((4096 + $1) / 512 + 2)); else echo 1; fi
}

# Grown by hot-add past its boot memory, saved, restored: every page intact, and
# it grows and shrinks again (hot-add and unplug) in its new domain.
save_restore() {
	create_from "$SOAK_KERNEL" sr 64 512 "hold_mib=32 seed=11"
	wait_node sr data/soak 30
	xl mem-set sr 150
	wait_mem sr 150 30 >/dev/null
	soak_passes_on sr 2
	old=$(domid sr)
	t0=$(now_ms)
	xl save sr /tmp/sr.save
	t1=$(now_ms)
	xl restore /tmp/sr.save
	t2=$(now_ms)
	echo "# xl save $((t1 - t0)) ms ($(size_mib /tmp/sr.save) MiB image for 150 MiB), xl restore $((t2 - t1)) ms"
	[ "$(size_mib /tmp/sr.save)" -le $((150 + $(image_slack_mib 150))) ] ||
		{ echo "# the image is larger than the guest" >&2; return 1; }
	rm -f /tmp/sr.save
	[ "$(domid sr)" != "$old" ]
	grep -q "tide: resumed in a new domain" /var/log/xen/guest-sr.log
	soak_passes_on sr 2
	xl mem-set sr 220
	wait_mem sr 220 30 >/dev/null
	xl mem-set sr 80
	wait_mem sr 80 30 >/dev/null
	agree sr
	soak_passes_on sr 2
}

# xl save -c: a checkpoint, after which the guest runs on in the same domain (its
# suspend is cancelled); the checkpoint restores as a second guest, intact too.
checkpoint() {
	create_from "$SOAK_KERNEL" cp 64 256 "hold_mib=32 seed=12"
	wait_node cp data/soak 30
	xl mem-set cp 100
	wait_mem cp 100 30 >/dev/null
	old=$(domid cp)
	xl save -c cp /tmp/cp.save
	[ "$(domid cp)" = "$old" ]
	grep -q "tide: suspend cancelled; running on" /var/log/xen/guest-cp.log
	soak_passes_on cp 2
	xl mem-set cp 140
	wait_mem cp 140 30 >/dev/null
	xl destroy cp
	xl restore /tmp/cp.save
	rm -f /tmp/cp.save
	soak_passes_on cp 2
	xl mem-set cp 70
	wait_mem cp 70 30 >/dev/null
	soak_passes_on cp 1
}

# A save that fails half-way (the disk fills up after the guest suspended) resumes
# the guest, unharmed, in the same domain.
failed_save() {
	create_from "$SOAK_KERNEL" fs 64 256 "hold_mib=32 seed=13"
	wait_node fs data/soak 30
	old=$(domid fs)
	mkdir -p /tmp/small
	mount -t tmpfs -o size=16m tmpfs /tmp/small
	! xl save fs /tmp/small/fs.save 2>/dev/null
	umount /tmp/small
	[ "$(domid fs)" = "$old" ]
	grep -q "tide: suspend cancelled; running on" /var/log/xen/guest-fs.log
	soak_passes_on fs 2
	xl mem-set fs 120
	wait_mem fs 120 30 >/dev/null
	agree fs
}

# save_while_moving NAME MIB: set NAME's target to MIB and save it so that its
# balloon moves after the toolstack has read its p2m and before it suspends:
# the guest is paused, given the target, and let go only once xl has asked it
# to suspend (control/shutdown = suspend is written after the p2m is read).
# Restored, it carries on to MIB with every page intact.
save_while_moving() {
	local i=0 save
	xl pause "$1"
	xl mem-set "$1" "$2"
	xl save "$1" "/tmp/$1.save" &
	save=$!
	until [ "$(xsr "$1" control/shutdown)" = suspend ]; do
		[ $i -lt 300 ] || { echo "# xl save never asked $1 to suspend" >&2; xl unpause "$1"; wait $save; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	xl unpause "$1"
	wait $save || { echo "# xl save of $1 failed" >&2; return 1; }
	xl restore "/tmp/$1.save"
	rm -f "/tmp/$1.save"
	wait_mem "$1" "$2" 30 >/dev/null
	soak_passes_on "$1" 2
	agree "$1"
}

# Saved while it grows towards a new target (hot-adding blocks).
save_mid_growth() {
	create_from "$SOAK_KERNEL" mg 48 256 "hold_mib=16 seed=14"
	wait_node mg data/soak 30
	save_while_moving mg 160
}

# Saved while it shrinks towards a new target (unplugging hot-added blocks).
save_mid_shrink() {
	create_from "$SOAK_KERNEL" ms 48 256 "hold_mib=16 seed=15"
	wait_node ms data/soak 30
	xl mem-set ms 160
	wait_mem ms 160 30 >/dev/null
	save_while_moving ms 56
}

# Grown to 1 GiB and shrunk back to 64 MiB: the image holds what the guest
# holds, without a header for the range it gave back (8 bytes a frame: 2 MiB
# for 1 GiB); restored, it grows again. An idle guest, so that every
# hot-added block drains and goes.
save_after_shrink() {
	local held image
	create sk 64 1024
	wait_node sk data/meminfo_total 20
	xl mem-set sk 1024
	wait_mem sk 1024 60 >/dev/null
	xl mem-set sk 64
	wait_mem sk 64 60 >/dev/null
	held=$(mem_mib sk)
	xl save sk /tmp/sk.save
	image=$(wc -c < /tmp/sk.save)
	echo "# $held MiB held, image $image bytes"
	[ "$image" -le $(((held + $(image_slack_mib 1024)) * 1048576)) ] ||
		{ echo "# the image is more than $(image_slack_mib 1024) MiB larger than the $held MiB the guest holds" >&2; return 1; }
	xl restore /tmp/sk.save
	rm -f /tmp/sk.save
	agree sk
	xl mem-set sk 200
	wait_mem sk 200 30 >/dev/null
	agree sk
}

# Grown on shortage past its memory/target (100 MiB allocated at 32 MiB), then
# the memory freed: libxl restores with memory/target as Xen's limit, so the
# guest gives the free frames back in place before it suspends, and the image
# fits. (Before, the guest kept what its own raised target held, and the
# restore failed with "Failed to populate physmap", the saved domain gone.)
save_after_shortage_growth() {
	local image
	create sg 32 256 "alloc_mib=100 free_after_ms=500"
	wait_log sg "freed 100 MiB" 30
	[ "$(mem_mib sg)" -gt 120 ] || { echo "# sg holds $(mem_mib sg) MiB, it never grew" >&2; return 1; }
	xl save sg /tmp/sg.save
	image=$(wc -c < /tmp/sg.save)
	echo "# grown to more than 120 MiB at a 32 MiB target: image $image bytes"
	[ "$image" -le $(((32 + $(image_slack_mib 130)) * 1048576)) ] ||
		{ echo "# the image is larger than the 32 MiB target" >&2; return 1; }
	xl restore /tmp/sg.save
	rm -f /tmp/sg.save
	agree sg
	xl mem-set sg 100
	wait_mem sg 100 30 >/dev/null
	agree sg
}

# Grown on shortage past its memory/target and still using the memory: an
# image of it could not be restored, so the guest does not acknowledge the
# suspend; xl save gives up (after libxl's 60 s) and the guest runs on in the
# same domain. Once the target covers what it holds, the save goes through.
save_refused_above_target() {
	local old held
	create sr2 32 256 "alloc_mib=100"
	wait_log sr2 "allocated 100 of 100 MiB" 30
	old=$(domid sr2)
	! xl save sr2 /tmp/sr2.save 2>/dev/null || { echo "# the save of a guest above its target went through" >&2; return 1; }
	rm -f /tmp/sr2.save
	[ "$(domid sr2)" = "$old" ]
	grep -q "tide: suspend refused" /var/log/xen/guest-sr2.log
	alive sr2
	agree sr2
	held=$(mem_mib sr2)
	xl mem-set sr2 $((held + 2))
	wait_mem sr2 $((held + 2)) 30 >/dev/null
	xl save sr2 /tmp/sr2.save
	xl restore /tmp/sr2.save
	rm -f /tmp/sr2.save
	agree sr2
	grep -q "guest: allocated 100 of 100 MiB" /var/log/xen/guest-sr2.log
}

# Live migration of a PVH guest grown by hot-add past its boot memory, its
# soak passes running on while it moves: every page intact in the new
# domain, which grows and shrinks again.
migrate_live() {
	local_receiver
	create_from "$SOAK_KERNEL" lm 64 512 "hold_mib=32 seed=16"
	wait_node lm data/soak 30
	xl mem-set lm 150
	wait_mem lm 150 30 >/dev/null
	soak_passes_on lm 2
	old=$(domid lm)
	t0=$(now_ms)
	xl migrate -s /tmp/local-receiver lm localhost >/tmp/lm.migrate 2>&1 ||
		{ sed 's/^/# /' /tmp/lm.migrate >&2; return 1; }
	echo "# xl migrate to localhost $(($(now_ms) - t0)) ms"
	[ "$(domid lm)" != "$old" ] || { echo "# lm is still domain $old" >&2; return 1; }
	# the receiving domain is made as lm--incoming, and xenconsoled logs it under that name
	cat /var/log/xen/guest-lm*.log | grep -q "tide: resumed in a new domain" ||
		{ echo "# no resume in the logs: $(ls /var/log/xen/)" >&2; return 1; }
	soak_passes_on lm 2
	xl mem-set lm 220
	wait_mem lm 220 30 >/dev/null
	xl mem-set lm 80
	wait_mem lm 80 30 >/dev/null
	agree lm
	soak_passes_on lm 2
}

# A PV guest cannot migrate here (Debian's Xen has no shadow paging, which
# PV log-dirty needs): xl migrate fails, and the guest runs on in place,
# unharmed.
migrate_refused_pv() {
	local_receiver
	create_from "$SOAK_KERNEL" lp 64 256 "hold_mib=32 seed=17"
	wait_node lp data/soak 30
	old=$(domid lp)
	! xl migrate -s /tmp/local-receiver lp localhost >/tmp/lp.migrate 2>&1 ||
		{ echo "# a PV guest migrated: the README says it cannot, here" >&2; return 1; }
	grep -q "logdirty" /tmp/lp.migrate || { sed 's/^/# /' /tmp/lp.migrate >&2; return 1; }
	[ "$(domid lp)" = "$old" ]
	soak_passes_on lp 2
	xl mem-set lp 120
	wait_mem lp 120 30 >/dev/null
	agree lp
}

# Restored, a guest grows on shortage as before: its allocation of 100 MiB
# comes 20 s into its running time, after the save and restore of its first
# seconds (a suspended guest's clock stands still), and Xen's limit is
# raised after the restore (libxl restores with the target as the limit).
shortage_growth_after_restore() {
	create ga 32 256 "alloc_mib=100 alloc_after_ms=20000"
	wait_node ga data/meminfo_total 20
	xl save ga /tmp/ga.save
	xl restore /tmp/ga.save
	rm -f /tmp/ga.save
	! grep -q "guest: allocated" /var/log/xen/guest-ga.log ||
		{ echo "# ga allocated before its save: the test proves nothing" >&2; return 1; }
	xl mem-max ga 256
	wait_log ga "allocated 100 of 100 MiB\|allocation failed" 60
	grep -q "allocated 100 of 100 MiB" /var/log/xen/guest-ga.log
	[ "$(mem_mib ga)" -gt 120 ] || { echo "# ga holds $(mem_mib ga) MiB, it never grew" >&2; return 1; }
	[ "$(xsr ga data/tide/alloc_failures)" = 0 ]
	agree ga
}

run_both save_restore save_restore
run_both shortage_growth_after_restore shortage_growth_after_restore
run_both checkpoint checkpoint
run_both failed_save failed_save
run_both save_mid_growth save_mid_growth
run_both save_mid_shrink save_mid_shrink
run_both save_after_shrink save_after_shrink
run_both save_after_shortage_growth save_after_shortage_growth
run_both save_refused_above_target save_refused_above_target
run pvh/migrate_live migrate_live
run migrate_refused_pv migrate_refused_pv
