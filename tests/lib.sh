# shellcheck shell=sh
# TAP helpers for every shell test, on the host (bash) and in the guests
# (busybox sh): POSIX sh only. Source it, then:
#
#   check DESCRIPTION CMD [ARGS...]  run CMD; "ok N - DESCRIPTION" when it
#                                    succeeds, else "not ok N - ..." and the
#                                    test's tap_diag function, when it has
#                                    one, prints the evidence as "# " lines
#   tap STATUS DESCRIPTION           the same for a status already known
#   ok DESCRIPTION                   tap 0 DESCRIPTION
#   not_ok DESCRIPTION [LINE...]     tap 1 DESCRIPTION, then each LINE as "# LINE"
#   skip DESCRIPTION REASON          "ok N - DESCRIPTION # SKIP REASON"
#   tap_done                         the plan line "1..N"; fails when any
#                                    test failed (use it as the last command)
#
# tap_n and tap_failed count the tests and the failures so far.

tap_n=0
tap_failed=0

tap() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
		if command -v tap_diag > /dev/null 2>&1; then
			tap_diag
		fi
	fi
}

check() {
	_check_desc=$1
	shift
	if "$@"; then
		tap 0 "$_check_desc"
	else
		tap 1 "$_check_desc"
	fi
}

ok() {
	tap 0 "$1"
}

not_ok() {
	tap 1 "$1"
	shift
	for _line in "$@"; do
		printf '%s\n' "$_line" | sed 's/^/# /'
	done
	return 0
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
