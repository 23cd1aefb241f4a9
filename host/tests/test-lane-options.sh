#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The lanes' option order: a lane option (--kernel, --modules, --vendor,
# --kvm-param) after run_tests.sh's options would only fail inside L1,
# after a whole boot; both lanes must refuse it at once, status 2, naming
# it.  Run from the top directory; boots nothing.
fails=0
check() {	# name, then the command
	name=$1
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 2 ] && echo "$out" | grep -q -- "must come before run_tests.sh's options"; then
		echo "PASS: lane options: $name"
	else
		echo "FAIL: lane options: $name: status $rc: $out"
		fails=$((fails + 1))
	fi
}
check "AMD lane, --kernel after -g" scripts/nested-kvm.sh -g nested --kernel 6.12
check "Intel lane, --kernel after -g" scripts/nested-kvm.sh --vendor intel -g nested --kernel=7.3
check "Intel lane, --kvm-param after a test name" \
	scripts/nested-kvm.sh --vendor intel msr_nested --kvm-param enable_apicv=0
[ $fails -eq 0 ]
