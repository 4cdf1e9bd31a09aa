# make bench's xl figures: a Tide domU created with memory=128 and a 2 GiB
# maximum, xl mem-set to 1536 MiB and back to 128 MiB, each timed from dom0
# by polling xl list every 0.1 s until the guest's memory reaches the target
# (the method the Linux anchor was measured with). Run by tools/bench.
#
# Two rounds in one boot. The first grows into host memory nobody has touched
# since QEMU started: Xen scrubs each page and QEMU faults it in, which costs
# about 4 s here whoever asks; it is reported as *_cold. The second round is
# the figure.
. ./tests/domu/lib.sh

create b1 128 2048
wait_node b1 data/meminfo_total 30
for round in cold warm; do
	up=$(xl mem-set b1 1536 && wait_mem b1 1536 120) || exit 1
	down=$(xl mem-set b1 128 && wait_mem b1 128 120) || exit 1
	suffix=$([ $round = cold ] && echo _cold)
	echo "$up" | awk -v s="$suffix" '{ printf "BENCH xl_memset_up%s %.2f s\n", s, $1 / 1000 }'
	echo "$down" | awk -v s="$suffix" '{ printf "BENCH xl_memset_down%s %.2f s\n", s, $1 / 1000 }'
done
xl destroy b1
