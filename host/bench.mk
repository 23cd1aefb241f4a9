# `make bench`: host/bench measures the suite (see host/bench.c).
BENCH_OBJS := host/obj/bench/bench.o
HOST_CLEAN += host/bench

host/obj/bench/%.o: host/%.c config.mak
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

host/bench: $(BENCH_OBJS)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $^

.PHONY: bench
bench: all host/bench
	./host/bench $(BENCH_ARGS)

-include $(BENCH_OBJS:.o=.d)
