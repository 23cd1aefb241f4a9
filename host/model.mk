# SPDX-License-Identifier: GPL-2.0-only
# The reference model (lib/msrfilter.c) and its host unit tests.
# The model is also compiled into the guest library by the top Makefile and
# into the harness by host/kvmrun.mk; this fragment only builds the test.

MODEL_OBJDIR := host/obj/model
MODEL_TEST := host/tests/test-msrfilter
MODEL_OBJS := $(MODEL_OBJDIR)/msrfilter.o $(MODEL_OBJDIR)/test-msrfilter.o

CHECK_PROGS += $(MODEL_TEST)

$(MODEL_OBJDIR)/msrfilter.o: lib/msrfilter.c config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -c $< -o $@

$(MODEL_OBJDIR)/test-msrfilter.o: host/tests/test-msrfilter.c config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -c $< -o $@

$(MODEL_TEST): $(MODEL_OBJS)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $(MODEL_OBJS)

-include $(wildcard $(MODEL_OBJDIR)/*.d)
