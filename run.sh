#!/bin/bash
# hmmbench: the one command. Measures what hmm_range_fault() costs with
# pre-filled pfn arrays and with default_flags, on this machine's kernel
# (bare metal, as root) or on Debian kernels under QEMU (--kernel).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

usage() {
	cat <<'EOF'
Usage: ./run.sh [OPTIONS] [HMMBENCH OPTIONS]   measure
       ./run.sh compare [--mail] [OPTIONS] RUN...              compare runs
       ./run.sh merge --out DIR RUN...                         one kernel's runs
       ./run.sh report RUN                                     patch-mail text
       ./run.sh --help

Measuring, natively: as root on bare metal, ./run.sh installs what is
missing (apt), builds hmm_bench.ko for the running kernel, loads it, runs
the standard profile, unloads the module (also on Ctrl-C or error), and
prints where the results, plots and summary are. A hmm_bench loaded before
is used if it speaks this tree's ABI and is left loaded; one of another
ABI stops the run (rmmod hmm_bench first). Where the running kernel cannot
take the module (not root, a container, booted with nomodule, no module
support, modules disabled, no CAP_SYS_MODULE, lockdown, enforced module
signatures, no CONFIG_HMM_MIRROR, no headers) it says why in one line and
measures in a VM on Debian's newest 6.12 kernel instead (--no-vm: stop
with status 1). A VM without KVM (TCG) runs the quick profile unless
--profile is given. Nothing is installed into /boot or /etc/apt: kernels
for VMs are unpacked into ~/.cache/hmmbench. A case that fails is
recorded with its reason and the run goes on (status 1). Ctrl-C exits
with status 130, SIGTERM with 143; otherwise the status is hmmbench's.

Options:
  --kernel SERIES   run in a QEMU VM on Debian kernel SERIES (5.10, 6.1,
                    6.12); repeat for several kernels. VM results are
                    labelled with the accelerator (kvm or tcg): emulated
                    times are for ratios, not for bare-metal claims.
  --no-vm           never fall back to a VM: fail instead
  --no-install      do not install packages; say what is missing and stop
  --vm-timeout S    give each VM at most S seconds (default 7200)
  --resume DIR      finish a run that was interrupted or ended early: DIR
                    is the .<timestamp>.partial folder it named; a VM run
                    boots the kernel it ran on; the cases it finished are
                    kept, the rest run with its options
Every other option goes to hmmbench: --profile quick|standard|full,
--filter, --sizes, --states, --styles, --access, --window, --nodes,
--repetitions, --min-time, --out, --governor, --list (build/hmmbench --help).

Results: results/<host>/<kernel-release>/<timestamp>/ (results/<host>-vm/
for VM runs) with hmmbench.json (Google Benchmark), summary.txt,
console.txt (Google Benchmark's table), plots/, system/, hist/,
skipped.tsv.
EOF
}

# What run.sh reads and runs. tests/runsh/test_native.sh sources
# this file and points these at a fake tree and fake programs.
sysroot=''			# prefix of /proc, /sys, /boot, /lib/modules
hmmbench_bin=build/hmmbench
report_bin=build/hmmbench-report
vm_run=harness/vm/vm-run
module_ko=kmod/hmm_bench.ko

kernels=() hm_args=() no_vm=0 no_install=0 vm_timeout=7200 profile_given=0
resume_dir=''
out_root=results

# The pieces (mmtests' shellpacks/common.sh is the model): what every path
# shares, the module on this kernel, and VM runs.
# shellcheck source=harness/scripts/common.sh
. harness/scripts/common.sh
# shellcheck source=harness/scripts/module.sh
. harness/scripts/module.sh
# shellcheck source=harness/scripts/vm.sh
. harness/scripts/vm.sh

parse_args() {
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--kernel)
			[[ $# -ge 2 && -n $2 ]] || die "--kernel needs a series: 5.10, 6.1 or 6.12"
			kernels+=("$2")
			shift 2
			;;
		--no-vm) no_vm=1; shift ;;
		--no-install) no_install=1; shift ;;
		--vm-timeout)
			[[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "--vm-timeout needs seconds"
			vm_timeout=$2
			shift 2
			;;
		--out)
			[[ $# -ge 2 && -n $2 ]] || die "--out needs a folder"
			out_root=$2
			shift 2
			;;
		--resume)
			[[ $# -ge 2 && -n $2 ]] || die "--resume needs the .<timestamp>.partial folder of the interrupted run"
			resume_dir=$2
			shift 2
			;;
		--profile | -p)
			profile_given=1
			hm_args+=("$1" "${2:-}")
			shift $(($# >= 2 ? 2 : 1))
			;;
		*)
			hm_args+=("$1")
			shift
			;;
		esac
	done
	if [[ -n $resume_dir ]]; then
		[[ ${#kernels[@]} -eq 0 ]] ||
			die "--resume boots the kernel the run started on (a VM run) or uses this one: give no --kernel"
		[[ ${#hm_args[@]} -eq 0 ]] ||
			die "--resume takes no hmmbench option: the run goes on with the options it started with"
	fi
}

# Measure: natively where this kernel can take the module, else (or with
# --kernel) in VMs.
cmd_measure() {
	local blocker
	install_traps
	parse_args "$@"
	[[ " ${hm_args[*]} " == *' --list '* ]] || take_host_lock "$@"

	if [[ -n $resume_dir ]] && is_vm_run "$resume_dir"; then
		resume_vm
		exit $?
	fi
	if [[ ${#kernels[@]} -gt 0 ]]; then
		run_vms
		exit $?
	fi
	blocker=$(native_blocker)
	if [[ -z $blocker ]]; then
		[[ $profile_given -eq 1 || -n $resume_dir ]] || hm_args=(--profile standard "${hm_args[@]}")
		# Called plainly, so that errexit holds inside; a non-zero
		# status (hmmbench's) exits through errexit with that status.
		run_native
		exit 0
	fi
	say "cannot run natively: $blocker"
	if [[ $no_vm -eq 1 ]]; then
		say "--no-vm given: stopping. Fix the above, or run ./run.sh --kernel 6.12 to measure in a VM"
		exit 1
	fi
	[[ -z $resume_dir ]] ||
		die "--resume of a native run needs this kernel to take the module, as the run it finishes did"
	say "measuring in a VM on Debian's newest 6.12 kernel instead (--no-vm refuses)"
	kernels=(6.12)
	run_vms
	exit $?
}

# The analysis subcommands are hmmbench-report's.
cmd_report() {
	[[ ${HMMBENCH_NO_INSTALL:-0} == 1 ]] && no_install=1
	deps build plot
	make -s build/hmmbench-report >&2
	exec "$report_bin" "$@"
}

# Subcommands: one line each; the rest is in harness/scripts/.
main() {
	case "${1:-}" in
	compare | report | plot | merge) cmd_report "$@" ;;
	-h | --help) usage ;;
	*) cmd_measure "$@" ;;
	esac
}

# Sourced (by the tests), define the functions only.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	main "$@"
fi
