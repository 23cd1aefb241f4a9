#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the suite once per kernel in the nested lane and compare the kernels.
#
#   scripts/kernel-matrix.sh [--out DIR] SPEC... [-- run_tests.sh args]
#
# SPEC: anything scripts/nested-kvm.sh --kernel takes (installed, 6.1,
# 6.12, 7.3, 7.2.13, unstable, ...; a built kernel as PATH:MODULES-DIR),
# run in the AMD lane (kvm_amd under QEMU); amd:SPEC says the same.
# intel:SPEC[:P=V[,P=V...]] runs SPEC in the Intel lane (kvm_intel under
# Bochs) with those kvm_intel parameters (--kvm-param), e.g.
#   scripts/kernel-matrix.sh 6.1 7.3 intel:6.1 intel:7.3:enable_apicv=0
# The lanes run one after the other; each keeps its logs/<stamp>/ as
# usual, and the run's directory is the last "logs: DIR" line of its
# output (the inner runner's in the AMD lane, which shares this tree;
# "nested-intel: logs: DIR" in the Intel lane, which copies it back).  A lane that ends with status 2 (the nested VM failed: stalled,
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
	lane=() kspec=$spec params=()
	case $spec in
	intel:*) lane=(--vendor intel) kspec=${spec#intel:} ;;
	amd:*) kspec=${spec#amd:} ;;
	esac
	if [ ${#lane[@]} -gt 0 ]; then
		case $kspec in
		*:*=*)
			for p in $(printf '%s' "${kspec#*:}" | tr , ' '); do
				params+=(--kvm-param "$p")
			done
			kspec=${kspec%%:*} ;;
		esac
	fi
	kargs=(--kernel "$kspec")
	case $kspec in
	*/*:*) kargs=(--kernel "${kspec%%:*}" --modules "${kspec#*:}") ;;
	esac
	log=$out/$(printf '%s' "$spec" | tr '/:=, ' '_____').out
	try=0
	while :; do
		try=$((try + 1))
		echo "== kernel-matrix: $spec (try $try)"
		start=$(date +%s)
		scripts/nested-kvm.sh ${lane[@]+"${lane[@]}"} "${kargs[@]}" \
			${params[@]+"${params[@]}"} "$@" 2>&1 | tee "$log"
		status=${PIPESTATUS[0]}
		echo "== kernel-matrix: $spec: status $status after $(($(date +%s) - start)) s"
		[ "$status" -eq 2 ] && [ "$try" -le "$retries" ] || break
	done
	rundir=$(sed -n 's/^\(nested-intel: \)\{0,1\}logs: //p' "$log" | tail -n 1)
	if [ "$status" -ne 2 ] && [ -n "$rundir" ] && [ -f "$rundir/results.json" ]; then
		results+=("$rundir/results.json")
	else
		why=$(grep -E '^(nested-kvm|kernel-get): ' "$log" | tail -n 1)
		failed+=(--failed "$spec: status $status, no results.json${why:+ ($why)}")
	fi
done

"$py" scripts/kernel-report.py --out "$out" --require-kvm "${failed[@]}" --from "${results[@]}"
status=$?
[ -f "$out/report.md" ] && cat "$out/report.md"
exit $status
