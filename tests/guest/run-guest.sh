#!/bin/sh
# Runs inside the QEMU guest (busybox sh): every guest test program given,
# TAP to stdout and to $HMMBENCH_OUT/<name>.tap. Exit status: failures.
export CMOCKA_MESSAGE_OUTPUT=TAP
failed=0
for prog in "$@"; do
	name=$(basename "$prog")
	echo "# guest: $name on $(uname -r)"
	"$prog" > "$HMMBENCH_OUT/$name.tap" 2>&1
	rc=$?
	cat "$HMMBENCH_OUT/$name.tap"
	echo "$rc" > "$HMMBENCH_OUT/$name.rc"
	[ "$rc" -eq 0 ] || failed=$((failed + 1))
done
exit "$failed"
