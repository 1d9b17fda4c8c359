#!/bin/bash
# A stand-in for ./run.sh under harness/fleet/host-run.sh in
# tests/fleet/test_fleet.sh: notes how it was called in $FAKE_CALLS and does
# what $FAKE_RUN says: complete (a complete result folder under --out),
# partial (a .partial folder, then status 143, as a run stopped early),
# busy (run.sh's refusal, status 75) or fail (status 1). --resume DIR
# completes DIR.
echo "$*" >> "$FAKE_CALLS"
while [[ $# -gt 0 && $1 != --out && $1 != --resume ]]; do
	shift
done
case "$FAKE_RUN:${1:-}" in
*:--resume)
	mv "$2" "${2%/*}/20260101-000000"
	touch "${2%/*}/20260101-000000/COMPLETE"
	;;
complete:--out)
	mkdir -p "$2/h-vm/r/20260101-000000"
	touch "$2/h-vm/r/20260101-000000/COMPLETE"
	;;
partial:--out)
	mkdir -p "$2/h-vm/r/.20260101-000000.partial/cases"
	echo "run.sh: stopped early"
	exit 143
	;;
busy:*)
	echo "run.sh: busy: another hmmbench run is measuring on this host (pid 1, x)"
	exit 75
	;;
fail:*)
	echo "run.sh: it broke"
	exit 1
	;;
esac
