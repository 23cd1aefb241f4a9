# SPDX-License-Identifier: GPL-2.0-only
# Checks of the nested lanes' host-side pieces (scripts/lane-frame.sh, the
# Intel lane's result frame).  Included by the top-level Makefile.

CHECK_PROGS += $(BUILD)/tests/test-lane-frame

$(BUILD)/tests/test-lane-frame: host/tests/test-lane-frame.sh scripts/lane-frame.sh
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@
