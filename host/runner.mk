# SPDX-License-Identifier: GPL-2.0-only
# host/runner (the test runner behind run_tests.sh), the cfg parser and
# their tests.  Included by the top-level Makefile.

RUNNER_SRCS := host/runner.c host/runner_exec.c host/runner_host.c host/runner_known.c \
	host/runner_json.c host/runner_junit.c host/runner_logs.c \
	host/runner_out.c host/runner_parse.c host/runner_tap.c \
	host/runner_util.c host/runner_vmm.c host/cfg.c
RUNNER_OBJS := $(patsubst host/%.c,host/obj/runner/%.o,$(RUNNER_SRCS))
# The same sources with ASan+UBSan, driven by the runner self-test.
RUNNER_SAN_OBJS := $(patsubst host/%.c,host/obj/runner-san/%.o,$(RUNNER_SRCS))
RUNNER_SAN := host/obj/runner-san/runner
TEST_CFG_OBJS := host/obj/runner-san/cfg.o host/obj/runner-san/test-cfg.o

HOST_PROGS += host/runner
CHECK_PROGS += host/tests/test-cfg host/tests/runner-selftest

host/obj/runner/%.o: host/%.c config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

host/obj/runner-san/%.o: host/%.c config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -c $< -o $@

host/obj/runner-san/test-cfg.o: host/tests/test-cfg.c config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -c $< -o $@

host/runner: $(RUNNER_OBJS) host/obj/ldflags
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -o $@ $(filter %.o,$^) -lm

$(RUNNER_SAN): $(RUNNER_SAN_OBJS)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^ -lm

host/tests/test-cfg: $(TEST_CFG_OBJS)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^

# check.sh runs programs without arguments from the top directory; the
# self-test itself is a script, so install a tiny launcher.
host/tests/runner-selftest: scripts/runner-selftest.sh host/runner $(RUNNER_SAN)
	@mkdir -p $(@D)
	printf '#!/bin/sh\ncd "$$(dirname "$$0")/../.." && exec ./scripts/runner-selftest.sh "$$@"\n' >$@
	chmod +x $@

-include $(wildcard host/obj/runner/*.d host/obj/runner-san/*.d)
