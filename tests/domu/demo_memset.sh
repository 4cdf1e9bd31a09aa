# make demo, part 2: a Tide domU under the real xl toolstack, resized with
# xl mem-set above and below its boot memory. Run by tools/demo-xl.
. ./tests/domu/lib.sh

show() {
	printf 'demo: %-26s xl list %5s MiB | guest: holds %7s KiB, free %7s KiB, follows %7s KiB, %s\n' \
		"$1" "$(mem_mib demo)" "$(xsr demo data/meminfo_total)" "$(xsr demo data/meminfo_free)" \
		"$(xsr demo data/tide/target_kib)" "$(xsr demo data/tide/state)"
}

create demo 128 1024
wait_node demo data/meminfo_total 30
sleep 1
show "created, memory=128"
for mib in 768 64 300 128; do
	ms=$(xl mem-set demo $mib && wait_mem demo $mib 60) || exit 1
	sleep 0.6 # let the guest's report catch up
	show "xl mem-set $mib: ${ms} ms"
done
xl destroy demo
