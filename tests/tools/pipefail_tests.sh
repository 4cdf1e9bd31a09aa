#!/usr/bin/env bash
# Lint of the project's bash scripts that set pipefail: a pipeline whose
# reader stops before its writer is done (head, grep -q, awk with exit)
# kills the writer with SIGPIPE, and pipefail turns that into a failure
# that comes and goes with the timing. tools/dom0-image lost a fresh
# clone's first domu boot so (ldconfig -p | awk '... {print; exit}': 1 run
# in 200 here). A line that ends with "|| true" is taken as knowing it.
# Prints "ok - unit/pipefail_lint" or "not ok ..." with the lines found.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
found=$(cd "$here" && for f in $(grep -l -E 'set -[a-z]*o pipefail' tools/* tests/*/*.sh 2>/dev/null); do
	grep -n -E "\| *head\b|\| *grep [^|]*-[a-zA-Z]*q|\| *awk '[^']*exit" "$f" | grep -v -E '\|\| true( |;|$)|^[0-9]+:[[:space:]]*#' | sed "s|^|$f:|"
done)
if [[ -z $found ]]; then
	echo "ok - unit/pipefail_lint"
else
	sed 's/^/# /' <<< "$found"
	echo "not ok - unit/pipefail_lint # a reader that stops early under pipefail"
fi
