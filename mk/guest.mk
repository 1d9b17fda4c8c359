# Tests that run inside the QEMU guests, against the real module. UBSan
# only: ASan's shadow memory does not fit beside 32 GiB NORESERVE ranges in
# a 2 GiB guest.
GUEST_CFLAGS = $(CPPFLAGS) -Itests/guest $(CFLAGS) -fsanitize=undefined \
	       -fno-sanitize-recover=all
GUEST_COMMON := harness/device.c harness/page_state.c harness/residency.c \
		tests/guest/guest_util.c

GUEST_TEST_BINS += $(BUILD)/guest/test_instrument $(BUILD)/guest/test_hostile

$(BUILD)/guest/%: tests/guest/%.c $(GUEST_COMMON) $(wildcard harness/*.h tests/guest/*.h) kmod/uapi/hmm_bench.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $< $(GUEST_COMMON) -o $@ -lcmocka -lnuma -lpthread

.PHONY: guest-tests
# guest-tests' prerequisites are named in the top Makefile, once every
# mk/*.mk has added its programs.

# The VM runner's own self-test (boots kernels; about 30 s under TCG).
HOST_TEST_SCRIPTS += tests/vm/test_vm_runner.sh
