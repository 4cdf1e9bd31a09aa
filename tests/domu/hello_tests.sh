# domu tests of examples/hello, the application built outside the tree from
# an install (make examples: build/examples/hello/hello.elf, and its PVH
# image hello-pvh.elf beside it). Sourced by tests/domu/suite.sh after lib.sh.

HELLO=$PWD/build/examples/hello/hello.elf

# hello_used_mib NAME: the "used" of the guest's latest report line
hello_used_mib() {
	grep -a '^hello: holds' "/var/log/xen/guest-$1.log" | tail -n 1 | sed 's/.*used \([0-9]*\),.*/\1/'
}

# Booted under xl, it says hello with its xenstore name; asked by a target
# below what it uses, it drops its cache (its shrinker) and meets the target.
hello_shrinks_below_used() {
	create_from "$HELLO" hello 128 256 "cache_mib=64"
	wait_log hello "hello from Tide, I am hello" 20
	wait_log hello "^hello: holds .*cache 64 MiB" 20
	used=$(hello_used_mib hello)
	[ "$used" -ge 64 ] || { echo "# hello uses $used MiB with a 64 MiB cache" >&2; return 1; }
	xl mem-set hello 40 # below what it uses: only dropping the cache makes room
	wait_mem hello 40 30 >/dev/null
	agree hello
	wait_log hello "^hello: dropped" 5
	wait_log hello "^hello: holds 40 MiB" 5
	floor=$(xsr hello data/tide/floor_kib)
	[ "$floor" -le $((40 * 1024)) ] || { echo "# floor $floor KiB above the 40 MiB target" >&2; return 1; }
	[ "$(xsr hello data/tide/alloc_failures)" = 0 ]
	alive hello
	xl shutdown -w hello >/dev/null
	! xl domid hello >/dev/null 2>&1
}

run_both hello_shrinks_below_used hello_shrinks_below_used

# Under tided, hello's cache counts as free (it reports it as
# data/tide/droppable_kib): tided takes the idle guest's memory back, and
# hello drops its cache as its target falls, with no allocation failed and
# no uncooperative mark. (tided_start is tests/domu/tided_tests.sh's.)
droppable_at_least() { d=$(xsr "$1" data/tide/droppable_kib); [ -n "$d" ] && [ "$d" -ge "$2" ]; }

hello_cache_taken_by_tided() {
	tided_start "policy=fluid
hello min=48 max=512"
	create_from "$HELLO" hello 256 512 "cache_mib=160"
	wait_log hello "^hello: holds .*cache 160 MiB" 20
	wait_for 5 droppable_at_least hello $((160 * 1024)) ||
		{ echo "# hello reports $(xsr hello data/tide/droppable_kib) KiB droppable with a 160 MiB cache" >&2; return 1; }
	wait_for 40 holds_at_most hello 96 ||
		{ echo "# hello holds $(mem_mib hello) MiB 40 s after it went idle with a 160 MiB cache" >&2; return 1; }
	wait_log hello "^hello: dropped" 5
	[ "$(xsr hello data/tide/alloc_failures)" = 0 ]
	[ -z "$(xsr hello memory/uncooperative 2>/dev/null)" ] || { echo "# hello was marked uncooperative" >&2; return 1; }
	grep -q "hello (dom[0-9]*): target .* -> " /tmp/tided.log
}

run_both hello_cache_taken_by_tided hello_cache_taken_by_tided
