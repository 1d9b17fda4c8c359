# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034 # run.sh owns the options and the state these read and set
# Sourced by run.sh: measuring in QEMU guests on Debian kernels (--kernel,
# the fallback, and --resume of a VM run). The host checks only the
# arguments; the guest plans with its own limits. Each VM's output folder
# lies under results/ from the start and the guest writes into it as it
# runs (virtio-9p), so a run that ends early keeps what it had.

# The profile a VM run takes when none is given: under TCG (no usable
# KVM), quick, which ends in minutes; with KVM, standard, as natively.
vm_choose_profile() {
	local series=$1 accel
	[[ $profile_given -eq 0 ]] || return 0
	accel=$("$vm_run" --kernel "$series" --print-accel) || accel=tcg
	if [[ $accel == tcg ]]; then
		say "no usable KVM: the VM is emulated (TCG), so it runs the quick profile, a few minutes per kernel; --profile standard overrides (hours under TCG)"
		hm_args=(--profile quick "${hm_args[@]}")
	else
		hm_args=(--profile standard "${hm_args[@]}")
	fi
}

# vm_start SERIES DEST: a working folder for one VM's output under DEST
# (results/<host>-vm), which vm_collect empties into DEST.
vm_start() {
	vm_series=$1 vm_dest=$2
	mkdir -p "$vm_dest"
	vm_dir=$(mktemp -d "$vm_dest/.vm-$vm_series.XXXXXX")
	mkdir -p "$vm_dir/results"
	vm_pending=1
}

# vm_launch GUEST-ARGS...: run guest/hmmbench.sh in the VM vm_start set
# up, then bring its results home. Returns 0 when a complete run came back
# and the guest's command succeeded.
vm_launch() {
	local status=0
	vm_retry=("$@")
	run_child "$vm_run" --kernel "$vm_series" --out "$vm_dir" --timeout "$vm_timeout" \
		--swap 512 \
		--include build/hmmbench:/work/build/hmmbench \
		--include bench/profiles:/work/bench/profiles \
		--include harness/vm/guest/hmmbench.sh:/work/guest-hmmbench.sh \
		-- /work/guest-hmmbench.sh "$@" || status=$?
	vm_collect "$status" || status=1
	return "$status"
}

# vm_collect STATUS: move every result folder the guest wrote, complete or
# partial, to results/<host>-vm/<release>/ with the VM's console log and
# vm.env in its system/; plot the complete ones; say where a partial one is
# and how to finish it. With no result folder at all, the working folder
# stays (console log, vm.env, output) under a name that says so. Returns 1
# when no complete run came back.
vm_collect() {
	local status=$1 run rel name to reason complete=0 kept=0 left=0
	vm_pending=''
	[[ -n ${vm_dir:-} && -d $vm_dir ]] || return 1
	reason=$(sed -n "s/^HMMBENCH_VM_REASON='\(.*\)'$/\1/p" "$vm_dir/vm.env" 2> /dev/null)
	for run in "$vm_dir"/results/*/*/* "$vm_dir"/results/*/*/.*.partial; do
		[[ -d $run ]] || continue
		rel=$(basename "$(dirname "$run")")
		name=$(basename "$run")
		to=$vm_dest/$rel/$name
		mkdir -p "$run/system" "$vm_dest/$rel"
		cp "$vm_dir/vm.env" "$vm_dir/console.log" "$run/system/" 2> /dev/null || true
		if [[ -e $to ]]; then
			say "$to exists already: leaving this run in $vm_dir"
			left=1
			continue
		fi
		mv "$run" "$to"
		if [[ -f $to/COMPLETE ]]; then
			finish_run "$to" && complete=1
		else
			say "the VM run on $vm_series ended early${reason:+ ($reason)}; what it finished is kept in $to (console log: $to/system/console.log)"
			say "to run what is missing: ./run.sh --resume $to"
			kept=1
		fi
	done
	if [[ $complete -eq 0 && $kept -eq 0 && $left -eq 0 ]]; then
		to=$vm_dest/failed-$vm_series-$(date +%Y%m%d-%H%M%S)
		mv "$vm_dir" "$to"
		say "the VM run on $vm_series ended with status $status${reason:+ ($reason)} before any result folder was written; its console log and output are in $to"
		say "to try again: ./run.sh --kernel $vm_series ${vm_retry[*]}"
		return 1
	fi
	# Its console log and vm.env went with each run.
	[[ $left -eq 1 ]] || rm -rf "$vm_dir"
	[[ $status -eq 0 ]] || say "the VM run on $vm_series ended with status $status"
	[[ $complete -eq 1 ]]
}

# --kernel SERIES..., or the fallback on 6.12: one VM per kernel.
run_vms() {
	local k status=0
	build_userspace
	check_args
	deps vm
	vm_choose_profile "${kernels[0]}"
	for k in "${kernels[@]}"; do
		say "running in a VM on Debian $k (results are labelled as VM runs)"
		vm_start "$k" "$out_root/$(hostname)-vm"
		vm_launch "${hm_args[@]}" || status=1
	done
	return "$status"
}

# The folder is a VM run's (run.sh put the VM's vm.env into its system/).
is_vm_run() {
	[[ -f $1/system/vm.env ]]
}

# --resume of a VM run: the same kernel boots, the partial folder goes
# into the guest's /out and hmmbench --resume finishes it there.
resume_vm() {
	local dir=${resume_dir%/} rel name base
	[[ -d $dir && $(basename "$dir") == .*.partial ]] ||
		die "--resume needs the .<timestamp>.partial folder of an interrupted run, not $dir"
	rel=$(sed -n "s/^HMMBENCH_VM_RELEASE='\(.*\)'$/\1/p" "$dir/system/vm.env")
	[[ -n $rel ]] || die "$dir/system/vm.env names no kernel release: cannot tell which kernel to boot"
	name=$(basename "$dir")
	base=$(dirname "$(dirname "$dir")")
	build_userspace
	deps vm
	say "resuming $dir in a VM on $rel, the kernel it ran on"
	vm_start "$rel" "$base"
	mkdir -p "$vm_dir/results/hmmbench-vm/$rel"
	mv "$dir" "$vm_dir/results/hmmbench-vm/$rel/$name"
	vm_launch --resume "results/hmmbench-vm/$rel/$name"
}
