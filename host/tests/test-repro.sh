#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The standalone reproducers (host/repro/): each must say CANNOT RUN on one
# stdout line and exit 4 when the KVM device is missing or is not KVM,
# whether named by --kvm-device or KVM_DEVICE, and exit 2 on a bad option.
# Run from the top directory; does not need /dev/kvm.
set -u
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fails=0

# $1 = name, $2 = expected status, $3 = text stdout must hold (or ""),
# rest = command
expect() {
	name=$1 want=$2 text=$3
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		echo "FAIL: $name: status $rc, expected $want: $(cat "$tmp/out" "$tmp/err")"
		fails=$((fails + 1))
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/out"; then
		echo "FAIL: $name: stdout lacks '$text': $(cat "$tmp/out")"
		fails=$((fails + 1))
	elif [ -n "$text" ] && [ "$(wc -l <"$tmp/out")" -ne 1 ]; then
		echo "FAIL: $name: more than the one verdict line: $(cat "$tmp/out")"
		fails=$((fails + 1))
	else
		echo "PASS: $name"
	fi
}

n=0
for p in build/repro-*; do
	[ -x "$p" ] || continue
	n=$((n + 1))
	r=${p#build/}
	expect "$r --kvm-device /nonexistent" 4 "$r: CANNOT RUN: open /nonexistent" \
		"$p" --kvm-device /nonexistent
	expect "$r KVM_DEVICE=/nonexistent" 4 "$r: CANNOT RUN: open /nonexistent" \
		env KVM_DEVICE=/nonexistent "$p"
	# Opens, but every KVM ioctl fails.
	expect "$r KVM_DEVICE=/dev/null" 4 "$r: CANNOT RUN: /dev/null is not a KVM device" \
		env KVM_DEVICE=/dev/null "$p"
	expect "$r --kvm-device /dev/null (over KVM_DEVICE)" 4 \
		"$r: CANNOT RUN: /dev/null is not a KVM device" \
		env KVM_DEVICE=/nonexistent "$p" --kvm-device /dev/null
	expect "$r --bogus: usage" 2 "" "$p" --bogus
done
if [ $n -eq 0 ]; then
	echo "FAIL: repro: no build/repro-* programs"
	exit 1
fi
[ $fails -eq 0 ]
