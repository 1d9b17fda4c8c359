#!/bin/bash
# ./run.sh's native path on a real booted Debian 12 system (issue 8.7): the
# image of tests/native/image.sh (debootstrap; Debian's 6.1 and 6.12
# kernels and headers installed as on a server; the suite's packages) boots
# in QEMU on each kernel with systemd, and tests/native/guest.sh runs there
# as root. This tree goes in read-only over virtio-9p, with its userspace
# build (so the guest builds only the module, against its own headers);
# the image itself is never written (snapshot=on).
#
# Usage: tests/native/test_native.sh [SERIES...]   (default: 6.1 6.12)
# TAP on stdout; each guest check is prefixed with the kernel release.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh

series=("$@")
[[ ${#series[@]} -gt 0 ]] || series=(6.1 6.12)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_native.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [[ $(id -u) -ne 0 ]]; then
	skip "./run.sh natively on a booted Debian machine" "making its image needs root (debootstrap); make test as root runs it"
	tap_done
	exit 0
fi
if ! img=$(tests/native/image.sh 2> "$tmp/image.err"); then
	not_ok "the Debian image could be made" "$(tail -5 "$tmp/image.err")"
	tap_done
	exit 1
fi
mapfile -t releases < "$img/releases"

# The tree as git sees it (tracked and new files, nothing ignored), plus
# the userspace build with its times, so that make finds it up to date.
stage=$tmp/tree
mkdir -p "$stage"
git ls-files -z --cached --others --exclude-standard |
	xargs -0 cp -a --parents -t "$stage" 2> /dev/null
mkdir -p "$stage/build"
cp -a build/obj build/hmmbench build/hmmbench-report "$stage/build/"

for s in "${series[@]}"; do
	rel=''
	for r in "${releases[@]}"; do
		[[ $r == "$s".* ]] && rel=$r
	done
	if [[ -z $rel ]]; then
		not_ok "$s: the image has a kernel of series $s" "it has: ${releases[*]}"
		continue
	fi
	o=$tmp/out-$s
	mkdir -p "$o"
	start=$SECONDS
	timeout 2400 qemu-system-x86_64 -accel tcg -cpu max -m 3072 -smp 2 \
		-nographic -no-reboot \
		-kernel "$img/vmlinuz-$rel" -initrd "$img/initrd.img-$rel" \
		-append "root=LABEL=hmmroot rw console=ttyS0 tsc=reliable no_timer_check systemd.run=/usr/local/sbin/hmmbench-native-run systemd.run_success_action=poweroff systemd.run_failure_action=poweroff" \
		-drive "file=$img/root.img,if=virtio,format=raw,snapshot=on" \
		-virtfs "local,path=$stage,mount_tag=hmmtree,security_model=none,readonly=on" \
		-virtfs "local,path=$o,mount_tag=hmmout,security_model=none" \
		> "$o/console.log" 2>&1 < /dev/null
	rc=$?
	echo "# $rel: the machine ran $((SECONDS - start)) s (QEMU status $rc)"
	check "$rel: the Debian machine booted, ran the tests to their end and powered off" \
		test -f "$o/done" -a "$rc" -eq 0
	# The guest's own checks, each as one of ours.
	while IFS= read -r line; do
		case $line in
		ok\ *) tap 0 "$rel: ${line#ok * - }" ;;
		not\ ok\ *) tap 1 "$rel: ${line#not ok * - }" ;;
		\#*) echo "$line" ;;
		esac
	done < "$o/native.tap"
	check "$rel: the kernel logged no oops, WARNING or BUG" \
		bash -c "! grep -qE '\\bOops\\b|WARNING:|BUG:|Call Trace:' '$o/console.log' '$o/dmesg.log'"
	if [[ $tap_failed -gt 0 ]]; then
		for f in guest.log run.err sigint.err failing.err user.err; do
			[[ -s $o/$f ]] && tail -n 5 "$o/$f" | sed "s|^|# $f: |"
		done
		tail -n 10 "$o/console.log" | sed 's/^/# console: /'
	fi
done
tap_done
