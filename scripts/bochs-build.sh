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
# (scripts/bochs/vmx-preemption-rate.patch).  Debian's build also has no headless display library
# (no 'nogui'); this one has.  Bochs 3.1 has the descriptor fix but Debian's
# 6.1 kernel dies early under it and 7.3 halts before its first console line,
# so the pin is 3.0 (see doc/lanes.md, "The Intel lane").
#
# The source comes through a private apt configuration (its own sources.list
# with a deb-src line for trixie, its own lists and cache under the cache
# directory; the system's apt sources are never touched).  Debian's .dsc has
# answered 404 for this version, so apt-get source --download-only is left
# to fetch what it can and the upstream tarball is checked against the
# SHA-256 pinned below instead.  Debian's own patches (paths, docs, BIOS
# build) are not needed for this build and are not applied.
#
# Needs: apt-get, g++, make, xz-utils (the source tarball); .ci/run installs
# them.  Environment: BOCHS_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/
# kvm-msrfilter-tests/bochs), BOCHS_MIRROR (default http://deb.debian.org/
# debian), BOCHS_JOBS (make -j, default 2).  Exit status 2 on failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)

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

die() { echo "bochs-build: $*" >&2; exit 2; }

[ -f "${patches[0]}" ] || die "$top/scripts/bochs: no patches"
key=$( { echo "$deb_version $orig_sha256"; echo "${conf_opts[*]}"; cat "${patches[@]}"; } |
	sha256sum | cut -c1-12)
key=bochs-$deb_version-$key
if [ "${1:-}" = --describe ]; then
	echo "bochs $deb_version (patched: $(printf '%s ' "${patches[@]##*/}" | sed 's/ $//'))"
	exit 0
fi
if [ "${1:-}" = --key ]; then
	echo "$key"
	exit 0
fi
[ $# -eq 0 ] || die "usage: $0 [--key | --describe]"
out=$cache/$key
if [ -x "$out/bin/bochs" ] && [ -f "$out/bios/bios.bin" ]; then
	echo "$out"
	exit 0
fi

missing=
for t in apt-get g++ make xz; do
	command -v $t >/dev/null || missing="$missing $t"
done
[ -z "$missing" ] || die "missing tools:$missing (apt-get install g++ make xz-utils)"
mkdir -p "$cache" || die "cannot create $cache"

# The source, through apt with a private configuration.
apt=$cache/apt
mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/src" ||
	die "cannot create $apt"
echo "deb-src $mirror $deb_suite main" >"$apt/sources.list"
aopt=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o Dir::Etc::sourceparts=-
	-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt"
	-o Debug::NoLocking=1 -o APT::Sandbox::User=root)
src=$apt/src/$orig_tar
if ! echo "$orig_sha256  $src" | sha256sum -c --status 2>/dev/null; then
	echo "bochs-build: fetching bochs $deb_version source ($deb_suite) through a private apt configuration" >&2
	apt-get -q "${aopt[@]}" update >"$apt/update.log" 2>&1 ||
		die "apt-get update (private configuration) failed; see $apt/update.log"
	# The .dsc may 404 (seen for this version): apt then fails although
	# the tarballs arrived; the checksum below decides.
	(cd "$apt/src" && apt-get -q "${aopt[@]}" source --download-only \
		"bochs=$deb_version") >"$apt/source.log" 2>&1
	echo "$orig_sha256  $src" | sha256sum -c --status 2>/dev/null ||
		die "$orig_tar: missing or not the pinned SHA-256 $orig_sha256; see $apt/source.log"
fi

# Unpack, patch, configure, build: in a scratch directory next to the cache
# entry, renamed into place only when complete.
build=$cache/build-$key
rm -rf "$build" && mkdir -p "$build" || die "cannot create $build"
log=$cache/$key.log
echo "bochs-build: building $key (log: $log)" >&2
{
	set -e
	tar -xJf "$src" -C "$build"
	cd "$build"/bochs-*
	for p in "${patches[@]}"; do patch -p1 <"$p"; done
	./configure "${conf_opts[@]}"
	make -j"$jobs"
} >"$log" 2>&1 || die "build failed; see $log"
b=$(echo "$build"/bochs-*)
rm -rf "$out.new" && mkdir -p "$out.new/bin" "$out.new/bios" || die "cannot create $out.new"
cp "$b/bochs" "$out.new/bin/" || die "no bochs binary in $b"
# The upstream tarball's SeaBIOS image: the BIOS that matches this Bochs.
cp "$b/bios/bios.bin-1.13.0" "$out.new/bios/bios.bin" || die "no bios.bin-1.13.0 in $b"
cp "${patches[@]}" "$out.new/"
printf '%s\n' "$deb_version" "${conf_opts[*]}" >"$out.new/BUILD-INFO"
rm -rf "$out" && mv "$out.new" "$out" && rm -rf "$build" || die "cannot install $out"
echo "$out"
