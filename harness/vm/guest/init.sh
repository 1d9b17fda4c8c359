#!/bin/busybox sh
# shellcheck shell=dash # busybox ash, checked as the POSIX shell it is closest to
# /init of an hmmbench guest (packed by initramfs.sh, booted by vm-run).
#
# Sets the guest up, loads hmm_bench.ko, runs the command in /work with
# HMMBENCH_OUT=/out and HMMBENCH_VM=<accelerator>, unloads the module and
# powers off. Channels:
#   ttyS0  console: kernel log and these messages (vm-run keeps console.log)
#   ttyS1  the command's stdout;  ttyS2  its stderr
#   /out   the host's output folder over virtio-9p (tag hmmbench-out):
#          written through, so what the command wrote survives a crash
# The last console line, HMMBENCH-VM-END, tells vm-run how it went. No
# "set -e": PID 1 must never exit, or the kernel panics before reporting.

/bin/busybox mkdir -p /proc /sys /dev /tmp /out /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb
mount -t devtmpfs dev /dev
exec </dev/null >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs tmp /tmp
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm
ip link set lo up

# VM_HOSTNAME, HMMBENCH_VM, VM_LOAD_MODULE (0|1), VM_SWAP (0|1): from vm-run.
# shellcheck source=/dev/null
. /etc/hmmbench/env
hostname "$VM_HOSTNAME"

log() { echo "hmmbench-init: $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

setup=0 status=255 rmmod_failed=0
boot=$(uptime_s)

# Other modules first (virtio and 9p, --kmod), in the order given.
for ko in /lib/modules/hmmbench/extra/*.ko; do
	[ -e "$ko" ] || continue
	msg=$(insmod "$ko" 2>&1) || { log "cannot load $ko: $msg"; setup=1; }
done

if [ $setup = 0 ]; then
	msg=$(mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 hmmbench-out /out 2>&1) ||
		{ log "cannot mount the host's output folder on /out (9p): $msg"; setup=1; }
fi

if [ "$VM_SWAP" = 1 ] && [ $setup = 0 ]; then
	i=0
	while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	if mkswap /dev/vda >/dev/null && swapon /dev/vda; then
		log "swap on /dev/vda: $(grep SwapTotal /proc/meminfo)"
	else
		log "cannot set up swap on /dev/vda"
		setup=1
	fi
fi

if [ "$VM_LOAD_MODULE" = 1 ] && [ $setup = 0 ]; then
	msg=$(insmod /lib/modules/hmmbench/hmm_bench.ko 2>&1) ||
		{ log "cannot load hmm_bench.ko: $msg"; setup=1; }
fi

start=$(uptime_s)
if [ $setup = 0 ]; then
	# Raw ttys: no \n -> \r\n on the way to the host.
	stty -F /dev/ttyS1 raw -echo
	stty -F /dev/ttyS2 raw -echo
	log "running the command"
	(cd /work && HMMBENCH_OUT=/out exec sh /etc/hmmbench/cmd) </dev/null >/dev/ttyS1 2>/dev/ttyS2
	status=$?
	log "command exited with status $status"
fi
end=$(uptime_s)

if [ "$VM_LOAD_MODULE" = 1 ] && [ -d /sys/module/hmm_bench ]; then
	msg=$(rmmod hmm_bench 2>&1) || { log "cannot unload hmm_bench: $msg"; rmmod_failed=1; }
fi

# Debug kernels: report leaks now (kmemleak ignores objects under 5 s old).
if [ -e /sys/kernel/debug/kmemleak ]; then
	sleep 5
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
	# Debug kernels (tests/debug/run.sh): say that the detectors were live.
	log "kmemleak scan done: $(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak) objects listed"
fi
[ ! -r /proc/lockdep_stats ] || log "lockdep at the end: $(awk '/debug_locks:/ { print $1, $2; exit }' /proc/lockdep_stats)"

sync
umount /out 2>/dev/null
# Through printk, which writes the console synchronously, so the marker is
# out before the power goes.
echo "<2>HMMBENCH-VM-END status=$status setup=$setup rmmod=$rmmod_failed boot=$boot start=$start end=$end" >/dev/kmsg
poweroff -f
