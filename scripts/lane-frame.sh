#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The frame that carries a directory across a raw disk between a nested lane
# and its host (the Intel lane: Bochs has no 9p, so L1 writes its results
# onto a second ATA disk, which the host reads after Bochs has ended).
# POSIX sh with nothing but tar, dd, head, sha256sum, so that the same file
# runs on the host and in L1's busybox initramfs.
#
#   lane-frame.sh blank IMG BYTES   create IMG (sparse) holding an empty frame
#   lane-frame.sh pack DIR IMG      write DIR's contents as a frame onto IMG
#   lane-frame.sh unpack IMG DIR    check IMG's frame and extract it into DIR
#   lane-frame.sh state IMG         print "empty", "full" or "none"
#
# The frame: a 512-byte header, its first line
#   kvm-msrfilter-tests frame 1 BYTES SHA256      (or "... frame 1 empty")
# zero-padded, then BYTES bytes of a tar archive whose SHA-256 is SHA256.
# The checksum tells a complete frame from a write cut short (L1 died while
# writing) or from stale data; "empty" is what the host wrote beforehand,
# so a disk L1 never wrote reads as such.
# Extraction leaves the files dated now: L1's clock is not the host's.
# Exit status: 0, or 2 with "IMG: message" on stderr.
set -u
magic='kvm-msrfilter-tests frame 1'

die() { echo "lane-frame: $*" >&2; exit 2; }

header() {	# $1 = first line; writes the padded 512-byte header
	printf '%s\n' "$1"
	dd if=/dev/zero bs=1 count=$((511 - ${#1})) 2>/dev/null
}

first_line() {	# $1 = image
	head -c 512 "$1" 2>/dev/null | head -n 1 | tr -d '\000'
}

case ${1:-} in
blank)
	[ $# -eq 3 ] || die "usage: $0 blank IMG BYTES"
	rm -f "$2" && : >"$2" || die "$2: cannot create"
	header "$magic empty" | dd of="$2" conv=notrunc 2>/dev/null || die "$2: cannot write"
	dd if=/dev/zero of="$2" bs=1 count=0 seek="$3" 2>/dev/null || die "$2: cannot size"
	;;
pack)
	[ $# -eq 3 ] || die "usage: $0 pack DIR IMG"
	[ -d "$2" ] || die "$2: not a directory"
	tmp=${TMPDIR:-/tmp}/lane-frame.$$
	tar -cf "$tmp" -C "$2" . || { rm -f "$tmp"; die "$2: tar failed"; }
	size=$(wc -c <"$tmp" | tr -d ' ')
	sum=$(sha256sum "$tmp" | cut -d' ' -f1)
	# The payload first, then the header that makes it valid: a write
	# cut short leaves the "empty" header (or a checksum mismatch).
	dd if="$tmp" of="$3" bs=512 seek=1 conv=notrunc,fsync 2>/dev/null ||
		{ rm -f "$tmp"; die "$3: cannot write the archive"; }
	rm -f "$tmp"
	header "$magic $size $sum" | dd of="$3" conv=notrunc,fsync 2>/dev/null ||
		die "$3: cannot write the header"
	sync
	;;
unpack)
	[ $# -eq 3 ] || die "usage: $0 unpack IMG DIR"
	[ -r "$2" ] || die "$2: cannot read"
	line=$(first_line "$2")
	case $line in
	"$magic empty") die "$2: empty frame (nothing was written)" ;;
	"$magic "*) ;;
	*) die "$2: no frame header" ;;
	esac
	set -- "$2" "$3" ${line#"$magic "}
	[ $# -eq 4 ] || die "$1: malformed frame header '$line'"
	case $3 in ''|*[!0-9]*) die "$1: malformed size '$3'" ;; esac
	case $4 in
	????????????????????????????????????????????????????????????????) ;;
	*) die "$1: malformed checksum '$4'" ;;
	esac
	tmp=${TMPDIR:-/tmp}/lane-frame.$$
	dd if="$1" bs=512 skip=1 2>/dev/null | head -c "$3" >"$tmp"
	got=$(wc -c <"$tmp" | tr -d ' ')
	[ "$got" = "$3" ] || { rm -f "$tmp"; die "$1: frame cut short ($got of $3 bytes)"; }
	sum=$(sha256sum "$tmp" | cut -d' ' -f1)
	[ "$sum" = "$4" ] || { rm -f "$tmp"; die "$1: checksum mismatch (frame damaged)"; }
	mkdir -p "$2" && tar -xmf "$tmp" -C "$2" || { rm -f "$tmp"; die "$1: cannot extract into $2"; }
	rm -f "$tmp"
	;;
state)
	[ $# -eq 2 ] || die "usage: $0 state IMG"
	case $(first_line "$2") in
	"$magic empty") echo empty ;;
	"$magic "*) echo full ;;
	*) echo none ;;
	esac
	;;
*)
	die "usage: $0 blank|pack|unpack|state ..."
	;;
esac
