#!/bin/bash
# The fidelity lane (`make test-fidelity`; tests/fidelity/README.md): in a
# TCG guest per boot, time `hmm/snap/{prefill,default}/thp/256M` with the
# independent module hmm_fidelity.ko, warm (back-to-back calls) and cold
# (each call the first after the range was built, as hmmbench calls), and
# with hmmbench. Checks, in ratios only, that hmmbench's prefill/default
# ratio of the fastest calls is within NOFILL-TOLERANCE percent (20) of the
# cold independent one with the prefill's fill taken out of both (the fill
# is each tool's own code), and within TOLERANCE percent (35) with it.
# Minima, because the host only ever adds time: under TCG on a shared host
# a call is delayed by whole host ticks (4 ms) so often that medians and
# means of 15 calls move by a factor of 2 to 10 (README). The medians and
# means are printed beside them, not checked.
#
# Usage: tests/fidelity/run.sh [--kernels "6.12"] [--boots N]
#        [--repetitions N] [--tolerance PCT] [--nofill-tolerance PCT]
#        [--size-mib N]
# Environment: HMMBENCH_FIDELITY_OUT keeps the guests' output there
# (default: a temporary folder, removed at the end). TAP on stdout.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh

kernels=6.12 boots=1 reps=15 tolerance=35 nofill_tolerance=20 size=256
while [[ $# -gt 0 ]]; do
	case $1 in
	--kernels | --boots | --repetitions | --tolerance | --nofill-tolerance | --size-mib)
		[[ $# -ge 2 ]] || { echo "tests/fidelity/run.sh: $1 needs a value" >&2; exit 2; }
		case $1 in
		--kernels) kernels=$2 ;;
		--boots) boots=$2 ;;
		--repetitions) reps=$2 ;;
		--tolerance) tolerance=$2 ;;
		--nofill-tolerance) nofill_tolerance=$2 ;;
		--size-mib) size=$2 ;;
		esac
		shift 2
		;;
	*) echo "tests/fidelity/run.sh: unknown option '$1' (see the comment at its top)" >&2; exit 2 ;;
	esac
done
for v in boots reps tolerance nofill_tolerance size; do
	opt=${v/reps/repetitions}
	opt=${opt/size/size-mib}
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "tests/fidelity/run.sh: --${opt//_/-} takes a positive number, not '${!v}'" >&2; exit 2; }
done

make -s build/hmmbench build/fidelity/fidelity || exit 1
out=${HMMBENCH_FIDELITY_OUT:-}
if [[ -z $out ]]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/hmmbench-fidelity.XXXXXX")
	trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

# field FILE KEY: the value after KEY on the "fidelity:" summary line.
field() {
	awk -v k="$2" '/^fidelity:/ { for (i = 2; i < NF; i++) if ($i == k) print $(i + 1) }' "$1"
}

# within A B PCT: A is within PCT percent of B.
within() {
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a / b - 1; exit !(b > 0 && d <= t / 100 && d >= -t / 100) }'
}

table=()
for k in $kernels; do
	release=$(harness/vm/kernel.sh resolve "$k") || { not_ok "$k: resolve the kernel"; continue; }
	harness/vm/kernel.sh fetch "$k" > /dev/null || { not_ok "$k: fetch the kernel"; continue; }
	if ! ko=$(tests/fidelity/build-kmod.sh "$release" 2> "$out/build-$k.log"); then
		not_ok "$k: hmm_fidelity.ko builds for $release" "$(tail -5 "$out/build-$k.log")"
		continue
	fi
	for b in $(seq 1 "$boots"); do
		dir=$out/$k-boot$b
		echo "# $k boot $b of $boots: fidelity warm and cold, then hmmbench ($reps repetitions); minutes under TCG"
		harness/vm/vm-run --kernel "$k" --out "$dir" --timeout 3600 \
			--mem-per-node 2048 \
			--include "$ko:/work/hmm_fidelity.ko" \
			--include build/fidelity/fidelity:/work/fidelity \
			--include tests/fidelity/guest.sh:/work/fidelity-guest.sh \
			--include build/hmmbench:/work/build/hmmbench \
			--include bench/profiles:/work/bench/profiles \
			-- /work/fidelity-guest.sh "$size" "$reps" > "$dir.log" 2>&1
		status=$?
		if [[ $status -ne 0 ]] || ! grep -q '^HMMBENCH_VM_RESULT=ok$' "$dir/vm.env"; then
			not_ok "$k boot $b: the guest ran everything (vm-run status $status), kernel log clean" \
				"$(tail -n 5 "$dir.log" "$dir"/*.txt "$dir/hmmbench.log" 2> /dev/null)"
			continue
		fi
		ok "$k boot $b: the guest ran everything, kernel log clean"
		json=$dir/$(sed 's#^/out/##' "$dir/result-path" 2> /dev/null)/hmmbench.json
		awk -v pre="hmm/snap/prefill/thp/${size}M/c0m0" \
			-v def="hmm/snap/default/thp/${size}M/c0m0" \
			-f tests/fidelity/hb-ratios.awk "$json" > "$dir/hmmbench.txt" 2>&1
		sed -i 's/^/fidelity: /' "$dir/hmmbench.txt"
		for key in nofill_ratio_min ratio_min; do
			hb=$(field "$dir/hmmbench.txt" $key)
			cold=$(field "$dir/cold.txt" $key)
			tol=$nofill_tolerance
			[[ $key == ratio_min ]] && tol=$tolerance
			check "$k boot $b: $key: hmmbench's ${hb:-none} is within $tol% of the independent cold timing's ${cold:-none}" \
				within "${hb:-0}" "${cold:-0}" "$tol"
		done
		for src in hmmbench cold warm; do
			echo "# $k boot $b: $src: $(sed -n 's/^fidelity: //p' "$dir/$src.txt")"
		done
		row="$k $b"
		for key in nofill_ratio_min ratio_min ratio_median ratio_mean; do
			for src in hmmbench cold warm; do
				row+=" $(field "$dir/$src.txt" $key)"
			done
		done
		table+=("$row")
	done
done
if [[ ${#table[@]} -gt 0 ]]; then
	echo "# prefill/default, each as hmmbench cold warm: kernel boot, nofill_ratio_min, ratio_min, ratio_median, ratio_mean"
	printf '# %s\n' "${table[@]}"
fi
tap_done
