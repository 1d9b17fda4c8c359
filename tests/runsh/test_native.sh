#!/bin/bash
# The native path of ./run.sh without a kernel that takes modules, and
# without VMs: run.sh is sourced and its main() run against a fake machine
# (sysroot= a fake /proc, /sys, /boot, /lib/modules) with fake id, uname,
# insmod, rmmod, modinfo, make, apt-get, apt-cache, systemd-detect-virt,
# hmmbench and vm-run on PATH, each recording its calls. Checks that the
# module run.sh loads is unloaded on success, on error, on Ctrl-C and on
# SIGTERM, that a module loaded before is used and left alone (or refused
# when it speaks another ABI), that each reason the kernel cannot take the
# module gives its one line, that temporary folders go on every way out,
# and the exit statuses (hmmbench's, 130, 143). Then the virtualization
# fact of harness/measure/sysrecord.c on fake /proc and /sys trees. TAP on stdout.
# shellcheck disable=SC2016 # the fakes' bodies expand when they run
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_native.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fakebin=$tmp/bin
mkdir -p "$fakebin"
export FAKE_CALLS=$tmp/calls FAKE_REL=9.9.9-fake FAKE_UID=0
export FAKE_TREE_KO=$tmp/kmod/hmm_bench.ko
mkdir -p "$tmp/kmod" && : > "$FAKE_TREE_KO"

# --- the fake programs ---------------------------------------------------
stub() {	# stub NAME BODY: a bash script on the fake PATH
	printf '#!/bin/bash\n%s\n' "$2" > "$fakebin/$1"
	chmod +x "$fakebin/$1"
}
stub id '[[ ${1:-} == -u ]] && { echo "$FAKE_UID"; exit 0; }; exec /usr/bin/id "$@"'
stub uname '[[ ${1:-} == -r ]] && { echo "$FAKE_REL"; exit 0; }; exec /bin/uname "$@"'
stub hostname 'echo fakehost'
stub make 'echo "make $*" >> "$FAKE_CALLS"; exit "${FAKE_MAKE_RC:-0}"'
stub insmod '
echo "insmod $*" >> "$FAKE_CALLS"
[[ ${FAKE_INSMOD_RC:-0} -eq 0 ]] || { echo "insmod: ERROR: could not insert module $1: Key was rejected by service" >&2; exit 1; }
echo "hmm_bench 24576 0 - Live 0x0000000000000000 (OE)" >> "$FAKE_ROOT/proc/modules"
mkdir -p "$FAKE_ROOT/sys/module/hmm_bench"
echo 0.1.0 > "$FAKE_ROOT/sys/module/hmm_bench/version"'
stub rmmod '
echo "rmmod $*" >> "$FAKE_CALLS"
sed -i "/^hmm_bench /d" "$FAKE_ROOT/proc/modules"
rm -rf "$FAKE_ROOT/sys/module/hmm_bench"'
# modinfo [-F FIELD] FILE|NAME, from $FAKE_MODINFO_<FIELD>_<file|installed>
stub modinfo '
field="" n=0
while [[ $# -gt 0 ]]; do
	case $1 in -F) field=$2; shift 2 ;; -n) n=1; shift ;; *) what=$1; shift ;; esac
done
if [[ $n -eq 1 ]]; then
	[[ -n ${FAKE_INSTALLED_KO:-} ]] || { echo "modinfo: ERROR: Module $what not found." >&2; exit 1; }
	echo "$FAKE_INSTALLED_KO"; exit 0
fi
case $what in
"$FAKE_TREE_KO") src=tree ;;
"${FAKE_INSTALLED_KO:-/nonexistent}") src=installed ;;
*) exit 1 ;;
esac
var=FAKE_MODINFO_${field}_$src
echo "${!var:-}"'
stub apt-cache '
echo "apt-cache $*" >> "$FAKE_CALLS"
[[ $1 == show ]] || exit 0
[[ " ${FAKE_APT_KNOWN:-} " == *" $2 "* ]] && exit 0
[[ -e $FAKE_ROOT/apt-updated && " ${FAKE_APT_KNOWN_AFTER_UPDATE:-} " == *" $2 "* ]] && exit 0
echo "E: No packages found" >&2; exit 100'
stub apt-get '
echo "apt-get $*" >> "$FAKE_CALLS"
case $1 in
update) touch "$FAKE_ROOT/apt-updated" ;;
install)
	[[ -e $FAKE_ROOT/apt-updated || -z ${FAKE_APT_INSTALL_NEEDS_UPDATE:-} ]] || { echo "E: Unable to locate package" >&2; exit 100; }
	mkdir -p "$FAKE_ROOT/lib/modules/$FAKE_REL/build" ;;
esac'
stub systemd-detect-virt 'echo none; exit 1'
# hmmbench: FAKE_HM=ok (a complete result folder), fail (status 3), sleep
# (until a signal; exits 128+N as hmmbench does), nofolder (status 0, no
# folder).
stub hmmbench '
echo "hmmbench $*" >> "$FAKE_CALLS"
grep -q "^hmm_bench " "$FAKE_ROOT/proc/modules" 2>/dev/null &&
	echo "hmmbench saw hmm_bench loaded" >> "$FAKE_CALLS"
if [[ " $* " == *" --list "* ]]; then
	case ${FAKE_LIST:-ok} in
	nocase)	# the limits of this host leave nothing of the plan
		echo "hmmbench: one NUMA node: running local placement only (remote cases are listed as skipped)" >&2
		echo "hmmbench: no case left to run: every case was filtered out or skipped (see --list)" >&2
		exit 1 ;;
	bad) echo "hmmbench: unknown option '"'"'--frob'"'"'" >&2; exit 2 ;;
	esac
	exit 0
fi
out="" resume="" result=/dev/null
while [[ $# -gt 0 ]]; do
	[[ $1 == --out ]] && out=$2
	[[ $1 == --resume ]] && resume=$2
	[[ $1 == --result-file ]] && result=$2
	shift
done
case ${FAKE_HM:-ok} in
ok)
	run=$out/fakehost/$FAKE_REL/20260101-000000
	[[ -z $resume ]] || run=$(dirname "$resume")/20260101-000000
	mkdir -p "$run"; touch "$run/COMPLETE"
	echo "$run" > "$result"
	echo "Results: $run" ;;
fail) echo "hmmbench: it went wrong" >&2; exit 3 ;;
nofolder) exit 0 ;;
sleep)
	trap "echo hmmbench got INT >> \"\$FAKE_CALLS\"; exit 130" INT
	trap "echo hmmbench got TERM >> \"\$FAKE_CALLS\"; exit 143" TERM
	touch "$FAKE_ROOT/started"
	for ((i = 0; i < 300; i++)); do sleep 0.1; done
	echo "hmmbench was not stopped" >> "$FAKE_CALLS" ;;
esac'
stub report 'exit 0'
# vm-run: like the real one, INT exits 130 and TERM 143 (its traps);
# FAKE_VM=ok brings back one complete result folder, sleep waits.
stub vm-run '
echo "vm-run $*" >> "$FAKE_CALLS"
trap "echo vm-run got INT >> \"\$FAKE_CALLS\"; exit 130" INT
trap "echo vm-run got TERM >> \"\$FAKE_CALLS\"; exit 143" TERM
out="" kernel=""
while [[ $# -gt 0 ]]; do
	case $1 in
	--out) out=$2 ;;
	--kernel) kernel=$2 ;;
	--print-accel) echo "${FAKE_ACCEL:-kvm}"; exit 0 ;;
	--) break ;;
	esac
	shift
done
[[ -d $out ]] || { echo "vm-run: no --out folder" >&2; exit 120; }
rel=$kernel
[[ $rel == *-fake ]] || rel=$kernel.0-fake
echo "HMMBENCH_VM_RESULT=ok" > "$out/vm.env"
echo "HMMBENCH_VM_RELEASE='"'"'$rel'"'"'" >> "$out/vm.env"
echo "console of $rel" > "$out/console.log"
case ${FAKE_VM:-ok} in
ok)
	run=$out/results/hmmbench-vm/$rel/20260101-000000
	for p in "$out"/results/hmmbench-vm/"$rel"/.*.partial; do
		[[ -d $p ]] && mv "$p" "$run"
	done
	mkdir -p "$run/system"; touch "$run/COMPLETE" ;;
partial)
	mkdir -p "$out/results/hmmbench-vm/$rel/.20260101-000000.partial/cases"
	echo "HMMBENCH_VM_REASON='"'"'the kernel logged a problem: Oops'"'"'" >> "$out/vm.env"
	exit 123 ;;
crash)
	echo "HMMBENCH_VM_REASON='"'"'the guest never reported its end'"'"'" >> "$out/vm.env"
	exit 125 ;;
sleep)
	touch "$FAKE_ROOT/started"
	for ((i = 0; i < 300; i++)); do sleep 0.1; done
	echo "vm-run was not stopped" >> "$FAKE_CALLS" ;;
esac'

# --- the fake machine -----------------------------------------------------
# A root that can take the module: /proc/modules, headers, HMM_MIRROR=y.
fresh_machine() {
	export FAKE_ROOT=$tmp/root
	rm -rf "$FAKE_ROOT" "$tmp/out" "$tmp/t"
	mkdir -p "$FAKE_ROOT/proc/sys/kernel" "$FAKE_ROOT/boot" \
		"$FAKE_ROOT/lib/modules/$FAKE_REL/build" \
		"$FAKE_ROOT/sys/module/module/parameters" \
		"$FAKE_ROOT/sys/kernel/security" "$tmp/t"
	: > "$FAKE_ROOT/proc/modules"
	echo 0 > "$FAKE_ROOT/proc/sys/kernel/modules_disabled"
	echo N > "$FAKE_ROOT/sys/module/module/parameters/sig_enforce"
	echo "[none] integrity confidentiality" > "$FAKE_ROOT/sys/kernel/security/lockdown"
	printf 'CONFIG_MODULES=y\nCONFIG_HMM_MIRROR=y\n' > "$FAKE_ROOT/boot/config-$FAKE_REL"
	: > "$FAKE_CALLS"
	unset FAKE_HM FAKE_VM FAKE_MAKE_RC FAKE_INSMOD_RC FAKE_INSTALLED_KO \
		FAKE_MODINFO_srcversion_tree FAKE_MODINFO_abi_tree \
		FAKE_MODINFO_srcversion_installed FAKE_MODINFO_abi_installed \
		FAKE_MODINFO_signer_tree FAKE_APT_KNOWN FAKE_APT_KNOWN_AFTER_UPDATE \
		FAKE_APT_INSTALL_NEEDS_UPDATE FAKE_ACCEL FAKE_LIST
	export FAKE_UID=0
}

# A module loaded before run.sh started, with sysfs files.
preload() {	# preload VERSION SRCVERSION
	echo "hmm_bench 24576 0 - Live 0x0000000000000000 (OE)" >> "$FAKE_ROOT/proc/modules"
	mkdir -p "$FAKE_ROOT/sys/module/hmm_bench"
	echo "$1" > "$FAKE_ROOT/sys/module/hmm_bench/version"
	echo "$2" > "$FAKE_ROOT/sys/module/hmm_bench/srcversion"
}

# The script that sources run.sh and runs one of its functions (main by
# default) against the fakes; TMPDIR is $tmp/t, to see what is left there.
cat > "$tmp/drive.sh" <<'EOF'
. ./run.sh
sysroot=$FAKE_ROOT
hmmbench_bin=$FAKE_BIN/hmmbench
report_bin=$FAKE_BIN/report
vm_run=$FAKE_BIN/vm-run
module_ko=$FAKE_TREE_KO
build_userspace() { :; }	# make and deps.sh: not here
deps() { :; }
check_native_plan() { :; }	# its hmmbench --list: not here
"$@"
EOF
export FAKE_BIN=$fakebin

# drive FUNC ARGS...: run it, status in $rc, stdout in $tmp/o, stderr in $tmp/e
drive() {
	PATH=$fakebin:$PATH TMPDIR=$tmp/t bash "$tmp/drive.sh" "$@" > "$tmp/o" 2> "$tmp/e"
	rc=$?
}

# drive_bg FUNC ARGS...: the same in the background, as its own process
# group (so that kill -INT -- -$pid is a terminal's Ctrl-C), with the
# signal dispositions of a foreground command (env --default-signal: a
# command run in the background, or under a parent that was, starts with
# SIGINT ignored, and a shell cannot undo that with trap); waits until the
# fake hmmbench or vm-run has started. The pid in $pid.
drive_bg() {
	(
		exec env --default-signal=INT,QUIT PATH="$fakebin:$PATH" \
			TMPDIR="$tmp/t" setsid \
			bash "$tmp/drive.sh" "$@" > "$tmp/o" 2> "$tmp/e"
	) &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		[[ -e $FAKE_ROOT/started ]] && return 0
		sleep 0.1
	done
	return 1
}

# finish_bg: wait for it (at most 10 s); status in $rc, seconds in $took.
finish_bg() {
	local start=$SECONDS
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2> /dev/null && kill -KILL -- -"$pid"
	wait "$pid"
	rc=$?
	took=$((SECONDS - start))
}

called() { grep -qx -- "$1" "$FAKE_CALLS"; }
count_calls() { grep -c -- "^$1 " "$FAKE_CALLS"; }
loaded_now() { grep -q '^hmm_bench ' "$FAKE_ROOT/proc/modules"; }
no_temp_left() { [[ -z $(ls -A "$tmp/t") ]]; }
show() {	# the evidence of a failed check, as TAP comments
	sed 's/^/# calls: /' "$FAKE_CALLS"
	sed 's/^/# stderr: /' "$tmp/e" | tail -n 8
	return 0
}
tap_diag() { show; }

# --- 1: the module run.sh loads goes on every way out ----------------------
fresh_machine
drive main --no-vm --out "$tmp/out" --profile quick
check "success: exit status 0 (hmmbench's)" test "$rc" -eq 0
check "success: no shell error in the traps" \
	bash -c "! grep -q 'unbound variable\|command not found' '$tmp/e'"
check "success: build, insmod, hmmbench with the module loaded, rmmod, in that order" \
	test "$(grep -v '^apt' "$FAKE_CALLS" | sed 's/ .*//' | tr '\n' ' ')" == "make insmod hmmbench hmmbench rmmod "
check "success: hmmbench ran while hmm_bench was loaded" called "hmmbench saw hmm_bench loaded"
check "success: hmm_bench is unloaded afterwards" bash -c "! grep -q '^hmm_bench ' '$FAKE_ROOT/proc/modules'"
check "success: run.sh prints where the results are" grep -q "^Results: $tmp/out/fakehost/" "$tmp/o"
check "success: no temporary file is left" no_temp_left

fresh_machine
partial=$tmp/out/fakehost/$FAKE_REL/.20260101-000000.partial
mkdir -p "$partial"
drive main --no-vm --resume "$partial"
check "--resume: hmmbench gets --resume DIR and the result file alone (no --list, --out or profile)" \
	bash -c "grep '^hmmbench -' '$FAKE_CALLS' | grep -qx 'hmmbench --resume $partial --result-file [^ ]*'"
check "--resume: with the module loaded, unloaded after, status 0" \
	bash -c "[[ $rc -eq 0 ]] && grep -qx 'hmmbench saw hmm_bench loaded' '$FAKE_CALLS' && grep -qx 'rmmod hmm_bench' '$FAKE_CALLS'"
fresh_machine
drive main --no-vm --resume "$partial" --sizes 4K
check "--resume with a hmmbench option: refused before the module (exit 1)" \
	bash -c "[[ $rc -eq 1 ]] && grep -q 'the run goes on with the options it started with' '$tmp/e' && ! grep -q 'insmod\|hmmbench' '$FAKE_CALLS'"
fresh_machine
drive main --resume "$partial" --kernel 6.12
check "--resume with --kernel: refused (exit 1), the kernel is the run's" \
	bash -c "[[ $rc -eq 1 ]] && grep -q 'resume boots the kernel the run started on.*give no --kernel' '$tmp/e'"

fresh_machine
export FAKE_HM=fail
drive main --no-vm --out "$tmp/out"
check "hmmbench fails: run.sh exits with its status (3, got $rc)" test "$rc" -eq 3
check "hmmbench fails: the module is unloaded" called "rmmod hmm_bench"
check "hmmbench fails: no temporary file is left" no_temp_left

fresh_machine
export FAKE_HM=nofolder
drive main --no-vm --out "$tmp/out"
check "no result folder: non-zero exit, module unloaded" \
	bash -c "[[ $rc -eq 1 ]] && grep -qx 'rmmod hmm_bench' '$FAKE_CALLS' && grep -q 'no complete result folder' '$tmp/e'"

fresh_machine
export FAKE_MAKE_RC=2
drive main --no-vm --out "$tmp/out"
check "the module does not build: run.sh stops, loads and unloads nothing" \
	bash -c "[[ $rc -ne 0 ]] && ! grep -q 'insmod\|rmmod\|hmmbench' '$FAKE_CALLS'"

fresh_machine
export FAKE_INSMOD_RC=1
drive main --no-vm --out "$tmp/out"
check "insmod fails: one line, exit 1, no rmmod, no hmmbench" \
	bash -c "[[ $rc -eq 1 ]] && grep -q 'insmod .*/hmm_bench.ko failed' '$tmp/e' && ! grep -q 'rmmod\|^hmmbench' '$FAKE_CALLS'"

fresh_machine
export FAKE_HM=sleep
if drive_bg main --no-vm --out "$tmp/out"; then
	kill -INT -- -"$pid"
	finish_bg
	check "Ctrl-C: exit status 130 (got $rc)" test "$rc" -eq 130
	check "Ctrl-C: hmmbench got the SIGINT" called "hmmbench got INT"
	check "Ctrl-C: the module is unloaded" called "rmmod hmm_bench"
	check "Ctrl-C: no temporary file is left" no_temp_left
else
	tap 1 "Ctrl-C: the fake hmmbench never started"
fi

fresh_machine
export FAKE_HM=sleep
if drive_bg main --no-vm --out "$tmp/out"; then
	kill -TERM "$pid"
	finish_bg
	check "SIGTERM to run.sh alone: exit status 143 (got $rc)" test "$rc" -eq 143
	check "SIGTERM to run.sh alone: passed on to hmmbench, within seconds (${took}s)" \
		bash -c "grep -qx 'hmmbench got TERM' '$FAKE_CALLS' && [[ $took -le 6 ]]"
	check "SIGTERM: the module is unloaded after hmmbench stopped" \
		bash -c "grep -A1 -x 'hmmbench got TERM' '$FAKE_CALLS' | grep -qx 'rmmod hmm_bench'"
else
	tap 1 "SIGTERM: the fake hmmbench never started"
fi

# --- 2: a module loaded before run.sh is used or refused, never unloaded --
fresh_machine
preload 0.1.0 ABCDEF
export FAKE_MODINFO_srcversion_tree=ABCDEF FAKE_MODINFO_abi_tree=1
drive main --no-vm --out "$tmp/out"
check "loaded before, same ABI: used (exit 0), not rebuilt, not reloaded" \
	bash -c "[[ $rc -eq 0 ]] && ! grep -q '^make\|^insmod' '$FAKE_CALLS' && grep -qx 'hmmbench saw hmm_bench loaded' '$FAKE_CALLS'"
check "loaded before, same ABI: left loaded (no rmmod)" \
	bash -c "! grep -q rmmod '$FAKE_CALLS' && grep -q '^hmm_bench ' '$FAKE_ROOT/proc/modules'"
check "loaded before: run.sh says it uses it and leaves it loaded" \
	grep -q 'hmm_bench 0.1.0 .*is loaded already, not by run.sh: using it.*leaving it loaded' "$tmp/e"

fresh_machine
preload 0.0.9 OTHER
export FAKE_INSTALLED_KO=$tmp/installed/hmm_bench.ko
mkdir -p "$tmp/installed" && : > "$FAKE_INSTALLED_KO"
export FAKE_MODINFO_srcversion_installed=OTHER FAKE_MODINFO_abi_installed=7
drive main --no-vm --out "$tmp/out"
check "loaded before, other ABI: stops with exit 1 before hmmbench" \
	bash -c "[[ $rc -eq 1 ]] && ! grep -q '^hmmbench\|^insmod\|^make' '$FAKE_CALLS'"
check "loaded before, other ABI: never unloaded" \
	bash -c "! grep -q rmmod '$FAKE_CALLS' && grep -q '^hmm_bench ' '$FAKE_ROOT/proc/modules'"
check "loaded before, other ABI: says which module and how to fix it" \
	grep -q 'hmm_bench 0.0.9 (ABI 7) is loaded already, not by run.sh, and this tree speaks ABI 1: .*rmmod hmm_bench' "$tmp/e"

fresh_machine
preload 0.1.0 UNKNOWN
export FAKE_HM=fail
drive main --no-vm --out "$tmp/out"
check "loaded before, ABI unknown: hmmbench decides; its status (3) and no rmmod" \
	bash -c "[[ $rc -eq 3 ]] && ! grep -q rmmod '$FAKE_CALLS' && grep -q 'hmmbench checks' '$tmp/e'"

fresh_machine
preload 0.1.0 ABCDEF
export FAKE_HM=sleep
if drive_bg main --no-vm --out "$tmp/out"; then
	kill -INT -- -"$pid"
	finish_bg
	check "loaded before, Ctrl-C: exit 130 and the module stays loaded" \
		bash -c "[[ $rc -eq 130 ]] && ! grep -q rmmod '$FAKE_CALLS' && grep -q '^hmm_bench ' '$FAKE_ROOT/proc/modules'"
else
	tap 1 "loaded before, Ctrl-C: the fake hmmbench never started"
fi

# --- 3: why the kernel cannot take the module, one line each ---------------
blocker_is() {	# blocker_is DESCRIPTION EXPECTED-REGEX
	drive native_blocker
	local got
	got=$(cat "$tmp/o")
	if [[ $(wc -l < "$tmp/o") -eq 1 && $got =~ $2 ]]; then
		tap 0 "$1"
	else
		tap 1 "$1"
		echo "# got: '$got'"
	fi
}
fresh_machine
drive native_blocker
check "a machine that can take the module: no reason" test ! -s "$tmp/o"

fresh_machine
export FAKE_UID=1000
blocker_is "not root" '^not root: .*run sudo \./run\.sh$'

# A container: PID 2 is not kthreadd (not the host's PID namespace).
host_pids() {	# host_pids COMM-OF-PID-2
	mkdir -p "$FAKE_ROOT/proc/1" "$FAKE_ROOT/proc/2"
	echo init > "$FAKE_ROOT/proc/1/comm"
	echo "$1" > "$FAKE_ROOT/proc/2/comm"
}
fresh_machine
host_pids kthreadd
touch "$FAKE_ROOT/.dockerenv"
drive native_blocker
check "/.dockerenv on the host's PID namespace (an image built with docker, booted): no reason" \
	test ! -s "$tmp/o"
fresh_machine
host_pids sh
touch "$FAKE_ROOT/.dockerenv"
blocker_is "a container (PID 2 is not kthreadd; /.dockerenv names docker)" "^this is a container \(docker; PID 2 is not kthreadd, .*\): .*run \./run\.sh on the host$"
fresh_machine
host_pids sh
printf 'PATH=/bin\0container=lxc\0' > "$FAKE_ROOT/proc/1/environ"
blocker_is "a container (container= in /proc/1/environ)" '^this is a container \(lxc; '

fresh_machine
echo "console=ttyS0 quiet nomodule random.trust_cpu=1" > "$FAKE_ROOT/proc/cmdline"
blocker_is "booted with nomodule" "^kernel $FAKE_REL was booted with nomodule \(see /proc/cmdline\): it loads no modules; boot it without nomodule$"
rm "$FAKE_ROOT/proc/modules"
blocker_is "booted with nomodule, no /proc/modules either: both said" "^kernel $FAKE_REL was booted with nomodule \(see /proc/cmdline\) and has no module support \(no /proc/modules\): "
fresh_machine
echo "console=ttyS0 nomodules=1" > "$FAKE_ROOT/proc/cmdline"
drive native_blocker
check "a word that only contains nomodule is not nomodule: no reason" test ! -s "$tmp/o"

fresh_machine
mkdir -p "$FAKE_ROOT/proc/self"
printf 'Name:\tbash\nCapEff:\t000001fffffeffff\n' > "$FAKE_ROOT/proc/self/status"
blocker_is "no CAP_SYS_MODULE" '^this process has no CAP_SYS_MODULE \(CapEff in /proc/self/status\)'
printf 'Name:\tbash\nCapEff:\t000001ffffffffff\n' > "$FAKE_ROOT/proc/self/status"
drive native_blocker
check "CAP_SYS_MODULE held: no reason" test ! -s "$tmp/o"

fresh_machine
rm "$FAKE_ROOT/proc/modules"
blocker_is "no module support (no /proc/modules)" "^kernel $FAKE_REL has no module support \(no /proc/modules: CONFIG_MODULES is off\); boot a kernel built with CONFIG_MODULES=y$"

fresh_machine
echo 1 > "$FAKE_ROOT/proc/sys/kernel/modules_disabled"
blocker_is "modules disabled" '^module loading is disabled \(kernel\.modules_disabled=1\) until the next boot; '

fresh_machine
echo "none [integrity] confidentiality" > "$FAKE_ROOT/sys/kernel/security/lockdown"
blocker_is "lockdown" '^the kernel is locked down \(integrity; Secure Boot\?\): .*sign kmod/hmm_bench\.ko'
export FAKE_MODINFO_signer_tree="MOK key"
drive native_blocker
check "lockdown, but this tree's module is signed: no reason (insmod decides)" test ! -s "$tmp/o"

fresh_machine
rm "$FAKE_ROOT/sys/module/module/parameters/sig_enforce"
echo "root=/dev/sda1 module.sig_enforce=1" > "$FAKE_ROOT/proc/cmdline"
blocker_is "module.sig_enforce=1 on the command line" "^kernel $FAKE_REL enforces module signatures \(module\.sig_enforce=1\): "

fresh_machine
echo Y > "$FAKE_ROOT/sys/module/module/parameters/sig_enforce"
blocker_is "module signatures enforced (module.sig_enforce)" "^kernel $FAKE_REL enforces module signatures \(module\.sig_enforce=1\): .*boot without module\.sig_enforce=1$"
echo CONFIG_MODULE_SIG_FORCE=y >> "$FAKE_ROOT/boot/config-$FAKE_REL"
blocker_is "module signatures enforced (CONFIG_MODULE_SIG_FORCE)" '\(CONFIG_MODULE_SIG_FORCE=y\): .*sign kmod/hmm_bench\.ko with a key this kernel trusts \(see README\)$'

hmm_blocked='^kernel [^ ]+ has no CONFIG_HMM_MIRROR \('
fresh_machine
echo '# CONFIG_HMM_MIRROR is not set' > "$FAKE_ROOT/boot/config-$FAKE_REL"
blocker_is "no CONFIG_HMM_MIRROR, from /boot/config-REL" "${hmm_blocked}/boot/config-$FAKE_REL\): hmm_range_fault\(\) is not built in; "
fresh_machine
rm "$FAKE_ROOT/boot/config-$FAKE_REL"
printf 'CONFIG_MODULES=y\n' | gzip > "$FAKE_ROOT/proc/config.gz"
blocker_is "no CONFIG_HMM_MIRROR, from /proc/config.gz" "${hmm_blocked}/proc/config\.gz\)"
printf 'CONFIG_HMM_MIRROR=y\n' | gzip > "$FAKE_ROOT/proc/config.gz"
drive native_blocker
check "CONFIG_HMM_MIRROR=y in /proc/config.gz: no reason" test ! -s "$tmp/o"
fresh_machine
rm "$FAKE_ROOT/boot/config-$FAKE_REL"
echo 'CONFIG_MMU_NOTIFIER=y' > "$FAKE_ROOT/lib/modules/$FAKE_REL/build/.config"
blocker_is "no CONFIG_HMM_MIRROR, from the headers' .config" "${hmm_blocked}/lib/modules/$FAKE_REL/build/\.config\)"
rm "$FAKE_ROOT/lib/modules/$FAKE_REL/build/.config"
mkdir -p "$FAKE_ROOT/lib/modules/$FAKE_REL/build/include/config"
echo 'CONFIG_MMU_NOTIFIER=y' > "$FAKE_ROOT/lib/modules/$FAKE_REL/build/include/config/auto.conf"
blocker_is "no CONFIG_HMM_MIRROR, from the headers' auto.conf" "${hmm_blocked}/lib/modules/$FAKE_REL/build/include/config/auto\.conf\)"
rm -r "$FAKE_ROOT/lib/modules/$FAKE_REL/build/include"
drive native_blocker
check "no kernel config anywhere: no reason (the build will tell)" test ! -s "$tmp/o"

fresh_machine
rm -r "$FAKE_ROOT/lib/modules/$FAKE_REL/build"
blocker_is "no headers, apt has none even after apt-get update" "^no headers for kernel $FAKE_REL .*apt has no linux-headers-$FAKE_REL; "
check "no headers: apt-get update was run once" test "$(count_calls 'apt-get update')" -eq 1
fresh_machine
rm -r "$FAKE_ROOT/lib/modules/$FAKE_REL/build"
export FAKE_APT_KNOWN_AFTER_UPDATE=linux-headers-$FAKE_REL
drive native_blocker
check "no headers, apt knows them after apt-get update: no reason" \
	bash -c "[[ ! -s '$tmp/o' ]] && grep -q '^apt-get update -q' '$FAKE_CALLS'"

fresh_machine
rm -r "$FAKE_ROOT/lib/modules/$FAKE_REL/build"
export FAKE_APT_KNOWN=linux-headers-$FAKE_REL FAKE_APT_INSTALL_NEEDS_UPDATE=1
drive main --no-vm --out "$tmp/out"
check "headers install fails, apt-get update, retried once, then the run" \
	test "$(grep '^apt-get\|^insmod' "$FAKE_CALLS" | sed 's/ -[^ ]*//g; s/ DPkg::[^ ]*//g' | tr '\n' '|')" == \
	"apt-get install linux-headers-$FAKE_REL|apt-get update|apt-get install linux-headers-$FAKE_REL|insmod $FAKE_TREE_KO|"

fresh_machine
echo 1 > "$FAKE_ROOT/proc/sys/kernel/modules_disabled"
drive main --no-vm --out "$tmp/out"
check "--no-vm with a reason: exit 1, the reason in one line, no VM" \
	bash -c "[[ $rc -eq 1 ]] && grep -q '^run.sh: cannot run natively: module loading is disabled' '$tmp/e' && grep -q -- '--no-vm given' '$tmp/e' && ! grep -q '^vm-run\|^insmod' '$FAKE_CALLS'"
drive main --out "$tmp/out"
check "a reason without --no-vm, KVM: the standard profile in a VM on 6.12" \
	bash -c "[[ $rc -eq 0 ]] && grep -q '^vm-run --kernel 6.12 .* -- /work/guest-hmmbench.sh --profile standard' '$FAKE_CALLS' && ! grep -q '^insmod' '$FAKE_CALLS'"
fresh_machine
echo 1 > "$FAKE_ROOT/proc/sys/kernel/modules_disabled"
export FAKE_ACCEL=tcg
drive main --out "$tmp/out"
check "the fallback under TCG: the quick profile, said in one line" \
	bash -c "[[ $rc -eq 0 ]] && grep -q '^vm-run --kernel 6.12 .* -- /work/guest-hmmbench.sh --profile quick' '$FAKE_CALLS' && [[ \$(grep -c 'runs the quick profile' '$tmp/e') -eq 1 ]]"
drive main --out "$tmp/out" --profile standard --sizes 4K
check "the fallback under TCG with --profile standard: the profile given" \
	bash -c "grep -q '^vm-run --kernel 6.12 .* -- /work/guest-hmmbench.sh --profile standard --sizes 4K' '$FAKE_CALLS' && ! grep -q 'runs the quick profile' '$tmp/e'"
drive main --kernel 6.1 --out "$tmp/out"
check "--kernel under TCG: the quick profile too" \
	grep -q '^vm-run --kernel 6.1 .* -- /work/guest-hmmbench.sh --profile quick' "$FAKE_CALLS"
unset FAKE_ACCEL

# --- 4: VM mode cleans its temporary folders, exits 130 / 143 -------------
fresh_machine
drive main --kernel 6.1 --out "$tmp/out" --profile quick
check "VM run: exit 0, the result folder under <host>-vm, no temporary folder left" \
	bash -c "[[ $rc -eq 0 ]] && [[ -f '$tmp/out/fakehost-vm/6.1.0-fake/20260101-000000/COMPLETE' ]] && [[ -z \$(ls -A '$tmp/t') ]]"

# A VM plans with the guest's limits: the host checks only the arguments.
fresh_machine
export FAKE_LIST=nocase
drive main --kernel 6.1 --out "$tmp/out" --states hugetlb --sizes 32M
check "VM run: a plan this host cannot run still goes to the guest" \
	bash -c "[[ $rc -eq 0 ]] && grep -q '^vm-run --kernel 6.1 .* -- /work/guest-hmmbench.sh --profile [a-z]* --states hugetlb --sizes 32M$' '$FAKE_CALLS'"
check "VM run: no message about this host's topology or plan" \
	bash -c "! grep -q 'NUMA node\|no case left' '$tmp/e'"
export FAKE_LIST=bad
: > "$FAKE_CALLS"
drive main --kernel 6.1 --out "$tmp/out" --frob
check "VM run with a bad option: stops with status 2 and hmmbench's words, no VM" \
	bash -c "[[ $rc -eq 2 ]] && grep -q \"unknown option '--frob'\" '$tmp/e' && ! grep -q '^vm-run --kernel .* --out' '$FAKE_CALLS'"
unset FAKE_LIST
fresh_machine
drive main --kernel 6.1 --out "$tmp/out" --profile quick
check "VM run: its console log and vm.env are kept in the run's system/" \
	bash -c "grep -q 'console of 6.1.0-fake' '$tmp/out/fakehost-vm/6.1.0-fake/20260101-000000/system/console.log' && [[ -f '$tmp/out/fakehost-vm/6.1.0-fake/20260101-000000/system/vm.env' ]]"
check "VM run: no working folder is left under results/" \
	bash -c "[[ -z \$(find '$tmp/out' -name '.vm-*') ]]"

# A VM run that ends early keeps its partial folder and says how to go on.
fresh_machine
export FAKE_VM=partial
drive main --kernel 6.1 --out "$tmp/out" --profile quick
p=$tmp/out/fakehost-vm/6.1.0-fake/.20260101-000000.partial
check "VM run ends early: non-zero exit, the partial folder under results/<host>-vm/<release>/" \
	bash -c "[[ $rc -ne 0 && -d '$p/cases' ]]"
check "VM run ends early: its console log is kept with it" grep -q 'console of' "$p/system/console.log"
check "VM run ends early: no working folder is left under results/" \
	bash -c "[[ -z \$(find '$tmp/out' -name '.vm-*') ]]"
check "VM run ends early: says where, why, and ./run.sh --resume DIR" \
	bash -c "grep -q 'ended early (the kernel logged a problem: Oops); what it finished is kept in $p' '$tmp/e' && grep -q 'to run what is missing: ./run.sh --resume $p\$' '$tmp/e'"
export FAKE_VM=ok
: > "$FAKE_CALLS"
drive main --resume "$p"
check "--resume of a VM run: boots the run's kernel and resumes in the guest" \
	grep -q "^vm-run --kernel 6.1.0-fake .* -- /work/guest-hmmbench.sh --resume results/hmmbench-vm/6.1.0-fake/.20260101-000000.partial$" "$FAKE_CALLS"
check "--resume of a VM run: exit 0, the run complete where it was, the partial gone" \
	bash -c "[[ $rc -eq 0 && -f '$tmp/out/fakehost-vm/6.1.0-fake/20260101-000000/COMPLETE' && ! -e '$p' ]]"
check "--resume of a VM run: no native module handling" bash -c "! grep -q '^insmod\|^make' '$FAKE_CALLS'"

fresh_machine
export FAKE_VM=crash
drive main --kernel 6.1 --out "$tmp/out" --profile quick
f=$(find "$tmp/out" -maxdepth 2 -name 'failed-6.1-*' | head -1)
check "VM run dies before any result folder: its console log kept under results/, said where" \
	bash -c "[[ $rc -ne 0 && -n '$f' && -f '$f/console.log' ]] && grep -q 'before any result folder was written; its console log and output are in $f' '$tmp/e'"
check "VM run dies before any result folder: says the exact command to try again" \
	grep -q 'to try again: ./run.sh --kernel 6.1 --profile quick$' "$tmp/e"

fresh_machine
export FAKE_VM=sleep
if drive_bg main --kernel 6.1 --kernel 6.12 --out "$tmp/out"; then
	kill -INT -- -"$pid"
	finish_bg
	check "VM run, Ctrl-C: exit 130 (got $rc)" test "$rc" -eq 130
	check "VM run, Ctrl-C: no /tmp/hmmbench-vm.* left" no_temp_left
	check "VM run, Ctrl-C: the next kernel is not started" test "$(grep -c -- '^vm-run --kernel .* --out ' "$FAKE_CALLS")" -eq 1
else
	tap 1 "VM run, Ctrl-C: the fake vm-run never started"
fi

fresh_machine
export FAKE_VM=sleep
if drive_bg main --kernel 6.1 --out "$tmp/out"; then
	kill -TERM "$pid"
	finish_bg
	check "VM run, SIGTERM to run.sh alone: exit 143 (got $rc), vm-run stopped" \
		bash -c "[[ $rc -eq 143 ]] && grep -qx 'vm-run got TERM' '$FAKE_CALLS'"
	check "VM run, SIGTERM: no /tmp/hmmbench-vm.* left" no_temp_left
else
	tap 1 "VM run, SIGTERM: the fake vm-run never started"
fi

# --- 5: the virtualization fact (harness/measure/sysrecord.c) on fake trees -------
if make -s build/libmeasure.a > "$tmp/make.log" 2>&1; then
	cat > "$tmp/virt.c" <<'EOF'
#include <stdio.h>
#include "measure/sysrecord.h"
int main(int argc, char **argv)
{
	char what[64], how[512];

	hb_detect_virtualization(argc > 1 ? argv[1] : "", what, sizeof(what),
				 how, sizeof(how));
	printf("%s\n%s\n", what, how);
	return 0;
}
EOF
	# shellcheck disable=SC2046 # the library list is words
	if gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iharness -Ikmod/uapi \
		"$tmp/virt.c" build/libmeasure.a $(make -s print-MEASURE_LDLIBS) \
		-o "$tmp/virt" 2>> "$tmp/make.log"; then
		virt_is() {	# virt_is DESCRIPTION EXPECTED-NAME EVIDENCE-REGEX
			local got how
			got=$("$tmp/virt" "$tmp/vroot" | head -1)
			how=$("$tmp/virt" "$tmp/vroot" | tail -1)
			if [[ $got == "$2" && $how =~ $3 ]]; then
				tap 0 "$1"
			else
				tap 1 "$1"
				echo "# got '$got', '$how'"
			fi
		}
		vroot() {	# vroot [CPUINFO-FLAGS [VENDOR PRODUCT]]
			rm -rf "$tmp/vroot"
			mkdir -p "$tmp/vroot/proc" "$tmp/vroot/sys/class/dmi/id"
			printf 'processor\t: 0\nflags\t\t: %s\n' "${1:-fpu sse2}" > "$tmp/vroot/proc/cpuinfo"
			echo "${2:-Dell Inc.}" > "$tmp/vroot/sys/class/dmi/id/sys_vendor"
			echo "${3:-PowerEdge R750}" > "$tmp/vroot/sys/class/dmi/id/product_name"
		}
		vroot
		virt_is "bare metal: none, with what was checked" none '^nothing found; checked /proc/cpuinfo, /sys/hypervisor \(absent\), DMI$'
		vroot "fpu hypervisor sse2"
		virt_is "the cpuinfo hypervisor flag alone: unknown" unknown '/proc/cpuinfo: hypervisor flag'
		vroot "fpu hypervisor" QEMU "Standard PC (Q35 + ICH9, 2009)"
		virt_is "QEMU in DMI: qemu" qemu 'hypervisor flag; DMI: "QEMU"'
		vroot "fpu hypervisor" "Amazon EC2" "m5.large"
		virt_is "Amazon EC2: amazon" amazon 'DMI: "Amazon EC2" "m5.large"'
		vroot "fpu" "Amazon EC2" "m5.metal"
		virt_is "Amazon EC2 metal instance (no SMBIOS table): none" none '^nothing found'
		smbios() {	# smbios 0|1: a BIOS table (type 0, length 24) whose
			# extension byte 2 (offset 19) has the VM bit (4) clear or set
			local f=$tmp/vroot/sys/firmware/dmi/entries/0-0/raw
			mkdir -p "${f%/*}"
			{
				printf '\000\030'
				head -c 17 /dev/zero
				printf '%b' "\\0$(printf %o $(($1 << 4)))"
				head -c 4 /dev/zero
			} > "$f"
		}
		vroot "fpu" "Amazon EC2" "c7g.16xlarge"
		smbios 0
		virt_is "Amazon EC2 with the SMBIOS VM bit clear (metal): none" none '^nothing found'
		vroot "fpu" "Amazon EC2" "c7g.large"
		smbios 1
		virt_is "Amazon EC2 with the SMBIOS VM bit set: amazon" amazon 'DMI: "Amazon EC2" "c7g.large"; SMBIOS: virtual machine bit$'
		vroot
		smbios 1
		virt_is "the SMBIOS VM bit alone: unknown" unknown '^SMBIOS: virtual machine bit$'
		vroot "fpu hypervisor" "Microsoft Corporation" "Virtual Machine"
		virt_is "Hyper-V: microsoft" microsoft 'DMI: "Microsoft Corporation"'
		vroot "fpu" "Microsoft Corporation" "Surface Laptop 5"
		virt_is "a Surface laptop: none" none '^nothing found'
		vroot "fpu" "Google" "Google Compute Engine"
		virt_is "GCE by DMI alone (arm64 has no cpuinfo flag): google" google 'DMI: "Google"'
		vroot "fpu" "VMware, Inc." "VMware Virtual Platform"
		virt_is "VMware: vmware" vmware 'DMI: "VMware'
		vroot
		mkdir -p "$tmp/vroot/sys/hypervisor" && echo xen > "$tmp/vroot/sys/hypervisor/type"
		virt_is "/sys/hypervisor/type xen: xen" xen '/sys/hypervisor/type: xen'
		got=$("$tmp/virt" | head -1)
		want=none
		if command -v systemd-detect-virt > /dev/null; then
			want=$(systemd-detect-virt --vm 2> /dev/null || true)
		elif grep -qw hypervisor /proc/cpuinfo; then
			want='?'
		fi
		check "this machine: '$got' (systemd-detect-virt --vm: ${want:-none})" \
			bash -c "[[ '$want' == '?' && '$got' != none ]] || [[ '$got' == '${want:-none}' ]]"
	else
		tap 1 "the virtualization probe builds"
		sed 's/^/# /' "$tmp/make.log" | tail -n 10
	fi
else
	tap 1 "build/libmeasure.a builds"
	sed 's/^/# /' "$tmp/make.log" | tail -n 10
fi
tap_done
