#!/usr/bin/env bash
# Every scenario the tests image has is run: each entry of dom0_tests in
# tests/guest/main.c has a line in tests/guest/dom0.list (its NAME, or a
# test=NAME argument), each line there names an entry, and each entry of
# domu_tests is booted (test=NAME) by a test in tests/domu/. Prints
# "ok - unit/NAME" or "not ok - unit/NAME" per check; run by tools/run-tests
# in the unit suite.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
main=$here/tests/guest/main.c

# table_names TABLE: the scenario names in main.c's table TABLE, one a line
table_names() {
	awk -v t="$1" '
		index($0, "struct guest_test " t "[] = {") { on = 1; next }
		on && /^};/ { exit }
		on && match($0, /\{"[^"]+"/) { print substr($0, RSTART + 2, RLENGTH - 3) }
	' "$main"
}

# listed_names: the scenario each line of dom0.list runs (test=NAME, else its NAME)
listed_names() {
	awk '!/^[[:space:]]*(#|$)/ {
		name = $1
		for (i = 2; i <= NF; i++) if ($i ~ /^test=/) name = substr($i, 6)
		print name
	}' "$here/tests/guest/dom0.list"
}

. "$here/tests/tools/verdict.sh"

dom0=$(table_names dom0_tests)
domu=$(table_names domu_tests)
listed=$(listed_names)
missing=()
[[ -n $dom0 ]] || missing+=("no dom0_tests table found in $main")
for n in $dom0; do
	grep -qx -- "$n" <<< "$listed" || missing+=("dom0 scenario $n has no line in tests/guest/dom0.list")
done
verdict dom0_list_runs_every_dom0_scenario "${missing[@]}"

missing=()
for n in $listed; do
	grep -qx -- "$n" <<< "$dom0" || missing+=("tests/guest/dom0.list runs $n, which dom0_tests does not have")
done
verdict dom0_list_names_only_dom0_scenarios "${missing[@]}"

missing=()
[[ -n $domu ]] || missing+=("no domu_tests table found in $main")
for n in $domu; do
	grep -q -- "test=$n\\b" "$here"/tests/domu/*.sh || missing+=("domu workload $n is booted by no test in tests/domu/")
done
verdict domu_tests_boot_every_domu_workload "${missing[@]}"

[[ $failed == 0 ]]
