#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs the libFuzzer targets built by host/fuzz/fuzz.mk (build/fuzz/fuzz-NAME).
#
#   host/fuzz/run.sh check [NAME...]   short bounded run of each target over
#       its seed corpus (host/tests/corpus/NAME), FUZZ_CHECK_RUNS inputs
#       (default 20000, 10000 for the slower cfg and output) with a fixed
#       seed (FUZZ_SEED, default 1); prints
#       "PASS: fuzz NAME (...)" / "FAIL: fuzz NAME: reason" / "SKIP: ..."
#       for `make check`.  New inputs go to a temporary directory.
#   host/fuzz/run.sh long [NAME...]    `make fuzz`: each target for
#       FUZZ_SECONDS (default 60), or for FUZZ_RUNS inputs if set, growing a
#       work corpus in build/fuzz/corpus/NAME; findings are saved as
#       build/fuzz/crashes/NAME-*.  FUZZ_ARGS adds libFuzzer options.
#   host/fuzz/run.sh probe             exit 0 if $FUZZ_CC (clang) can build
#       a libFuzzer target with ASan+UBSan.
#
# Reproduce a finding:  build/fuzz/fuzz-NAME FILE
# Exit status: 0 = no finding, 1 = a finding or a failed run, 2 = usage.
set -u
cd "$(dirname "$0")/../.." || exit 2

NAMES="cfg filter mbload output ctrl"
DIR=build/fuzz
CC_FUZZ=${FUZZ_CC:-clang}
NEED="clang with libFuzzer not available: apt-get install clang libclang-rt-14-dev"

# Longest input per target: past each parser's own limits, not much more.
max_len() {
	case $1 in
	cfg)	echo 20000 ;;	# CFG_MAX_LINE 4096, CFG_MAX_VALUE 16384
	filter)	echo 4096 ;;	# MAX_LINE 1024
	mbload)	echo 16384 ;;	# MB_SEARCH_BYTES 8192
	output)	echo 8448 ;;	# RUNNER_LINE_MAX 4096: two cut lines
	ctrl)	echo 8192 ;;	# a GET_FILTER and a SET_FILTER with its struct
	esac
}

# Inputs per target in the `make check` run: a few seconds each under load.
check_runs() {
	case $1 in
	cfg|output)	echo "${FUZZ_CHECK_RUNS:-10000}" ;;
	*)		echo "${FUZZ_CHECK_RUNS:-20000}" ;;
	esac
}

probe() {
	t=$(mktemp -d) || return 1
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n%s\n' \
		'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n > 99; }' \
		>"$t/p.c"
	"$CC_FUZZ" -fsanitize=fuzzer,address,undefined -o "$t/p" "$t/p.c" >/dev/null 2>&1 &&
		"$t/p" -runs=1 >/dev/null 2>&1
	r=$?
	rm -rf "$t"
	return $r
}

# The last "cov: N ft: N" of a libFuzzer log, as "cov N, ft N".
coverage() {
	sed -n 's/.*[[:space:]]cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1, ft \2/p' "$1" | tail -n 1
}

# One line saying why a run failed, and where its input went.
reason() {
	r=$(grep -m1 -E 'fuzz invariant failed|runtime error:|ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|==[0-9]+== ?ERROR' "$1" |
		sed 's/^==[0-9]*==//; s/^ *//')
	[ -n "$r" ] || r=$(grep -m1 -iE 'error|deadly|timeout|out-of-memory' "$1")
	[ -n "$r" ] || r="libFuzzer exited with status $2"
	a=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$1" | tail -n 1)
	printf '%s%s (log: %s)' "$r" "${a:+; input saved to $a}" "$1"
}

check_one() {
	n=$1
	bin=$DIR/fuzz-$n
	log=$DIR/check-$n.log
	if [ ! -x "$bin" ]; then
		echo "FAIL: fuzz $n: $bin not built (run make check or make fuzz-build)"
		failed=1
		return
	fi
	work=$(mktemp -d) || exit 2
	"$bin" -runs="$(check_runs "$n")" -seed="${FUZZ_SEED:-1}" \
		-max_len="$(max_len "$n")" -dict="host/fuzz/$n.dict" -timeout=20 \
		-rss_limit_mb=2048 -artifact_prefix="$DIR/check-$n-" \
		"$work" "host/tests/corpus/$n" >"$log" 2>&1
	rc=$?
	rm -rf "$work"
	done=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs, \2 s/p' "$log")
	if [ "$rc" -eq 0 ] && [ -n "$done" ]; then
		echo "PASS: fuzz $n ($done, $(coverage "$log"))"
	else
		echo "FAIL: fuzz $n: $(reason "$log" "$rc")"
		failed=1
	fi
}

long_one() {
	n=$1
	bin=$DIR/fuzz-$n
	log=$DIR/$n.log
	mkdir -p "$DIR/corpus/$n" "$DIR/crashes"
	if [ -n "${FUZZ_RUNS:-}" ]; then
		limit="-runs=$FUZZ_RUNS"
	else
		limit="-max_total_time=${FUZZ_SECONDS:-60}"
	fi
	echo "fuzz $n: $limit, corpus $DIR/corpus/$n + host/tests/corpus/$n, log $log"
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
	"$bin" "$limit" -max_len="$(max_len "$n")" -dict="host/fuzz/$n.dict" \
		-timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$DIR/crashes/$n-" ${FUZZ_ARGS:-} \
		"$DIR/corpus/$n" "host/tests/corpus/$n" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	units=$(find "$DIR/corpus/$n" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz $n: ${runs:-?} runs (${rate:-?}/s), $(coverage "$log"), work corpus $units inputs: no finding"
	else
		echo "fuzz $n: FINDING: $(reason "$log" "$rc")"
		failed=1
	fi
}

mode=${1:-}
[ $# -gt 0 ] && shift
# shellcheck disable=SC2086 # a list of names
[ $# -gt 0 ] || set -- $NAMES
for n in "$@"; do
	case " $NAMES " in
	*" $n "*) ;;
	*) echo "run.sh: unknown target '$n' (targets: $NAMES)" >&2; exit 2 ;;
	esac
done
failed=0
case $mode in
probe)	probe; exit $? ;;
check)	# No binary and no compiler: one SKIP (make check builds them if it can).
	built=no
	for n in "$@"; do [ -x "$DIR/fuzz-$n" ] && built=yes; done
	if [ $built = no ] && ! probe; then
		echo "SKIP: fuzz ($NEED)"
		exit 0
	fi
	for n in "$@"; do check_one "$n"; done ;;
long)	for n in "$@"; do
		if [ ! -x "$DIR/fuzz-$n" ]; then
			echo "run.sh: $DIR/fuzz-$n not built (make fuzz-build)" >&2
			exit 2
		fi
		long_one "$n"
	done ;;
*)	echo "usage: host/fuzz/run.sh check|long|probe [NAME...]" >&2; exit 2 ;;
esac
exit $failed
