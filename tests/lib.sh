# shellcheck shell=bash
# Helpers for the test scripts: TAP out, and counting TAP in.

tap_n=0
tap_failed=0

# ok CONDITION-STATUS DESCRIPTION: print one TAP line for status $1.
tap() {
	local status=$1
	shift
	tap_n=$((tap_n + 1))
	if [[ $status -eq 0 ]]; then
		echo "ok $tap_n - $*"
	else
		echo "not ok $tap_n - $*"
		tap_failed=$((tap_failed + 1))
	fi
}

tap_done() {
	echo "1..$tap_n"
	[[ $tap_failed -eq 0 ]]
}
