# SPDX-License-Identifier: GPL-2.0-only
# Sourced (bash, after common.sh) by the lanes, scripts/nested-kvm.sh (AMD,
# QEMU) and scripts/nested-intel.sh (Intel, Bochs): what they do alike on
# the host.  L1's side is scripts/lib/l1-init.sh.

# One set of defaults for both lanes.  L1's init writes a heartbeat every
# 5 s of L1 time (l1-init.sh); the host counts a lane as stalled after
# NESTED_STALL s (0: never) of wall time with no progress, boot included.
# 180 s, not less: under Bochs, L1's clock runs 20-50 times slower than the
# wall clock (time follows emulated instructions), so its heartbeats are
# rare and the Intel lane goes by console output too.
lane_stall_s=${NESTED_STALL:-180}
case $lane_stall_s in ''|*[!0-9]*) die "NESTED_STALL: seconds, not '$lane_stall_s'" ;; esac
# kvm.ko parameters, comma-separated: forced emulation lets msr_probes-fep
# check emulated RDMSR/WRMSR against the filter too.
lane_kvm_params=${NESTED_KVM_PARAMS:-force_emulation_prefix=1}

# lane_options ARGS: --kernel SPEC and --modules DIR (into kspec, kmods),
# and the lane's own options through lane_option ARGS if the lane defines
# it (it sets lane_shift to the words it took, 0 for none); the first
# other word ends them.  The rest is left in lane_args.
lane_options() {
	kspec=${NESTED_KERNEL:-installed} kmods=
	while [ $# -gt 0 ]; do
		case $1 in
		--kernel) [ $# -ge 2 ] || die "--kernel needs a SPEC"; kspec=$2; shift 2; continue ;;
		--kernel=*) kspec=${1#*=}; shift; continue ;;
		--modules) [ $# -ge 2 ] || die "--modules needs a directory"; kmods=$2; shift 2; continue ;;
		--modules=*) kmods=${1#*=}; shift; continue ;;
		esac
		lane_shift=0
		! declare -F lane_option >/dev/null || lane_option "$@"
		[ "$lane_shift" -gt 0 ] || break
		shift "$lane_shift"
	done
	lane_args=("$@")
	# A lane option after run_tests.sh's would reach L1's run_tests.sh,
	# which refuses it only after a whole boot: say so here.
	local a
	for a in "$@"; do
		case $a in
		--kernel|--kernel=*|--modules|--modules=*|--vendor|--vendor=*|--kvm-param|--kvm-param=*)
			die "${a%%=*} must come before run_tests.sh's options (${1})" ;;
		esac
	done
	lane_cmd=
	if [ "${1:-}" = --cmd ]; then
		[ $# -eq 2 ] || die "usage: $0 --cmd 'COMMAND'"
		lane_cmd=$2
	fi
}

# lane_audit DIR INNER: --audit FILE in lane_args names a file L1 cannot
# see; an existing one is copied into DIR (shipped to L1), and the argument
# then names INNER/FILE, the copy as L1 sees it.
lane_audit() {
	local a prev= out=()
	for a in ${lane_args[@]+"${lane_args[@]}"}; do
		if [ "$prev" = --audit ] && [ -f "$a" ]; then
			mkdir -p "$1" && cp "$a" "$1/audit-$(basename "$a")" || die "cannot copy $a"
			a=$2/audit-$(basename "$a")
		fi
		out+=("$a")
		prev=$a
	done
	lane_args=(${out[@]+"${out[@]}"})
}

# lane_initramfs DIR: a scratch directory $work (removed at exit), and in
# it the initramfs tree $root: busybox, the L1 init library, the
# directories, and DIR for the lane.
lane_initramfs() {
	work=$(mktemp -d) || die "mktemp failed"
	trap 'rm -rf "$work"' EXIT
	root=$work/root
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib,mods,"$1"} || die "cannot create $root"
	cp /bin/busybox "$root/bin/" && cp "$top/scripts/lib/l1-init.sh" "$root/lib/" ||
		die "cannot fill $root"
}

# lane_kernel VENDOR ROOT ALSO: the kernel (scripts/kernel-get.sh) into
# kimage, kver, ksource; its modules kvm, kvm-VENDOR and ALSO staged in
# ROOT/mods, with kvm.ko's parameters (and the vendor module's,
# lane_vendor_params) in ROOT/mods/NAME.params for l1_load_modules.
lane_kernel() {
	local out
	out=$("$top/scripts/kernel-get.sh" --vendor "$1" --stage "$2/mods" --also "$3" \
		${kmods:+--modules "$kmods"} "$kspec") || exit 2
	kimage=$(sed -n 's/^image=//p' <<<"$out")
	kver=$(sed -n 's/^version=//p' <<<"$out")
	ksource=$(sed -n 's/^source=//p' <<<"$out")
	printf '%s\n' "$lane_kvm_params" >"$2/mods/kvm.params"
	[ -z "${lane_vendor_params:-}" ] ||
		printf '%s\n' "$lane_vendor_params" >"$2/mods/kvm-$1.params"
	say "kernel $kver ($ksource)"
}

# lane_logbase NAME: logs/NAME-DATE-PID, the stem of this run's logs.
lane_logbase() {
	mkdir -p "$top/logs" || die "cannot create $top/logs"
	echo "$top/logs/$1-$(date +%Y%m%d-%H%M%S)-$$"
}

# lane_idle FILE...: seconds since the newest of FILEs last changed.
lane_idle() {
	local t
	t=$(stat -c %Y "$@" 2>/dev/null | sort -n | tail -n 1)
	echo $(($(date +%s) - ${t:-0}))
}

# lane_exit STATUS: exit with the inner run's status.
lane_exit() {
	case $1 in
	'') die "no status from the nested VM" ;;
	[0-9]|[0-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5]) exit "$1" ;;
	*) die "the nested VM reported status '$1'" ;;
	esac
}
