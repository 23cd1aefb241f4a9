#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# scripts/lane-frame.sh: the frame that brings the Intel lane's results out
# of Bochs.  A frame must round-trip a logs tree exactly (symlinks, empty
# and binary files), also when packed by busybox alone (as in L1), and
# every damaged, cut-short, foreign or never-written image must be
# refused with status 2 and the image's name.  Run from the top directory.
set -u
frame=$PWD/scripts/lane-frame.sh
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fails=0

pass() { echo "PASS: lane-frame: $*"; }
fail() { echo "FAIL: lane-frame: $*"; fails=$((fails + 1)); }

# $1 = name, $2 = expected status, $3 = expected stderr text, rest = command
expect() {
	name=$1 want=$2 text=$3
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		fail "$name: status $rc, expected $want ($(cat "$tmp/err"))"
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/err"; then
		fail "$name: stderr lacks '$text': $(cat "$tmp/err")"
	else
		pass "$name"
	fi
}

# A tree shaped like the runner's logs.
src=$tmp/src
mkdir -p "$src/logs/20260101-000000"
printf 'PASS a\nFAIL b\n' >"$src/logs/20260101-000000/t.log"
: >"$src/logs/20260101-000000/empty.env"
head -c 70000 /dev/urandom >"$src/logs/20260101-000000/blob"
ln -s 20260101-000000 "$src/logs/latest"
echo 1 >"$src/status"
img=$tmp/img

expect "blank image" 0 "" "$frame" blank "$img" 1048576
[ "$("$frame" state "$img")" = empty ] && pass "blank image reads as empty" ||
	fail "blank image does not read as empty"
expect "unpacking a never-written frame" 2 "$img: empty frame" "$frame" unpack "$img" "$tmp/x"
[ "$(wc -c <"$img")" -eq 1048576 ] && pass "blank image has the size asked for" ||
	fail "blank image is $(wc -c <"$img") bytes"

expect "pack" 0 "" "$frame" pack "$src" "$img"
[ "$("$frame" state "$img")" = full ] && pass "packed image reads as full" ||
	fail "packed image does not read as full"
expect "unpack" 0 "" "$frame" unpack "$img" "$tmp/out1"
if diff -r "$src" "$tmp/out1" >/dev/null 2>&1 &&
   [ "$(readlink "$tmp/out1/logs/latest")" = 20260101-000000 ]; then
	pass "round trip keeps files, empty files, binary data and symlinks"
else
	fail "round trip changed the tree"
fi

# L1 has busybox and nothing else: pack with its applets only.
if [ -x /bin/busybox ]; then
	bb=$tmp/bb
	mkdir "$bb"
	for a in sh tar dd head wc tr cut sha256sum sync rm cat mkdir printf; do
		ln -s /bin/busybox "$bb/$a"
	done
	"$frame" blank "$tmp/img2" 1048576
	expect "pack with busybox only" 0 "" env PATH="$bb" /bin/busybox sh "$frame" pack "$src" "$tmp/img2"
	expect "unpack what busybox packed" 0 "" "$frame" unpack "$tmp/img2" "$tmp/out2"
	diff -r "$src" "$tmp/out2" >/dev/null 2>&1 && pass "busybox round trip" ||
		fail "busybox round trip changed the tree"
else
	echo "SKIP: lane-frame: busybox packing (no /bin/busybox: apt-get install busybox-static)"
fi

# One flipped byte inside the archive.
cp "$img" "$tmp/bad"
printf 'X' | dd of="$tmp/bad" bs=1 seek=2000 conv=notrunc 2>/dev/null
expect "flipped byte" 2 "$tmp/bad: checksum mismatch" "$frame" unpack "$tmp/bad" "$tmp/x"
# An image cut inside the archive (e.g. a disk smaller than the frame).
head -c 20000 "$img" >"$tmp/short"
expect "cut short" 2 "$tmp/short: frame cut short" "$frame" unpack "$tmp/short" "$tmp/x"
# An archive written without its header (L1 died in between): still empty.
"$frame" blank "$tmp/half" 1048576
dd if="$img" of="$tmp/half" bs=512 skip=1 seek=1 conv=notrunc 2>/dev/null
expect "archive without header" 2 "$tmp/half: empty frame" "$frame" unpack "$tmp/half" "$tmp/x"
# Not a frame at all, and headers that lie.
head -c 4096 /dev/zero >"$tmp/zero"
expect "zeroed image" 2 "$tmp/zero: no frame header" "$frame" unpack "$tmp/zero" "$tmp/x"
[ "$("$frame" state "$tmp/zero")" = none ] && pass "zeroed image reads as none" ||
	fail "zeroed image does not read as none"
for h in "kvm-msrfilter-tests frame 1 12x 0" "kvm-msrfilter-tests frame 1 12" \
	 "kvm-msrfilter-tests frame 1 12 abc"; do
	cp "$img" "$tmp/lie"
	{ printf '%s\n' "$h"; head -c $((511 - ${#h})) /dev/zero; } |
		dd of="$tmp/lie" conv=notrunc 2>/dev/null
	expect "header '$h'" 2 "$tmp/lie: malformed" "$frame" unpack "$tmp/lie" "$tmp/x"
done
expect "missing image" 2 "cannot read" "$frame" unpack "$tmp/nonexistent" "$tmp/x"
expect "usage" 2 "usage" "$frame" frobnicate

[ $fails -eq 0 ]
