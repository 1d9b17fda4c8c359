# Host tests, under ASan and UBSan. Every tests/unit/test_*.c is one program,
# linked with tests/unit/unit_util.c and the sanitized libraries of the
# three programs (an archive gives each only what it uses).
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
UNIT_LIBS := $(GBENCH_SAN_OBJ) $(MEASURE_SAN_LIB) $(REPORT_SAN_LIB)

HOST_TEST_BINS += $(UNIT_BINS)

$(BUILD)/unit/%: $(BUILD)/san/tests/unit/%.o $(BUILD)/san/tests/unit/unit_util.o \
		$(UNIT_LIBS)
	@mkdir -p $(@D)
	$(CXX) $(SANFLAGS) $(LDFLAGS) $^ -o $@ -lcmocka $(MEASURE_LDLIBS) \
		$(REPORT_LDLIBS) $(GBENCH_LDLIBS)

# Helpers of the shell tests: synthetic result folders for the report's
# tests, and the checker of the result folders that guests bring back.
TEST_HELPERS := $(BUILD)/san/make_synthetic_run $(BUILD)/unit/check_run \
		$(BUILD)/san/hmmbench-report
test-bins: $(TEST_HELPERS)

$(BUILD)/san/make_synthetic_run: $(BUILD)/san/tests/report/make_synthetic_run.o $(REPORT_SAN_LIB)
	$(CC) $(SANFLAGS) $(LDFLAGS) $^ -o $@ $(REPORT_LDLIBS)

$(BUILD)/unit/check_run: $(BUILD)/san/tests/results/check_run.o
	@mkdir -p $(@D)
	$(CC) $(SANFLAGS) $(LDFLAGS) $^ -o $@ -lcmocka -ljansson

HOST_TEST_SCRIPTS += tests/report/test_report.sh
