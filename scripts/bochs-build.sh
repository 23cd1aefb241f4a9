#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the Bochs that the Intel lane (scripts/nested-kvm.sh --vendor intel)
# runs, from Debian's source package, with the fixes written here
# (scripts/bochs/*.patch, applied in name order), and cache it.  Prints the cache directory (bin/bochs, bios/bios.bin) on stdout.
#
#   scripts/bochs-build.sh           build unless cached; print the directory
#   scripts/bochs-build.sh --key     print the cache key only
#   scripts/bochs-build.sh --describe  one line naming this build, for
#                                    results.json's host.emulator
#
# Why build at all: Bochs 3.0 (Debian trixie's binary package) rejects every
# VM entry with APICv on, because it demands a 4 KiB aligned posted-interrupt
# descriptor where the SDM asks for 64 bytes (scripts/bochs/pid-align.patch
# says where and why).  And it reports a VMX preemption-timer rate of 0,
# which makes kvm_intel refuse the timer that every real Intel host uses
# (scripts/bochs/vmx-preemption-rate.patch).  Its loader of RAM images
# (bochsrc optramimage, which the lane's fast boot uses for the kernel and
# the initramfs) puts all of a file but its first memory block in the wrong
# guest pages (scripts/bochs/optram-blocks.patch).  Debian's build also has no headless display library
# (no 'nogui'); this one has.  Bochs 3.1 has the descriptor fix but Debian's
# 6.1 kernel dies early under it and 7.3 halts before its first console line,
# so the pin is 3.0 (see doc/lanes.md, "The Intel lane").
#
# The source comes through the private apt configuration of
# scripts/lib/apt.sh (a deb-src line for trixie; the system's apt sources
# are never touched).  The cache (key, lock, build and rename):
# scripts/lib/build-cache.sh.  Debian's .dsc has
# answered 404 for this version, so apt-get source --download-only is left
# to fetch what it can and the upstream tarball is checked against the
# SHA-256 pinned below instead.  Debian's own patches (paths, docs, BIOS
# build) are not needed for this build and are not applied.
#
# Needs: apt-get, g++, make, patch, xz-utils (the source tarball); .ci/run installs
# them.  Environment: BOCHS_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/
# kvm-msrfilter-tests/bochs), BOCHS_MIRROR (default http://deb.debian.org/
# debian), BOCHS_JOBS (make -j, default 2).  Exit status 2 on failure.
me=bochs-build
. "$(dirname "$0")/lib/common.sh" apt build-cache

# The pin: Debian trixie's bochs source package and its upstream tarball.
deb_suite=trixie
deb_version=3.0+dfsg-1
orig_tar=bochs_3.0+dfsg.orig.tar.xz
orig_sha256=78f6c73d4a6472d5130a87ab9dc306d02c7c71ed8e25b3a8ef642e2a7acd282b
patches=("$top"/scripts/bochs/*.patch)
# Headless (nogui), one static binary (no plugins), the CPU features that
# model=corei7_skylake_x needs (x86-64, VMX with EPT/APICv = vmx=2, AVX,
# AVX-512), PCI (i440fx, the PIIX IDE that Linux drives with ata_piix).
# --enable-idle-hack is left out: it refuses --with-nogui.
# --disable-show-ips: the IPS display logs from a SIGALRM handler, once a
# second; when the alarm lands while Bochs is itself logging (kvm_intel
# makes it log an error for every RDMSR of an MSR it does not model, e.g.
# DEBUGCTL at each VM entry), the handler waits for a lock its own thread
# holds and Bochs hangs for good (seen: both Bochs processes on this
# machine stuck in futex_wait, no CPU used, during msr_x2apic-none).
conf_opts=(--with-nogui --disable-plugins --disable-show-ips --enable-x86-64
	--enable-vmx=2 --enable-cpu-level=6 --enable-avx --enable-evex
	--enable-pci --enable-all-optimizations --enable-cdrom --enable-a20-pin
	--enable-fpu --enable-repeat-speedups)

cache=${BOCHS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-msrfilter-tests/bochs}
mirror=${BOCHS_MIRROR:-http://deb.debian.org/debian}
jobs=${BOCHS_JOBS:-2}

bc_done() { [ -x "$1/bin/bochs" ] && [ -f "$1/bios/bios.bin" ]; }

bc_need() {
	need_cmd apt-get apt
	need_cmd g++ g++
	need_cmd make make
	need_cmd xz xz-utils
	need_cmd patch patch
	need_done
}

bc_fetch() {
	papt_setup "$cache/apt" "deb-src $mirror $deb_suite main"
	mkdir -p "$papt_dir/src" || die "cannot create $papt_dir/src"
	src=$papt_dir/src/$orig_tar
	echo "$orig_sha256  $src" | sha256sum -c --status 2>/dev/null && return
	say "fetching bochs $deb_version source ($deb_suite) through a private apt configuration"
	papt_update
	# The .dsc may 404 (seen for this version): apt then fails although
	# the tarballs arrived; the checksum below decides.
	(cd "$papt_dir/src" && papt apt-get -q source --download-only \
		"bochs=$deb_version") >"$papt_dir/source.log" 2>&1
	echo "$orig_sha256  $src" | sha256sum -c --status 2>/dev/null ||
		die "$orig_tar: missing or not the pinned SHA-256 $orig_sha256; see $papt_dir/source.log"
}

bc_compile() {
	tar -xJf "$src" -C "$build"
	cd "$build"/bochs-*
	for p in "${patches[@]}"; do patch -p1 <"$p"; done
	./configure "${conf_opts[@]}"
	make -j"$jobs"
}

bc_install() {
	local b
	b=$(echo "$build"/bochs-*)
	mkdir -p "$1/bios" || die "cannot create $1/bios"
	cp "$b/bochs" "$1/bin/" || die "no bochs binary in $b"
	# The upstream tarball's SeaBIOS image: the BIOS that matches this Bochs.
	cp "$b/bios/bios.bin-1.13.0" "$1/bios/bios.bin" || die "no bios.bin-1.13.0 in $b"
}

bc_main "bochs-$deb_version" "$deb_version $orig_sha256" \
	"bochs $deb_version (patched: $(bc_patch_names))" "$deb_version" "$@"
