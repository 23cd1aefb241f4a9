#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# End-to-end tests of build/runner and run_tests.sh with fake VMMs: shell
# scripts standing in for qemu-system-x86_64 and kvmrun that print canned
# guest output and exit with chosen statuses (picked by $TEST, which the
# runner exports to the VMM).  Run from the top of the tree; prints one
# PASS:/FAIL:/SKIP: line per check and exits 1 if any check failed.
# RUNNER=path picks the runner binary (default: the ASan/UBSan build).

top=$(pwd)
RUNNER=${RUNNER:-build/san/runner}
[ -x "$RUNNER" ] || RUNNER=build/runner
case $RUNNER in /*) ;; *) RUNNER=$top/$RUNNER ;; esac
if [ ! -x "$RUNNER" ]; then
	echo "FAIL: runner: $RUNNER not built"
	exit 1
fi
# The runner exits without freeing what the OS frees anyway.
ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}
export ASAN_OPTIONS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/runner-selftest.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

failed=0
# The distribution's python3 starts faster than wrappers found earlier in PATH.
py=
for p in /usr/bin/python3 python3; do
	command -v "$p" >/dev/null 2>&1 && { py=$p; break; }
done
pass() { echo "PASS: runner: $1"; }
fail() { echo "FAIL: runner: $1 ($2)"; failed=1; }
skip() { echo "SKIP: runner: $1 ($2)"; }

# ---- a fake tree ---------------------------------------------------------
tree=$tmp/tree
mkdir -p "$tree/x86" "$tree/filters" "$tmp/bin" "$tmp/fake"
: >"$tree/x86/dummy.flat"
: >"$tree/x86/msr_audit.flat"
echo "default deny" >"$tree/filters/deny.filter"
FAKE_DIR=$tmp/fake
export FAKE_DIR

cat >"$tmp/bin/fakevmm" <<'EOF'
#!/bin/sh
# Records its arguments, environment and env file, then plays $TEST.
me=${0##*/}
if [ "$1" = --version ]; then
	echo "QEMU emulator version 99.1.0 (fake)"
	exit 0
fi
for a in "$@"; do printf '[%s]\n' "$a"; done >"$FAKE_DIR/$TEST.args"
echo "$0" >"$FAKE_DIR/$TEST.self"
env | grep -E '^(TEST|VMM|ACCEL)=' | sort >"$FAKE_DIR/$TEST.childenv"
prev=
for a in "$@"; do
	case $prev in
	-initrd) cp "$(printf '%s' "$a" | sed 's/,,/,/g')" "$FAKE_DIR/$TEST.envfile" ;;
	--env) cp "$a" "$FAKE_DIR/$TEST.envfile" ;;
	esac
	prev=$a
done
summary() {
	echo "SUMMARY: $1 tests, $2 unexpected failures, $3 expected failures, $4 skipped"
}
case $TEST in
pass*|k-pass|known-whole|known-pass)
	echo "PASS: $TEST: one"; echo "PASS: $TEST: two"; summary 2 0 0 0; exit 1 ;;
fail|known-sub-fail)
	echo "PASS: $TEST: a"; echo "FAIL: $TEST: b is wrong"; echo "PASS: $TEST: c"
	summary 3 1 0 0; exit 3 ;;
fail2)
	echo "FAIL: fail2: x"; echo "FAIL: fail2: y"; summary 2 2 0 0; exit 3 ;;
skip)
	echo "SKIP: skip: no widget"; echo "SKIP: skip: no gadget"; summary 2 0 0 2
	exit 155 ;;
abort)
	echo "PASS: abort: a"; echo "ABORT: abort: boom"; summary 1 0 0 0; exit 7 ;;
triple)
	echo "PASS: triple: a"; exit 0 ;;
slow|slow2)
	echo "PASS: $TEST: started"; echo $$ >"$FAKE_DIR/$TEST.pid"; exec sleep 30 ;;
nosummary)
	echo "PASS: nosummary: a"; exit 1 ;;
sweepish)
	echo "PASS: sweepish: 4999 indices"; echo "PASS: sweepish: 1 more"
	echo "SUMMARY: 2 tests, 0 unexpected failures, 0 expected failures, 0 skipped, 5000 checks"
	exit 1 ;;
dup)
	echo "PASS: dup: same"; echo "PASS: dup: same"; echo "FAIL: dup: same"
	echo "PASS: dup: same #2"; echo "PASS: dup: #5 <&> \\ é"; summary 5 1 0 0; exit 3 ;;
inconsistent)
	echo "FAIL: inconsistent: x"; summary 1 0 0 0; exit 1 ;;
qemuerr)
	echo "$me: could not load kernel 'x': No such file or directory" >&2; exit 1 ;;
segv)
	echo "PASS: segv: a"; kill -SEGV $$ ;;
rebuilt)
	echo "$me: crash: SIGSEGV (code 1) at address 0x10 in thread main" >&2
	touch "$0"; kill -SEGV $$ ;;
code5)
	exit 11 ;;
crlf)
	printf 'PASS: crlf: a\r\nSUMMARY: 1 tests, 0 unexpected failures, 0 expected failures, 0 skipped\r\n'
	exit 1 ;;
noeol)
	printf 'PASS: noeol: a\nSUMMARY: 1 tests, 0 unexpected failures, 0 expected failures, 0 skipped'
	exit 1 ;;
flood)
	yes 'PASS: flood: line' | head -n 150000
	head -c 1000000 /dev/zero | tr '\0' x; echo
	yes 'INFO: flood: padding padding padding padding padding padding padding' |
		head -c 64000000
	echo; summary 150000 0 0 0; exit 1 ;;
spam)
	while :; do echo "INFO: spam: more"; done ;;
k-skip)
	echo "kvmrun: SKIP: /dev/kvm: No such file or directory" >&2; exit 77 ;;
k-usage)
	echo "kvmrun: bad --irqchip 'x'" >&2; exit 2 ;;
k-timeout)
	echo "PASS: k-timeout: a"; echo "kvmrun: TIMEOUT after 30 s" >&2; exit 124 ;;
k-shutdown)
	echo "kvmrun: guest shutdown (triple fault?) at rip 0x1234" >&2; exit 64 ;;
k-exit)
	echo "kvmrun: unhandled I/O port 0x3fa" >&2; exit 66 ;;
sd-ok|sd-nokey)
	echo "PASS: $TEST: a"; echo "SHUTDOWN-EXPECTED: vmx: VM abort next"
	echo "kvmrun: guest shutdown (triple fault?) at rip 0x1234" >&2; exit 64 ;;
sd-silent)
	echo "PASS: $TEST: a"
	echo "kvmrun: guest shutdown (triple fault?) at rip 0x1234" >&2; exit 64 ;;
sd-fail)
	echo "FAIL: $TEST: a"; echo "SHUTDOWN-EXPECTED: vmx: VM abort next"
	echo "kvmrun: guest shutdown (triple fault?) at rip 0x1234" >&2; exit 64 ;;
sd-exit)
	echo "PASS: $TEST: no abort on this kernel"; summary 1 0 0 0; exit 1 ;;
k-run)
	echo "kvmrun: KVM_RUN: Invalid argument" >&2; exit 68 ;;
k-odd)
	echo "kvmrun: confused" >&2; exit 42 ;;
msr_audit)
	# The audit guest (run_tests.sh --audit), played by $FAKE_AUDIT with
	# the digest $FAKE_DIGEST in its "filter" line.
	if [ "$FAKE_AUDIT" = reject ]; then
		echo "kvmrun: KVM_X86_SET_MSR_FILTER: Invalid argument" >&2; exit 2
	fi
	echo "AUDIT: filter source=start digest=${FAKE_DIGEST:-0x0} flags=0x0 mask=0 irqchip=full"
	case $FAKE_AUDIT in
	bypass)
		echo "AUDIT: finding index=0x6e0 last=0x6e0 access=write filter=deny kind=bypass seen=V;armed:yes;fired:yes expected=GP probe=tsc-deadline" ;;
	exempt)
		echo "AUDIT: finding index=0x800 last=0x8ff access=read filter=deny kind=exempt seen=as-unfiltered expected=as-unfiltered" ;;
	incomplete)
		echo "ABORT: msr_audit: boom"; summary 0 0 0 0; exit 7 ;;
	esac
	echo "AUDIT: done reads=2 writes=2 not-written=0"
	echo "PASS: msr_audit: machinery"; summary 1 0 0 0; exit 1 ;;
*)
	echo "fakevmm: no behaviour for TEST=$TEST" >&2; exit 98 ;;
esac
EOF
chmod +x "$tmp/bin/fakevmm"
ln -s fakevmm "$tmp/bin/qemu-system-x86_64"
ln -s fakevmm "$tmp/bin/kvmrun"

cfg=$tree/unittests.cfg
cat >"$cfg" <<'EOF'
# stanzas for the runner self-test; every one runs the fake VMM
[pass]
file = dummy.flat
test_args = argcheck "two words" x=1
extra_params = -machine 'q35' -m 128
groups = g1 basic

[fail]
file = dummy.flat
groups = g1

[fail2]
file = dummy.flat
groups = more

[skip]
file = dummy.flat

[abort]
file = dummy.flat

[triple]
file = dummy.flat

[nosummary]
file = dummy.flat

[inconsistent]
file = dummy.flat

[qemuerr]
file = dummy.flat

[segv]
file = dummy.flat

[rebuilt]
file = dummy.flat

[code5]
file = dummy.flat

[crlf]
file = dummy.flat

[noeol]
file = dummy.flat

[slow]
file = dummy.flat
timeout = 1
groups = nodefault slowgroup

[slow2]
file = dummy.flat
groups = nodefault

[flood]
file = dummy.flat
groups = nodefault

[spam]
file = dummy.flat
timeout = 1
groups = nodefault

[k-pass]
file = dummy.flat
vmm = kvmrun
smp = 2
filter = deny.filter
exit_mask = 3
irqchip = split
cpuid = -x2apic
kvmrun_params = --mem 128
test_args = argcheck "two words" -x=1
groups = kvm

[k-skip]
file = dummy.flat
vmm = kvmrun
groups = kvm

[k-usage]
file = dummy.flat
vmm = kvmrun
groups = kvm

[k-timeout]
file = dummy.flat
vmm = kvmrun
groups = kvm

[k-shutdown]
file = dummy.flat
vmm = kvmrun
groups = kvm

[k-exit]
file = dummy.flat
vmm = kvmrun
groups = kvm

# expected_end = shutdown: a shutdown the guest announced is the PASS
[sd-ok]
file = dummy.flat
vmm = kvmrun
groups = sd
expected_end = shutdown

[sd-silent]
file = dummy.flat
vmm = kvmrun
groups = sd
expected_end = shutdown

[sd-fail]
file = dummy.flat
vmm = kvmrun
groups = sd
expected_end = shutdown

[sd-exit]
file = dummy.flat
vmm = kvmrun
groups = sd
expected_end = shutdown

[sd-nokey]
file = dummy.flat
vmm = kvmrun
groups = sd

[k-run]
file = dummy.flat
vmm = kvmrun
groups = kvm

[k-odd]
file = dummy.flat
vmm = kvmrun
groups = kvm

[needs-kvm]
file = dummy.flat
accel = kvm
groups = req

[needs-filter]
file = dummy.flat
filter = deny.filter
groups = req

[known-whole]
file = dummy.flat
groups = known

[known-sub-fail]
file = dummy.flat
groups = known

[known-pass]
file = dummy.flat
groups = known

[dup]
file = dummy.flat
groups = out

[sweepish]
file = dummy.flat
groups = out
EOF

# Deterministic host: no KVM, fake VMMs, logs in the temp dir.
KVM_DEVICE=$tmp/no-kvm
QEMU=$tmp/bin/qemu-system-x86_64
KVMRUN=$tmp/bin/kvmrun
LOGDIR=$tmp/logs
export KVM_DEVICE QEMU KVMRUN LOGDIR
unset VMM ACCEL CPU TIMEOUT TIMEOUT_FACTOR TEST_ENV_FILE NO_COLOR

out=$tmp/out
err=$tmp/err
# A broken runner must fail these checks, not hang "make check".
guard=
command -v timeout >/dev/null 2>&1 && guard="timeout -k 5 60"
# run ARGS...: the runner on the fake tree; sets $rc, fills $out and $err.
run() {
	$guard "$RUNNER" --srcdir "$tree" "$@" >"$out" 2>"$err"
	rc=$?
}

# expect_line NAME LINE: stdout has exactly this line.
expect_line() {
	if grep -qxF -- "$2" "$out"; then
		pass "$1"
	else
		fail "$1" "no line '$2' in: $(tr '\n' '|' <"$out" | cut -c1-400)"
	fi
}

expect_rc() {
	if [ "$rc" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "exit status $rc, expected $2; stderr: $(head -c 300 "$err")"
	fi
}

# expect_file NAME FILE EXPECTED-TEXT: file content is exactly the text.
expect_file() {
	if [ -f "$2" ] && [ "$(cat "$2")" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$2 has '$(cat "$2" 2>/dev/null | tr '\n' '|')', expected '$(printf '%s' "$3" | tr '\n' '|')'"
	fi
}

latest() { readlink "$LOGDIR/latest"; }

# ---- statuses and human lines ------------------------------------------------
run pass
expect_line "guest exit 0 + SUMMARY is PASS" "PASS pass (2 tests)"
expect_line "summary line" "1 passed, 0 failed, 0 skipped"
expect_rc "only PASS exits 0" 0

run fail
expect_line "guest exit 1 is FAIL with counts" "FAIL fail (3 tests, 1 unexpected failure, first: fail: b is wrong)"
expect_rc "a FAIL exits 1" 1
run fail2
expect_line "plural failures" "FAIL fail2 (2 tests, 2 unexpected failures, first: fail2: x)"

run skip
expect_line "guest exit 77 is SKIP with the first SKIP line" "SKIP skip (skip: no widget)"

expect_rc "only SKIP exits 0" 0

run --quiet pass fail
expect_line "--quiet still prints FAIL lines" "FAIL fail (3 tests, 1 unexpected failure, first: fail: b is wrong)"
if grep -q '^PASS pass' "$out"; then
	fail "--quiet hides PASS lines" "$(head -c 300 "$out")"
else
	pass "--quiet hides PASS lines"
fi
run --junit "$tmp/copy.xml" pass fail
if [ -f "$tmp/copy.xml" ] && cmp -s "$tmp/copy.xml" "$LOGDIR/$(latest)/junit.xml"; then
	pass "--junit FILE holds the run's junit.xml"
else
	fail "--junit FILE holds the run's junit.xml" "missing or different"
fi

run abort
expect_line "guest exit 3 is FAIL with the ABORT line" "FAIL abort (ABORT: abort: boom)"
run triple
expect_line "QEMU status 0 is a triple fault" "FAIL triple (guest shut down (triple fault?))"
run nosummary
expect_line "exit 0 without SUMMARY is FAIL" "FAIL nosummary (no SUMMARY line)"
run inconsistent
expect_line "exit 0 with a FAIL line is FAIL" \
	"FAIL inconsistent (inconsistent: exit code 0 but 1 FAIL lines, SUMMARY says 0 unexpected failures)"
run qemuerr
expect_line "QEMU's own error is ERROR" \
	"ERROR qemuerr (qemu-system-x86_64: could not load kernel 'x': No such file or directory)"
expect_rc "an ERROR exits 1" 1
run segv
expect_line "a VMM killed by a signal is ERROR" "ERROR segv (killed by SIGSEGV)"
sleep 0.01	# the fake's touch then gives a new mtime even on a coarse clock
run rebuilt
expect_line "a crash names the VMM's last words and a rebuilt binary" \
	"ERROR rebuilt (killed by SIGSEGV: qemu-system-x86_64: crash: SIGSEGV (code 1) at address 0x10 in thread main; the VMM binary changed during the run (rebuilt while tests ran?))"
run code5
expect_line "an odd guest exit code is FAIL" "FAIL code5 (unexpected guest exit code 5)"
run crlf
expect_line "CRLF guest output" "PASS crlf (1 tests)"
run noeol
expect_line "last line without newline still parsed" "PASS noeol (1 tests)"

# ---- timeouts and process groups ----------------------------------------------
start=$(date +%s)
run slow
end=$(date +%s)
expect_line "stanza timeout gives TIMEOUT" "TIMEOUT slow (1 s)"
expect_rc "a TIMEOUT exits 1" 1
if [ $((end - start)) -le 5 ]; then
	pass "timeout enforced promptly"
else
	fail "timeout enforced promptly" "took $((end - start)) s"
fi
pid=$(cat "$FAKE_DIR/slow.pid" 2>/dev/null)
if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
	pass "timed-out VMM process is gone"
else
	fail "timed-out VMM process is gone" "pid '$pid' still alive"
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
fi
TIMEOUT=1 run slow2
expect_line "TIMEOUT env overrides the stanza" "TIMEOUT slow2 (1 s)"
TIMEOUT_FACTOR=0.5 TIMEOUT=2s run slow2
expect_line "TIMEOUT_FACTOR scales" "TIMEOUT slow2 (1 s)"
run spam
expect_line "a chatty guest still times out" "TIMEOUT spam (1 s)"

# ---- bounded memory with a flooding guest --------------------------------------
# 64 MB of output, a 1 MB line, 150000 subtests, in 48 MB of address space
# (the plain build: ASan needs far more).
( ulimit -v 49152 && $guard "$top/build/runner" --srcdir "$tree" flood >"$out" 2>"$err" )
rc=$?
expect_line "flood of output passes" "PASS flood (150000 tests)"
expect_rc "flood within a 48 MB address-space limit" 0
log=$LOGDIR/$(latest)/flood.log
size=$(wc -c <"$log" 2>/dev/null || echo 0)
if [ "$size" -gt 65000000 ]; then
	pass "flood output all in the log"
else
	fail "flood output all in the log" "log has $size bytes"
fi
json=$LOGDIR/$(latest)/results.json
if grep -q '"subtests_dropped": 50000' "$json"; then
	pass "subtests beyond 100000 are counted, not kept"
else
	fail "subtests beyond 100000 are counted, not kept" "$(grep -o '"subtests_dropped": [0-9]*' "$json")"
fi

# ---- the kvmrun entry -------------------------------------------------------------
run k-pass
expect_line "kvmrun guest pass" "PASS k-pass (2 tests)"
d=$LOGDIR/$(latest)
expect_file "kvmrun argv" "$FAKE_DIR/k-pass.args" "[--kvm-device]
[$KVM_DEVICE]
[--timeout]
[30]
[--smp]
[2]
[--filter]
[$tree/filters/deny.filter]
[--exit-mask]
[3]
[--irqchip]
[split]
[--cpuid]
[-x2apic]
[--env]
[$d/k-pass.env]
[--mem]
[128]
[--]
[$tree/x86/dummy.flat]
[argcheck]
[\"two words\"]
[-x=1]"
# kvmrun adds VMM= and its own facts, and refuses duplicates.
expect_file "kvmrun env file" "$FAKE_DIR/k-pass.envfile" "TEST=k-pass"
# A rebuild during the run must not touch the running binary: a copy runs.
expect_file "kvmrun runs the run's own copy" "$FAKE_DIR/k-pass.self" "$d/kvmrun"
if cmp -s "$d/kvmrun" "$KVMRUN" && [ -x "$d/kvmrun" ] &&
   head -n 1 "$d/k-pass.log" | grep -qF " $KVMRUN --kvm-device"; then
	pass "kvmrun's copy is the same file; the reproducer names the original"
else
	fail "kvmrun's copy is the same file; the reproducer names the original" \
		"$(ls -l "$d/kvmrun" 2>&1; head -n 1 "$d/k-pass.log")"
fi
run k-skip
expect_line "kvmrun 77 is SKIP with its reason" "SKIP k-skip (/dev/kvm: No such file or directory)"
expect_rc "kvmrun SKIP exits 0" 0
run k-usage
expect_line "kvmrun 2 is ERROR" "ERROR k-usage (kvmrun: bad --irqchip 'x')"
run k-timeout
expect_line "kvmrun 124 is TIMEOUT" "TIMEOUT k-timeout (30 s)"
run k-shutdown
expect_line "kvmrun 64 is FAIL" \
	"FAIL k-shutdown (guest shut down (triple fault?): kvmrun: guest shutdown (triple fault?) at rip 0x1234)"
run sd-ok
expect_line "expected_end = shutdown: an announced shutdown is PASS" \
	"PASS sd-ok (shut down as announced after 1 passes: vmx: VM abort next)"
run sd-silent
expect_line "expected_end = shutdown: an unannounced shutdown is FAIL" \
	"FAIL sd-silent (guest shut down (triple fault?): kvmrun: guest shutdown (triple fault?) at rip 0x1234)"
run sd-fail
expect_line "expected_end = shutdown: a FAIL before the shutdown is FAIL" \
	"FAIL sd-fail (1 FAIL line before the announced shutdown, first: sd-fail: a)"
run sd-exit
expect_line "expected_end = shutdown: a normal end is judged as usual" "PASS sd-exit (1 tests)"
run sd-nokey
expect_line "an announced shutdown without expected_end is FAIL" \
	"FAIL sd-nokey (guest shut down (triple fault?): kvmrun: guest shutdown (triple fault?) at rip 0x1234, announced (vmx: VM abort next), but the stanza does not say expected_end = shutdown)"
run k-exit
expect_line "kvmrun 66 is FAIL" "FAIL k-exit (kvmrun: unhandled I/O port 0x3fa)"
run k-run
expect_line "kvmrun 68 is FAIL" "FAIL k-run (kvmrun: KVM_RUN: Invalid argument)"
run k-odd
expect_line "unknown kvmrun status is ERROR" "ERROR k-odd (kvmrun exited with status 42: kvmrun: confused)"

# ---- QEMU command line, env file, reproducer ----------------------------------------
printf 'EXTRA=1\n# comment\n\nOTHER=a b\n' >"$tmp/extra.env"
TEST_ENV_FILE=$tmp/extra.env run pass
d=$LOGDIR/$(latest)
expect_file "QEMU argv" "$FAKE_DIR/pass.args" "[-nodefaults]
[-no-user-config]
[-accel]
[tcg]
[-cpu]
[max]
[-m]
[64]
[-smp]
[1]
[-display]
[none]
[-serial]
[stdio]
[-device]
[isa-debug-exit,iobase=0xf4,iosize=0x4]
[--no-reboot]
[-kernel]
[$tree/x86/dummy.flat]
[-initrd]
[$d/pass.env]
[-append]
[argcheck \"two words\" x=1]
[-machine]
[q35]
[-m]
[128]"
expect_file "env file has TEST, VMM, ACCEL and TEST_ENV_FILE lines" "$FAKE_DIR/pass.envfile" \
"TEST=pass
VMM=qemu
ACCEL=tcg
EXTRA=1
OTHER=a b"
expect_file "VMM's environment has TEST, VMM, ACCEL" "$FAKE_DIR/pass.childenv" "ACCEL=tcg
TEST=pass
VMM=qemu"
first=$(head -n 1 "$d/pass.log")
case $first in
"TEST=pass VMM=qemu ACCEL=tcg $QEMU -nodefaults "*"-append 'argcheck \"two words\" x=1' -machine q35 -m 128")
	pass "log starts with the reproducer" ;;
*)	fail "log starts with the reproducer" "$first" ;;
esac
rm -f "$FAKE_DIR/pass.args"
(cd / && sh -c "$first" >/dev/null 2>&1)
rrc=$?
if [ "$rrc" = 1 ] && [ -f "$FAKE_DIR/pass.args" ]; then
	pass "reproducer runs as-is from another directory"
else
	fail "reproducer runs as-is from another directory" "status $rrc"
fi
if tail -n 1 "$d/pass.log" | grep -qx 'run_tests: exit status 1 after [0-9.]* s: PASS (2 tests)'; then
	pass "log ends with the runner's verdict"
else
	fail "log ends with the runner's verdict" "$(tail -n 1 "$d/pass.log")"
fi
# kvm-unit-tests' spelling: qemu_params, and """ values continued by a
# trailing backslash that joins lines as written (indentation kept).
cat >"$tmp/kut.cfg" <<'EOF'
[pass-kut]
file = dummy.flat
test_args = """argcheck \
   "two words" x=1"""
qemu_params = """-machine 'q35' \
	-m 128
"""
EOF
run --config "$tmp/kut.cfg" pass-kut
expect_line "qemu_params and \"\"\" values: the test runs" "PASS pass-kut (2 tests)"
d=$LOGDIR/$(latest)
expect_file "qemu_params and \"\"\" values: QEMU argv" "$FAKE_DIR/pass-kut.args" "[-nodefaults]
[-no-user-config]
[-accel]
[tcg]
[-cpu]
[max]
[-m]
[64]
[-smp]
[1]
[-display]
[none]
[-serial]
[stdio]
[-device]
[isa-debug-exit,iobase=0xf4,iosize=0x4]
[--no-reboot]
[-kernel]
[$tree/x86/dummy.flat]
[-initrd]
[$d/pass-kut.env]
[-append]
[argcheck    \"two words\" x=1]
[-machine]
[q35]
[-m]
[128]"
run --config "$tmp/kut.cfg" -l --json
if [ -n "$py" ]; then
	if "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d[0]["qemu_params"] == "-machine \x27q35\x27 \t-m 128", d[0]
assert d[0]["test_args"] == "argcheck    \"two words\" x=1", d[0]
' "$out"; then
		pass "-l --json gives qemu_params"
	else
		fail "-l --json gives qemu_params" "$(head -c 300 "$out")"
	fi
fi
CPU=qemu64 ACCEL=tcg run pass
if grep -qx '\[qemu64\]' "$FAKE_DIR/pass.args"; then pass "CPU env"; else fail "CPU env" "no qemu64"; fi
printf 'bad line\n' >"$tmp/bad.env"
TEST_ENV_FILE=$tmp/bad.env run pass
expect_rc "bad TEST_ENV_FILE line exits 2" 2
if grep -qF "$tmp/bad.env:1: expected KEY=VALUE" "$err"; then
	pass "bad TEST_ENV_FILE names file:line"
else
	fail "bad TEST_ENV_FILE names file:line" "$(cat "$err")"
fi

# ---- VMM and accelerator choice -----------------------------------------------------
run -g req
expect_line "accel=kvm under tcg is SKIP" "SKIP needs-kvm (needs accel=kvm (running with tcg))"
expect_line "vmm=any with a filter picks kvmrun" "ERROR needs-filter (kvmrun exited with status 98)"
VMM=qemu run k-skip needs-filter
expect_line "VMM=qemu skips a vmm=kvmrun stanza" "SKIP k-skip (needs vmm=kvmrun (VMM=qemu))"
expect_line "VMM=qemu skips a kvmrun-only stanza" "SKIP needs-filter (needs kvmrun for 'filter' (VMM=qemu))"
ACCEL=kvm run pass
expect_line "ACCEL=kvm without KVM is SKIP with the reason" \
	"SKIP pass (ACCEL=kvm but $KVM_DEVICE: No such file or directory)"
QEMU=$tmp/bin/no-such-qemu run pass
expect_line "missing QEMU is SKIP" "SKIP pass ($tmp/bin/no-such-qemu not found (apt-get install qemu-system-x86))"
KVMRUN=$tmp/bin/no-such-kvmrun run k-pass
expect_line "missing kvmrun is ERROR" "ERROR k-pass ($tmp/bin/no-such-kvmrun not found (run make))"
chmod -x "$tmp/bin/fakevmm"
run pass
expect_line "unexecutable QEMU is SKIP" "SKIP pass ($QEMU not found (apt-get install qemu-system-x86))"
chmod +x "$tmp/bin/fakevmm"
printf '#!/nonexistent/interpreter\n' >"$tmp/bin/badinterp"
chmod +x "$tmp/bin/badinterp"
QEMU=$tmp/bin/badinterp run pass
expect_line "exec failure is ERROR" "ERROR pass (cannot run $tmp/bin/badinterp: No such file or directory)"
VMM=foo run pass
expect_rc "bad VMM exits 2" 2
TIMEOUT=soon run pass
expect_rc "bad TIMEOUT exits 2" 2
ACCEL=hvf run pass
expect_rc "bad ACCEL exits 2" 2

# ---- selection --------------------------------------------------------------------
run -l
if grep -qx pass "$out" && grep -qx k-odd "$out" && ! grep -qx slow "$out"; then
	pass "-l lists default tests, not nodefault"
else
	fail "-l lists default tests, not nodefault" "$(tr '\n' ' ' <"$out")"
fi
run -l -a
if grep -qx slow "$out" && grep -qx flood "$out"; then pass "-a adds nodefault"; else fail "-a adds nodefault" "$(tr '\n' ' ' <"$out")"; fi
run -l slow
expect_file "an exact name selects a nodefault test" "$out" "slow"
run -l 'sl*'
expect_rc "a glob matching only nodefault tests" 2
run -l -a 'sl*'
expect_file "globs with -a" "$out" "slow
slow2"
run -l -g slowgroup
expect_file "-g selects its nodefault tests" "$out" "slow"
run -l -g g1,more
expect_file "-g with a comma list, cfg order" "$out" "pass
fail
fail2"
run -l -g kvm -x 'k-[a-o]*' -x k-usage
expect_file "-x excludes globs" "$out" "k-pass
k-skip
k-timeout
k-shutdown
k-run"
run -l 'k-*' -g kvm -x k-odd --shard 2/3
expect_file "--shard I/N" "$out" "k-skip
k-shutdown"
run nosuchtest
expect_rc "unknown test name exits 2" 2
if grep -q "no test matches 'nosuchtest'" "$err"; then pass "unknown name is named"; else fail "unknown name is named" "$(cat "$err")"; fi
run -g nosuchgroup
expect_rc "unknown group exits 2" 2
run -x '*'
expect_rc "nothing selected exits 2" 2
run --bogus
expect_rc "unknown option exits 2" 2
run -j 0 pass
expect_rc "bad -j exits 2" 2
run --json
expect_rc "--json without -l exits 2" 2
run -h
expect_rc "-h exits 0" 0
for w in VMM= ACCEL= QEMU= KVMRUN= TIMEOUT= TIMEOUT_FACTOR= TEST_ENV_FILE= LOGDIR= "Exit status"; do
	grep -q -- "$w" "$out" || fail "-h documents $w" "missing"
done
pass "-h documents env vars and exit status"

run -l --json -g kvm,req
if [ -n "$py" ]; then
	if "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
k = [t for t in d if t["name"] == "k-pass"][0]
assert k["vmm"] == "kvmrun" and k["groups"] == ["kvm"] and k["requires"]["smp"] == 2
assert k["requires"]["filter"] == "deny.filter" and k["requires"]["kvm"] is True
n = [t for t in d if t["name"] == "needs-kvm"][0]
assert n["requires"]["accel"] == "kvm" and n["vmm"] == "any"
assert len(d) == 10
' "$out"; then
		pass "-l --json is valid and complete"
	else
		fail "-l --json is valid and complete" "$(head -c 300 "$out")"
	fi
else
	skip "-l --json is valid and complete" "no python3: apt-get install python3"
fi

# ---- cfg errors ----------------------------------------------------------------------
printf '[a]\nfile = dummy.flat\nbogus = 1\n' >"$tmp/bad.cfg"
before=$(ls "$LOGDIR" | wc -l)
run --config "$tmp/bad.cfg"
expect_rc "cfg error exits 2" 2
expect_file "cfg error names file:line" "$err" "$tmp/bad.cfg:3: unknown key 'bogus'"
if [ "$(ls "$LOGDIR" | wc -l)" = "$before" ] && [ ! -s "$out" ]; then
	pass "cfg error runs nothing"
else
	fail "cfg error runs nothing" "log dir created or output printed"
fi
# bad_cfg NAME CFG-TEXT STDERR: refused before anything runs, with status 2
# and exactly that message.  Images and filters are looked up in the tree.
bad_cfg() {
	printf '%b' "$2" >"$tmp/v.cfg"
	before=$(ls "$LOGDIR" | wc -l)
	run --config "$tmp/v.cfg"
	expect_rc "$1: exits 2" 2
	expect_file "$1: says so" "$err" "$3"
	if [ "$(ls "$LOGDIR" | wc -l)" != "$before" ] || [ -s "$out" ]; then
		fail "$1: runs nothing" "log dir created or output printed"
	fi
}
: >"$tree/x86/unbuilt.c"
printf 'default deny\nrange 0x10 8 rx\n' >"$tree/filters/badsyntax.filter"
bad_cfg "missing image, no source" '[a]\nfile = missing.flat\n' \
	"$tmp/v.cfg:2: file = missing.flat: no x86/missing.flat, and no x86/missing.c to build it from"
bad_cfg "missing image with a source" '[a]\ngroups = x\nfile = unbuilt.flat\n' \
	"$tmp/v.cfg:3: file = unbuilt.flat: x86/unbuilt.flat is not built yet (make builds it from x86/unbuilt.c)"
bad_cfg "missing filter" '[a]\nfile = dummy.flat\nfilter = missing.filter\n' \
	"$tmp/v.cfg:3: filter = missing.filter: filters/missing.filter: No such file or directory"
bad_cfg "filter that does not parse" '[a]\nfile = dummy.flat\n\nfilter = badsyntax.filter\n' \
	"$tmp/v.cfg:4: filter = badsyntax.filter: filters/badsyntax.filter:2: bad range flags 'rx' (want r, w, rw or a number)"
bad_cfg "cpuid kvmrun refuses" '[a]\nfile = dummy.flat\ncpuid = +x2apc\n' \
	"$tmp/v.cfg:3: kvmrun would refuse cpuid = +x2apc: bad value '+x2apc' for --cpuid (want a comma-separated list of +NAME or -NAME, NAME one of x2apic, arch_capabilities, tsc_deadline, kvm_pv, pv_enforce)"
bad_cfg "kvmrun_params kvmrun refuses" '[a]\nfile = dummy.flat\nkvmrun_params = --mem 1\n' \
	"$tmp/v.cfg:3: kvmrun would refuse kvmrun_params = --mem 1: bad value '1' for --mem (want 2-3072)"
bad_cfg "kvmrun_params unknown option" '[a]\nfile = dummy.flat\nkvmrun_params = --smpp 2\n' \
	"$tmp/v.cfg:3: kvmrun would refuse kvmrun_params = --smpp 2: unknown option '--smpp' (see kvmrun --help)"
bad_cfg "every bad stanza is reported" '[a]\nfile = missing.flat\n[b]\nfile = dummy.flat\nfilter = missing.filter\n' \
	"$tmp/v.cfg:2: file = missing.flat: no x86/missing.flat, and no x86/missing.c to build it from
$tmp/v.cfg:5: filter = missing.filter: filters/missing.filter: No such file or directory"
bad_cfg "unknown key: did you mean" '[a]\nfile = dummy.flat\nfitler = deny.filter\n' \
	"$tmp/v.cfg:3: unknown key 'fitler' (did you mean 'filter'?)"
bad_cfg "unknown key far from any" '[a]\nfile = dummy.flat\nzzzzzz = 1\n' \
	"$tmp/v.cfg:3: unknown key 'zzzzzz'"
bad_cfg "qemu_params and extra_params in one stanza" \
	'[a]\nfile = dummy.flat\nextra_params = -m 128\nqemu_params = -m 256\n' \
	"$tmp/v.cfg:4: 'qemu_params' and 'extra_params' (its old name) both in [a] (first at line 3): keep one"
bad_cfg "qemu_params with vmm = kvmrun" '[a]\nfile = dummy.flat\nvmm = kvmrun\nqemu_params = -m 128\n' \
	"$tmp/v.cfg:4: 'qemu_params' is for QEMU, but [a] has vmm = kvmrun"
bad_cfg "unterminated \"\"\" value" '[a]\nfile = dummy.flat\nqemu_params = """-m 128 \\\n  -cpu max \\\n[b]\n' \
	"$tmp/v.cfg:3: unterminated \"\"\" value: no later line ends with \"\"\""
bad_cfg "unescaped line break in a \"\"\" value" \
	'[a]\nfile = dummy.flat\ntest_args = """argcheck \\\n  x=1\n  y=2"""\n' \
	"$tmp/v.cfg:4: line break inside the \"\"\" value opened at line 3: end the line with '\\' to continue the value, or with \"\"\" to close it"
bad_cfg "\"\"\" opened and closed on one line" '[a]\nfile = dummy.flat\nqemu_params = """-m 128"""\n' \
	"$tmp/v.cfg:3: \"\"\" opened and closed on one line: write a one-line value without \"\"\""
run --config "$tmp/no-such.cfg"
expect_rc "--config missing exits 2" 2
expect_file "--config missing: one program name" "$err" \
	"run_tests: $tmp/no-such.cfg: No such file or directory"
run fial
expect_rc "test name typo exits 2" 2
if grep -qxF "run_tests: no test matches 'fial' (did you mean 'fail'?)" "$err"; then
	pass "test name typo: did you mean"
else
	fail "test name typo: did you mean" "$(cat "$err")"
fi
printf 'pass   # fine\nfail\n' >"$tmp/known-noreason"
run --known-failures "$tmp/known-noreason" pass
expect_rc "known-failures entry without a reason exits 2" 2
expect_file "known-failures entry without a reason: FILE:LINE" "$err" \
	"$tmp/known-noreason:2: entry without '# reason' (say why this host differs)"
printf 'fail   # flaky\nno-such-a  # gone\nno-such-b  # gone\n' >"$tmp/known-unmatched"
run --known-failures "$tmp/known-unmatched" pass
expect_rc "unmatched known-failures entries are no error" 0
if [ -s "$err" ]; then
	fail "unmatched known-failures entries: quiet" "$(cat "$err")"
else
	pass "unmatched known-failures entries: quiet"
fi
run --known-failures "$tmp/known-unmatched" -v pass
if [ "$(grep -c 'known-failures' "$err")" = 1 ] && grep -qxF \
	"run_tests: 2 known-failures entries match no test in $tmp/tree/unittests.cfg (first: $tmp/known-unmatched:2)" "$err"; then
	pass "unmatched known-failures entries: one line with -v"
else
	fail "unmatched known-failures entries: one line with -v" "$(cat "$err")"
fi
# ioctl-test without KVM: one SKIP line with the reason, status 77.
if [ -x build/ioctl-test ]; then
	build/ioctl-test --kvm-device "$tmp/no-kvm" >"$out" 2>"$err"
	rc=$?
	expect_rc "ioctl-test without KVM exits 77" 77
	if [ "$(wc -l <"$out")" = 1 ] && grep -qE "^SKIP: ioctl: all [0-9]+ checks \\(no $tmp/no-kvm: No such file or directory\\)\$" "$out"; then
		pass "ioctl-test without KVM: one SKIP line with the reason"
	else
		fail "ioctl-test without KVM: one SKIP line with the reason" "$(head -3 "$out")"
	fi
else
	fail "ioctl-test without KVM" "build/ioctl-test not built"
fi
cp "$cfg" "$tmp/good.cfg"
printf 'smp = 99\n' >>"$cfg"
(cd "$tree" && "$RUNNER" --srcdir . -l >/dev/null 2>"$err")
rc=$?
cp "$tmp/good.cfg" "$cfg"
expect_rc "bad shipped cfg exits 2" 2
lines=$(wc -l <"$tmp/good.cfg")
expect_file "default cfg error says unittests.cfg:LINE" "$err" \
	"unittests.cfg:$((lines + 1)): bad smp '99': expected an integer from 1 to 64"

# ---- several tests: order, parallelism, logs, results -------------------------------
run pass fail skip triple
expect_line "mixed run summary" "1 passed, 2 failed, 1 skipped"
expect_rc "mixed run exits 1" 1
d=$LOGDIR/$(latest)
if [ "$(sed -n '1,4p' "$out" | cut -d' ' -f2 | tr '\n' ' ')" = "pass fail skip triple " ]; then
	pass "results in cfg order"
else
	fail "results in cfg order" "$(tr '\n' '|' <"$out")"
fi
for t in pass fail skip triple; do
	[ -s "$d/$t.log" ] || fail "one log per test" "no $t.log"
done
pass "one log per test"
if [ -n "$py" ]; then
	if "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = {t["name"]: t for t in d["tests"]}
assert d["schema"] == "kvm-msrfilter-tests/results/2"
assert d["exit_status"] == 1 and d["totals"]["FAIL"] == 2 and d["totals"]["selected"] == 4
assert s["pass"]["status"] == "PASS" and s["pass"]["guest_exit_code"] == 0
assert s["pass"]["summary"]["tests"] == 2 and s["pass"]["vmm"] == "qemu"
assert s["fail"]["reason"] == "1 FAIL line, first: fail: b is wrong"
assert {"status": "FAIL", "name": "fail: b is wrong"} in s["fail"]["subtests"]
assert s["triple"]["exit_status"] == 0 and s["skip"]["status"] == "SKIP"
assert s["pass"]["command"].startswith("TEST=pass VMM=qemu ACCEL=tcg ")
assert d["host"]["kvm_usable"] is False
' "$d/results.json"; then
		pass "results.json content"
	else
		fail "results.json content" "see $d/results.json"
	fi
	if "$py" -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$d/junit.xml"; then
		pass "junit.xml is well-formed XML"
	else
		fail "junit.xml is well-formed XML" "parse error"
	fi
else
	skip "results.json content" "no python3: apt-get install python3"
fi
grep -q '^not ok 2 - fail$' "$d/results.tap" && grep -q '^ok 3 - skip # SKIP' "$d/results.tap" &&
	pass "results.tap written" || fail "results.tap written" "$(head -5 "$d/results.tap")"

run pass
first=$(latest)
run pass
second=$(latest)
run pass
third=$(latest)
if [ "$first" != "$second" ] && [ "$second" != "$third" ] && [ "$first" != "$third" ] &&
   [ -d "$LOGDIR/$first" ] && [ -d "$LOGDIR/$third" ]; then
	pass "log directories are never reused; latest follows"
else
	fail "log directories are never reused; latest follows" "$first $second $third"
fi

# The first two tests take longest, yet are reported first.
printf '[slow]\nfile = dummy.flat\ntimeout = 2\n[slow2]\nfile = dummy.flat\ntimeout = 2\n[pass]\nfile = dummy.flat\n' >"$tmp/order.cfg"
start=$(date +%s)
run -j 3 --config "$tmp/order.cfg"
end=$(date +%s)
if [ "$(sed -n 1,3p "$out" | tr '\n' '|')" = "TIMEOUT slow (2 s)|TIMEOUT slow2 (2 s)|PASS pass (2 tests)|" ]; then
	pass "-j keeps cfg order"
else
	fail "-j keeps cfg order" "$(tr '\n' '|' <"$out")"
fi
if [ $((end - start)) -le 3 ]; then
	pass "-j 3 runs in parallel"
else
	fail "-j 3 runs in parallel" "took $((end - start)) s"
fi

run -t pass fail skip
if [ "$(sed -n 1,2p "$out" | tr '\n' '|')" = "TAP version 13|1..3|" ] &&
   grep -qx 'ok 1 - pass' "$out" && grep -qx 'not ok 2 - fail' "$out" &&
   grep -qx 'ok 3 - skip # SKIP skip: no widget' "$out" &&
   grep -qx '    not ok 2 - fail: b is wrong' "$out"; then
	pass "-t prints TAP13 with subtests"
else
	fail "-t prints TAP13 with subtests" "$(tr '\n' '|' <"$out")"
fi
run -v pass
if grep -qx 'PASS: pass: one' "$out"; then pass "-v shows guest output"; else fail "-v shows guest output" "not shown"; fi
run -v -j 2 pass fail
if grep -qx '\[fail\] FAIL: fail: b is wrong' "$out" && grep -qx '\[pass\] PASS: pass: one' "$out"; then
	pass "-v -j prefixes guest lines with the test"
else
	fail "-v -j prefixes guest lines with the test" "$(head -c 300 "$out")"
fi
run pass
if grep -q "$(printf '\033')" "$out"; then fail "no colour on a pipe" "escape found"; else pass "no colour on a pipe"; fi
run --color=always pass
if grep -q "$(printf '\033')\\[32mPASS" "$out"; then pass "--color=always"; else fail "--color=always" "no escape"; fi

# ---- known failures -------------------------------------------------------------------
cat >"$tmp/known" <<'EOF'
# test[/subtest]   # reason
known-whole        # bug 1
known-pass         # bug 2
known-sub-fail/known-sub-fail: b is*   # bug 3
fail/fail: nothing matches this   # a subtest entry that stays unused
EOF
run --known-failures "$tmp/known" -g known,g1
expect_line "known passing test is XPASS" "XPASS known-pass (known failure passed: bug 2)"
expect_line "known whole test passing is XPASS" "XPASS known-whole (known failure passed: bug 1)"
expect_line "all FAIL lines known is XFAIL" \
	"XFAIL known-sub-fail (known failure: bug 3; 1 FAIL line, first: known-sub-fail: b is wrong)"
expect_line "unknown failure stays FAIL" "FAIL fail (3 tests, 1 unexpected failure, first: fail: b is wrong)"
expect_rc "XPASS exits 1" 1
printf 'fail   # flaky\n' >"$tmp/known2"
run --known-failures "$tmp/known2" fail skip
expect_line "known failing test is XFAIL" "XFAIL fail (known failure: flaky; 1 FAIL line, first: fail: b is wrong)"
expect_line "XFAIL in the summary" "0 passed, 0 failed, 1 skipped, 1 xfail"
expect_rc "XFAIL exits 0" 0
printf 'a b c\n' >"$tmp/known3"
run --known-failures "$tmp/known3" pass
expect_rc "malformed known-failures exits 2" 2

# Conditions on host facts, from a fake /sys (RUNNER_SYSFS): kvm_intel with
# enable_apicv=Y, nested absent.
mkdir -p "$tmp/sys/module/kvm_intel/parameters" "$tmp/sys/module/kvm/parameters"
echo Y >"$tmp/sys/module/kvm_intel/parameters/enable_apicv"
echo N >"$tmp/sys/module/kvm/parameters/ignore_msrs"
cat >"$tmp/known-cond" <<'EOF2'
fail/fail: b is* [when kvm_module=kvm_intel kvm_intel.enable_apicv=Y kvm.ignore_msrs=N]   # apicv bug
fail2 [when kvm_intel.enable_apicv=N]   # only without APICv
known-sub-fail [when kvm_intel.nested=*]   # nested absent: never holds
EOF2
RUNNER_SYSFS=$tmp/sys run --known-failures "$tmp/known-cond" fail fail2 known-sub-fail
expect_line "KVM parameter condition that holds: XFAIL" \
	"XFAIL fail (known failure: apicv bug; 1 FAIL line, first: fail: b is wrong)"
expect_line "KVM parameter condition that does not hold: FAIL" \
	"FAIL fail2 (2 tests, 2 unexpected failures, first: fail2: x)"
expect_line "a parameter the host lacks matches no glob, not even '*'" \
	"FAIL known-sub-fail (3 tests, 1 unexpected failure, first: known-sub-fail: b is wrong)"
if grep -q '"kvm_intel.enable_apicv": "Y"' "$LOGDIR/$(latest)/results.json"; then
	pass "RUNNER_SYSFS facts reach results.json"
else
	fail "RUNNER_SYSFS facts reach results.json" "$(grep -o '"kvm_params": {[^}]*}' "$LOGDIR/$(latest)/results.json")"
fi
printf 'fail [when kvm_intel.no_such_param=Y]   # typo\n' >"$tmp/known4"
run --known-failures "$tmp/known4" pass
expect_rc "unknown KVM parameter condition exits 2" 2
expect_file_has() {
	if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1" "$(head -c 300 "$2")"; fi
}
expect_file_has "unknown condition names file:line and the key" "$err" \
	"$tmp/known4:1: unknown condition 'kvm_intel.no_such_param'"

# kvm_amd's SVM feature parameters (kvm_amd.nrips=1 as on a real AMD host,
# 0 under a QEMU without NRIP save): recorded, and keys for known-failures.
# sysfs shows int parameters as 0/1, bool ones as N/Y.
mkdir -p "$tmp/sys-amd/module/kvm_amd/parameters" "$tmp/sys-amd/module/kvm/parameters"
for p in nrips=1 npt=Y vgif=1 vls=1 lbrv=1 tsc_scaling=0 vnmi=N avic=N nested=1; do
	echo "${p#*=}" >"$tmp/sys-amd/module/kvm_amd/parameters/${p%=*}"
done
cat >"$tmp/known-amd" <<'EOF2'
fail [when kvm_module=kvm_amd kvm_amd.nrips=1 kvm_amd.npt=Y]   # needs NRIP save
fail2 [when kvm_module=kvm_amd kvm_amd.nrips=0]   # only without NRIP save
EOF2
RUNNER_SYSFS=$tmp/sys-amd run --known-failures "$tmp/known-amd" fail fail2
expect_line "kvm_amd.nrips=1 condition that holds: XFAIL" \
	"XFAIL fail (known failure: needs NRIP save; 1 FAIL line, first: fail: b is wrong)"
expect_line "kvm_amd.nrips=0 condition that does not hold: FAIL" \
	"FAIL fail2 (2 tests, 2 unexpected failures, first: fail2: x)"
amd_params=$(grep -o '"kvm_params": {[^}]*}' "$LOGDIR/$(latest)/results.json")
case $amd_params in
*'"kvm_amd.nrips": "1"'*'"kvm_amd.npt": "Y"'*'"kvm_amd.vgif": "1"'*'"kvm_amd.vls": "1"'*'"kvm_amd.lbrv": "1"'*'"kvm_amd.tsc_scaling": "0"'*'"kvm_amd.vnmi": "N"'*)
	pass "kvm_amd SVM feature parameters reach results.json" ;;
*)	fail "kvm_amd SVM feature parameters reach results.json" "$amd_params" ;;
esac

# ---- every output tells the same story, for every status ---------------------------
# check-outputs.py checks results.json (against host/runner/results.schema.json),
# the human lines, results.tap and junit.xml of one run against each other
# and the expected statuses, and the exit status rule.
printf 'fail   # flaky\nknown-pass/known-pass: two  # fixed?\n' >"$tmp/known-out"
outputs() {
	want=$1
	shift
	run --known-failures "$tmp/known-out" "$@"
	if [ -z "$py" ]; then
		skip "outputs of $*" "no python3: apt-get install python3"
		return
	fi
	"$py" "$top/host/tests/check-outputs.py" "$LOGDIR/$(latest)" "$rc" "$out" $want \
		>"$tmp/outputs" 2>&1
	if [ $? -eq 0 ]; then
		pass "outputs agree, exit status $rc: $*"
	else
		fail "outputs agree, exit status $rc: $*" "$(grep -v '^PASS' "$tmp/outputs" | head -3 | tr '\n' '|')"
	fi
}
outputs "pass=PASS" pass
expect_line "no checks count when the guest does not print one" "PASS pass (2 tests)"
# expect_summary NAME TEXT: the latest results.json has TEXT in a summary.
expect_summary() {
	if grep -qF -- "$2" "$LOGDIR/$(latest)/results.json"; then
		pass "$1"
	else
		fail "$1" "$(grep -o '"summary": {[^}]*}' "$LOGDIR/$(latest)/results.json")"
	fi
}
expect_summary "results.json: checks null when not printed" '"checks": null'

outputs "sweepish=PASS" sweepish
expect_line "a SUMMARY's checks count shows when lines sum up checks" "PASS sweepish (2 tests, 5000 checks)"
expect_summary "results.json: summary checks" '"skipped": 0, "checks": 5000}'

outputs "skip=SKIP" skip
outputs "pass=PASS skip=SKIP" pass skip
outputs "fail=XFAIL" fail
outputs "fail2=FAIL" fail2
outputs "slow=TIMEOUT" slow
outputs "known-pass=XPASS" known-pass
outputs "qemuerr=ERROR" qemuerr
outputs "triple=FAIL abort=FAIL" triple abort
outputs "pass=PASS fail2=FAIL skip=SKIP slow=TIMEOUT fail=XFAIL dup=FAIL" pass fail2 skip slow fail dup
run_dir=$LOGDIR/$(latest)
if grep -qx '    ok 2 - dup: same \\#2' "$run_dir/results.tap" &&
   grep -qx '    not ok 3 - dup: same \\#3' "$run_dir/results.tap" &&
   grep -qx '    ok 4 - dup: same \\#2 \\#2' "$run_dir/results.tap" &&
   grep -qx '    ok 5 - dup: \\#5 <&> \\\\ é' "$run_dir/results.tap"; then
	pass "repeated subtest names get ' #N'; TAP escapes '#' and '\\'"
else
	fail "repeated subtest names get ' #N'; TAP escapes '#' and '\\'" \
		"$(grep -A6 'Subtest: dup' "$run_dir/results.tap" | tr '\n' '|')"
fi
if perl -MTAP::Parser -e 1 2>/dev/null; then
	if perl -MTAP::Parser -e '
		my $p = TAP::Parser->new({ tap => do { local $/; open my $f, "<", $ARGV[0] or die; <$f> } });
		while ($p->next) {}
		my @e = $p->parse_errors;
		die "parse errors: @e\n" if @e;
		die "planned ", $p->tests_planned, " ran ", $p->tests_run, "\n"
			if $p->tests_planned != $p->tests_run;
		# Subtest blocks: outdent each and parse it on its own.
		my (@blocks, $cur);
		for (split /\n/, do { local $/; open my $f, "<", $ARGV[0]; <$f> }) {
			if (s/^    //) { push @blocks, ($cur = []) if /^# Subtest:/; push @$cur, $_; }
		}
		for my $b (@blocks) {
			my $q = TAP::Parser->new({ tap => join("\n", @$b) . "\n" });
			while ($q->next) {}
			die "subtest: ", join(" ", $q->parse_errors), "\n" if $q->parse_errors;
			die "subtest planned ", $q->tests_planned, " ran ", $q->tests_run, "\n"
				if $q->tests_planned != $q->tests_run;
		}
		print scalar(@blocks), "\n";
	' "$run_dir/results.tap" >"$tmp/tapcheck" 2>&1; then
		pass "TAP::Parser reads results.tap and its $(cat "$tmp/tapcheck") subtest blocks without errors"
	else
		fail "TAP::Parser reads results.tap" "$(cat "$tmp/tapcheck")"
	fi
else
	skip "TAP::Parser reads results.tap" "perl's TAP::Parser missing (apt-get install perl)"
fi
run -t --known-failures "$tmp/known-out" pass fail2 skip slow fail dup
if [ "$(grep -v '^#' "$out")" = "$(cat "$LOGDIR/$(latest)/results.tap")" ]; then
	pass "-t prints the same TAP as results.tap"
else
	fail "-t prints the same TAP as results.tap" "$(diff "$out" "$LOGDIR/$(latest)/results.tap" | head -3 | tr '\n' '|')"
fi
if [ -n "$py" ]; then
	# The checker itself must fail on a broken file: a test that cannot fail is no test.
	d=$LOGDIR/$(latest)
	cp "$d/results.json" "$tmp/rj"
	for mutation in 's/"timed_out": true/"timed_out": 1/' 's/"status": "TIMEOUT"/"status": "LATE"/' \
			's/"suite_version"/"suite_versio"/' 's/"index": 1,/"index": 0,/'; do
		sed "$mutation" "$tmp/rj" >"$tmp/rj.bad"
		if "$py" scripts/json-schema-check.py host/runner/results.schema.json "$tmp/rj.bad" >/dev/null; then
			fail "schema check rejects a broken results.json" "accepted after $mutation"
		fi
	done
	pass "schema check rejects broken results.json files"
	if "$py" scripts/json-schema-check.py host/runner/results.schema.json "$tmp/rj" >/dev/null; then
		pass "results.json of a TAP run matches the schema"
	else
		fail "results.json of a TAP run matches the schema" "see $d"
	fi
	sed 's/<skipped message="XFAIL/<failure message="XFAIL/' "$d/junit.xml" >"$tmp/junit.bad"
	cp "$tmp/junit.bad" "$d/junit.xml"
	if "$py" host/tests/check-outputs.py "$d" 1 - >/dev/null; then
		fail "output check rejects a junit.xml that disagrees" "accepted"
	else
		pass "output check rejects a junit.xml that disagrees"
	fi
	if "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
h = d["host"]
assert d["suite_version"] and h["kernel"] and h["qemu_version"] == "QEMU emulator version 99.1.0 (fake)"
assert isinstance(h["kvm_params"], dict) and h["kvm_module"]
' "$tmp/rj"; then
		pass "results.json records suite version, host, KVM parameters, QEMU version"
	else
		fail "results.json records suite version, host, KVM parameters, QEMU version" "see $tmp/rj"
	fi
fi

# ---- live progress line ------------------------------------------------------------------
run --progress=always slow pass
if grep -q "$(printf '\r\033')\\[K\\[0/2 done, 0:00\\] running pass (" "$out" &&
   grep -q "$(printf '\r\033')\\[K\\[1/2 done, 0:0[0-9]\\] running slow (" "$out" &&
   grep -q "$(printf '\r\033')\\[KPASS pass (2 tests)\$" "$out" &&
   grep -q "$(printf '\r\033')\\[KTIMEOUT slow (1 s)\$" "$out" &&
   [ "$(tail -n 1 "$out")" = "1 passed, 0 failed, 0 skipped, 1 timeout" ]; then
	pass "--progress=always draws and clears a progress line"
else
	fail "--progress=always draws and clears a progress line" "$(cat -v "$out" | head -c 300)"
fi
run slow pass
if grep -q "$(printf '\r')" "$out"; then fail "no progress line on a pipe" "found"; else pass "no progress line on a pipe"; fi
run --progress=sometimes pass
expect_rc "bad --progress exits 2" 2

# ---- signals ------------------------------------------------------------------------------
rm -f "$FAKE_DIR/slow2.pid"
"$RUNNER" --srcdir "$tree" slow2 >"$out" 2>"$err" &
rpid=$!
i=0
while [ ! -s "$FAKE_DIR/slow2.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
pid=$(cat "$FAKE_DIR/slow2.pid" 2>/dev/null)
kill -INT $rpid
wait $rpid
rc=$?
expect_rc "SIGINT exits 130" 130
expect_line "interrupted test is ERROR" "ERROR slow2 (interrupted by SIGINT)"
if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
	pass "SIGINT stops the VMM"
else
	fail "SIGINT stops the VMM" "pid '$pid' still running"
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
fi

# Interrupted with a test still to run: results.json lists it as not run.
rm -f "$FAKE_DIR/slow2.pid"
"$RUNNER" --srcdir "$tree" slow2 spam >"$out" 2>"$err" &
rpid=$!
i=0
while [ ! -s "$FAKE_DIR/slow2.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM $rpid
wait $rpid
rc=$?
expect_rc "SIGTERM exits 143" 143
if [ -n "$py" ]; then
	d=$LOGDIR/$(latest)
	if "$py" scripts/json-schema-check.py host/runner/results.schema.json "$d/results.json" >"$tmp/sc" &&
	   "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["interrupted_by"] == "SIGTERM" and d["exit_status"] == 143, d["interrupted_by"]
assert [t["name"] for t in d["tests"]] == ["slow2"] and d["tests"][0]["status"] == "ERROR"
assert d["not_run"] == ["spam"], d["not_run"]
' "$d/results.json" && grep -qx 'not ok 2 - spam # SKIP not run (interrupted)' "$d/results.tap"; then
		pass "interrupted run: results.json lists the test not run, TAP too"
	else
		fail "interrupted run: results.json lists the test not run, TAP too" "$(cat "$tmp/sc") see $d"
	fi
fi

# ---- --audit FILTER (host/runner/audit.c) ---------------------------------------------
# The fake kvmrun plays the audit guest ($FAKE_AUDIT); the verdict and exit
# status come from its AUDIT lines and the digest it reports.
af=$tree/filters/audit.filter
printf '# Exit mask: 4\ndefault allow\nrange 0x6e0 1 w\n\tdeny all\n' >"$af"
ajson() {	# ajson PYTHON-EXPR: true if it holds for the latest audit.json
	[ -n "$py" ] && "$py" -c "import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" \
		"$LOGDIR/$(latest)/audit.json"
}
FAKE_AUDIT=clean FAKE_DIGEST=0x1 run --audit "$af"
expect_rc "--audit: kvmrun installed another filter: MISMATCH exits 1" 1
want_digest=
[ -n "$py" ] && want_digest=$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["file_digest"])' \
	"$LOGDIR/$(latest)/audit.json" 2>/dev/null)
if grep -q "^audit: $af: MISMATCH " "$out" && ajson 'd["verdict"] == "MISMATCH" and d["findings"][0]["kind"] == "mismatch" and d["exit_status"] == 1'; then
	pass "--audit: a different digest is a mismatch finding"
else
	fail "--audit: a different digest is a mismatch finding" "$(head -c 300 "$out")"
fi
if grep -qx '\[--exit-mask\]' "$FAKE_DIR/msr_audit.args" &&
   grep -A1 -x '\[--exit-mask\]' "$FAKE_DIR/msr_audit.args" | grep -qx '\[4\]'; then
	pass "--audit: the file's '# Exit mask: 4' reaches kvmrun"
else
	fail "--audit: the file's '# Exit mask: 4' reaches kvmrun" "$(tr '\n' ' ' <"$FAKE_DIR/msr_audit.args")"
fi
FAKE_AUDIT=clean FAKE_DIGEST=$want_digest run --audit "$af" --exit-mask 2
expect_rc "--audit: no finding exits 0" 0
if grep -q "^audit: $af: no bypass (0 bypass" "$out" && ajson 'd["verdict"] == "no bypass" and d["installed_is_file"] and d["findings"] == []'; then
	pass "--audit: no finding is 'no bypass'"
else
	fail "--audit: no finding is 'no bypass'" "$(head -c 300 "$out")"
fi
if grep -A1 -x '\[--exit-mask\]' "$FAKE_DIR/msr_audit.args" | grep -qx '\[2\]'; then
	pass "--audit: --exit-mask overrides the file's mask"
else
	fail "--audit: --exit-mask overrides the file's mask" "$(tr '\n' ' ' <"$FAKE_DIR/msr_audit.args")"
fi
FAKE_AUDIT=exempt FAKE_DIGEST=$want_digest run --audit "$af"
expect_rc "--audit: an exempt finding alone exits 0" 0
FAKE_AUDIT=bypass FAKE_DIGEST=$want_digest run --audit "$af"
expect_rc "--audit: a bypass exits 1" 1
if grep -q "^audit: $af: BYPASS (1 bypass" "$out" &&
   ajson 'd["verdict"] == "BYPASS" and [(f["index"], f["access"], f["kind"]) for f in d["findings"]] == [("0x6e0", "write", "bypass")]' &&
   grep -q '^| 0x6e0 | 0x6e0 | write | deny | bypass |' "$LOGDIR/$(latest)/audit.md"; then
	pass "--audit: the bypass is in audit.json and audit.md"
else
	fail "--audit: the bypass is in audit.json and audit.md" "$(head -c 300 "$out")"
fi
FAKE_AUDIT=incomplete FAKE_DIGEST=$want_digest run --audit "$af"
expect_rc "--audit: an audit that did not finish exits 2" 2
printf 'default deny\n' >"$tree/filters/audit-empty.filter"
FAKE_AUDIT=reject run --audit "$tree/filters/audit-empty.filter"
expect_rc "--audit: an ioctl KVM rejects exits 2" 2
if grep -q 'kvmrun could not install the filter: .*Invalid argument.*the model says: EINVAL' "$err"; then
	pass "--audit: a rejected filter names the errno and the model's view"
else
	fail "--audit: a rejected filter names the errno and the model's view" "$(head -c 300 "$err")"
fi
printf 'default allow\nrange 0x6e0 1 q\n' >"$tree/filters/audit-bad.filter"
run --audit "$tree/filters/audit-bad.filter"
expect_rc "--audit: an unparsable filter exits 2" 2
if grep -q "audit-bad.filter:2: bad range flags 'q'" "$err"; then
	pass "--audit: an unparsable filter names file:line"
else
	fail "--audit: an unparsable filter names file:line" "$(head -c 300 "$err")"
fi
run --audit "$tree/filters/no-such.filter"
expect_rc "--audit: a missing filter exits 2" 2
run --exit-mask 4 pass
expect_rc "--exit-mask without --audit exits 2" 2
rm -f "$af" "$tree/filters/audit-empty.filter" "$tree/filters/audit-bad.filter"

# ---- run_tests.sh ------------------------------------------------------------------------
inst=$tmp/inst
mkdir -p "$inst/bin" "$inst/x86" "$tmp/cwd"
cp run_tests.sh "$inst/"
cp "$top/build/runner" "$inst/bin/"
cp "$cfg" "$inst/unittests.cfg"
cp "$tree/x86/dummy.flat" "$inst/x86/"
mkdir -p "$inst/filters" && cp "$tree/filters/deny.filter" "$inst/filters/"
echo installed >"$inst/.installed"
ln -s "$inst/run_tests.sh" "$tmp/bin/kvm-msrfilter-tests"
(cd "$tmp/cwd" && env -u LOGDIR PATH=/nonexistent:/usr/bin:/bin \
	"$tmp/bin/kvm-msrfilter-tests" pass >"$out" 2>"$err")
rc=$?
expect_rc "installed run_tests.sh via a symlink, no build" 0
expect_line "installed run_tests.sh runs the test" "PASS pass (2 tests)"
if [ -f "$tmp/cwd/logs/latest/pass.log" ]; then
	pass "installed tree logs to ./logs"
else
	fail "installed tree logs to ./logs" "no $tmp/cwd/logs/latest/pass.log"
fi
rm "$inst/.installed"
(cd "$tmp/cwd" && PATH=$tmp/nobin /bin/sh "$inst/run_tests.sh" pass >"$out" 2>"$err")
rc=$?
expect_rc "no make: exits 2" 2
if grep -q "'make' not found.*apt-get install make" "$err"; then
	pass "no make: names the Debian package"
else
	fail "no make: names the Debian package" "$(cat "$err")"
fi
(env -u LOGDIR ./run_tests.sh -l >"$out" 2>"$err")
rc=$?
expect_rc "in-tree run_tests.sh -l (builds quietly)" 0
if grep -qx selftest "$out" && [ ! -s "$err" ]; then
	pass "in-tree run_tests.sh lists the shipped cfg quietly"
else
	fail "in-tree run_tests.sh lists the shipped cfg quietly" "$(cat "$out" "$err" | head -5)"
fi

exit $failed
