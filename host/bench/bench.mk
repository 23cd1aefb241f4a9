# `make bench`: build/bench measures the suite (see host/bench/bench.c).
BENCH_OBJS := $(call objs,obj,$(wildcard host/bench/*.c) $(UTIL_SRCS))

$(BUILD)/bench: $(BENCH_OBJS)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $^

.PHONY: bench
bench: all $(BUILD)/bench
	./$(BUILD)/bench $(BENCH_ARGS)
