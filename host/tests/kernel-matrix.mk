# SPDX-License-Identifier: GPL-2.0-only
# Self-tests of the kernel matrix tools, run by `make check`: the report
# builder (scripts/kernel-report.py) and the kernel resolver
# (scripts/kernel-get.sh, offline: a fake developer kernel).  Included by
# the top-level Makefile.

CHECK_PROGS += $(BUILD)/tests/test-kernel-report $(BUILD)/tests/test-kernel-get

# check.sh runs programs from the top directory; a launcher that reports a
# SKIP with the package to install when there is no python3.
$(BUILD)/tests/test-kernel-report: host/tests/test-kernel-report.py scripts/kernel-report.py
	@mkdir -p $(@D)
	printf '#!/bin/sh\ncd "$$(dirname "$$0")/../.." || exit 1\ncommand -v python3 >/dev/null || { echo "SKIP: kernel-report: no python3 (apt-get install python3)"; exit 0; }\nexec python3 host/tests/test-kernel-report.py\n' >$@
	chmod +x $@

# A copy in build/, where check programs live.
$(BUILD)/tests/test-kernel-get: host/tests/test-kernel-get.sh scripts/kernel-get.sh
	@mkdir -p $(@D)
	cp host/tests/test-kernel-get.sh $@
	chmod +x $@
