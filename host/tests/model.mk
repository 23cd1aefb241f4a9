# SPDX-License-Identifier: GPL-2.0-only
# The reference model (common/msrfilter.c) and its host unit tests.
# The model is also compiled into the guest library by the top Makefile and
# into the host programs that need it; this fragment only builds the test.

MODEL_TEST := $(BUILD)/tests/test-msrfilter
MODEL_OBJS := $(call objs,san,common/msrfilter.c host/tests/test-msrfilter.c)

CHECK_PROGS += $(MODEL_TEST)

$(MODEL_TEST): $(MODEL_OBJS)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $(MODEL_OBJS)
