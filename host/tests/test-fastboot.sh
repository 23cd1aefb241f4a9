#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Self-test of scripts/lib/fastboot.sh, the Intel lane's fast boot, on
# made-up kernels (no Bochs, no real kernel): a bzImage header around an
# ELF with two PT_LOAD segments, compressed as the kernel's build does it
# (gzip; xz, zstd and none with the 4-byte size trailer the build appends).
# The flat image must hold each segment at p_paddr - pref_address, the
# entry point and addresses must come out right, a second call must use the
# cache, and every bad input must be refused with its reason; the boot stub
# (scripts/bochs/lane-boot.S) must assemble around the setup code and the
# command line.  Run from the top of the tree; PASS:/FAIL:/SKIP: lines,
# exit 1 if any check failed.
set -u
top=$(pwd)
me=test-fastboot
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fastboot-selftest.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS: fastboot: $1"; }
fail() { echo "FAIL: fastboot: $1 ($2)"; failed=1; }
skip() { echo "SKIP: fastboot: $1"; }
# shellcheck source=scripts/lib/fastboot.sh
. "$top/scripts/lib/fastboot.sh"
cache=$tmp/cache

for t in gcc ld objcopy; do
	command -v $t >/dev/null || { echo "SKIP: fastboot: no $t (apt-get install gcc binutils)"; exit 0; }
done

# poke FILE OFFSET VALUE BYTES: a little-endian number into FILE.
poke() {
	local i s=
	for ((i = 0; i < $4; i++)); do
		s="$s\\$(printf '%03o' $((($3 >> (8 * i)) & 255)))"
	done
	printf "$s" | dd of="$1" bs=1 seek=$(($2)) conv=notrunc 2>/dev/null
}

# The ELF: .text (0x300 bytes of 0xa1) at physical 16 MiB, .data (0x40
# bytes of 0xd2) at 18 MiB, linked at the kernel's virtual addresses; the
# entry point is physical, 0x10 into .text.
cat >"$tmp/k.S" <<'EOF'
	.text
	.fill	0x300, 1, 0xa1
	.data
	.fill	0x40, 1, 0xd2
EOF
cat >"$tmp/k.lds" <<'EOF'
SECTIONS {
	. = 0xffffffff81000000;
	.text : AT(0x1000000) { *(.text) }
	. = 0xffffffff81200000;
	.data : AT(0x1200000) { *(.data) }
	/DISCARD/ : { *(*) }
}
EOF
gcc -c -o "$tmp/k.o" "$tmp/k.S" &&
	ld -m elf_x86_64 -z max-page-size=0x1000 -T "$tmp/k.lds" -e 0x1000010 -o "$tmp/vmlinux" "$tmp/k.o" ||
	{ fail "building the test ELF" "gcc/ld failed"; exit 1; }
elf_size=$(stat -c %s "$tmp/vmlinux")
# What the flat image must be: .text, zeros up to 2 MiB, .data.
{ head -c 768 /dev/zero | tr '\0' '\241'; head -c $((0x200000 - 768)) /dev/zero
  head -c 64 /dev/zero | tr '\0' '\322'; } >"$tmp/want.flat"

# mkbz OUT PAYLOAD: a bzImage with one setup sector and PAYLOAD 0x40 bytes
# into the protected-mode part; boot protocol 2.15, 64-bit, pref_address
# 16 MiB, init_size 32 MiB.
mkbz() {
	local out=$1 pay=$2 plen
	plen=$(stat -c %s "$pay")
	head -c 1024 /dev/zero >"$out"
	poke "$out" 0x1f1 1 1			# setup_sects
	poke "$out" 0x1fe 0xaa55 2
	poke "$out" 0x202 0x53726448 4		# HdrS
	poke "$out" 0x206 0x020f 2		# version 2.15
	poke "$out" 0x22c 0x7fffffff 4		# initrd_addr_max
	poke "$out" 0x236 0x7f 2		# xloadflags: XLF_KERNEL_64 and more
	poke "$out" 0x238 2047 4		# cmdline_size
	poke "$out" 0x248 0x40 4		# payload_offset
	poke "$out" 0x24c "$plen" 4		# payload_length
	poke "$out" 0x258 0x1000000 8		# pref_address
	poke "$out" 0x260 0x2000000 4		# init_size
	head -c 64 /dev/zero >>"$out"
	cat "$pay" >>"$out"
}

# withsize FILE: FILE, then the ELF's length as le32 (the kernel's size_append)
withsize() { cat "$1"; local f=$tmp/sz; : >"$f"; poke "$f" 0 "$elf_size" 4; cat "$f"; }

check_kernel() {	# NAME BZIMAGE FORMAT
	local name=$1 img=$2 fmt=$3
	if fb_kernel "$img" "$cache"; then
		if [ "$fb_format" = "$fmt" ] && [ "$fb_base" = $((0x1000000)) ] &&
		   [ "$fb_entry" = $((0x1000010)) ] && [ "$fb_flat_len" = $((0x200040)) ] &&
		   cmp -s "$fb_flat" "$tmp/want.flat"; then
			pass "$name: flat image, base, entry and length"
		else
			fail "$name: flat image, base, entry and length" \
				"format $fb_format base $fb_base entry $fb_entry length $fb_flat_len; $(cmp "$fb_flat" "$tmp/want.flat" 2>&1)"
		fi
	else
		fail "$name: unpacks" "$fb_why"
	fi
}

gzip -9nc "$tmp/vmlinux" >"$tmp/p.gz"
mkbz "$tmp/bz.gz" "$tmp/p.gz"
check_kernel gzip "$tmp/bz.gz" gzip
xz --check=crc32 -c "$tmp/vmlinux" >"$tmp/p.xz.0" && withsize "$tmp/p.xz.0" >"$tmp/p.xz"
mkbz "$tmp/bz.xz" "$tmp/p.xz"
check_kernel xz "$tmp/bz.xz" xz
if command -v zstd >/dev/null; then
	zstd -q -19 -c "$tmp/vmlinux" >"$tmp/p.zst.0" && withsize "$tmp/p.zst.0" >"$tmp/p.zst"
	mkbz "$tmp/bz.zst" "$tmp/p.zst"
	check_kernel zstd "$tmp/bz.zst" zstd
else
	skip "zstd payload (no zstd: apt-get install zstd)"
fi
mkbz "$tmp/bz.none" "$tmp/vmlinux"
check_kernel "uncompressed" "$tmp/bz.none" none

# The cache: one entry per kernel file, used the second time.
n=$(find "$cache" -mindepth 1 -maxdepth 1 -type d | wc -l)
fb_kernel "$tmp/bz.xz" "$cache"
first=$fb_flat
touch -d '2 days ago' "$first"
rm -f "$tmp/p.xz"	# not needed again
if fb_kernel "$tmp/bz.xz" "$cache" && [ "$fb_flat" = "$first" ] &&
   [ "$(find "$first" -mtime +1)" = "$first" ] && [ "$fb_format" = xz ] && [ "$fb_entry" = $((0x1000010)) ]; then
	pass "a second call reuses the cached flat image"
else
	fail "a second call reuses the cached flat image" "$fb_flat ${fb_why:-}"
fi
[ "$n" -ge 3 ] && [ -z "$(find "$cache" -name '.new-*')" ] &&
	pass "one cache entry per kernel, no leftovers" ||
	fail "one cache entry per kernel, no leftovers" "$(ls -a "$cache")"

# refuse NAME BZIMAGE TEXT: fb_kernel says no, and why.
refuse() {
	if fb_kernel "$2" "$cache"; then
		fail "$1 is refused" "accepted"
	elif [[ "$fb_why" != *"$3"* ]]; then
		fail "$1 is refused with '$3'" "$fb_why"
	else
		pass "$1 is refused ($fb_why)"
	fi
}
refuse "a missing file" "$tmp/nope" "no such file"
echo "not a kernel" >"$tmp/text"
refuse "a text file" "$tmp/text" "too short"
head -c 2048 /dev/urandom >"$tmp/random"
poke "$tmp/random" 0x1fe 0 2
refuse "a file without the boot flag" "$tmp/random" "not a bzImage"
cp "$tmp/bz.gz" "$tmp/old"; poke "$tmp/old" 0x206 0x020a 2
refuse "boot protocol 2.10" "$tmp/old" "boot protocol 2.10, 2.12 or later needed"
cp "$tmp/bz.gz" "$tmp/k32"; poke "$tmp/k32" 0x236 0 2
refuse "a 32-bit kernel" "$tmp/k32" "not a 64-bit kernel"
cp "$tmp/bz.gz" "$tmp/long"; poke "$tmp/long" 0x24c 99999999 4
refuse "a payload past the end of the file" "$tmp/long" "not inside the file"
head -c 300 /dev/zero | tr '\0' J >"$tmp/p.junk"
mkbz "$tmp/bz.junk" "$tmp/p.junk"
refuse "an unknown payload format" "$tmp/bz.junk" "unknown payload format"
{ head -c 100 "$tmp/p.xz.0"; head -c 50 /dev/zero; } | withsize /dev/stdin >"$tmp/p.cut"
mkbz "$tmp/bz.cut" "$tmp/p.cut"
refuse "a damaged xz payload" "$tmp/bz.cut" "xz payload does not unpack"
{ cat "$tmp/p.xz.0"; f=$tmp/sz2; : >"$f"; poke "$f" 0 $((elf_size + 1)) 4; cat "$f"; } >"$tmp/p.badsize"
mkbz "$tmp/bz.badsize" "$tmp/p.badsize"
refuse "a size trailer that does not match" "$tmp/bz.badsize" "its trailer says $((elf_size + 1))"
head -c 4096 /dev/zero | gzip -nc >"$tmp/p.zeros"
mkbz "$tmp/bz.zeros" "$tmp/p.zeros"
refuse "a payload that is no ELF" "$tmp/bz.zeros" "not an ELF file"
cp "$tmp/vmlinux" "$tmp/vmlinux32"; poke "$tmp/vmlinux32" 4 1 1		# ELFCLASS32
gzip -nc "$tmp/vmlinux32" >"$tmp/p.32"
mkbz "$tmp/bz.elf32" "$tmp/p.32"
refuse "an ELF32 payload" "$tmp/bz.elf32" "not a 64-bit little-endian x86-64 ELF"
cp "$tmp/bz.gz" "$tmp/small"; poke "$tmp/small" 0x260 0x100000 4
refuse "segments beyond init_size" "$tmp/small" "lies outside pref_address"
cp "$tmp/bz.gz" "$tmp/high"; poke "$tmp/high" 0x258 0x2000000 8
refuse "segments below pref_address" "$tmp/high" "lies outside pref_address"
ld -m elf_x86_64 -z max-page-size=0x1000 -T "$tmp/k.lds" -e 0x3000000 -o "$tmp/vmlinux.e" "$tmp/k.o" &&
	gzip -nc "$tmp/vmlinux.e" >"$tmp/p.e" && mkbz "$tmp/bz.e" "$tmp/p.e" &&
	refuse "an entry point outside the segments" "$tmp/bz.e" "entry point 0x3000000 is outside"

# The boot image: the stub assembles around the setup code and the
# command line; the initramfs goes above pref_address + init_size (2 MiB
# aligned), the token after it.
head -c 100000 /dev/zero >"$tmp/initrd"
cmd="BOOT_IMAGE=/vmlinuz initrd=/initrd console=ttyS0,115200 quiet"
if fb_kernel "$tmp/bz.gz" "$cache" && fb_boot_image "$tmp/bz.gz" "$tmp/boot" "$cmd" "$tmp/initrd" 1024; then
	b=$tmp/boot/lane-boot.bin
	if [ "$(od -An -tx1 -N 2 "$b" | tr -d ' ')" = faea ] &&
	   tail -c 1024 "$b" | cmp -s - <(head -c 1024 "$tmp/bz.gz") &&
	   grep -qa "$cmd" "$b" && grep -qa "lane-boot: entering" "$b" &&
	   [ "$(cat "$tmp/boot/token")" = LANEBOOT ] &&
	   [ "$fb_initrd_addr" = $((0x3000000)) ] && [ "$fb_token_addr" = $((0x3000000 + 102400)) ]; then
		pass "boot image: stub, command line, setup code; initramfs and token addresses"
	else
		fail "boot image: stub, command line, setup code; initramfs and token addresses" \
			"$(od -An -tx1 -N 2 "$b") initrd $fb_initrd_addr token $fb_token_addr"
	fi
else
	fail "boot image builds" "$fb_why"
fi
if fb_boot_image "$tmp/bz.gz" "$tmp/boot2" "$(head -c 3000 /dev/zero | tr '\0' x)" "$tmp/initrd" 1024; then
	fail "a command line longer than cmdline_size is refused" "accepted"
else
	[[ "$fb_why" == *"the kernel takes 2047"* ]] && pass "a command line longer than cmdline_size is refused" ||
		fail "a command line longer than cmdline_size is refused" "$fb_why"
fi
if fb_boot_image "$tmp/bz.gz" "$tmp/boot3" "$cmd" "$tmp/initrd" 112; then
	fail "an initramfs that does not fit in RAM is refused" "accepted"
else
	[[ "$fb_why" == *"does not fit below 0x3000000"* ]] && pass "an initramfs that does not fit in RAM is refused" ||
		fail "an initramfs that does not fit in RAM is refused" "$fb_why"
fi
exit $failed
