# The hmmbench program: sweep, run through Google Benchmark, record.
LIB_SRCS += harness/profile.c harness/plan.c harness/topology.c \
	    harness/sysrecord.c harness/runner.c harness/output.c \
	    harness/progress.c harness/options.c harness/governor.c \
	    harness/interrupt.c harness/resume.c

HMMBENCH_DEFS := -DHMMBENCH_REVISION='"$(shell git describe --always --dirty 2>/dev/null || echo unknown)"' \
		 -DHMMBENCH_LIBBENCHMARK_VERSION='"$(shell pkg-config --modversion benchmark 2>/dev/null || echo unknown)"'

all: $(BUILD)/hmmbench

$(BUILD)/obj/harness/hmmbench.o: harness/hmmbench.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(HMMBENCH_DEFS) $(CFLAGS) -c $< -o $@

$(BUILD)/hmmbench: $(BUILD)/obj/harness/hmmbench.o $(BUILD)/libhmmbench.a $(GBENCH_SHIM_OBJ)
	$(CXX) $(LDFLAGS) $^ -o $@ $(LIB_LIBS) $(GBENCH_SHIM_LDLIBS)

# Unit tests of the sweep as data: profiles, options, expansion.
HOST_TEST_BINS += $(BUILD)/unit/test_plan

$(BUILD)/unit/test_plan: $(BUILD)/san/tests/unit/test_plan.o $(BUILD)/libhmmbench-san.a
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) $(LDFLAGS) $^ -o $@ -lcmocka $(LIB_LIBS)

# Unit tests of the command line (options and their profile keys).
HOST_TEST_BINS += $(BUILD)/unit/test_options

$(BUILD)/unit/test_options: $(BUILD)/san/tests/unit/test_options.o $(BUILD)/libhmmbench-san.a
	@mkdir -p $(@D)
	$(CC) $(SANFLAGS) $(LDFLAGS) $^ -o $@ -lcmocka $(LIB_LIBS)

# Checks a result folder that a guest brought back (tests/run.sh uses it).
$(BUILD)/unit/check_run: $(BUILD)/san/tests/harness/check_run.o
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) $(LDFLAGS) $^ -o $@ -lcmocka -ljansson

test-bins: $(BUILD)/unit/check_run

# The result folder's files: kept cases, the merged report, and resume
# taking them back (through runner.c, so with the shim).
HOST_TEST_BINS += $(BUILD)/unit/test_output

$(BUILD)/unit/test_output: $(BUILD)/san/tests/unit/test_output.o $(BUILD)/libhmmbench-san.a $(GBENCH_SHIM_SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CXX) $(SANFLAGS) $(LDFLAGS) $^ -o $@ -lcmocka $(LIB_LIBS) $(GBENCH_SHIM_LDLIBS)
