#!/usr/bin/env bash
# The man pages of tided, tidectl and tided.conf (tided/man/) render without
# a warning: each is formatted by man (groff) with every warning on, and
# anything it says on stderr fails the page, shown as TAP comments. Prints
# "ok - unit/man_NAME" or "not ok - unit/man_NAME" per page; run by
# tools/run-tests in the unit suite.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
if ! command -v man > /dev/null; then
	echo "not ok - unit/man_pages # no man command (make deps installs man-db)"
	exit 1
fi
pages=("$here"/tided/man/*.[0-9])
[[ -e ${pages[0]} ]] || { echo "not ok - unit/man_pages # no page in tided/man"; exit 1; }
for page in "${pages[@]}"; do
	name=$(basename "$page")
	MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings=w -l -Tutf8 "$page" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [[ $rc == 0 && ! -s $tmp/err && -s $tmp/out ]]; then
		echo "ok - unit/man_$name"
	else
		sed 's/^/# /' "$tmp/err"
		echo "not ok - unit/man_$name # man exited $rc, $(wc -l < "$tmp/err") lines on stderr"
		failed=$((failed + 1))
	fi
done
[[ $failed == 0 ]]
