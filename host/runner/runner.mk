# SPDX-License-Identifier: GPL-2.0-only
# build/runner (the test runner behind run_tests.sh), the cfg parser and
# their tests.  Included by the top-level Makefile.

# The filter-file parser and kvmrun's option parser check cfg stanzas.
RUNNER_SRCS := $(sort $(wildcard host/runner/*.c)) $(FILTERFILE_SRCS) \
	host/util/kvmrunopts.c
RUNNER_OBJS := $(call objs,obj,$(RUNNER_SRCS))
# The same sources with ASan+UBSan, driven by the runner self-test.
RUNNER_SAN_OBJS := $(call objs,san,$(RUNNER_SRCS))
RUNNER_SAN := $(BUILD)/san/runner
TEST_CFG_OBJS := $(call objs,san,host/runner/cfg.c host/tests/test-cfg.c $(UTIL_SRCS))

HOST_PROGS += $(BUILD)/runner
CHECK_PROGS += $(BUILD)/tests/test-cfg $(BUILD)/tests/runner-selftest

$(BUILD)/runner: $(RUNNER_OBJS) $(BUILD)/ldflags
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -o $@ $(filter %.o,$^) -lm

$(RUNNER_SAN): $(RUNNER_SAN_OBJS)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^ -lm

$(BUILD)/tests/test-cfg: $(TEST_CFG_OBJS)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^

# check.sh runs programs without arguments from the top directory; the
# self-test itself is a script, so install a tiny launcher.
$(BUILD)/tests/runner-selftest: scripts/runner-selftest.sh $(BUILD)/runner $(RUNNER_SAN) \
		$(BUILD)/ioctl-test
	@mkdir -p $(@D)
	printf '#!/bin/sh\ncd "$$(dirname "$$0")/../.." && exec ./scripts/runner-selftest.sh "$$@"\n' >$@
	chmod +x $@
