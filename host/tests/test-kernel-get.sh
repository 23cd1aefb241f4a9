#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Self-test of scripts/kernel-get.sh on a fake developer kernel (no network,
# no apt): a module tree with a hand-written modules.dep, so that the load
# order, built-in modules and the errors are checked.  Run from the top of
# the tree; prints PASS:/FAIL: lines, exits 1 if any check failed.
top=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kernel-get-selftest.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS: kernel-get: $1"; }
fail() { echo "FAIL: kernel-get: $1 ($2)"; failed=1; }
export NESTED_CACHE="$tmp/cache"

# A modules_install tree: kvm-amd needs kvm and ccp, kvm needs irqbypass;
# virtio_pci is listed as built in; 9p is neither a module nor listed.
v=9.9.9-test
m=$tmp/inst/lib/modules/$v
mkdir -p "$m/kernel/arch/x86/kvm" "$m/kernel/virt/lib" "$m/kernel/drivers/crypto/ccp"
for f in arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-amd.ko virt/lib/irqbypass.ko drivers/crypto/ccp/ccp.ko; do
	echo "$f" >"$m/kernel/$f"
done
cat >"$m/modules.dep" <<EOF
kernel/arch/x86/kvm/kvm-amd.ko: kernel/arch/x86/kvm/kvm.ko kernel/drivers/crypto/ccp/ccp.ko kernel/virt/lib/irqbypass.ko
kernel/arch/x86/kvm/kvm.ko: kernel/virt/lib/irqbypass.ko
kernel/virt/lib/irqbypass.ko:
kernel/drivers/crypto/ccp/ccp.ko:
EOF
echo "kernel/drivers/virtio/virtio_pci.ko" >"$m/modules.builtin"
# ccp is signed: body, a 5-byte signature, struct module_signature (its last
# 4 bytes: the length, big-endian), the marker.
printf 'ccp body\nSIGNA\0\0\0\0\0\0\0\0\0\0\0\005~Module signature appended~\n' \
	>"$m/kernel/drivers/crypto/ccp/ccp.ko"
echo "not a kernel" >"$tmp/bzImage"

out=$("$top/scripts/kernel-get.sh" --modules "$tmp/inst" --stage "$tmp/stage" \
	--also 9p,virtio_pci "$tmp/bzImage" 2>"$tmp/err")
st=$?
[ $st -eq 0 ] && pass "a modules_install tree resolves" || fail "a modules_install tree resolves" "status $st: $(cat "$tmp/err")"
echo "$out" | grep -qx "image=$tmp/bzImage" && echo "$out" | grep -qx "version=$v" &&
	echo "$out" | grep -qx "moddir=$tmp/inst/lib/modules/$v" &&
	echo "$out" | grep -qx "source=path: $tmp/bzImage, modules $tmp/inst" &&
	pass "image, version, moddir and source printed" ||
	fail "image, version, moddir and source printed" "$out"
order=$(tr '\n' ' ' <"$tmp/stage/order" 2>/dev/null)
[ "$order" = "irqbypass.ko kvm.ko ccp.ko kvm-amd.ko " ] &&
	pass "modules staged dependencies first, each once" ||
	fail "modules staged dependencies first, each once" "order: $order"
[ "$(cat "$tmp/stage/ccp.nosig.ko" 2>/dev/null)" = "ccp body" ] &&
	cmp -s "$tmp/stage/ccp.ko" "$m/kernel/drivers/crypto/ccp/ccp.ko" &&
	[ ! -e "$tmp/stage/kvm.nosig.ko" ] &&
	pass "a signed module also staged without its signature, an unsigned one not" ||
	fail "a signed module also staged without its signature, an unsigned one not" \
		"$(ls "$tmp/stage"; od -c "$tmp/stage/ccp.nosig.ko" 2>&1 | head -3)"
[ "$(cat "$tmp/stage/kvm-amd.ko" 2>/dev/null)" = arch/x86/kvm/kvm-amd.ko ] &&
	pass "staged module is the tree's file" || fail "staged module is the tree's file" "$(ls "$tmp/stage")"
grep -q "virtio_pci is built into $v" "$tmp/err" && ! grep -qx virtio_pci "$tmp/stage/builtin" &&
	pass "a module in modules.builtin is skipped, not checked later" ||
	fail "a module in modules.builtin is skipped, not checked later" "$(cat "$tmp/err" "$tmp/stage/builtin")"
grep -q "^kernel-get: 9p: no such module in $v" "$tmp/err" && grep -qx 9p "$tmp/stage/builtin" &&
	pass "a module neither there nor built in is named and left for /sys/module" ||
	fail "a module neither there nor built in is named and left for /sys/module" "$(cat "$tmp/err" "$tmp/stage/builtin")"

"$top/scripts/kernel-get.sh" --modules "$tmp/inst" "$tmp/nonexistent" >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 2 ] && grep -q "$tmp/nonexistent: no such kernel image" "$tmp/err" &&
	pass "missing image: status 2, named" || fail "missing image: status 2, named" "status $st: $(cat "$tmp/err")"
"$top/scripts/kernel-get.sh" --modules "$tmp/inst" 6.12 >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 2 ] && grep -q -- "--modules goes with a kernel image PATH" "$tmp/err" &&
	pass "--modules with a Debian SPEC: status 2" || fail "--modules with a Debian SPEC: status 2" "status $st: $(cat "$tmp/err")"
"$top/scripts/kernel-get.sh" --vendor arm "$tmp/bzImage" >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 2 ] && pass "unknown --vendor: status 2" || fail "unknown --vendor: status 2" "status $st"
exit $failed
