# Google Benchmark C shim: harness/gbench_shim.h (C API) over
# harness/gbench_shim.cc, the harness's only C++ file.
#
# A program using the shim links $(GBENCH_SHIM_OBJ) (or, when built with
# $(SANFLAGS), $(GBENCH_SHIM_SAN_OBJ)) with $(GBENCH_SHIM_LDLIBS); link with
# $(CXX), or with $(CC) as long as -lstdc++ stays in GBENCH_SHIM_LDLIBS.

GBENCH_SHIM_OBJ     := $(BUILD)/gbench_shim.o
GBENCH_SHIM_SAN_OBJ := $(BUILD)/san/gbench_shim.o
GBENCH_SHIM_LDLIBS  := -lbenchmark -lpthread -lstdc++

all: $(GBENCH_SHIM_OBJ)

$(GBENCH_SHIM_OBJ): harness/gbench_shim.cc harness/gbench_shim.h
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c -o $@ $<

$(GBENCH_SHIM_SAN_OBJ): harness/gbench_shim.cc harness/gbench_shim.h
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) $(SANFLAGS) -c -o $@ $<

# The test's own object comes from the $(BUILD)/san/%.o rule (harness.mk).
$(BUILD)/unit/test_gbench_shim: $(BUILD)/san/tests/unit/test_gbench_shim.o $(GBENCH_SHIM_SAN_OBJ)
	@mkdir -p $(@D)
	$(CXX) $(SANFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka -ljansson $(GBENCH_SHIM_LDLIBS)

HOST_TEST_BINS += $(BUILD)/unit/test_gbench_shim

# The case_done hook, in a process of its own (one gbs_init() per process).
$(BUILD)/unit/test_gbench_case_done: $(BUILD)/san/tests/unit/test_gbench_case_done.o $(GBENCH_SHIM_SAN_OBJ)
	@mkdir -p $(@D)
	$(CXX) $(SANFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka -ljansson $(GBENCH_SHIM_LDLIBS)

HOST_TEST_BINS += $(BUILD)/unit/test_gbench_case_done
