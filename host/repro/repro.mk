# SPDX-License-Identifier: GPL-2.0-only
# build/repro-*: standalone reproducers of the KVM bugs the suite found,
# one C file each over /dev/kvm (host/repro/README).  Built with libc and
# <linux/kvm.h> only: no -I into the tree, so they stay copyable as they
# are.  Installed with the host programs, and linked into $(prefix)/bin so
# that a lane's --cmd finds them by name.  Included by the top Makefile.

REPRO_NAMES := $(patsubst host/repro/%.c,repro-%,$(sort $(wildcard host/repro/*.c)))
REPRO_PROGS := $(addprefix $(BUILD)/,$(REPRO_NAMES))
REPRO_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wmissing-prototypes \
	-Wstrict-prototypes $(WERROR_FLAG)

HOST_PROGS += $(REPRO_PROGS)
CHECK_PROGS += $(BUILD)/tests/test-repro

$(BUILD)/repro-%: host/repro/%.c config.mak $(BUILD)/ldflags
	@mkdir -p $(@D)
	$(HOSTCC) $(REPRO_CFLAGS) $(HOST_LDFLAGS) -o $@ $<

# Exit 4 (cannot run), not a crash, without a usable KVM device.
$(BUILD)/tests/test-repro: host/tests/test-repro.sh $(REPRO_PROGS)
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@
