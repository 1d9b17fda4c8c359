# Tests that run inside the QEMU guests, against the real module. UBSan
# only: ASan's shadow memory does not fit beside 32 GiB NORESERVE ranges in
# a 2 GiB guest. Every tests/guest/test_*.c is one program:
#   test_instrument  counts and verdicts against pagemap and smaps
#   test_hostile     malformed requests, signals, concurrency
#   test_fuzz        ioctl fuzzer: >= 100,000 seeded calls, errno and output
#                    checks, kernel memory before/after
#   test_races       munmap/mremap/mprotect/madvise/fork/exit against long
#                    calls, under a watchdog
#   test_pressure    a write request larger than the guest's memory
#   test_vmstat      counts against /proc/vmstat, times against the wall
#                    clock, around single calls
GUEST_CFLAGS = $(CPPFLAGS) -Itests/guest $(CFLAGS) -fsanitize=undefined \
	       -fno-sanitize-recover=all
GUEST_COMMON := harness/measure/device.c harness/measure/page_state.c \
		harness/measure/residency.c harness/common/result_folder.c \
		tests/guest/guest_util.c

GUEST_TEST_BINS += $(patsubst tests/guest/%.c,$(BUILD)/guest/%,$(wildcard tests/guest/test_*.c))

$(BUILD)/guest/%: tests/guest/%.c $(GUEST_COMMON) $(wildcard harness/measure/*.h harness/common/*.h tests/guest/*.h) kmod/uapi/hmm_bench.h
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) $< $(GUEST_COMMON) -o $@ -lcmocka -lnuma -lpthread

# The debug lane's cross-check against test_hmm (mk/debug.mk): the same
# client, no cmocka.
$(BUILD)/guest/test_hmm_crosscheck: tests/debug/test_hmm_crosscheck.c $(GUEST_COMMON) \
		$(wildcard harness/measure/*.h harness/common/*.h) kmod/uapi/hmm_bench.h
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) $< $(GUEST_COMMON) -o $@ -lnuma

# The VM runner's own self-test (boots kernels; about 30 s under TCG).
HOST_TEST_SCRIPTS += tests/vm/test_vm_runner.sh
