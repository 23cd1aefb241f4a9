#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the suite once per kernel in the nested lane and compare the kernels.
#
#   scripts/kernel-matrix.sh [--out DIR] SPEC... [-- run_tests.sh args]
#
# SPEC: anything scripts/nested-kvm.sh --kernel takes (installed, 6.1,
# 6.12, 7.3, 7.2.13, unstable, ...; a built kernel as PATH:MODULES-DIR).
# The lanes run one after the other; each keeps its logs/<stamp>/ as
# usual.  A lane that ends with status 2 (the nested VM failed: stalled,
# timed out, no /dev/kvm) is tried once more (NESTED_RETRIES, default 1).
# Then scripts/kernel-report.py --require-kvm writes DIR/report.md and
# DIR/report.json (default DIR: logs/matrix-DATE-TIME), the output of each
# lane is kept in DIR/SPEC.out.
# Exit status: 1 if any kernel had an unexpected result or gave no
# results, 0 otherwise (differences between kernels are information);
# 2 on bad usage or when the report could not be built.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
retries=${NESTED_RETRIES:-1}

usage() { sed -n '3,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0"; exit "${1:-2}"; }

out= specs=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	--out=*) out=${1#*=}; shift ;;
	-h|--help) usage 0 ;;
	--) shift; break ;;
	-*) echo "kernel-matrix: unknown option $1" >&2; usage ;;
	*) specs+=("$1"); shift ;;
	esac
done
[ ${#specs[@]} -gt 0 ] || usage
py=
for p in /usr/bin/python3 python3; do
	command -v "$p" >/dev/null 2>&1 && { py=$p; break; }
done
[ -n "$py" ] || { echo "kernel-matrix: the report needs python3 (apt-get install python3)" >&2; exit 2; }
out=${out:-logs/matrix-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out" || exit 2

results=() failed=()
for spec in "${specs[@]}"; do
	kargs=(--kernel "$spec")
	case $spec in
	*/*:*) kargs=(--kernel "${spec%%:*}" --modules "${spec#*:}") ;;
	esac
	log=$out/$(printf '%s' "$spec" | tr '/: ' '___').out
	try=0
	while :; do
		try=$((try + 1))
		before=$(readlink logs/latest 2>/dev/null)
		echo "== kernel-matrix: $spec (try $try)"
		start=$(date +%s)
		scripts/nested-kvm.sh "${kargs[@]}" "$@" 2>&1 | tee "$log"
		status=${PIPESTATUS[0]}
		after=$(readlink logs/latest 2>/dev/null)
		echo "== kernel-matrix: $spec: status $status after $(($(date +%s) - start)) s"
		[ "$status" -eq 2 ] && [ "$try" -le "$retries" ] || break
	done
	if [ "$status" -ne 2 ] && [ -n "$after" ] && [ "$after" != "$before" ] &&
	   [ -f "logs/$after/results.json" ]; then
		results+=("logs/$after/results.json")
	else
		why=$(grep -E '^(nested-kvm|kernel-get): ' "$log" | tail -n 1)
		failed+=(--failed "$spec: status $status, no results.json${why:+ ($why)}")
	fi
done

"$py" scripts/kernel-report.py --out "$out" --require-kvm "${failed[@]}" --from "${results[@]}"
status=$?
[ -f "$out/report.md" ] && cat "$out/report.md"
exit $status
