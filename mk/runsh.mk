# ./run.sh's native path, tested without a kernel that takes modules and
# without VMs: fake insmod/rmmod/modinfo/apt and a fake machine tree (module
# handling, refusals, signals, temporary folders), and the virtualization
# fact of harness/measure/sysrecord.c on fake /proc and /sys trees. A few
# seconds; part of make test-unit. (tests/runsh/test_run_sh.sh, which boots
# VMs, is run by tests/run.sh after the guest tests.)
HOST_TEST_SCRIPTS += tests/runsh/test_native.sh
