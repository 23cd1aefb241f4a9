# SPDX-License-Identifier: GPL-2.0-only
# The self-test of scripts/kernel-report.py (the kernel matrix report), run
# by `make check`.  Included by the top-level Makefile.

CHECK_PROGS += host/tests/test-kernel-report

# check.sh runs programs from the top directory; a launcher that reports a
# SKIP with the package to install when there is no python3.
host/tests/test-kernel-report: host/tests/test-kernel-report.py scripts/kernel-report.py
	@mkdir -p $(@D)
	printf '#!/bin/sh\ncd "$$(dirname "$$0")/../.." || exit 1\ncommand -v python3 >/dev/null || { echo "SKIP: kernel-report: no python3 (apt-get install python3)"; exit 0; }\nexec python3 host/tests/test-kernel-report.py\n' >$@
	chmod +x $@
