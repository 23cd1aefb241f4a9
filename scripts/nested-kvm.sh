#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the suite against a real KVM on a machine that has no /dev/kvm: boot a
# Debian kernel under QEMU TCG with emulated AMD SVM, load kvm_amd there, and
# run ./run_tests.sh inside, on this very tree (the host's root is shared
# read-only over virtio-9p and the tree read-write, so the guest runs the
# same binaries and writes logs/ here).
#
#   scripts/nested-kvm.sh [run_tests.sh options and tests]
#   scripts/nested-kvm.sh --cmd 'COMMAND'   (any command, run in the tree)
#
# The KVM under test is then the Debian kernel's (whatever linux-image-amd64
# is installed), not the host's: results describe that kernel.  Needs the
# Debian packages qemu-system-x86, linux-image-amd64, busybox-static and
# cpio; it says which are missing and exits 2 (it installs nothing).
# Exit status: the inner run_tests.sh's, or 2 when the nested VM failed.
# Environment: NESTED_CPU, NESTED_MEM, NESTED_SMP, NESTED_TIMEOUT (seconds),
# NESTED_KVM_PARAMS (kvm.ko parameters, comma-separated; default
# force_emulation_prefix=1), NESTED_KERNEL_VERSION.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
qemu=${QEMU:-qemu-system-x86_64}
cpu=${NESTED_CPU:-qemu64,+svm,+npt}
mem=${NESTED_MEM:-2G}
smp=${NESTED_SMP:-2}
timeout_s=${NESTED_TIMEOUT:-900}
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
declare -A seen
order=()
add_mod() {
	[ -n "${seen[$1]:-}" ] && return
	seen[$1]=1
	local d
	for d in $(grep -E "^$1:" "$moddir/modules.dep" | cut -d: -f2 | tr ' ' '\n' | tac); do
		add_mod "$d"
	done
	order+=("$1")
}
for m in kvm-amd 9p 9pnet_virtio virtio_pci; do
	p=$(grep -oE "^[^:]*/$m\.ko(\.xz|\.zst)?:" "$moddir/modules.dep" | tr -d :)
	[ -n "$p" ] || die "module $m not found in $moddir"
	add_mod "$p"
done
for m in "${order[@]}"; do
	b=$(basename "$m")
	b=${b%%.ko*}.ko
	case "$m" in
	*.xz) xz -dc "$moddir/$m" >"$root/mods/$b" ;;
	*.zst) zstd -qdc "$moddir/$m" >"$root/mods/$b" ;;
	*) cp "$moddir/$m" "$root/mods/$b" ;;
	esac
	echo "/mods/$b" >>"$root/mods/order"
done

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
chroot /host /bin/bash -c 'w=/tmp/.nested; cd "$1" || { echo 2 >$w/status; exit; }
	if [ -f $w/cmd ]; then bash -c "$(cat $w/cmd)"; else xargs -0 -a $w/args ./run_tests.sh; fi
	echo $? >$w/status' _ "$top"
echo o >/proc/sysrq-trigger
sleep 10
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd" || die "cpio failed"

timeout "$timeout_s" "$qemu" -accel tcg,thread=multi -cpu "$cpu" -smp "$smp" -m "$mem" \
	-nodefaults -no-user-config -display none -serial stdio -no-reboot \
	-kernel "/boot/vmlinuz-$kver" -initrd "$work/initrd" \
	-append "console=ttyS0 quiet panic=-1 nested_top=$top nested_kvm_params=$kvm_params" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$top",mount_tag=tree,security_model=none \
	-virtfs local,path="$work",mount_tag=work,security_model=none
[ -f "$work/status" ] || die "the nested VM ended without a result (see the output above)"
exit "$(cat "$work/status")"
