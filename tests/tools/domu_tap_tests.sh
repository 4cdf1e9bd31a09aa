#!/usr/bin/env bash
# Unit tests of tools/domu-tap, the domu suite's judge, over made-up console
# logs: a test in the plan that never printed its line must come out as a
# failure. Prints "ok - unit/NAME" or "not ok - unit/NAME" per case; run by
# tools/run-tests in the unit suite.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# case NAME STATUS EXPECTED: judge the log on stdin with STATUS; EXPECTED is
# the TAP lines wanted, each cut at its " # " comment
case_() {
	local name=$1 rc=$2 want=$3 got
	cat > "$tmp/$name.log"
	got=$("$here/tools/domu-tap" "$tmp/$name.log" "$rc" | sed 's/ # .*//')
	if [[ $got == "$want" ]]; then
		echo "ok - unit/domu_tap_$name"
	else
		echo "# wanted:"; sed 's/^/#   /' <<< "$want"
		echo "# got:"; sed 's/^/#   /' <<< "$got"
		echo "not ok - unit/domu_tap_$name"
		failed=$((failed + 1))
	fi
}

case_ all_reported 0 $'ok - domu/a\nnot ok - domu/b' <<'LOG'
xlrun: toolstack up [qemu+4872 ms]
1..2
# plan domu/a
# plan domu/b
ok - domu/a
# b: something went wrong
not ok - domu/b
[guest a] ok - domu/b
XLRUN-STATUS 0
LOG

case_ missing_line_fails 0 $'ok - domu/a\nok - domu/c\nnot ok - domu/b' <<'LOG'
1..3
# plan domu/a
# plan domu/b
# plan domu/c
ok - domu/a
[guest b] ok - domu/b
ok - domu/c
XLRUN-STATUS 0
LOG

case_ timed_out_mid_suite 124 $'ok - domu/a\nnot ok - domu/b\nnot ok - domu/c' <<'LOG'
1..3
# plan domu/a
# plan domu/b
# plan domu/c
ok - domu/a
xlrun: main.sh timed out after 1175s in dom0
LOG

case_ no_plan 125 'not ok - domu/runner' <<'LOG'
xlrun: dom0 setup failed: xenstored
LOG

case_ plan_does_not_add_up 0 $'ok - domu/a\nnot ok - domu/runner' <<'LOG'
1..2
# plan domu/a
ok - domu/a
XLRUN-STATUS 0
LOG

case_ failing_status_all_passed 1 $'ok - domu/a\nnot ok - domu/runner' <<'LOG'
1..1
# plan domu/a
ok - domu/a
XLRUN-STATUS 1
LOG

case_ name_is_matched_whole 0 $'ok - domu/ab\nok - domu/abc\nnot ok - domu/a' <<'LOG'
1..3
# plan domu/a
# plan domu/ab
# plan domu/abc
ok - domu/ab
ok - domu/abc # took 3 s
LOG

# --why NAME: the "# " lines the failed test printed, since the TAP line before
# its own (not the plan, not its neighbours' lines, not guest console lines),
# so that CI, which shows only the end of make check's output, shows why
why_log=$'1..3\n# plan domu/a\n# plan domu/b\n# plan domu/c\n# a: fine\nok - domu/a\n'
why_log+=$'# b: held 384 MiB\r\n[guest b] # not this\n# b: tided log line\nnot ok - domu/b\n# c: later\nnot ok - domu/c'
got=$("$here/tools/domu-tap" --why <(printf '%s\n' "$why_log") domu/b)
if [[ $got == $'# b: held 384 MiB\n# b: tided log line' ]]; then
	echo "ok - unit/domu_tap_why"
else
	echo "# got:"; sed 's/^/#   /' <<< "$got"
	echo "not ok - unit/domu_tap_why"
	failed=$((failed + 1))
fi

# --why for a test that printed no line of its own (it never reported, as
# when the boot stopped): the end of the log, where the stop shows
printf '%s\n' "$why_log" 'xlrun: main.sh timed out after 1175s in dom0' > "$tmp/why.log"
got=$("$here/tools/domu-tap" --why "$tmp/why.log" domu/d)
if [[ $(tail -n 1 <<< "$got") == '# xlrun: main.sh timed out after 1175s in dom0' ]]; then
	echo "ok - unit/domu_tap_why_never_reported"
else
	echo "# got:"; sed 's/^/#   /' <<< "$got"
	echo "not ok - unit/domu_tap_why_never_reported"
	failed=$((failed + 1))
fi

[[ $failed == 0 ]]
