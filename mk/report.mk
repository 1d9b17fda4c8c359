# mk/report.mk - the analysis side: hmmbench-report (compare, report, plot),
# its statistics/results library code and their tests.
#
#   build/hmmbench-report              the tool
#   build/report-san/hmmbench-report   the same with ASan+UBSan (shell test)
#   build/report-san/make_synthetic_run  synthetic run folders for the tests
#   build/unit/test_stats              cmocka unit tests (ASan+UBSan)
#   build/unit/test_compare

REPORT_LIB_SRCS := harness/stats.c harness/results.c harness/compare.c \
                   harness/report.c harness/plot.c
REPORT_LDLIBS   := -ljansson -lgsl -lgslcblas -lm

LIB_SRCS          += $(REPORT_LIB_SRCS)
HOST_TEST_BINS    += $(BUILD)/unit/test_stats $(BUILD)/unit/test_compare
HOST_TEST_SCRIPTS += tests/report/test_report.sh

REPORT_OBJS     := $(patsubst %.c,$(BUILD)/report/%.o,$(REPORT_LIB_SRCS))
REPORT_SAN_OBJS := $(patsubst %.c,$(BUILD)/report-san/%.o,$(REPORT_LIB_SRCS))

.PHONY: report report-tests
all: $(BUILD)/hmmbench-report
report: $(BUILD)/hmmbench-report
report-tests: $(BUILD)/unit/test_stats $(BUILD)/unit/test_compare \
              $(BUILD)/report-san/hmmbench-report \
              $(BUILD)/report-san/make_synthetic_run

$(BUILD)/report/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/report-san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -c $< -o $@

$(BUILD)/hmmbench-report: $(BUILD)/report/harness/report_main.o $(REPORT_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(REPORT_LDLIBS)

$(BUILD)/report-san/hmmbench-report: $(BUILD)/report-san/harness/report_main.o \
                              $(REPORT_SAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) $^ -o $@ $(REPORT_LDLIBS)

$(BUILD)/report-san/make_synthetic_run: \
		$(BUILD)/report-san/tests/report/make_synthetic_run.o \
		$(BUILD)/report-san/harness/results.o \
		$(BUILD)/report-san/harness/stats.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) $^ -o $@ $(REPORT_LDLIBS)

$(BUILD)/unit/test_stats: $(BUILD)/report-san/tests/unit/test_stats.o \
                          $(BUILD)/report-san/harness/stats.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) $^ -o $@ -lcmocka $(REPORT_LDLIBS)

$(BUILD)/unit/test_compare: $(BUILD)/report-san/tests/unit/test_compare.o \
                            $(REPORT_SAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) $^ -o $@ -lcmocka $(REPORT_LDLIBS)

# tests/report/test_report.sh needs these; tests/run.sh builds test-bins.
test-bins: report-tests
