#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The Intel lane: run the suite against kvm_intel on a machine without
# /dev/kvm.  Bochs (scripts/bochs-build.sh) emulates an Intel CPU with VMX
# (model corei7_skylake_x: EPT, VPID, APICv, posted interrupts, shadow
# VMCS); a Debian kernel boots in it, loads kvm and kvm_intel and runs
# run_tests.sh from an installed, statically linked copy of this tree.
# Started as `scripts/nested-kvm.sh --vendor intel ...`:
#
#   scripts/nested-kvm.sh --vendor intel [--kernel SPEC] [--kvm-param P=V]...
#                         [run_tests.sh options and tests | --cmd 'COMMAND']
#
# --kvm-param P=V sets a kvm_intel parameter (repeatable), on top of
# NESTED_KVM_INTEL_PARAMS (comma-separated, default enable_apicv=1); e.g.
# --kvm-param enable_apicv=0, --kvm-param preemption_timer=1, ept=0.
# kvm.ko gets NESTED_KVM_PARAMS (default force_emulation_prefix=1), as in the
# AMD lane.  --kernel SPEC [--modules DIR]: any kernel scripts/kernel-get.sh
# resolves (installed, a Debian series/version/suite fetched into its
# cache, or your own build), as in the AMD lane.  Other environment:
# NESTED_KERNEL_ARGS (extra kernel arguments, see below), NESTED_BOCHS_IPS,
# NESTED_BOCHS_LOG (quiet or full, see below), NESTED_INTEL_BOOT (below),
# BOCHS_CACHE (scripts/bochs-build.sh).
#
# How L1's kernel starts, NESTED_INTEL_BOOT:
#  - fast (the default): the kernel's decompressor is skipped.  Its work is
#    done on the host, once per kernel file (scripts/lib/fastboot.sh: the
#    bzImage's payload unpacked with xz, zstd, gzip, ..., the ELF's PT_LOAD
#    segments laid out at their physical addresses; cached next to the
#    kernels); Bochs puts that image and the initramfs in RAM at power-on
#    (optramimage, scripts/bochs/optram-blocks.patch), and a boot stub on
#    the CD (scripts/bochs/lane-boot.S) runs the kernel's own real-mode
#    setup code, then enters the kernel through the 64-bit boot protocol.
#    The results cannot differ from a CD boot's: the kernel code that runs
#    is byte for byte the one the decompressor would have put there (with
#    nokaslr it only unpacks and copies the segments to their physical
#    addresses, no relocation), and the command line, the initramfs (its
#    contents and its place in RAM) and everything after are the same;
#    boot_params differs only in the loader's own traces (lane-boot.S lists
#    them).  Measured on 6.1: the same dmesg but for the clock, the same
#    /proc/meminfo.  A kernel that cannot boot so (not a 64-bit bzImage of
#    boot protocol 2.12 or later, a payload whose tool is missing here, an
#    ELF that does not load at its pref_address, ...) boots from the CD,
#    and the lane says why.
#  - cd: isolinux on the CD loads the bzImage and the initramfs, and the
#    kernel's decompressor runs in Bochs.
#
# Where the boot time goes (Bochs CPU seconds from power-on, medians of
# three idle runs of Debian's 6.1.0-57 and 7.3.4; doc/performance.md): the
# BIOS, about 1 s to the boot loader's first line either way; the kernel's
# first console line at 1.3 s (7.3: 1.8 s) in the fast boot, at 13.9 s
# (6.1, XZ) or 4.8 s (7.3, zstd) from the CD, where isolinux loads the
# bzImage and the decompressor runs (11.8 s of 6.1's); /init 4.6 s later
# (7.3: 6.1 s) and /dev/kvm 2.8 s after that (7.3: 7.5 s, its module
# loading).  To /dev/kvm: 8.7 s for 6.1 (CD 21.1 s), 15.4 s for 7.3 (CD
# 18.9 s).
#
# Bochs has no 9p and no -kernel, so (see doc/lanes.md, "The Intel lane"):
#  - in: a small CD (the boot stub, or isolinux with the kernel) and one
#    initramfs holding busybox, the modules, and `make install` of this
#    tree built with STATIC=1 (no libc in there), stripped; not compressed
#    (L1 would spend seconds on xz; preloading it costs nothing, and the
#    BIOS reads the whole CD in 0.4 s of Bochs CPU);
#  - out: L1 packs logs/ and the run's status with scripts/lane-frame.sh onto
#    a raw second ATA disk, which this script unpacks into logs/ afterwards:
#    logs/<stamp>/ with every test log, results.json, results.tap,
#    junit.xml, as a run on this machine would leave them.
# The L1 console and the Bochs log are kept as logs/nested-intel-DATE-PID.
# {console,bochs.log}.  L1 writes a heartbeat line to its second serial
# port every 5 s; when neither that nor the console has moved for
# NESTED_STALL seconds (default 180, boot included; scripts/lib/lane.sh
# says why), Bochs is killed.
# Exit status: the inner run_tests.sh's, or 2 with the reason when Bochs or
# L1 failed, stalled or timed out (NESTED_TIMEOUT, default 2400 s).
me=nested-intel
. "$(dirname "$0")/lib/common.sh" lane fastboot
timeout_s=${NESTED_TIMEOUT:-2400}
intel_params=${NESTED_KVM_INTEL_PARAMS:-enable_apicv=1}
# ips: emulated instructions per second, only the guest's idea of time.
# Extra kernel arguments, measured (Bochs CPU seconds from the kernel's
# start to /init, 6.1.0-57): 10 s as Debian boots, 4.5 s with these.
# acpi=off skips ACPI's namespace and PCI scan (2.6 s of acpi_init);
# mitigations=off drops page-table isolation and the other Spectre and
# Meltdown work-arounds, which an emulator only pays for.  Without ACPI,
# L1 cannot power Bochs off: the host ends Bochs once the results are
# written.  NESTED_KERNEL_ARGS replaces them.
kargs=${NESTED_KERNEL_ARGS-acpi=off mitigations=off}
ips=${NESTED_BOCHS_IPS:-200000000}
# How L1's kernel starts (see the top of this file): fast or cd.
boot_mode=${NESTED_INTEL_BOOT:-fast}
case $boot_mode in
fast|cd) ;;
*) die "NESTED_INTEL_BOOT: fast or cd, not '$boot_mode'" ;;
esac
mem_mb=1024

# --kvm-param P=V, the Intel lane's own option (lane_options calls this).
lane_option() {
	case $1 in
	--kvm-param) [ $# -ge 2 ] || die "--kvm-param needs NAME=VALUE"
		intel_params="$intel_params,$2"; lane_shift=2 ;;
	--kvm-param=*) intel_params="$intel_params,${1#*=}"; lane_shift=1 ;;
	esac
}
lane_options "$@"
case ,$intel_params, in
*[[:space:]]*) die "kvm_intel parameters must not contain blanks: '$intel_params'" ;;
esac
# One value per parameter, the last one given: --kvm-param enable_apicv=0
# replaces the default enable_apicv=1 instead of following it.
intel_params=$(printf '%s\n' ${intel_params//,/ } | awk -F= '
	!$1 { next }
	!($1 in v) { order[++n] = $1 }
	{ v[$1] = $0 }
	END { for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? "," : ""), v[order[i]] }')
lane_vendor_params=$intel_params

need_file /bin/busybox busybox-static
need_cmd cpio cpio
need_cmd xorriso xorriso
need_file /usr/lib/ISOLINUX/isolinux.bin isolinux
need_file /usr/lib/syslinux/modules/bios/ldlinux.c32 syslinux-common
need_cmd xz xz-utils
need_cmd gcc gcc
need_cmd objcopy binutils
# Bochs' PCI VGA (1234:1111, Bochs VBE) wants an option ROM even headless;
# SeaBIOS's stdvga ROM is that card's.
vgarom=/usr/share/seabios/vgabios-stdvga.bin
need_file $vgarom seabios
need_done

bochs_dir=$("$top/scripts/bochs-build.sh") || die "no Bochs (scripts/bochs-build.sh failed)"

lane_initramfs lane

# The tree, installed and static.  `make install` relinks host/ statically
# (STATIC=1); the next plain `make` relinks it as before.
say "building and installing the tree (make STATIC=1 install)"
(cd "$top" && unset MAKEFLAGS MFLAGS MAKELEVEL &&
	make -s -j2 STATIC=1 install DESTDIR="$root" prefix=/usr) >"$work/make.log" 2>&1 ||
	{ cat "$work/make.log" >&2; die "make STATIC=1 install failed"; }
inst=/usr/share/kvm-msrfilter-tests
for p in "$root$inst"/bin/*; do
	readelf -l "$p" 2>/dev/null | grep -q 'Requesting program interpreter' &&
		die "$p is dynamically linked: L1 has no libc"
	strip "$p" 2>/dev/null
done
cp "$top/scripts/lane-frame.sh" "$root/bin/lane-frame"

# Modules, dependencies first: kvm-intel, and ata_piix + sd_mod for the
# result disk.
# The kernel (scripts/kernel-get.sh, shared with the AMD lane) and its
# modules in load order, built-in ones left out.
lane_kernel intel "$root" ata_piix,sd_mod
echo "$ksource" >"$root/lane/kernel_source"
"$top/scripts/bochs-build.sh" --describe >"$root/lane/emulator"

# --audit FILE: an existing file goes into the initramfs (L1 sees no host
# files), the argument then names that copy.
lane_audit "$root/lane/audit" /lane/audit
set -- ${lane_args[@]+"${lane_args[@]}"}
# What to run: one argument per file (no quoting games in busybox sh).
if [ -n "$lane_cmd" ]; then
	printf '%s' "$lane_cmd" >"$root/lane/cmd"
else
	mkdir "$root/lane/args"
	i=0
	for a in "$@"; do
		i=$((i + 1))
		printf '%s\n' "$a" >"$root/lane/args/$(printf %04d $i)"
	done
fi

cat >"$root/init" <<'INIT'
#!/bin/busybox sh
me=nested-intel
. /lib/l1-init.sh
mount -t tmpfs tmpfs /tmp
hb=/dev/ttyS1
stty -F $hb raw 115200 2>/dev/null
echo "lane: init" >$hb
l1_load_modules
if [ -e /dev/kvm ]; then
	echo "lane: kvm-ready $(cat /proc/uptime)" >$hb
else
	echo "nested-intel: no /dev/kvm after loading kvm_intel"
	echo "lane: no-kvm" >$hb
fi
# The result disk: the one whose frame the host left empty.
out=
for d in /dev/sd?; do
	[ "$(lane-frame state $d)" = empty ] && out=$d && break
done
[ -n "$out" ] || echo "nested-intel: no result disk found"
beat() { echo "lane: alive $(cat /proc/uptime)" >$hb; }
l1_heartbeat beat
echo 4 >/proc/sys/kernel/printk
cd /usr/share/kvm-msrfilter-tests
export KERNEL_SOURCE="$(cat /lane/kernel_source)" LANE_EMULATOR="$(cat /lane/emulator)"
if [ -f /lane/cmd ]; then
	sh -c "$(cat /lane/cmd)"
else
	set --
	for f in $(ls /lane/args 2>/dev/null); do
		set -- "$@" "$(cat /lane/args/$f)"
	done
	./run_tests.sh "$@"
fi
status=$?
echo "lane: done $status" >$hb
mkdir -p /tmp/out
echo $status >/tmp/out/status
[ -d logs ] && cp -a logs /tmp/out/
[ -n "$out" ] && lane-frame pack /tmp/out $out && echo "lane: packed" >$hb
sync
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initrd" ||
	die "cpio failed"

# The kernel's command line as isolinux builds it (its BOOT_IMAGE= and
# the append line below), for both boots: L1's kernel and init see the
# same words either way.
cmdline="BOOT_IMAGE=/vmlinuz initrd=/initrd console=ttyS0,115200 quiet nokaslr panic=-1 $kargs"
if [ "$boot_mode" = fast ]; then
	say "unpacking the kernel on the host (scripts/lib/fastboot.sh)"
	if fb_kernel "$kimage" "${NESTED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-msrfilter-tests}/fastboot" &&
	   fb_boot_image "$kimage" "$work/fast" "$cmdline" "$work/initrd" "$mem_mb"; then
		say "fast boot: $fb_format payload unpacked, $((fb_flat_len >> 20)) MiB at $(fb_hex "$fb_base"), entry $(fb_hex "$fb_entry"); initramfs at $(fb_hex "$fb_initrd_addr")"
	else
		say "no fast boot for this kernel: $fb_why; booting from the isolinux CD instead"
		boot_mode=cd
	fi
fi

iso=$work/iso
mkdir -p "$iso"
if [ "$boot_mode" = fast ]; then
	# The boot CD: lane-boot.bin alone, loaded whole by the BIOS (El
	# Torito, no emulation, in 512-byte units); the kernel, the initramfs
	# and the token are in RAM already.
	cp "$work/fast/lane-boot.bin" "$iso/" || die "cannot copy the boot stub"
	xorriso -as mkisofs -quiet -o "$work/boot.iso" -b lane-boot.bin -no-emul-boot \
		-boot-load-size $((($(stat -c %s "$iso/lane-boot.bin") + 511) / 512)) "$iso" 2>"$work/xorriso.log" ||
		{ cat "$work/xorriso.log" >&2; die "xorriso failed"; }
	preload="optramimage1: file=$fb_flat, address=$fb_base
optramimage2: file=$work/initrd, address=$fb_initrd_addr
optramimage3: file=$work/fast/token, address=$fb_token_addr"
else
	# The boot CD: isolinux, the kernel and the initramfs.
	mkdir -p "$iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso/isolinux/"
	cp "$kimage" "$iso/vmlinuz"
	cp "$work/initrd" "$iso/initrd"
	cat >"$iso/isolinux/isolinux.cfg" <<EOF
serial 0 115200
default lane
prompt 0
timeout 0
label lane
  kernel /vmlinuz
  append ${cmdline#BOOT_IMAGE=/vmlinuz }
EOF
	xorriso -as mkisofs -quiet -o "$work/boot.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table "$iso" 2>"$work/xorriso.log" ||
		{ cat "$work/xorriso.log" >&2; die "xorriso failed"; }
	preload=
fi

# The result disk: 16 heads x 63 sectors x 260 cylinders (128 MiB), sparse.
"$top/scripts/lane-frame.sh" blank "$work/result.img" $((16 * 63 * 260 * 512)) || die "no result disk"

# The Bochs log: by default without informational messages and without
# the CPU's errors, which kvm_intel makes by the million (an error for
# each RDMSR of an MSR Bochs does not model, DEBUGCTL at every VM entry;
# an info line for each virtual interrupt): 100-300 MB a group run.
# NESTED_BOCHS_LOG=full keeps them (e.g. Bochs's reason for a failed VM
# entry, "VMFAIL: ...").
case ${NESTED_BOCHS_LOG:-quiet} in
quiet) bochs_log=$'error: action=report, cpu0=ignore\ninfo: action=ignore' ;;
full) bochs_log=$'error: action=report\ninfo: action=report' ;;
*) die "NESTED_BOCHS_LOG: quiet or full, not '$NESTED_BOCHS_LOG'" ;;
esac
base=$(lane_logbase nested-intel)
conlog=$base.console
bochslog=$base.bochs.log
: >"$conlog"
: >"$work/com2"
cat >"$work/bochsrc" <<EOF
megs: $mem_mb
romimage: file=$bochs_dir/bios/bios.bin
$preload
vgaromimage: file=$vgarom
cpu: model=corei7_skylake_x, count=1, ips=$ips, reset_on_triple_fault=1, ignore_bad_msrs=1
pci: enabled=1, chipset=i440fx
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=disk, mode=flat, path=$work/result.img, cylinders=260, heads=16, spt=63
ata1: enabled=1, ioaddr1=0x170, ioaddr2=0x370, irq=15
ata1-master: type=cdrom, path=$work/boot.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$conlog
com2: enabled=1, mode=file, dev=$work/com2
display_library: nogui
clock: sync=none, time0=local
log: $bochslog
panic: action=fatal
$bochs_log
debug: action=ignore
EOF

say "booting $kver in Bochs ($(basename "$bochs_dir"); $boot_mode boot; kvm_intel $intel_params; kvm $lane_kvm_params)"
start=$(date +%s) start_ns=$(date +%s%N)
cpu_s() {	# CPU seconds Bochs has used so far
	local p
	p=$(pgrep -P $bpid | head -n 1)
	[ -n "$p" ] && awk '{ printf "%.1f", ($14 + $15) / 100 }' /proc/$p/stat 2>/dev/null
}
since() {	# wall seconds since Bochs started, to 0.1 s
	local d=$((($(date +%s%N) - start_ns) / 100000000))
	echo "$((d / 10)).$((d % 10))"
}
timeout "$timeout_s" "$bochs_dir/bin/bochs" -q -f "$work/bochsrc" </dev/null >"$work/bochs.out" 2>&1 &
bpid=$!
# Watchdog: progress is the console or the heartbeat port growing.  Also
# report when /dev/kvm came up, and echo the console as it grows, less
# L1's kernel messages (timestamped lines such as KVM's "Unhandled WRMSR"
# during the sweeps): those stay in the console log only.
reason=
tail --pid=$bpid -n +1 -f "$conlog" 2>/dev/null | grep --line-buffered -av '^\[ *[0-9]*\.[0-9]*\] ' &
tailpid=$!
ready= ready_cpu= t_con= t_kern= t_init=
while kill -0 $bpid 2>/dev/null; do
	# Five looks a second until /dev/kvm is there (the timeline's
	# resolution), then one.
	if [ -z "$ready" ]; then sleep 0.2; else sleep 1; fi
	if [ -z "$t_con" ] && [ -s "$conlog" ]; then
		t_con="$(since)/$(cpu_s)"
	fi
	# The kernel's first message (with quiet, a warning or an error, all
	# printed once its serial console is registered).
	if [ -z "$t_kern" ] && grep -qa '^\[ *[0-9]*\.[0-9]*\] ' "$conlog"; then
		t_kern="$(since)/$(cpu_s)"
	fi
	if [ -z "$t_init" ] && grep -q '^lane: init' "$work/com2"; then
		t_init="$(since)/$(cpu_s)"
	fi
	if [ -z "$ready" ] && grep -q '^lane: kvm-ready' "$work/com2"; then
		ready=$(since) ready_cpu=$(cpu_s)
		say "L1 up, /dev/kvm there after ${ready} s"
	fi
	if grep -q '^lane: packed' "$work/com2"; then
		# The results are on the disk; L1 is powering off (or, with
		# acpi=off, halting): nothing left to wait for.
		sleep 1
		kill $bpid 2>/dev/null
		break
	elif [ $(grep -ac '^ISOLINUX\|^lane-boot: entering' "$conlog") -gt 1 ]; then
		reason="L1 rebooted (panic or triple fault)"
	elif grep -aq '^lane-boot: error' "$conlog"; then
		reason=$(grep -a -m 1 '^lane-boot: error' "$conlog" | tr -d '\r')
	elif [ "$lane_stall_s" -gt 0 ] && idle=$(lane_idle "$conlog" "$work/com2") &&
	     [ "$idle" -ge "$lane_stall_s" ]; then
		reason="no progress from L1 for $idle s (stalled)"
	fi
	if [ -n "$reason" ]; then
		kill $bpid 2>/dev/null
		break
	fi
done
wait $bpid
brc=$?
end=$(date +%s)
sleep 0.2
# tail --pid ends with Bochs; grep then drains the pipe and ends too.
wait $tailpid 2>/dev/null
cat "$work/bochs.out" >>"$bochslog"
cp "$work/com2" "$base.lane"
say "timeline (wall/Bochs CPU s, $boot_mode boot): console ${t_con:-?}, kernel ${t_kern:-?}, init ${t_init:-?}, /dev/kvm ${ready:-?}/${ready_cpu:-?}"
grep -q '^lane: no-kvm' "$work/com2" && reason=${reason:-"no /dev/kvm in L1 (see $conlog)"}
[ $brc -eq 124 ] && reason=${reason:-"timed out after $timeout_s s"}
say "Bochs ended after $((end - start)) s${ready:+, /dev/kvm after $ready s}"

if [ "$("$top/scripts/lane-frame.sh" state "$work/result.img")" != full ]; then
	die "${reason:-L1 ended without writing its results} (console: $conlog, Bochs log: $bochslog)"
fi
"$top/scripts/lane-frame.sh" unpack "$work/result.img" "$work/out" ||
	die "the result disk is unreadable (console: $conlog, Bochs log: $bochslog)"
# Move the run's logs/<stamp>/ next to this machine's runs; latest -> it.
if [ -d "$work/out/logs" ]; then
	for d in "$work/out/logs"/*/; do
		[ -d "$d" ] || continue
		n=$(basename "$d")
		[ -L "${d%/}" ] && continue
		rm -rf "$top/logs/$n" && mv "$d" "$top/logs/$n" || die "cannot move $n into $top/logs"
		cp "$conlog" "$top/logs/$n/nested-intel.console"
		ln -sfn "$n" "$top/logs/latest"
		say "logs: $top/logs/$n"
	done
fi
[ -n "$reason" ] && die "$reason (console: $conlog, Bochs log: $bochslog)"
lane_exit "$(cat "$work/out/status" 2>/dev/null)"
