# SPDX-License-Identifier: GPL-2.0-only
# host/tests/test-lib: the generic guest library (lib/printf.c, string.c,
# argv.c, report.c) compiled for the host under ASan+UBSan, with its
# libc-clashing names renamed to cf_* by a force-included header, and
# linked with the unit tests in host/tests/test-lib*.c.

LIBTESTS_LIB_SRCS := lib/printf.c lib/string.c lib/argv.c lib/report.c
LIBTESTS_TEST_SRCS := $(sort $(wildcard host/tests/test-lib*.c))
LIBTESTS_LIB_OBJS := $(patsubst lib/%.c,host/obj/libtests/lib-%.o,$(LIBTESTS_LIB_SRCS))
LIBTESTS_TEST_OBJS := $(patsubst host/tests/%.c,host/obj/libtests/%.o,$(LIBTESTS_TEST_SRCS))
LIBTESTS_CFLAGS := $(SAN_CFLAGS) -Ihost/tests

CHECK_PROGS += host/tests/test-lib

$(LIBTESTS_LIB_OBJS): host/obj/libtests/lib-%.o: lib/%.c host/tests/cflat-rename.h config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(LIBTESTS_CFLAGS) -include host/tests/cflat-rename.h -c $< -o $@

$(LIBTESTS_TEST_OBJS): host/obj/libtests/%.o: host/tests/%.c config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(LIBTESTS_CFLAGS) -pthread -c $< -o $@

host/tests/test-lib: $(LIBTESTS_LIB_OBJS) $(LIBTESTS_TEST_OBJS)
	$(HOSTCC) $(SAN_CFLAGS) -pthread -o $@ $^

-include $(wildcard host/obj/libtests/*.d)
