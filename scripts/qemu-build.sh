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
# The source comes through a private apt configuration (its own
# sources.list with deb-src lines for this system's Debian release, its
# own lists and cache under the cache directory; the system's apt sources
# are never touched).  apt checks the source files against the signed
# Release files.
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
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
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
die() { echo "qemu-build: $*" >&2; exit 2; }

[ -f "${patches[0]}" ] || die "$top/scripts/qemu: no patches"
command -v dpkg-query >/dev/null || die "dpkg-query missing: this builds Debian's QEMU source"
src_version=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null)
[ -n "$src_version" ] || die "qemu-system-x86 is not installed (apt-get install qemu-system-x86)"
key=$( { echo "$src_version"; echo "${conf_opts[*]}"; cat "${patches[@]}"; } |
	sha256sum | cut -c1-12)
key=qemu-${src_version#*:}-$key
if [ "${1:-}" = --describe ]; then
	echo "qemu $src_version (tcg; patched: $(printf '%s ' "${patches[@]##*/}" | sed 's/ $//'))"
	exit 0
fi
if [ "${1:-}" = --key ]; then
	echo "$key"
	exit 0
fi
[ $# -eq 0 ] || die "usage: $0 [--key | --describe]"
out=$cache/$key
if [ -x "$out/bin/qemu-system-x86_64" ]; then
	echo "$out"
	exit 0
fi
missing=
for t in apt-get dpkg-source ninja meson pkg-config; do
	command -v $t >/dev/null || missing="$missing $t"
done
for p in glib-2.0 pixman-1 libcap-ng; do
	pkg-config --exists $p 2>/dev/null || missing="$missing $p"
done
[ -f /usr/include/libfdt.h ] || missing="$missing libfdt"
[ -f /usr/include/attr/libattr.h ] || missing="$missing libattr"
[ -z "$missing" ] || die "missing tools or libraries:$missing (apt-get install dpkg-dev ninja-build meson pkg-config libglib2.0-dev libpixman-1-dev libfdt-dev libattr1-dev libcap-ng-dev)"
mkdir -p "$cache" || die "cannot create $cache"
# One builder at a time (the kernel matrix starts one lane per kernel).
exec 9>"$cache/.lock" && flock 9 || die "cannot lock $cache/.lock"
if [ -x "$out/bin/qemu-system-x86_64" ]; then
	echo "$out"
	exit 0
fi

# The source, through apt with a private configuration.
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || die "no VERSION_CODENAME in /etc/os-release"
apt=$cache/apt
mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/src" ||
	die "cannot create $apt"
printf '%s\n' "deb-src $mirror $codename main" "deb-src $mirror $codename-updates main" \
	"deb-src $security $codename-security main" >"$apt/sources.list"
aopt=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o Dir::Etc::sourceparts=-
	-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt"
	-o Debug::NoLocking=1 -o APT::Sandbox::User=root)
dsc=$apt/src/qemu_${src_version#*:}.dsc
if [ ! -f "$dsc" ]; then
	echo "qemu-build: fetching qemu $src_version source ($codename) through a private apt configuration" >&2
	apt-get -q "${aopt[@]}" update >"$apt/update.log" 2>&1 ||
		die "apt-get update (private configuration) failed; see $apt/update.log"
	(cd "$apt/src" && apt-get -q "${aopt[@]}" source --download-only \
		"qemu=$src_version") >"$apt/source.log" 2>&1 ||
		die "apt-get source qemu=$src_version failed; see $apt/source.log"
	[ -f "$dsc" ] || die "$dsc: not fetched; see $apt/source.log"
fi

# Unpack (Debian's patches applied), patch, configure, build: in a scratch
# directory next to the cache entry, renamed into place only when complete.
build=$cache/build-$key
rm -rf "$build" && mkdir -p "$build" || die "cannot create $build"
log=$cache/$key.log
echo "qemu-build: building $key (log: $log)" >&2
{
	set -e
	dpkg-source -x "$dsc" "$build/src"
	cd "$build/src"
	for p in "${patches[@]}"; do patch -p1 <"$p"; done
	mkdir b && cd b
	../configure --prefix="$out" "${conf_opts[@]}"
	ninja -j"$jobs" qemu-system-x86_64
} >"$log" 2>&1 || die "build failed; see $log"
rm -rf "$out.new" && mkdir -p "$out.new/bin" || die "cannot create $out.new"
cp "$build/src/b/qemu-system-x86_64" "$out.new/bin/" || die "no qemu-system-x86_64 in $build"
cp "${patches[@]}" "$out.new/"
printf '%s\n' "$src_version" "${conf_opts[*]}" >"$out.new/BUILD-INFO"
rm -rf "$out" && mv "$out.new" "$out" && rm -rf "$build" || die "cannot install $out"
echo "$out"
