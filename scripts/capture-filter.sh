#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Record the MSR filter a VMM installs, as filter files for --audit:
#
#   scripts/capture-filter.sh OUTDIR -- VMM-COMMAND [ARGS...]
#
# Runs the command with build/msrcapture.so preloaded (host/capture/
# msrcapture.c): every KVM_X86_SET_MSR_FILTER it makes becomes
# OUTDIR/filter-N.filter (N in call order; a VMM may install several, e.g.
# an empty one at reset, then its own), with the KVM_CAP_X86_USER_SPACE_MSR
# exit mask in force as a "# Exit mask: N" comment, which
# `./run_tests.sh --audit FILE` takes as its default.  The calls still go to
# KVM unchanged.  Exit status: the command's; 2 on a usage error.
# A statically linked VMM, or one that makes its ioctls without libc's
# ioctl(), is not seen (nothing is written then).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 3 ] && [ "$2" = -- ] || {
	echo "usage: $0 OUTDIR -- VMM-COMMAND [ARGS...]" >&2; exit 2; }
out=$1
shift 2
mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
so=$top/build/msrcapture.so
[ -f "$so" ] || make -s -C "$top" "$so" >&2 || { echo "capture-filter: cannot build $so" >&2; exit 2; }
MSRCAPTURE_DIR=$out LD_PRELOAD=$so${LD_PRELOAD:+:$LD_PRELOAD} "$@"
status=$?
n=$(ls "$out"/filter-*.filter 2>/dev/null | wc -l)
echo "capture-filter: $n filter call(s) recorded in $out" >&2
for f in "$out"/filter-*.filter; do
	[ -f "$f" ] && echo "  $f: $(grep -c '^range' "$f") range(s), $(sed -n 's/^# Exit mask: //p' "$f")" >&2
done
exit $status
