#!/bin/bash
# Self-test of harness/vm/vm-run; prints TAP. Boots each kernel series in
# $HMMBENCH_VM_KERNELS (default "6.1 5.10 6.12"; about 5 s each under TCG)
# and checks what the runner promises: the command's exit status, its
# stdout and $HMMBENCH_OUT files come back, the module is loaded, two NUMA
# nodes; then, on the first series, that a kernel crash and a timeout are
# reported as such with the console log kept.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vmrun=$repo/harness/vm/vm-run
kernels=${HMMBENCH_VM_KERNELS:-6.1 5.10 6.12}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_vm_runner.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/lib.sh
. "$repo/tests/lib.sh"
# The evidence of a failed check: the end of the last vm-run's log.
tap_diag() {
	[[ -e $log ]] && sed 's/^/# /' "$log" | tail -n 15
	return 0
}
# vm-run KERNEL OUTDIR [OPTIONS] -- CMD...: sets $rc; stdout+stderr in $log.
vm() {
	local k=$1 out=$2
	shift 2
	log=$out.log
	rc=0
	"$vmrun" --kernel "$k" --out "$out" "$@" >"$out.stdout" 2>"$log" || rc=$?
}
first() { head -n 1 "$1" 2>/dev/null; }

# The module: check it only when kmod/ has one to build.
module=1
[[ -e $repo/kmod/Kbuild ]] || module=0
modopt=()
[[ $module == 1 ]] || modopt=(--no-module)

# What the guest runs: report what it sees under $HMMBENCH_OUT, exit 3.
cat >"$tmp/check.sh" <<'EOF'
echo "hello from $(uname -r)"
uname -r >"$HMMBENCH_OUT/release"
echo "$HMMBENCH_VM" >"$HMMBENCH_OUT/accel"
ls -d /sys/devices/system/node/node[0-9]* | wc -l >"$HMMBENCH_OUT/nodes"
if [ -c /dev/hmm_bench ]; then echo yes; else echo no; fi >"$HMMBENCH_OUT/dev"
cat /sys/module/hmm_bench/version >"$HMMBENCH_OUT/version" 2>/dev/null
mkdir -p "$HMMBENCH_OUT/sub"
echo payload >"$HMMBENCH_OUT/sub/file.txt"
exit 3
EOF

for k in $kernels; do
	o=$tmp/run-$k
	vm "$k" "$o" "${modopt[@]}" --include "$tmp/check.sh:/work/check.sh" -- sh check.sh
	# shellcheck source=/dev/null
	release=$(. "$o/vm.env" 2>/dev/null && echo "${HMMBENCH_VM_RELEASE:-}")
	# shellcheck source=/dev/null
	accel=$(. "$o/vm.env" 2>/dev/null && echo "${HMMBENCH_VM_ACCEL:-}")
	echo "# $k: $(grep -o 'done in .*' "$log" || echo 'no end line')"
	check "$k: the command's exit status comes back (3)" test "$rc" = 3
	check "$k: the command's stdout comes back" grep -q "^hello from $release\$" "$o.stdout"
	check "$k: the guest ran kernel $release" test "$(first "$o/release")" = "$release"
	check "$k: a file written under \$HMMBENCH_OUT comes back" test "$(first "$o/sub/file.txt")" = payload
	check "$k: vm.env names the accelerator the guest saw ($accel)" \
		test -n "$accel" -a "$(first "$o/accel")" = "$accel"
	check "$k: two NUMA nodes in the guest" test "$(first "$o/nodes")" = 2
	if [[ $module == 1 ]]; then
		check "$k: hmm_bench is loaded (/dev/hmm_bench exists)" test "$(first "$o/dev")" = yes
		want=$(modinfo -F version "$repo/build/kmod/$release/hmm_bench.ko" 2>/dev/null || true)
		if [[ -n $want ]]; then
			check "$k: /sys/module/hmm_bench/version is $want" test "$(first "$o/version")" = "$want"
		else
			skip "$k: /sys/module/hmm_bench/version" "the module declares no MODULE_VERSION"
		fi
	else
		skip "$k: hmm_bench is loaded" "kmod/ has no module yet"
		skip "$k: /sys/module/hmm_bench/version" "kmod/ has no module yet"
	fi
done

k=${kernels%% *}
o=$tmp/crash
vm "$k" "$o" --no-module -- sh -c 'echo c >/proc/sysrq-trigger; sleep 600'
check "$k: a kernel crash exits 123" test "$rc" = 123
check "$k: the crash is named on stderr" grep -q 'the kernel logged a problem: .*sysrq' "$log"
check "$k: the console log of the crash is kept" grep -q 'sysrq triggered crash' "$o/console.log"

o=$tmp/timeout
vm "$k" "$o" --no-module --timeout 8 -- sleep 600
check "$k: a timeout exits 124" test "$rc" = 124
check "$k: the timeout is named on stderr" grep -q '^vm-run: timeout' "$log"
check "$k: the console log of the timeout is kept" test -s "$o/console.log"

tap_done
