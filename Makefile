# hmmbench: build and test entry points. The README's two commands are
# ./run.sh and `make test`; everything else here serves them.
#
# Each area keeps its rules in mk/<area>.mk, included below, and appends to:
#   LIB_SRCS          C sources of build/libhmmbench.a (the harness library)
#   HOST_TEST_BINS    test programs run on the host (built with ASan/UBSan)
#   HOST_TEST_SCRIPTS shell tests run on the host (TAP on stdout)
#   GUEST_TEST_BINS   test programs run inside the QEMU guests

BUILD      := build
CC         ?= gcc
CXX        ?= g++
CPPFLAGS   += -D_GNU_SOURCE -Ikmod/uapi -Iharness
CFLAGS     ?= -O2 -g
# snprintf() into fixed buffers truncates on purpose; gcc 12's guesses at
# how long a path might be are noise, so that one warning is off.
CFLAGS     += -std=c11 -Wall -Wextra -Werror -Wno-format-truncation -MMD -MP
CXXFLAGS   ?= -O2 -g
CXXFLAGS   += -std=c++17 -Wall -Wextra -Werror -MMD -MP
SANFLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer

LIB_SRCS          :=
HOST_TEST_BINS    :=
HOST_TEST_SCRIPTS :=
GUEST_TEST_BINS   :=

# A failed recipe leaves no half-built file behind for the next make.
.DELETE_ON_ERROR:
.PHONY: all deps kmod test test-unit test-guest test-debug check-kmod clean
all:

include $(sort $(wildcard mk/*.mk))

all: $(BUILD)/libhmmbench.a

$(BUILD)/libhmmbench.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/libhmmbench-san.a: $(SAN_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# Installs (with apt) what building and testing need; run by `make test`.
deps:
	harness/deps.sh build test

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
.PHONY: test-bins
test-bins: $(HOST_TEST_BINS) $(GUEST_TEST_BINS)

print-%:
	@echo $($*)
