# verdict NAME [PROBLEM...]: print "ok - unit/NAME" when no problem is
# given, else each problem as a TAP comment and "not ok - unit/NAME",
# counting it in $failed (a script ends with [[ $failed == 0 ]]). Sourced by
# the tests in tests/tools/ that judge several checks each.
failed=0
verdict() {
	local name=$1; shift
	if [[ $# == 0 ]]; then
		echo "ok - unit/$name"
	else
		printf '# %s\n' "$@"
		echo "not ok - unit/$name"
		failed=$((failed + 1))
	fi
}
