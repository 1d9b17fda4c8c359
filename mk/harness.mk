# The harness library: device client, page states, and what later files add.
LIB_SRCS += harness/device.c harness/page_state.c harness/residency.c
LIB_LIBS := -lnuma -lhwloc -ljansson -lgsl -lgslcblas -lm -lpthread

LIB_OBJS = $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
SAN_LIB_OBJS = $(patsubst %.c,$(BUILD)/san/%.o,$(LIB_SRCS))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# Sanitized objects, for the host tests.
$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -c $< -o $@

# The archive rules are in the top Makefile: LIB_SRCS is complete only after
# every mk/*.mk has been read.

# The device client's ABI refusal and open errors, without the module.
HOST_TEST_BINS += $(BUILD)/unit/test_device

$(BUILD)/unit/test_device: $(BUILD)/san/tests/unit/test_device.o $(BUILD)/san/harness/device.o
	@mkdir -p $(@D)
	$(CC) $(SANFLAGS) $(LDFLAGS) $^ -o $@ -lcmocka
