#!/bin/bash
# ./run.sh as a user meets it: help, bad arguments, the VM mode on two
# kernels with the quick profile (narrowed to keep it short), then compare
# and report on the two runs; the fallback when this kernel cannot take
# the module. TAP on stdout.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
res=$tmp/results

./run.sh --help > "$tmp/help" 2>&1
tap $? "./run.sh --help"
grep -q -- '--kernel SERIES' "$tmp/help" && grep -q 'compare' "$tmp/help"
tap $? "the help names --kernel and compare"

./run.sh --kernel 9.9 --out "$res" --profile quick > "$tmp/out" 2> "$tmp/err"
rc=$?
[[ $rc -ne 0 ]] && grep -q "unknown kernel series '9.9'" "$tmp/err"
tap $? "an unknown kernel series is refused by name"

./run.sh --kernel 6.1 --out "$res" --profile quick --frobnicate > "$tmp/out" 2> "$tmp/err"
rc=$?
[[ $rc -ne 0 ]] && grep -q "unknown option '--frobnicate'" "$tmp/out" "$tmp/err"
tap $? "an unknown option is refused by name"

./run.sh compare "$tmp/nonexistent" "$tmp/nonexistent2" > "$tmp/out" 2> "$tmp/err"
rc=$?
[[ $rc -ne 0 ]] && grep -q 'no such run folder' "$tmp/err"
tap $? "compare of a missing run folder: clear error, non-zero exit"

# The narrowed quick profile on two kernels, each in its own VM.
./run.sh --kernel 6.1 --kernel 6.12 --out "$res" --profile quick \
	--sizes 4K,2M --states none,present,thp --access read,write \
	> "$tmp/vm.out" 2> "$tmp/vm.err"
tap $? "./run.sh --kernel 6.1 --kernel 6.12 --profile quick"
mapfile -t runs < <(find "$res" -name COMPLETE -printf '%h\n' | sort)
[[ ${#runs[@]} -eq 2 ]]
tap $? "two complete result folders (got ${#runs[@]})"
[[ ${#runs[@]} -eq 2 ]] || { tail -20 "$tmp/vm.err" | sed 's/^/# /'; tap_done; exit 1; }
grep -q '"vm": "tcg"\|"vm": "kvm"' "${runs[0]}/hmmbench.json"
tap $? "a VM run is labelled with its accelerator"
[[ ${runs[0]} == */$(hostname)-vm/6.1.* && ${runs[1]} == */$(hostname)-vm/6.12.* ]]
tap $? "results are stored like native ones, under <host>-vm/<release>/"
grep -q "Results: ${runs[0]}" "$tmp/vm.out"
tap $? "run.sh prints where the results are"
ok=0
for r in "${runs[@]}"; do
	for f in "$r"/plots/*.png; do
		head -c 8 "$f" | od -An -tx1 | grep -q '89 50 4e 47' || ok=1
	done
	for f in "$r"/plots/*.svg; do grep -q '<svg' "$f" || ok=1; done
	ls "$r"/plots/*.png > /dev/null 2>&1 || ok=1
done
tap $ok "each run has its plots as valid PNG and SVG"

./run.sh compare "${runs[@]}" > "$tmp/cmp" 2> "$tmp/cmp.err"
tap $? "./run.sh compare of the two kernels"
grep -q '^hmm/read/default/none/2M/c0m0 ' "$tmp/cmp" && grep -q '^Gmean' "$tmp/cmp"
tap $? "the comparison has the 2M case and the geometric-mean line"
# Every case table: Min, Amean, Stddev, CoeffVar, Max in that order, each
# with the baseline's value and (0.00%), then the other run's value and
# its delta (a wide one in exponent form, n/a against a baseline of 0),
# all rows of one width so the columns line up.
awk '
/^(hmm|base|cal)\// { if (c != "") check(); c = $1; rows = ""; width = 0; next }
c != "" && /^$/ { check(); c = ""; next }
c != "" && /^[A-Z]/ {
	rows = rows " " $1
	num = "[0-9][0-9.]*(e[-+][0-9]+)?"
	if ($0 !~ "^[A-Za-z]+ +" num " \\( +0\\.00%\\) +" num " ([(*] *[-+]?" num "%[)*]|\\( +n/a\\))$" ||
	    (width && length($0) != width)) {
		print "# " c ": malformed row: " $0; bad = 1
	}
	width = length($0)
}
function check() {
	n++
	if (rows != " Min Amean Stddev CoeffVar Max") { print "# " c ": rows" rows; bad = 1 }
}
END { if (c != "") check(); if (!n) { print "# no case table"; bad = 1 } exit bad }' "$tmp/cmp"
tap $? "every case table has the rows Min, Amean, Stddev, CoeffVar, Max, well formed"
awk 'length > 80 { bad = 1; print "# " length ": " $0 } END { exit bad }' "$tmp/cmp"
tap $? "the comparison fits an 80-column mail"
./run.sh report "${runs[1]}" > "$tmp/report" 2> "$tmp/report.err"
tap $? "./run.sh report of one run"
grep -q 'prefill' "$tmp/report" && awk 'length > 80 { bad = 1 } END { exit bad }' "$tmp/report"
tap $? "the report sets both styles side by side within 80 columns"

# Two runs with nothing in common: refused.
mkdir -p "$tmp/other"
cp -r "${runs[0]}" "$tmp/other/a"
sed -i 's#"name": "hmm/#"name": "zzz/#; s#"run_name": "hmm/#"run_name": "zzz/#' "$tmp/other/a/hmmbench.json"
sed -i 's#"name": "base/#"name": "yyy/#; s#"run_name": "base/#"run_name": "yyy/#; s#"name": "cal/#"name": "xxx/#; s#"run_name": "cal/#"run_name": "xxx/#' "$tmp/other/a/hmmbench.json"
./run.sh compare "$tmp/other/a" "${runs[1]}" > "$tmp/out" 2> "$tmp/err"
rc=$?
[[ $rc -ne 0 ]] && grep -qi 'no benchmark case is in every run\|in common' "$tmp/err"
tap $? "runs with no case in common: clear error, non-zero exit"

# Where this kernel cannot take the module (run.sh's own verdict, from its
# native_blocker), --no-vm stops with status 1 and says why in one line.
# tests/runsh/test_native.sh covers each reason on a fake machine.
blocker=$(bash -c '. ./run.sh && native_blocker' 2> /dev/null)
if [[ -n $blocker ]]; then
	./run.sh --no-vm --out "$res" --profile quick > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[[ $rc -eq 1 ]] && grep -qxF "run.sh: cannot run natively: $blocker" "$tmp/err" &&
		grep -q -- '--kernel 6.12' "$tmp/err"
	tap $? "--no-vm on a kernel that cannot take the module: one-line reason ($blocker) and the fix"
fi
tap_done
