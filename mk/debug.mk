# The debug kernel lane (tests/debug/): a 6.12 kernel built from Debian's
# linux-source-6.12 with KASAN, lockdep, DEBUG_VM, kmemleak and test_hmm,
# booted once to run every guest test plus the test_hmm cross-check, with a
# clean kernel log required. The first run builds the kernel (12+ minutes on
# 2 cores; cached under ~/.cache/hmmbench/debug-kernel/).
#
# Guest programs that need the debug kernel (test_hmm is not in Debian's
# kernels), kept out of GUEST_TEST_BINS.
DEBUG_GUEST_BINS := $(BUILD)/guest/test_hmm_crosscheck

# mk/guest.mk builds them, like every guest program.

.PHONY: debug-guest-tests debug-kernel
debug-guest-tests: $(DEBUG_GUEST_BINS)

# Only the kernel (prints its tree).
debug-kernel:
	tests/debug/build-kernel.sh

# GUEST_TEST_BINS is complete only once every mk/*.mk is read, so the
# programs are made by a sub-make rather than named as prerequisites here.
test-debug: deps
	$(MAKE) --no-print-directory guest-tests debug-guest-tests
	tests/debug/run.sh $(GUEST_TEST_BINS) $(DEBUG_GUEST_BINS)
