# The Google Benchmark C shim (harness/gbench/): a C API (gbench_shim.h)
# over libbenchmark, in the suite's only C++ file. A program using it links
# $(GBENCH_OBJ) (or $(GBENCH_SAN_OBJ), objects) with $(GBENCH_LDLIBS), through $(CXX).
GBENCH_OBJ     := $(BUILD)/obj/harness/gbench/gbench_shim.o \
		  $(BUILD)/obj/harness/common/quantile.o
GBENCH_SAN_OBJ := $(BUILD)/san/harness/gbench/gbench_shim.o \
		  $(BUILD)/san/harness/common/quantile.o
GBENCH_LDLIBS  := -lbenchmark -lpthread -lstdc++

all: $(GBENCH_OBJ)
