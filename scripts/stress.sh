#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Stress kvmrun's multi-vCPU paths: run the same tests again and again,
# in parallel, while every CPU is kept busy, with core dumps on.  A race
# that a single quiet run never shows (a vCPU thread started, stopped or
# torn down at an unlucky moment) needs exactly this: a crash of kvmrun_ctrl
# (--smp 2) was seen once in three loaded full runs and in none of 86 quiet
# runs of the test alone.  Meant for the nested lane:
#
#   scripts/nested-kvm.sh --cmd 'scripts/stress.sh -n 50'
#
#   scripts/stress.sh [-n RUNS] [-j JOBS] [--hogs N] [TEST...]
#
# TEST defaults to the stanzas with smp > 1 (kvmrun_ctrl, msr_smp).  Each
# round is one run of the runner behind ./run_tests.sh, -q -j JOBS TEST...
# (KVMRUN=, TIMEOUT_FACTOR= and the rest of its environment apply); the tree
# is built once, before the first round.  --hogs N busy loops
# (default: one per CPU) run meanwhile.  As root, core dumps go to
# logs/cores/ (core_pattern is restored at the end); kvmrun itself prints a
# crash's signal, thread and backtrace into the test's log.
# Exit status: 0 every round ran clean, 1 some round had an unexpected
# result (its runner lines are shown), 2 usage.  Without /dev/kvm the KVM
# tests SKIP and the script says so and exits 0: nothing was stressed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
runs=20 jobs=2 hogs=$(nproc 2>/dev/null || echo 2) tests=()

usage() { sed -n 's/^#   //p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	-n) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
	-j) [ $# -ge 2 ] || usage; jobs=$2; shift 2 ;;
	--hogs) [ $# -ge 2 ] || usage; hogs=$2; shift 2 ;;
	-h|--help) usage ;;
	-*) echo "stress: unknown option $1" >&2; usage ;;
	*) tests+=("$1"); shift ;;
	esac
done
for v in "$runs" "$jobs" "$hogs"; do
	case $v in ''|*[!0-9]*) echo "stress: '$v' is not a number" >&2; usage ;; esac
done
[ ${#tests[@]} -gt 0 ] || tests=(kvmrun_ctrl msr_smp)

if [ ! -w "${KVM_DEVICE:-/dev/kvm}" ]; then
	echo "stress: SKIP: ${KVM_DEVICE:-/dev/kvm} is not usable here, so the KVM tests would" \
		"only SKIP (run it inside scripts/nested-kvm.sh --cmd)"
	exit 0
fi

# Build (run_tests.sh does it on first use) and check the names before the
# busy loops start: a build under them would take the time of many rounds.
"$top/run_tests.sh" -l "${tests[@]}" >/dev/null || exit 2

cores=$top/logs/cores
mkdir -p "$cores"
ulimit -c unlimited 2>/dev/null
old_pattern=
if [ -w /proc/sys/kernel/core_pattern ]; then
	old_pattern=$(cat /proc/sys/kernel/core_pattern)
	echo "$cores/core.%e.%p.%s" >/proc/sys/kernel/core_pattern
fi
pids=()
cleanup() {
	[ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null
	[ -z "$old_pattern" ] || echo "$old_pattern" >/proc/sys/kernel/core_pattern
}
trap cleanup EXIT
for ((i = 0; i < hogs; i++)); do
	(while :; do :; done) &
	pids+=($!)
done

echo "stress: $runs rounds of ${tests[*]} (-j $jobs, $hogs busy loops), kernel $(uname -r)"
before=$(ls "$cores" | wc -l)
bad=0 start=$(date +%s)
out=$(mktemp "${TMPDIR:-/tmp}/stress.XXXXXX") || exit 2
for ((i = 1; i <= runs; i++)); do
	# The runner itself: run_tests.sh would check the build again each round.
	"$top/build/runner" --srcdir "$top" -q -j "$jobs" --progress=never "${tests[@]}" \
		>"$out" 2>&1
	st=$?
	if [ $st -ne 0 ]; then
		bad=$((bad + 1))
		echo "stress: round $i: status $st"
		sed 's/^/  /' "$out"
	fi
done
rm -f "$out"
echo "stress: $((runs - bad)) of $runs rounds clean in $(($(date +%s) - start)) s;" \
	"$(($(ls "$cores" | wc -l) - before)) new core dumps in $cores"
[ $bad -eq 0 ]
