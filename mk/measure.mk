# hmmbench, the measuring program (harness/measure/): device client, page
# states, topology, plan, runner, system record, output, resume, governor,
# progress, interrupt. build/libmeasure.a holds all of it but main().
MEASURE_SRCS   := $(filter-out harness/measure/hmmbench.c,$(wildcard harness/measure/*.c)) \
		  $(COMMON_SRCS)
MEASURE_LDLIBS := -lnuma -lhwloc -ljansson -lm -lpthread

MEASURE_LIB     := $(BUILD)/libmeasure.a
MEASURE_SAN_LIB := $(BUILD)/san/libmeasure.a

# A tree unpacked from git archive (harness/fleet/) names its commit in .revision.
HMMBENCH_DEFS := -DHMMBENCH_REVISION='"$(shell git describe --always --dirty 2>/dev/null || cat .revision 2>/dev/null || echo unknown)"' \
		 -DHMMBENCH_LIBBENCHMARK_VERSION='"$(shell pkg-config --modversion benchmark 2>/dev/null || echo unknown)"'

all: $(BUILD)/hmmbench

$(MEASURE_LIB): $(call objs,obj,$(MEASURE_SRCS))
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(MEASURE_SAN_LIB): $(call objs,san,$(MEASURE_SRCS))
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/obj/harness/measure/hmmbench.o: harness/measure/hmmbench.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(HMMBENCH_DEFS) $(CFLAGS) -c $< -o $@

$(BUILD)/hmmbench: $(BUILD)/obj/harness/measure/hmmbench.o $(MEASURE_LIB) $(GBENCH_OBJ)
	$(CXX) $(LDFLAGS) $^ -o $@ $(MEASURE_LDLIBS) $(GBENCH_LDLIBS)
