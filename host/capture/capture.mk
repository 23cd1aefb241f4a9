# SPDX-License-Identifier: GPL-2.0-only
# build/msrcapture.so: the LD_PRELOAD shim of scripts/capture-filter.sh,
# which records a VMM's KVM_X86_SET_MSR_FILTER and KVM_CAP_X86_USER_SPACE_MSR
# calls as filter files.  Always a shared object (STATIC=1 or not); not
# installed (L1 of the Intel lane has no VMM to capture).

all: $(BUILD)/msrcapture.so

$(BUILD)/msrcapture.so: host/capture/msrcapture.c
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -fPIC -shared -o $@ $< -ldl
