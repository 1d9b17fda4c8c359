# mk/hardening.mk - the hardening tests that run in the QEMU guests (issue
# "Hardening", points 1-3). mk/guest.mk's pattern rule builds each one from
# tests/guest/<name>.c with UBSan and links the common guest sources.
#
#   build/guest/test_fuzz      ioctl fuzzer: >= 100,000 seeded calls, errno
#                              and output checks, kernel memory before/after
#   build/guest/test_races     munmap/mremap/mprotect/madvise/fork/exit
#                              against long calls, under a watchdog
#   build/guest/test_pressure  a write request larger than the guest's memory
HARDENING_GUEST_BINS := $(BUILD)/guest/test_fuzz $(BUILD)/guest/test_races \
			$(BUILD)/guest/test_pressure
GUEST_TEST_BINS += $(HARDENING_GUEST_BINS)

# mk/guest.mk expands GUEST_TEST_BINS into guest-tests' prerequisites when
# it is read, which is before this file: name ours here as well.
guest-tests: $(HARDENING_GUEST_BINS)
