# SPDX-License-Identifier: GPL-2.0-only
# Checks of the nested lanes' host-side pieces: scripts/lane-frame.sh (the
# Intel lane's result frame) and scripts/lib/fastboot.sh with
# scripts/bochs/lane-boot.S (its fast boot).  Included by the top-level
# Makefile.

CHECK_PROGS += $(BUILD)/tests/test-lane-frame $(BUILD)/tests/test-fastboot \
	$(BUILD)/tests/test-lane-options

$(BUILD)/tests/test-lane-frame: host/tests/test-lane-frame.sh scripts/lane-frame.sh
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@

$(BUILD)/tests/test-fastboot: host/tests/test-fastboot.sh scripts/lib/fastboot.sh scripts/bochs/lane-boot.S
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@

$(BUILD)/tests/test-lane-options: host/tests/test-lane-options.sh scripts/lib/lane.sh
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@
