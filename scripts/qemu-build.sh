#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the QEMU that the AMD lane (scripts/nested-kvm.sh) runs: the source
# of the installed qemu-system-x86 package, with Debian's patches, plus the
# changes written here (scripts/qemu/*.patch, applied in name order),
# x86_64-softmmu only, and cache it.  Prints the cache directory
# (bin/qemu-system-x86_64) on stdout.
#
#   scripts/qemu-build.sh           build unless cached; print the directory
#   scripts/qemu-build.sh --key     print the cache key only
#   scripts/qemu-build.sh --describe  one line naming this build, for
#                                   results.json's host.emulator
#
# Why build at all: QEMU's TCG SVM emulation can deliver an interrupt that
# L1 injected through EVENTINJ twice (scripts/qemu/svm-evtinj-once.patch
# says where and why).  The suite counts deliveries, so the unpatched
# QEMU made msr_x2apic and msr_x2apic_all fail about once in 12 runs, on
# every kernel, with nothing wrong in KVM.  And TCG's SVM has no NRIP save
# (scripts/qemu/svm-nrips.patch adds it): kvm_amd then ran with nrips=0,
# as on no AMD CPU of the last 15 years, skipping instructions through its
# emulator and (since 6.18) never taking its exit fastpath, so the lane
# could not see what the fastpath does to the MSR filter.  Same source as
# the system's binary, same Debian patches: the lane differs from
# Debian's QEMU by those two patches.
#
# The source comes through the private apt configuration of
# scripts/lib/apt.sh (deb-src lines for this system's Debian release;
# the system's apt sources are never touched).  apt checks the source
# files against the signed Release files.  The cache (key, lock, build and
# rename): scripts/lib/build-cache.sh.
#
# Needs: dpkg-dev, ninja-build, meson, pkg-config, libglib2.0-dev,
# libpixman-1-dev, libfdt-dev, libattr1-dev, libcap-ng-dev (9p needs the
# last two); .ci/run installs them.  About 6 minutes of CPU, once (3-4 on
# two idle cores, 11 measured with the machine busy).
# Environment: QEMU_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/
# kvm-msrfilter-tests/qemu), QEMU_MIRROR (default http://deb.debian.org/
# debian), QEMU_SECURITY_MIRROR (default http://deb.debian.org/
# debian-security), QEMU_JOBS (ninja -j, default 2).  Exit status 2 on
# failure.
me=qemu-build
. "$(dirname "$0")/lib/common.sh" apt build-cache
patches=("$top"/scripts/qemu/*.patch)
# What the lane needs and nothing more: TCG, virtio-9p (the shared tree),
# the PC machine.  fdt: the microvm machine in x86_64-softmmu requires it.
# Firmware (SeaBIOS, the -kernel option ROMs) from where Debian's own
# build looks for it: the packages qemu-system-x86 pulls in.
conf_opts=(--target-list=x86_64-softmmu --without-default-features
	--enable-tcg --enable-virtfs --enable-attr --enable-cap-ng
	--enable-fdt=system --disable-docs --disable-werror
	--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu)
cache=${QEMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-msrfilter-tests/qemu}
mirror=${QEMU_MIRROR:-http://deb.debian.org/debian}
security=${QEMU_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
jobs=${QEMU_JOBS:-2}

command -v dpkg-query >/dev/null || die "dpkg-query missing: this builds Debian's QEMU source"
src_version=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null)
[ -n "$src_version" ] || die "qemu-system-x86 is not installed (apt-get install qemu-system-x86)"

bc_done() { [ -x "$1/bin/qemu-system-x86_64" ]; }

bc_need() {
	need_cmd apt-get apt
	need_cmd dpkg-source dpkg-dev
	need_cmd ninja ninja-build
	need_cmd meson meson
	need_cmd pkg-config pkg-config
	need_pc glib-2.0 libglib2.0-dev
	need_pc pixman-1 libpixman-1-dev
	need_pc libcap-ng libcap-ng-dev
	need_file /usr/include/libfdt.h libfdt-dev
	need_file /usr/include/attr/libattr.h libattr1-dev
	need_done
}

bc_fetch() {	# the .dsc and its files, Debian's patches included
	local codename
	codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "no VERSION_CODENAME in /etc/os-release"
	papt_setup "$cache/apt" "deb-src $mirror $codename main" \
		"deb-src $mirror $codename-updates main" "deb-src $security $codename-security main"
	mkdir -p "$papt_dir/src" || die "cannot create $papt_dir/src"
	dsc=$papt_dir/src/qemu_${src_version#*:}.dsc
	[ -f "$dsc" ] && return
	say "fetching qemu $src_version source ($codename) through a private apt configuration"
	papt_update
	(cd "$papt_dir/src" && papt apt-get -q source --download-only \
		"qemu=$src_version") >"$papt_dir/source.log" 2>&1 ||
		die "apt-get source qemu=$src_version failed; see $papt_dir/source.log"
	[ -f "$dsc" ] || die "$dsc: not fetched; see $papt_dir/source.log"
}

bc_compile() {	# Debian's patches applied by dpkg-source, then ours
	dpkg-source -x "$dsc" "$build/src"
	cd "$build/src"
	for p in "${patches[@]}"; do patch -p1 <"$p"; done
	mkdir b && cd b
	../configure --prefix="$out" "${conf_opts[@]}"
	ninja -j"$jobs" qemu-system-x86_64
}

bc_install() {
	cp "$build/src/b/qemu-system-x86_64" "$1/bin/" || die "no qemu-system-x86_64 in $build"
}

bc_main "qemu-${src_version#*:}" "$src_version" \
	"qemu $src_version (tcg; patched: $(bc_patch_names))" "$src_version" "$@"
