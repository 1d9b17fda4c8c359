# The hmmbench program: sweep, run through Google Benchmark, record.
LIB_SRCS += harness/profile.c harness/plan.c harness/topology.c \
	    harness/sysrecord.c harness/runner.c harness/output.c \
	    harness/progress.c harness/options.c

HMMBENCH_DEFS := -DHMMBENCH_REVISION='"$(shell git describe --always --dirty 2>/dev/null || echo unknown)"' \
		 -DHMMBENCH_LIBBENCHMARK_VERSION='"$(shell pkg-config --modversion benchmark 2>/dev/null || echo unknown)"'

all: $(BUILD)/hmmbench

$(BUILD)/obj/harness/hmmbench.o: harness/hmmbench.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(HMMBENCH_DEFS) $(CFLAGS) -c $< -o $@

$(BUILD)/hmmbench: $(BUILD)/obj/harness/hmmbench.o $(BUILD)/libhmmbench.a $(GBENCH_SHIM_OBJ)
	$(CXX) $(LDFLAGS) $^ -o $@ $(LIB_LIBS) $(GBENCH_SHIM_LDLIBS)
