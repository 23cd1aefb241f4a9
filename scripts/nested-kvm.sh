#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the suite against a real KVM on a machine that has no /dev/kvm: boot a
# kernel under QEMU TCG with emulated AMD SVM, load kvm_amd there, and run
# ./run_tests.sh inside, on this very tree (the host's root is shared
# read-only over virtio-9p and the tree read-write, so the guest runs the
# same binaries and writes logs/ here).
#
#   scripts/nested-kvm.sh [--kernel SPEC [--modules DIR]] [run_tests.sh options and tests]
#   scripts/nested-kvm.sh [--kernel SPEC [--modules DIR]] --cmd 'COMMAND'
#   scripts/nested-kvm.sh --vendor intel ...   kvm_intel under Bochs: see
#                                             scripts/nested-intel.sh
# --vendor (amd, the default, or intel) must come first.
#
# The KVM under test is the booted kernel's, not the host's: results
# describe that kernel.  --kernel SPEC picks it (scripts/kernel-get.sh
# --help has the details): `installed` (the default: the newest kernel in
# /boot), an installed uname -r, a Debian series, version or suite (6.12,
# 7.2.13, unstable: fetched once into a cache, nothing installed), or a
# kernel image you built, with --modules DIR (its modules_install tree or
# its build tree).  Where the kernel came from reaches results.json as
# host.kernel_source (the runner reads KERNEL_SOURCE).
# Needs the Debian packages qemu-system-x86, busybox-static and cpio (and
# linux-image-amd64 for the default kernel); it says which are missing and
# exits 2 (it installs nothing).
# The QEMU it runs is the installed one's source plus two patches for TCG's
# SVM (an interrupt delivered once; NRIP save), built once by
# scripts/qemu-build.sh (which says why and what it needs);
# QEMU=/path/to/qemu-system-x86_64 runs that binary instead, with the bugs
# it may have (an interrupt delivered twice to the guest, now and then,
# which the suite's delivery counts report as a FAIL; no NRIP save, so
# kvm_amd.nrips=0).
# Exit status: exactly the inner run_tests.sh's (or COMMAND's), or 2 with a
# message when the nested VM did not produce one.
# Environment: NESTED_KERNEL (default SPEC), NESTED_CPU, NESTED_MEM,
# NESTED_SMP, NESTED_TIMEOUT (seconds), NESTED_KVM_PARAMS (kvm.ko
# parameters, comma-separated; default force_emulation_prefix=1),
# NESTED_ACCEL (QEMU -accel value; default tcg,thread=single, see below),
# NESTED_STALL (seconds without a heartbeat before the VM counts as stalled;
# default 180, 0: off; scripts/lib/lane.sh says why), NESTED_CACHE (see scripts/kernel-get.sh), QEMU,
# QEMU_CACHE (see scripts/qemu-build.sh).
# Output: the inner run's output comes on stdout through its own serial
# port (ttyS1); L1's kernel console (ttyS0: its messages, e.g. KVM's
# "Unhandled WRMSR" during the sweeps) goes only to
# logs/nested-DATE-PID.console, which gets a copy of the output as well.
#
# Why one TCG thread (-accel tcg,thread=single), measured 2026-11-25 with
# QEMU 7.2.22 and Debian's 6.1.0-56 kernel: with QEMU's default
# multi-threaded TCG (one host thread per vCPU), about 1 run of the suite
# in 8 wedged L1 for good.  Each VM that kvmrun creates or destroys makes
# L1 flip preempt_notifier_key (KVM's preempt_notifier_inc/dec), i.e. patch
# the jump labels in __schedule() and finish_task_switch() with
# text_poke_bp's int3 protocol, while the other vCPU runs that very code.
# After the patch, memory holds the NOP again (QEMU monitor `x /i` at the
# RIP), yet the vCPUs keep executing a stale translation that still has
# the int3: #BP, kprobe_int3_handler() finds no int3 in memory and rewinds
# RIP onto it, #BP again, forever (RIPs seen: asm_exc_int3, exc_int3,
# kprobe_int3_handler, __schedule+0x2ab or finish_task_switch+0x9f, on both
# vCPUs).  At the __schedule site interrupts are off, so nothing fires in
# L1 (neither kvmrun's watchdog nor the runner's timeout); at the other,
# only soft-lockup and RCU-stall reports.  A QEMU cross-vCPU
# self-modifying-code bug, not KVM's nor ours.  Measured: 250 kvmrun starts
# in one boot wedged L1 after 33, 12 and 25 starts with thread=multi, never
# in 250 with thread=single nor with -smp 1 (MTTCG, one vCPU); the full
# suite wedged in 2 of 8 runs with thread=multi, 0 of 11 with
# thread=single, which was also no slower (75-91 s against 73-121 s).
# With one TCG thread the vCPUs take turns, so none runs while another
# patches code; L1 keeps 2 CPUs, so KVM's cross-CPU paths stay exercised.
# `nokaslr` keeps kernel addresses stable, so RIPs in a dump can be looked
# up in /proc/kallsyms of any boot.  In case L1 ever wedges again, its init
# writes a heartbeat file every 5 s; when that stops for NESTED_STALL
# seconds (boot included), the script appends each vCPU's registers and
# code (QEMU monitor) to the console log, kills QEMU and exits 2 at once,
# not after NESTED_TIMEOUT.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
vendor=amd
case ${1:-} in
--vendor) vendor=${2:-}; shift; shift ;;
--vendor=*) vendor=${1#*=}; shift ;;
esac
case $vendor in
amd) ;;
intel) exec "$top/scripts/nested-intel.sh" "$@" ;;
*) echo "nested-kvm: --vendor: amd or intel, not '$vendor'" >&2; exit 2 ;;
esac
me=nested-kvm
. "$top/scripts/lib/common.sh" lane
qemu=${QEMU:-}
# nrip-save: what every AMD CPU since 2010 has; TCG offers it only with
# scripts/qemu/svm-nrips.patch (a QEMU without it warns and drops it).
cpu=${NESTED_CPU:-qemu64,+svm,+npt,+nrip-save}
mem=${NESTED_MEM:-2G}
smp=${NESTED_SMP:-2}
timeout_s=${NESTED_TIMEOUT:-900}
accel=${NESTED_ACCEL:-tcg,thread=single}

lane_options "$@"

need_cmd "${qemu:-qemu-system-x86_64}" qemu-system-x86
need_file /bin/busybox busybox-static
need_cmd cpio cpio
need_done

if [ -z "$qemu" ]; then
	qdir=$("$top/scripts/qemu-build.sh") || exit 2
	qemu=$qdir/bin/qemu-system-x86_64
	emulator=$("$top/scripts/qemu-build.sh" --describe)
else
	emulator="$("$qemu" --version | head -n 1) (tcg; $qemu)"
fi

lane_initramfs host

# The kernel, and its modules in load order (built-in ones left out).
lane_kernel amd "$root" 9p,9pnet_virtio,virtio_pci
echo "$ksource" >"$work/kernel_source"
echo "$emulator" >"$work/emulator"

# Arguments reach the inner runner through a file: no quoting games.
if [ -n "$lane_cmd" ]; then
	printf '%s' "$lane_cmd" >"$work/cmd"
else
	# --audit FILE: L1 has a tmpfs /tmp and runs in the tree, so an
	# existing file is copied into the shared work directory.
	lane_audit "$work" /tmp/.nested
	if [ ${#lane_args[@]} -gt 0 ]; then
		printf '%s\0' "${lane_args[@]}" >"$work/args"
	else
		: >"$work/args"	# printf would write one empty argument
	fi
fi
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
me=nested-kvm
. /lib/l1-init.sh
# From here on, what init and the inner run print goes to ttyS1, i.e. the
# lane's stdout; the kernel keeps ttyS0, i.e. the console log only.
# Raw output: no \r added to each line.
[ -c /dev/ttyS1 ] && exec >/dev/ttyS1 2>&1 </dev/null && stty -opost </dev/ttyS1
# results.json names the host: say which one this VM is nested in.
hostname "nested-on-$(sed -n 's/.*nested_host=\([^ ]*\).*/\1/p' /proc/cmdline)"
l1_load_modules
mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /host || echo "nested-kvm: cannot mount host root"
top=$(sed -n 's/.*nested_top=\([^ ]*\).*/\1/p' /proc/cmdline)
# A writable /tmp first (the host root is read-only); a tree that lives
# under /tmp gets its mount point created there.
mount -t tmpfs tmpfs /host/tmp
mkdir -p "/host$top" /host/tmp/.nested
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 tree "/host$top" ||
	echo "nested-kvm: cannot mount the tree"
mount -t 9p -o trans=virtio,version=9p2000.L work /host/tmp/.nested ||
	echo "nested-kvm: cannot mount work"
w=/host/tmp/.nested
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
# devtmpfs has no /dev/fd: bash's <(...) and /dev/stdin need them.
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
# The heartbeat for the host's stall detector (see below).  Errors reach
# the console log from now on (quiet hid them at boot): a soft lockup's or
# an RCU stall's registers and stack are then in the console log, KVM's
# rate-limited warnings about ignored MSRs are not.
beat() { echo >$w/heartbeat; }
l1_heartbeat beat
echo 4 >/proc/sys/kernel/printk
if [ ! -e /dev/kvm ]; then
	# A lane without KVM would only SKIP: say so, status 2.
	echo "no /dev/kvm after loading kvm_amd (see the console log)" >$w/reason
	echo 2 >$w/status
else
	chroot /host /bin/bash -c 'w=/tmp/.nested; cd "$1" || { echo "cannot enter $1" >$w/reason; echo 2 >$w/status; exit; }
		export KERNEL_SOURCE=$(cat $w/kernel_source) LANE_EMULATOR=$(cat $w/emulator)
		if [ -f $w/cmd ]; then
			bash -c "$(cat $w/cmd)"
		else
			mapfile -d "" args <$w/args
			./run_tests.sh "${args[@]}"
		fi
		echo $? >$w/status' _ "$top"
fi
echo o >/proc/sysrq-trigger
sleep 10
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd" || die "cpio failed"

# L1's console (ttyS0) goes to $conlog, the inner run's output (ttyS1) to
# stdout and to $conlog (both append: it shows what the kernel said when);
# the QEMU monitor
# sits on a pair of FIFOs ($work/mon.in, $work/mon.out) so that the stall
# detector below can question QEMU with nothing but echo and cat.
conlog=$(lane_logbase nested).console
mkfifo "$work/mon.in" "$work/mon.out" || die "mkfifo failed"
# Booting counts against NESTED_STALL too: L1 can wedge before its first
# heartbeat (seen during the first test, about 20 s after boot).
: >"$work/heartbeat"
timeout "$timeout_s" "$qemu" -accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem" \
	-nodefaults -no-user-config -display none -no-reboot \
	-chardev file,id=con,path="$conlog",append=on -serial chardev:con \
	-chardev stdio,id=out,logfile="$conlog",logappend=on -serial chardev:out \
	-chardev pipe,id=mon,path="$work/mon" -mon chardev=mon,mode=readline \
	-kernel "$kimage" -initrd "$work/initrd" \
	-append "console=ttyS0 quiet nokaslr panic=-1 nested_top=$top nested_host=$(hostname)" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$top",mount_tag=tree,security_model=none \
	-virtfs local,path="$work",mount_tag=work,security_model=none &
qpid=$!
cat "$work/mon.out" >"$work/mon.log" 2>/dev/null &
catpid=$!
# Stall detector: the L1 init rewrites $work/heartbeat every 5 s.  When it
# has not for $lane_stall_s seconds, L1 is wedged (both vCPUs looping with
# interrupts off, as in the MTTCG stall above): record where each vCPU is
# and the code there (x /i shows guest memory, not what TCG executes), then
# end QEMU now instead of at NESTED_TIMEOUT.  The script then exits 2.
(
	[ "$lane_stall_s" -gt 0 ] || exit 0
	mon() { echo "$*" >"$work/mon.in"; }
	while sleep 5; do
		kill -0 $qpid 2>/dev/null || exit 0
		age=$(lane_idle "$work/heartbeat")
		[ "$age" -ge "$lane_stall_s" ] || continue
		mon "info status"
		for k in 1 2 3; do
			mon "info registers -a"
			for c in $(seq 0 $((smp - 1))); do
				mon "cpu $c"
				mon "x /3i \$pc"
			done
			sleep 1
		done
		sleep 2
		{
			echo "=== nested-kvm: no heartbeat from the nested VM for $age s; QEMU monitor:" \
				"info status, then 3 times: info registers -a, and x /3i \$pc on each vCPU in turn"
			tr -d '\r' <"$work/mon.log" | grep -av '^(qemu) '
		} >>"$conlog"
		echo "nested-kvm: the nested VM stalled (no heartbeat for $age s); killed it; vCPU state in $conlog" >&2
		kill $qpid
		exit 0
	done
) &
detpid=$!
wait $qpid
qstatus=$?
kill $detpid $catpid 2>/dev/null
if [ ! -f "$work/status" ]; then
	[ $qstatus -ne 124 ] || die "the nested VM ran out of time (NESTED_TIMEOUT=$timeout_s s); console log $conlog"
	die "the nested VM ended without a result (QEMU status $qstatus); console log $conlog"
fi
[ ! -s "$work/reason" ] || echo "nested-kvm: $(cat "$work/reason")" >&2
lane_exit "$(cat "$work/status")"
