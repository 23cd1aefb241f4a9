# SPDX-License-Identifier: GPL-2.0-only
# build/ioctl-test: host-only checks of the MSR filter ioctl (no guest).
# Installed, and run by `make check` (a SKIP without /dev/kvm).

IOCTLTEST_SRCS := host/ioctl-test/ioctl-test.c common/msrfilter.c $(KVM_SRCS)

HOST_PROGS += $(BUILD)/ioctl-test
CHECK_PROGS += $(BUILD)/ioctl-test

$(BUILD)/ioctl-test: $(call objs,obj,$(IOCTLTEST_SRCS)) $(BUILD)/ldflags
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -o $@ $(filter %.o,$^) -pthread
