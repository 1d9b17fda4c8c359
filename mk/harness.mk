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
