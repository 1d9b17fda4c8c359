# hmmbench: build and test entry points. The README's two commands are
# ./run.sh and `make test`; everything else here serves them.
#
# One file per program in mk/ (measure, gbench, report), one per test area
# (unit, guest, runsh, debug). Nothing is registered by hand: every
# harness/<program>/*.c belongs to its program, and every
# tests/unit/test_*.c is a host test. Lists the mk files append to:
#   HOST_TEST_BINS    test programs run on the host (built with ASan/UBSan)
#   HOST_TEST_SCRIPTS shell tests run on the host (TAP on stdout)
#   GUEST_TEST_BINS   test programs run inside the QEMU guests

BUILD      := build
CC         ?= gcc
CXX        ?= g++
# Cross-program includes name their folder ("gbench/gbench_shim.h"), so
# what depends on what shows in the source.
CPPFLAGS   += -D_GNU_SOURCE -Ikmod/uapi -Iharness
CFLAGS     ?= -O2 -g
# snprintf() into fixed buffers truncates on purpose; gcc 12's guesses at
# how long a path might be are noise, so that one warning is off.
CFLAGS     += -std=c11 -Wall -Wextra -Werror -Wno-format-truncation -MMD -MP
CXXFLAGS   ?= -O2 -g
CXXFLAGS   += -std=c++17 -Wall -Wextra -Werror -MMD -MP
SANFLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer

HOST_TEST_BINS    :=
HOST_TEST_SCRIPTS :=
GUEST_TEST_BINS   :=

# A failed recipe leaves no half-built file behind for the next make.
.DELETE_ON_ERROR:
.PHONY: all deps kmod test test-unit test-debug clean guest-tests test-bins
all:

# Plain and sanitized objects of any C or C++ source.
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@
$(BUILD)/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -c $< -o $@
$(BUILD)/obj/%.o: %.cc
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@
$(BUILD)/san/%.o: %.cc
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) $(SANFLAGS) -c $< -o $@

# objs VARIANT, SOURCES: the objects of SOURCES in $(BUILD)/VARIANT.
objs = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(patsubst %.cc,$(BUILD)/$(1)/%.o,$(2)))

include $(sort $(wildcard mk/*.mk))

# Installs (with apt) what building and testing need; run by `make test`.
deps:
	harness/scripts/deps.sh build test fleet fleet-test

kmod:
	$(MAKE) -C kmod

test: deps
	tests/run.sh

test-unit: deps
	tests/run.sh --unit-only

clean:
	rm -rf $(BUILD)
	$(MAKE) -C kmod clean

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

guest-tests: $(GUEST_TEST_BINS)

# Every test program, host and guest (tests/run.sh builds this first).
test-bins: $(HOST_TEST_BINS) $(GUEST_TEST_BINS)

print-%:
	@echo $($*)
