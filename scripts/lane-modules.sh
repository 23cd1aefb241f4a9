#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Copy kernel modules and everything they depend on into a nested lane's
# initramfs, uncompressed (busybox insmod reads plain .ko files), and list
# them in load order, dependencies first.  Shared by the AMD lane
# (scripts/nested-kvm.sh) and the Intel lane (scripts/nested-intel.sh).
#
#   scripts/lane-modules.sh MODDIR DIR MODULE...
#
# MODDIR is a module tree with modules.dep (/lib/modules/VERSION); the
# modules land in DIR, and DIR/order gets one line per module,
# "/mods/NAME.ko": DIR is /mods inside the initramfs.
# Exit status 0, or 2 with a message when a module is missing.
set -u
[ $# -ge 3 ] || { echo "usage: $0 MODDIR DIR MODULE..." >&2; exit 2; }
moddir=$1 dir=$2
shift 2

declare -A seen
order=()
add_mod() {
	[ -n "${seen[$1]:-}" ] && return
	seen[$1]=1
	local d
	for d in $(grep -E "^$1:" "$moddir/modules.dep" | cut -d: -f2 | tr ' ' '\n' | tac); do
		add_mod "$d"
	done
	order+=("$1")
}
for m in "$@"; do
	p=$(grep -oE "^[^:]*/$m\.ko(\.xz|\.zst)?:" "$moddir/modules.dep" | tr -d :)
	[ -n "$p" ] || { echo "lane-modules: module $m not found in $moddir" >&2; exit 2; }
	add_mod "$p"
done
mkdir -p "$dir" || exit 2
for m in "${order[@]}"; do
	b=$(basename "$m")
	b=${b%%.ko*}.ko
	case "$m" in
	*.xz) xz -dc "$moddir/$m" >"$dir/$b" ;;
	*.zst) zstd -qdc "$moddir/$m" >"$dir/$b" ;;
	*) cp "$moddir/$m" "$dir/$b" ;;
	esac || { echo "lane-modules: cannot copy $moddir/$m" >&2; exit 2; }
	echo "/mods/$b" >>"$dir/order"
done
