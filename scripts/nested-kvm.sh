#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the suite against a real KVM on a machine that has no /dev/kvm: boot a
# Debian kernel under QEMU TCG with emulated AMD SVM, load kvm_amd there, and
# run ./run_tests.sh inside, on this very tree (the host's root is shared
# read-only over virtio-9p and the tree read-write, so the guest runs the
# same binaries and writes logs/ here).
#
#   scripts/nested-kvm.sh [--vendor amd] [run_tests.sh options and tests]
#   scripts/nested-kvm.sh [--vendor amd] --cmd 'COMMAND'   (any command, run in the tree)
#   scripts/nested-kvm.sh --vendor intel ...   kvm_intel under Bochs: see
#                                             scripts/nested-intel.sh
#
# The KVM under test is then the Debian kernel's (whatever linux-image-amd64
# is installed), not the host's: results describe that kernel.  Needs the
# Debian packages qemu-system-x86, linux-image-amd64, busybox-static and
# cpio; it says which are missing and exits 2 (it installs nothing).
# Exit status: the inner run_tests.sh's, or 2 when the nested VM failed.
# Environment: NESTED_CPU, NESTED_MEM, NESTED_SMP, NESTED_TIMEOUT (seconds),
# NESTED_KVM_PARAMS (kvm.ko parameters, comma-separated; default
# force_emulation_prefix=1), NESTED_KERNEL_VERSION, NESTED_ACCEL (QEMU
# -accel value; default tcg,thread=single, see below), NESTED_STALL (seconds
# without a heartbeat before the VM counts as stalled; default 120, 0: off).
# The L1 console is also written to logs/nested-DATE-PID.console.
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
# writes a heartbeat file every 10 s; when that stops for NESTED_STALL
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
qemu=${QEMU:-qemu-system-x86_64}
cpu=${NESTED_CPU:-qemu64,+svm,+npt}
mem=${NESTED_MEM:-2G}
smp=${NESTED_SMP:-2}
timeout_s=${NESTED_TIMEOUT:-900}
accel=${NESTED_ACCEL:-tcg,thread=single}
stall_s=${NESTED_STALL:-120}
# kvm.ko parameters, comma-separated: forced emulation lets msr_probes-fep
# check emulated RDMSR/WRMSR against the filter too.
kvm_params=${NESTED_KVM_PARAMS:-force_emulation_prefix=1}

die() { echo "nested-kvm: $*" >&2; exit 2; }

missing=
command -v "$qemu" >/dev/null || missing="$missing qemu-system-x86"
[ -x /bin/busybox ] || missing="$missing busybox-static"
command -v cpio >/dev/null || missing="$missing cpio"
kver=${NESTED_KERNEL_VERSION:-$(ls /lib/modules 2>/dev/null | sort -V | while read -r v; do
	[ -f "/boot/vmlinuz-$v" ] && [ -f "/lib/modules/$v/modules.dep" ] && echo "$v"; done | tail -n 1)}
[ -n "$kver" ] || missing="$missing linux-image-amd64"
[ -z "$missing" ] || die "missing Debian packages:$missing (apt-get install$missing)"
moddir=/lib/modules/$kver

work=$(mktemp -d) || die "mktemp failed"
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,host,mods}
cp /bin/busybox "$root/bin/"
for a in sh mount insmod mkdir cat echo chroot poweroff mknod cut sleep; do
	ln -s busybox "$root/bin/$a"
done

# Modules and their dependencies, dependencies first, in load order.
"$top/scripts/lane-modules.sh" "$moddir" "$root/mods" kvm-amd 9p 9pnet_virtio virtio_pci || die "cannot stage the modules"

# Arguments reach the inner runner through a file: no quoting games.
if [ "${1:-}" = --cmd ]; then
	[ $# -eq 2 ] || die "usage: $0 --cmd 'COMMAND'"
	printf '%s' "$2" >"$work/cmd"
else
	printf '%s\0' "$@" >"$work/args"
fi
cat >"$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
kvm_params=$(sed -n 's/.*nested_kvm_params=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
for m in $(cat /mods/order); do
	p=
	[ "${m##*/}" = kvm.ko ] && p=$kvm_params
	insmod "$m" $p >/dev/null 2>&1 || echo "nested-kvm: insmod $m $p failed"
done
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
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
[ -e /dev/kvm ] || echo "nested-kvm: no /dev/kvm after loading kvm_amd"
# The heartbeat for the host's stall detector (see below).  Errors reach
# the console from now on (quiet hid them at boot): a soft lockup's or an
# RCU stall's registers and stack are then in the console log, KVM's
# rate-limited warnings about ignored MSRs are not.
echo >/host/tmp/.nested/heartbeat
while sleep 10; do echo >/host/tmp/.nested/heartbeat; done &
echo 4 >/proc/sys/kernel/printk
chroot /host /bin/bash -c 'w=/tmp/.nested; cd "$1" || { echo 2 >$w/status; exit; }
	if [ -f $w/cmd ]; then bash -c "$(cat $w/cmd)"; else xargs -0 -a $w/args ./run_tests.sh; fi
	echo $? >$w/status' _ "$top"
echo o >/proc/sysrq-trigger
sleep 10
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd" || die "cpio failed"

# The L1 console goes to stdout as always and to $conlog; the QEMU monitor
# sits on a pair of FIFOs ($work/mon.in, $work/mon.out) so that the stall
# detector below can question QEMU with nothing but echo and cat.
mkdir -p "$top/logs" || die "cannot create $top/logs"
conlog=$top/logs/nested-$(date +%Y%m%d-%H%M%S)-$$.console
mkfifo "$work/mon.in" "$work/mon.out" || die "mkfifo failed"
# Booting counts against NESTED_STALL too: L1 can wedge before its first
# heartbeat (seen during the first test, about 20 s after boot).
: >"$work/heartbeat"
timeout "$timeout_s" "$qemu" -accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem" \
	-nodefaults -no-user-config -display none -no-reboot \
	-chardev stdio,id=con,logfile="$conlog" -serial chardev:con \
	-chardev pipe,id=mon,path="$work/mon" -mon chardev=mon,mode=readline \
	-kernel "/boot/vmlinuz-$kver" -initrd "$work/initrd" \
	-append "console=ttyS0 quiet nokaslr panic=-1 nested_top=$top nested_kvm_params=$kvm_params" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$top",mount_tag=tree,security_model=none \
	-virtfs local,path="$work",mount_tag=work,security_model=none &
qpid=$!
cat "$work/mon.out" >"$work/mon.log" 2>/dev/null &
catpid=$!
# Stall detector: the L1 init rewrites $work/heartbeat every 10 s.  When it
# has not for $stall_s seconds, L1 is wedged (both vCPUs looping with
# interrupts off, as in the MTTCG stall above): record where each vCPU is
# and the code there (x /i shows guest memory, not what TCG executes), then
# end QEMU now instead of at NESTED_TIMEOUT.  The script then exits 2.
(
	[ "$stall_s" -gt 0 ] || exit 0
	mon() { echo "$*" >"$work/mon.in"; }
	while sleep 5; do
		kill -0 $qpid 2>/dev/null || exit 0
		age=$(($(date +%s) - $(stat -c %Y "$work/heartbeat")))
		[ $age -ge "$stall_s" ] || continue
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
kill $detpid $catpid 2>/dev/null
[ -f "$work/status" ] || die "the nested VM ended without a result (see the output above)"
exit "$(cat "$work/status")"
