#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# `make check`: run every host unit-test program given as an argument, then
# boot the default guest images under QEMU TCG through the runner (so this
# works without /dev/kvm), and end with one "N passed, N failed, N skipped"
# line.  Each program prints PASS:/FAIL:/SKIP: lines; a program that exits
# non-zero (other than 77, skipped) without printing a FAIL line still
# counts as one failure.
set -u
cd "$(dirname "$0")/.." || exit 2

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0 skip=0

count() {	# $1 = output file, $2 = exit status, $3 = name
	p=$(grep -c '^PASS: ' "$1")
	f=$(grep -c '^FAIL: ' "$1")
	s=$(grep -c '^SKIP: ' "$1")
	# 77: the program could not run here (its SKIP line says why).
	if [ "$2" -ne 0 ] && [ "$2" -ne 77 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $3 exited with status $2 without a FAIL line"
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	printf '%-36s %5d passed, %d failed, %d skipped\n' "$3" "$p" "$f" "$s"
}

for prog in "$@"; do
	out=$tmp/out
	"./$prog" >"$out" 2>&1
	rc=$?
	grep -E '^(FAIL|SKIP): ' "$out"
	count "$out" "$rc" "$prog"
done

# Guest images under QEMU TCG, through the real runner.
out=$tmp/guest
if command -v "${QEMU:-qemu-system-x86_64}" >/dev/null 2>&1; then
	ACCEL=tcg VMM=qemu LOGDIR="$tmp/logs" ./run_tests.sh --color=never -g selftest,apic \
		>"$out" 2>&1
	rc=$?
	sed -n 's/^\(PASS\|FAIL\|SKIP\|XFAIL\|XPASS\|TIMEOUT\|ERROR\) \([^ ]*\).*/&/p' "$out"
	# XFAIL is a listed, explained difference (known-failures): not a failure.
	p=$(grep -Ec '^(PASS|XFAIL) ' "$out")
	f=$(grep -Ec '^(FAIL|XPASS|TIMEOUT|ERROR) ' "$out")
	s=$(grep -c '^SKIP ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		cat "$out"
		f=1
	fi
	[ "$f" -eq 0 ] || cat "$tmp"/logs/latest/*.log 2>/dev/null | tail -n 60
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	printf '%-36s %5d passed, %d failed, %d skipped\n' "guest images (QEMU TCG)" "$p" "$f" "$s"
else
	echo "SKIP: guest images under QEMU TCG (qemu-system-x86_64 not found: apt-get install qemu-system-x86)"
	skip=$((skip + 1))
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
