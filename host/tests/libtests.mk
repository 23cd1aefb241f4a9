# SPDX-License-Identifier: GPL-2.0-only
# build/tests/test-lib: the generic guest library (lib/printf.c, string.c,
# argv.c, report.c) compiled for the host under ASan+UBSan, with its
# libc-clashing names renamed to cf_* by a force-included header, and
# linked with the unit tests in build/tests/test-lib*.c.  The only host
# build that sees lib/: it tests the guest library itself.

LIBTESTS_LIB_SRCS := lib/printf.c lib/string.c lib/argv.c lib/report.c
# (Filtered from host/tests/*.c: a $(wildcard host/tests/test-lib*.c) here
# came back empty under GNU make 4.3 once other fragments had globbed.)
LIBTESTS_TEST_SRCS := $(sort $(filter host/tests/test-lib%.c,$(wildcard host/tests/*.c)))
LIBTESTS_LIB_OBJS := $(patsubst lib/%.c,$(BUILD)/libtests/lib-%.o,$(LIBTESTS_LIB_SRCS))
LIBTESTS_TEST_OBJS := $(patsubst host/tests/%.c,$(BUILD)/libtests/%.o,$(LIBTESTS_TEST_SRCS))
LIBTESTS_CFLAGS := $(SAN_CFLAGS) -Ilib -Ihost/tests

CHECK_PROGS += $(BUILD)/tests/test-lib

$(LIBTESTS_LIB_OBJS): $(BUILD)/libtests/lib-%.o: lib/%.c host/tests/cflat-rename.h config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(LIBTESTS_CFLAGS) -include host/tests/cflat-rename.h -c $< -o $@

$(LIBTESTS_TEST_OBJS): $(BUILD)/libtests/%.o: host/tests/%.c config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(LIBTESTS_CFLAGS) -pthread -c $< -o $@

$(BUILD)/tests/test-lib: $(LIBTESTS_LIB_OBJS) $(LIBTESTS_TEST_OBJS)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -pthread -o $@ $^
