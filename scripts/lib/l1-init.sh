# SPDX-License-Identifier: GPL-2.0-only
# The start of both lanes' L1 init (busybox sh; the lane's init sets `me`,
# then sources this from /lib/l1-init.sh): busybox's applets, the kernel's
# file systems, and what loads the modules and beats the heartbeat.  The
# host side is scripts/lib/lane.sh.
/bin/busybox --install -s /bin
# /usr/bin: the Intel lane's `make install` links the reproducers there.
export PATH=/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

# The modules in /mods/order (dependencies first), each with the
# parameters in /mods/NAME.params (comma-separated), if any; then the ones
# the kernel has no file for and no modules.builtin entry about.
# A signed module's copy without its signature (NAME.nosig.ko,
# scripts/kernel-get.sh) is tried first: under emulation the signature
# check is most of the load (Debian 7.3 in Bochs: about 2 of the 8 s of
# Bochs CPU from /init to /dev/kvm), and the module's code and data are
# the same either way.  The kernel only taints itself ('E', unsigned
# module), which nothing in KVM reads.  A kernel that insists on
# signatures (MODULE_SIG_FORCE) refuses the copy; the signed file follows.
l1_load_modules() {
	local m p err
	for m in $(cat /mods/order); do
		p=
		[ -f "/mods/${m%.ko}.params" ] && p=$(tr , ' ' <"/mods/${m%.ko}.params")
		[ -f "/mods/${m%.ko}.nosig.ko" ] &&
			insmod "/mods/${m%.ko}.nosig.ko" $p 2>/dev/null && continue
		err=$(insmod "/mods/$m" $p 2>&1) || echo "$me: insmod $m $p failed${err:+: $err}"
	done
	for m in $(cat /mods/builtin 2>/dev/null); do
		[ -d "/sys/module/$m" ] ||
			echo "$me: $m is neither a module of this kernel nor visibly built in (no /sys/module/$m)"
	done
}

# l1_heartbeat COMMAND...: run COMMAND now and every 5 s of L1 time, in
# the background (the host's stall limit: NESTED_STALL in lane.sh).
l1_heartbeat() {
	"$@"
	while sleep 5; do "$@"; done &
}
