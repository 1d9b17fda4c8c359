#!/bin/bash
# ./run.sh as a user meets it: help, bad arguments; the README's first
# command, ./run.sh with no argument, to the end (on a machine whose kernel
# cannot take the module: the VM fallback on 6.12, quick under TCG), with a
# complete result folder; --kernel 6.1 narrowed; compare and report of the
# two runs; a VM run stopped early keeps its partial folder under results/
# and --resume finishes it in the same kernel; /boot and /etc/apt are as
# they were before. TAP on stdout.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh

tmp=$(mktemp -d)
made=()	# what the default run put under the repository's results/
cleanup() {
	rm -rf "$tmp"
	[[ ${#made[@]} -eq 0 ]] || rm -rf -- "${made[@]}"
}
trap cleanup EXIT
res=$tmp/results

# Every file of /boot and /etc/apt with its checksum, every folder by name.
host_state() {
	find /boot /etc/apt -exec sh -c 'for f; do
		if [ -f "$f" ]; then sha256sum "$f"; else echo "$(stat -c %F "$f") $f"; fi
	done' _ {} + 2> /dev/null | sort
}
host_state > "$tmp/host.before"
blocker=$(bash -c '. ./run.sh && native_blocker' 2> /dev/null)

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

# The README's first command, as it is: ./run.sh, no argument.
default_run=''
if [[ -n $blocker ]]; then
	before=$(find results -name COMPLETE 2> /dev/null | sort)
	start=$SECONDS
	./run.sh > "$tmp/default.out" 2> "$tmp/default.err"
	rc=$?
	took=$((SECONDS - start))
	default_run=$(comm -13 <(echo "$before") <(find results -name COMPLETE | sort) | head -1)
	default_run=${default_run%/COMPLETE}
	[[ -z $default_run ]] || made+=("$default_run")
	echo "# ./run.sh took ${took}s ($(uptime | sed 's/.*load/load/'))"
	tap_diag() { tail -15 "$tmp/default.err" | tr '\r' '\n' | tail -15 | sed 's/^/# /'; }
	check "./run.sh with no argument runs to the end (status $rc)" test "$rc" -eq 0
	check "it says in one line why it cannot run natively" \
		grep -qxF "run.sh: cannot run natively: $blocker" "$tmp/default.err"
	check "it takes the VM fallback on 6.12 and says so" \
		grep -q "measuring in a VM on Debian's newest 6.12 kernel instead" "$tmp/default.err"
	if grep -q 'with tcg' "$tmp/default.err"; then
		check "under TCG it runs the quick profile and says so in one line" \
			test "$(grep -c 'runs the quick profile' "$tmp/default.err")" -eq 1
	fi
	check "the estimate comes before the first case" \
		bash -c "tr '\r' '\n' < '$tmp/default.err' | grep -n 'cases to run (.*estimated\|^done \|^FAILED ' | head -1 | grep -q estimated"
	check "a complete result folder under results/<host>-vm/<6.12 release>/" \
		bash -c "[[ '$default_run' == results/$(hostname)-vm/6.12.*/* && -f '$default_run/COMPLETE' ]]"
	check "with summary.txt, hmmbench.json and PNG and SVG plots" \
		bash -c "[[ -s '$default_run/summary.txt' && -s '$default_run/hmmbench.json' ]] && ls '$default_run'/plots/*.png '$default_run'/plots/*.svg > /dev/null"
	check "the VM's console log and vm.env are kept in its system/" \
		test -s "$default_run/system/console.log" -a -s "$default_run/system/vm.env"
	check "Google Benchmark's table is in console.txt, not on the terminal" \
		bash -c "grep -q '^Benchmark ' '$default_run/console.txt' && ! grep -q '^Benchmark \|Library was built as' '$tmp/default.out' '$tmp/default.err'"
	check "one line per finished case on the terminal" \
		bash -c "[[ \$(tr '\r' '\n' < '$tmp/default.err' | sed 's/\x1b\[K//g' | grep -c '^done ') -eq \$(grep -c '\"aggregate_name\": \"mean\"' '$default_run/hmmbench.json') ]]"
	check "it prints where the results are" grep -q "^Results: $default_run\$" "$tmp/default.out"
	check "no working folder is left under results/" \
		bash -c "[[ -z \$(find results -maxdepth 2 -name '.vm-*') ]]"
	unset -f tap_diag
fi

# The narrowed quick profile, each kernel in its own VM (6.12 too when the
# default run did not take it).
kernel_args=(--kernel 6.1)
[[ -n $default_run ]] || kernel_args+=(--kernel 6.12)
./run.sh "${kernel_args[@]}" --out "$res" --profile quick \
	--sizes 4K,2M --states none,present,thp --access read,write \
	> "$tmp/vm.out" 2> "$tmp/vm.err"
tap $? "./run.sh ${kernel_args[*]} --profile quick (narrowed)"
mapfile -t runs < <(find "$res" -name COMPLETE -printf '%h\n' | sort)
[[ -z $default_run ]] || runs+=("$default_run")
[[ ${#runs[@]} -eq 2 ]]
tap $? "two complete result folders, 6.1 and 6.12 (got ${#runs[@]})"
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

# A VM run stopped early (Ctrl-C once its first case has finished, as the
# terminal shows it; the partial folder is seen on the host through 9p):
# the partial folder is under results/, run.sh names the --resume command,
# and that command boots the same kernel and completes the run. The sweep
# is big enough that the run is far from its end when the first case ends
# (with random interleaving, cases end in the second half of a run).
./run.sh --kernel 6.12 --out "$res/stop" --profile quick --sizes 2M,4M \
	--states none,present --access read,write > "$tmp/stop.out" 2> "$tmp/stop.err" &
pid=$!
for ((i = 0; i < 6000; i++)); do
	tr '\r' '\n' < "$tmp/stop.err" | grep -q '^done ' && break
	kill -0 "$pid" 2> /dev/null || break
	sleep 0.2
done
kill -INT "$pid"
wait "$pid"
rc=$?
partial=$(find "$res/stop" -maxdepth 3 -name '.*.partial' | head -1)
check "a VM run stopped early exits 130 and keeps its partial folder under results/<host>-vm/<release>/ (status $rc)" \
	bash -c "[[ $rc -eq 130 && '$partial' == '$res/stop/$(hostname)-vm/6.12.'*/.*.partial ]]"
check "it says where and the --resume command" \
	grep -q "to run what is missing: ./run.sh --resume $partial\$" "$tmp/stop.err"
./run.sh --resume "$partial" > "$tmp/resume.out" 2> "$tmp/resume.err"
rc=$?
resumed=$(basename "$partial" .partial)
resumed=$(dirname "$partial")/${resumed#.}
check "./run.sh --resume of the VM run boots the same kernel and completes it (status $rc)" \
	bash -c "[[ $rc -eq 0 && -f '$resumed/COMPLETE' && ! -e '$partial' ]] && grep -q \"resuming .* in a VM on $(basename "$(dirname "$partial")")\" '$tmp/resume.err'"

# Where this kernel cannot take the module (run.sh's own verdict, from its
# native_blocker), --no-vm stops with status 1 and says why in one line.
# tests/runsh/test_native.sh covers each reason on a fake machine.
if [[ -n $blocker ]]; then
	./run.sh --no-vm --out "$res" --profile quick > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[[ $rc -eq 1 ]] && grep -qxF "run.sh: cannot run natively: $blocker" "$tmp/err" &&
		grep -q -- '--kernel 6.12' "$tmp/err"
	tap $? "--no-vm on a kernel that cannot take the module: one-line reason ($blocker) and the fix"
fi

# Nothing on the host but the cache and results/: no kernel in /boot, no
# apt source or pin in /etc/apt (other programs that ran at the same time
# would show here too).
host_state > "$tmp/host.after"
check "/boot and /etc/apt are byte for byte as before the VM runs" \
	diff "$tmp/host.before" "$tmp/host.after"
tap_done
