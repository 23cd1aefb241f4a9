#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Shell-level checks of the kvmrun binary (the ASan+UBSan build by default):
# exit statuses, the one "kvmrun: reason" line on stderr, stdout contents.
# Images are written by build/tests/mkimage from the machine code below
# (32-bit protected mode, entered as multiboot specifies).
#
# Without KVM: options, input files, and the SKIP path (77) are checked;
# every check that needs to run a guest prints SKIP with the reason.
# Run from the top of the tree; exit status 1 if a check failed.
#   KVMRUN=build/kvmrun build/tests/test-kvmrun-cli   (another binary)
set -u
KVMRUN=${KVMRUN:-build/san/kvmrun}
MKIMAGE=${MKIMAGE:-build/tests/mkimage}
KVM_DEVICE=${KVM_DEVICE:-/dev/kvm}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fails=0

pass() { echo "PASS: kvmrun-cli: $1"; }
fail() { echo "FAIL: kvmrun-cli: $1"; fails=$((fails + 1)); }

# Guest code (hex), assembled once with `as --32`; the source is beside each.
img() {	# name hex [bss]
	"$MKIMAGE" "$tmp/$1.flat" "$2" ${3:-} || { echo "FAIL: kvmrun-cli: mkimage $1"; exit 1; }
}
img exit0 31c0e7f4f4				# xor eax,eax; out 0xf4,eax; hlt
img exit5 b805000000e7f4f4			# mov eax,5; out 0xf4,eax
img exit5b b005e6f4f4				# mov al,5; out 0xf4,al
img exit128 b880000000e7f4f4			# mov eax,128; out 0xf4,eax
img hang ebfe					# jmp .
img ud2 0f0b					# ud2 (no IDT: triple fault)
img badport 66ba3412ee				# mov dx,0x1234; out dx,al
img mmio a3000000d0				# mov [0xd0000000],eax
img hlt f4					# hlt
# "hi\r\nx" on COM1, then exit 0
img serial 66baf803b068eeb069eeb00deeb00aeeb078ee31c0e7f4
# "t\n" on COM1, then jmp .
img tickhang 66baf803b074eeb00aeeebfe
# in eax,0x7e0 == 'KVMR' ? exit 0 : exit 1
img ctrlmagic 66bae007ed3d4b564d52750431c0e7f4b801000000e7f4
# rdmsr 0x1fc; EDX:EAX == KVMRUN_MSR_DERIVED(0x1fc) ? exit 0 : exit 1
img rdmsr b9fc0100000f323dfc010000750c81fa004d564b750431c0e7f4b801000000e7f4
# EAX == 0x2badb002, EBX == 0x10000, info flags 0x4d, 1 module ? exit 0 : 1
img mbmagic 3d02b0ad2b751781fb00000100750f833b4d750a837b1401750431c0e7f4b801000000e7f4
# LSR reads 0x60, inb of the control port reads 'K' ? exit 0 : 1
img lsr 66bafd03ec3c60750d66bae007ec3c4b750431c0e7f4b801000000e7f4
# in al,0x61 == 0xff; out 0x80,al; in al,0x71 ? exit 0 : 1
img legacy e4613cff7508e680e47131c0e7f4b801000000e7f4
# a 16-bit OUT to the control port
img ctrlbad 66bae00766b8001066eff4
# CPUID.1:ECX.x2APIC ? exit 7 : exit 8
img cpuidx2 b8010000000fa20fbae1157307b807000000e7f4b808000000e7f4
img bigbss 31c0e7f4f4 0x200000			# exit 0 with 2 MiB of bss
printf 'A=1\nnot a line\n' >"$tmp/bad.env"
echo 'not an image' >"$tmp/text.flat"

# run NAME STATUS 'STDERR' [kvmrun args...]: STDERR is the exact reason
# line, '' for none, or a prefix ending in '*'.
run() {
	name=$1 want=$2 line=$3
	shift 3
	"$KVMRUN" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	if [ "$st" -ne "$want" ]; then
		fail "$name (expected status $want, got $st: $(tail -n 3 "$tmp/err" | tr '\n' ' '))"
		return 1
	fi
	n=$(grep -c '^kvmrun: ' "$tmp/err")
	other=$(grep -vc '^kvmrun: ' "$tmp/err")
	got=$(grep '^kvmrun: ' "$tmp/err")
	if [ -z "$line" ]; then
		[ "$n" -eq 0 ] && [ "$other" -eq 0 ] || { fail "$name (unexpected stderr: $got)"; return 1; }
	elif [ "$n" -ne 1 ] || [ "$other" -ne 0 ]; then
		fail "$name (expected one 'kvmrun:' line on stderr, got: $(tr '\n' '|' <"$tmp/err"))"
		return 1
	else
		case $line in
		*'*') case $got in "${line%\*}"*) ;; *) fail "$name (expected '$line', got '$got')"; return 1 ;; esac ;;
		*) [ "$got" = "$line" ] || { fail "$name (expected '$line', got '$got')"; return 1; } ;;
		esac
	fi
	pass "$name (status $st)"
}

# ---- no KVM needed -------------------------------------------------------
if "$KVMRUN" -h >"$tmp/out" 2>&1 && grep -q '^Usage: kvmrun' "$tmp/out"; then
	pass "-h prints the usage, status 0"
else
	fail "-h prints the usage, status 0"
fi
E=$tmp/exit0.flat
run "no IMAGE" 2 "kvmrun: no IMAGE given (see kvmrun --help)"
run "unknown option" 2 "kvmrun: unknown option '--bogus' (see kvmrun --help)" --bogus "$E"
run "--smp 0" 2 "kvmrun: bad value '0' for --smp (want 1-64)" --smp 0 "$E"
run "--mem 1" 2 "kvmrun: bad value '1' for --mem (want 2-3072)" --mem 1 "$E"
run "--irqchip bad" 2 "kvmrun: bad value 'pic' for --irqchip (want full, split or none)" --irqchip pic "$E"
run "--exit-mask 8" 2 "kvmrun: bad value '8' for --exit-mask (want 0-7)" --exit-mask 8 "$E"
run "--timeout x" 2 "kvmrun: bad value 'x' for --timeout (want 0-86400)" --timeout x "$E"
run "--cpuid bad" 2 "kvmrun: bad value 'x2apic' for --cpuid (want a comma-separated list of +NAME or -NAME, NAME one of x2apic, arch_capabilities, tsc_deadline, kvm_pv, pv_enforce)" --cpuid x2apic "$E"
run "missing value" 2 "kvmrun: option --env needs a value" --env
run "bad filter file" 2 "kvmrun: host/tests/data/filter/unknown-keyword.filter:2: unknown keyword 'rnage'" \
	--filter host/tests/data/filter/unknown-keyword.filter "$E"
run "missing filter file" 2 "kvmrun: $tmp/none.filter: No such file or directory" --filter "$tmp/none.filter" "$E"
run "bad --env file" 2 "kvmrun: $tmp/bad.env:2: want KEY=VALUE with KEY made of letters, digits and '_' (not starting with a digit)" \
	--env "$tmp/bad.env" "$E"
run "missing image" 2 "kvmrun: $tmp/none.flat: No such file or directory" "$tmp/none.flat"
run "image not ELF" 2 "kvmrun: $tmp/text.flat: truncated: 13 bytes, an ELF32 header needs 52" "$tmp/text.flat"
# Any ELF64 executable named .elf stands for a guest's link step x86/NAME.elf.
cp /bin/true "$tmp/guest.elf"
run "ELF64 .elf image: names the .flat" 2 "kvmrun: $tmp/guest.elf: an ELF64 file, want ELFCLASS32 (a multiboot image is ELF32): run $tmp/guest.flat, which make builds from it" \
	"$tmp/guest.elf"
run "image beyond --mem" 2 "kvmrun: $tmp/bigbss.flat: segment 0: 0x100000-0x300064 is beyond guest RAM (2 MiB)" \
	--mem 2 "$tmp/bigbss.flat"
run "--kvm-device /nonexistent: SKIP" 77 "kvmrun: SKIP: cannot open /nonexistent: No such file or directory" \
	--kvm-device /nonexistent "$E"
run "--kvm-device /dev/null: SKIP" 77 "kvmrun: SKIP: /dev/null is not a KVM device (API version -1, want 12)" \
	--kvm-device /dev/null "$E"
run "bad inputs before the KVM check" 2 "kvmrun: host/tests/data/filter/crlf.filter:1: carriage return (use Unix line ends)" \
	--kvm-device /nonexistent --filter host/tests/data/filter/crlf.filter "$E"
# The ASan build: a sanitizer's report must not end with status 1, which
# is kvmrun's "guest exit code 0" (a passed test).
if ASAN_OPTIONS=help=1 "$KVMRUN" -h 2>&1 | grep -q '^[[:space:]]*exitcode$'; then
	if ASAN_OPTIONS=help=1 "$KVMRUN" -h 2>&1 | grep -A1 '^[[:space:]]*exitcode$' |
	   grep -q 'Current Value: 66)'; then
		pass "sanitizer reports exit with 66, not 1"
	else
		fail "sanitizer reports exit with 66, not 1 ($(ASAN_OPTIONS=help=1 "$KVMRUN" -h 2>&1 |
			grep -A1 '^[[:space:]]*exitcode$' | tail -n 1))"
	fi
else
	echo "SKIP: kvmrun-cli: sanitizer reports exit with 66, not 1 ($KVMRUN is not an ASan build)"
fi

# ---- a guest must run ----------------------------------------------------
"$KVMRUN" --kvm-device "$KVM_DEVICE" "$E" >/dev/null 2>"$tmp/err"
st=$?
if [ "$st" -ne 1 ]; then
	why=$(grep "^kvmrun: " "$tmp/err" | head -n 1)
	why=${why#kvmrun: }
	why=${why#SKIP: }
	for c in "exit 0 gives status 1" "exit 5 gives 11" "exit 5 gives 11 with leak checks" \
		"outb exit gives 11" \
		"exit 128 folds, and says so" "timeout" "triple fault" "unhandled port" \
		"unhandled MMIO" "HLT with no irqchip" "HLT with an irqchip: timeout" \
		"serial output" "output kept on timeout" "output kept on SIGTERM" \
		"control port magic" "narrow control port reads" "legacy ports" \
		"16-bit OUT to the control port" "multiboot entry state" \
		"deny filter + FILTER exit: derived value in EDX:EAX" \
		"deny filter without exits: #GP" "rejected --filter: status 2" \
		"--filter-expect-errno EINVAL matches" "--filter-expect-errno mismatch" \
		"--cpuid +x2apic" "--cpuid -x2apic" "--smp 2" "--irqchip split" "--irqchip none" \
		"--filter-when before-irqchip" "--filter-when after-vcpu" \
		"--stats --no-coalesced-pio" "--stats"; do
		echo "SKIP: kvmrun-cli: $c (${why:-status $st})"
	done
	[ "$fails" -eq 0 ]
	exit
fi
K="--kvm-device $KVM_DEVICE"
run "exit 0 gives status 1" 1 "" $K "$E"
run "exit 5 gives 11" 11 "" $K "$tmp/exit5.flat"
# LeakSanitizer runs when main() returns: nothing may leak there.
ASAN_OPTIONS=detect_leaks=1
run "exit 5 gives 11 with leak checks" 11 "" $K "$tmp/exit5.flat"
ASAN_OPTIONS=detect_leaks=0
run "outb exit gives 11" 11 "" $K "$tmp/exit5b.flat"
run "exit 128 folds, and says so" 1 "kvmrun: guest exit code 128 (0x80) folds into status 1" $K "$tmp/exit128.flat"
run "timeout" 124 "kvmrun: TIMEOUT after 1 s (vCPU 0 at RIP 0x100060)" $K --timeout 1 "$tmp/hang.flat"
run "triple fault" 64 "kvmrun: guest shutdown (triple fault) on vCPU 0" $K "$tmp/ud2.flat"
run "unhandled port" 66 "kvmrun: unhandled I/O: OUT of 1 bytes at port 0x1234 (vCPU 0, RIP 0x*" $K "$tmp/badport.flat"
run "unhandled MMIO" 66 "kvmrun: unhandled MMIO: write of 4 bytes at 0xd0000000 (vCPU 0, RIP 0x*" $K "$tmp/mmio.flat"
run "HLT with no irqchip" 66 "kvmrun: every vCPU halted with no in-kernel irqchip (--irqchip none): nothing can wake them" \
	$K --irqchip none "$tmp/hlt.flat"
run "HLT with an irqchip: timeout" 124 "kvmrun: TIMEOUT after 1 s*" $K --timeout 1 "$tmp/hlt.flat"
if run "serial output" 1 "" $K "$tmp/serial.flat"; then
	[ "$(cat "$tmp/out")" = "$(printf 'hi\nx')" ] && pass "serial output: CR dropped, last partial line kept" ||
		fail "serial output: CR dropped, last partial line kept (got '$(od -c "$tmp/out" | head -n 2)')"
fi
if run "output kept on timeout" 124 "kvmrun: TIMEOUT after 1 s*" $K --timeout 1 "$tmp/tickhang.flat"; then
	[ "$(cat "$tmp/out")" = t ] && pass "output kept on timeout: contents" ||
		fail "output kept on timeout: contents (got '$(cat "$tmp/out")')"
fi
"$KVMRUN" $K "$tmp/tickhang.flat" >"$tmp/out" 2>"$tmp/err" &
pid=$!
# A SIGTERM before kvmrun blocks it (to take it with sigwait) kills it
# outright, and under nested KVM getting there takes seconds: wait for the
# bit in SigBlk (at most 30 s), then give the guest time to print.
i=0
while [ "$i" -lt 300 ]; do
	blk=$(sed -n 's/^SigBlk:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
	[ -n "$blk" ] && [ $((0x$blk & 0x4000)) -ne 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
sleep 1
kill -TERM "$pid"
wait "$pid"
st=$?
if [ "$st" -eq 143 ] && [ "$(cat "$tmp/out")" = t ] &&
	[ "$(cat "$tmp/err")" = "kvmrun: terminated by SIGTERM" ]; then
	pass "output kept on SIGTERM (status 143)"
else
	fail "output kept on SIGTERM (status $st, out '$(cat "$tmp/out")', err '$(cat "$tmp/err")')"
fi
run "control port magic" 1 "" $K "$tmp/ctrlmagic.flat"
run "narrow control port reads" 1 "" $K "$tmp/lsr.flat"
run "legacy ports" 1 "" $K "$tmp/legacy.flat"
run "16-bit OUT to the control port" 66 "kvmrun: control port 0x7e0: OUT of 2 bytes on vCPU 0 (a request is a 32-bit OUT of the block's address)" \
	$K "$tmp/ctrlbad.flat"
run "multiboot entry state" 1 "" $K "$tmp/mbmagic.flat" arg1 arg2
run "deny filter + FILTER exit: derived value in EDX:EAX" 1 "" $K --filter filters/deny-power-ctl.filter \
	--exit-mask 4 "$tmp/rdmsr.flat"
run "deny filter without exits: #GP" 64 "kvmrun: guest shutdown (triple fault) on vCPU 0" $K \
	--filter filters/deny-power-ctl.filter "$tmp/rdmsr.flat"
run "rejected --filter: status 2" 2 "kvmrun: KVM_X86_SET_MSR_FILTER(filters/empty-deny.filter): errno EINVAL" \
	$K --filter filters/empty-deny.filter "$E"
run "--filter-expect-errno EINVAL matches" 1 "" $K --filter filters/empty-deny.filter \
	--filter-expect-errno EINVAL "$E"
run "--filter-expect-errno mismatch" 70 "kvmrun: KVM_X86_SET_MSR_FILTER(filters/deny-power-ctl.filter): expected errno EINVAL, got 0" \
	$K --filter filters/deny-power-ctl.filter --filter-expect-errno EINVAL "$E"
run "--cpuid +x2apic" 15 "" $K --cpuid +x2apic "$tmp/cpuidx2.flat"
run "--cpuid -x2apic" 17 "" $K --cpuid -x2apic "$tmp/cpuidx2.flat"
run "--smp 2" 1 "" $K --smp 2 "$E"
run "--irqchip split" 1 "" $K --irqchip split "$E"
run "--irqchip none" 1 "" $K --irqchip none "$E"
run "--filter-when before-irqchip" 1 "" $K --filter filters/deny-power-ctl.filter --exit-mask 4 \
	--filter-when before-irqchip "$tmp/rdmsr.flat"
run "--filter-when after-vcpu" 1 "" $K --filter filters/deny-power-ctl.filter --exit-mask 4 \
	--filter-when after-vcpu "$tmp/rdmsr.flat"
# --stats: one more line on stderr; the output is the same either way.
S='kvmrun: stats: exits to kvmrun'
if run "--stats --no-coalesced-pio" 1 "$S 6 (com1-thr 5, com1-reg 0, console 0, ctrl 0, io-other 1, msr 0, other 0), in KVM *" \
	$K --stats --no-coalesced-pio "$tmp/serial.flat"; then
	[ "$(cat "$tmp/out")" = "$(printf 'hi\nx')" ] &&
		grep -q '; console bytes 0 by request, 0 coalesced$' "$tmp/err" &&
		pass "--stats --no-coalesced-pio: every data byte exits, output unchanged" ||
		fail "--stats --no-coalesced-pio: output or byte counts ($(cat "$tmp/err"))"
fi
if run "--stats" 1 "$S *" $K --stats "$tmp/serial.flat"; then
	# With KVM_CAP_COALESCED_PIO the 5 bytes are queued, else they exit.
	{ grep -q "^$S 1 (com1-thr 0, .*, 5 coalesced\$" "$tmp/err" ||
	  grep -q "^$S 6 (com1-thr 5, .*, 0 coalesced\$" "$tmp/err"; } &&
		[ "$(cat "$tmp/out")" = "$(printf 'hi\nx')" ] &&
		pass "--stats: data bytes queued or exiting, counted, output unchanged" ||
		fail "--stats: counts or output ($(cat "$tmp/err"))"
fi
[ "$fails" -eq 0 ]
