# hmmbench-report, the analysis program (harness/report/): reads result
# folders (results), statistics (stats), compare, report, plots.
REPORT_SRCS   := $(filter-out harness/report/report_main.c,$(wildcard harness/report/*.c)) \
		 $(COMMON_SRCS)
REPORT_LDLIBS := -ljansson -lgsl -lgslcblas -lm

REPORT_LIB     := $(BUILD)/libreport.a
REPORT_SAN_LIB := $(BUILD)/san/libreport.a

.PHONY: report
all: $(BUILD)/hmmbench-report
report: $(BUILD)/hmmbench-report

$(REPORT_LIB): $(call objs,obj,$(REPORT_SRCS))
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(REPORT_SAN_LIB): $(call objs,san,$(REPORT_SRCS))
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/hmmbench-report: $(BUILD)/obj/harness/report/report_main.o $(REPORT_LIB)
	$(CC) $(LDFLAGS) $^ -o $@ $(REPORT_LDLIBS)

# The same with ASan and UBSan, for the shell tests of the report.
$(BUILD)/san/hmmbench-report: $(BUILD)/san/harness/report/report_main.o $(REPORT_SAN_LIB)
	$(CC) $(SANFLAGS) $(LDFLAGS) $^ -o $@ $(REPORT_LDLIBS)
