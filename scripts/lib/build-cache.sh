# SPDX-License-Identifier: GPL-2.0-only
# Sourced (bash, after common.sh and apt.sh) by qemu-build.sh and
# bochs-build.sh: one cache of emulator builds.  An entry is
# CACHE/NAME-VERSION-HASH, HASH covering the source's identity, the
# configure options and the patches, so that changing any of them builds
# anew; it is built in a scratch directory and renamed into place only
# when complete, one builder at a time (flock on CACHE/.lock: the kernel
# matrix starts one lane per kernel).
#
# The build script sets cache, patches (array), conf_opts (array), and
# defines:
#   bc_done DIR     true when DIR holds a complete build
#   bc_need         check the build's tools (need_cmd ...; need_done)
#   bc_fetch        fetch the source (under the lock)
#   bc_compile      unpack, patch, configure, build, in $build (set -e)
#   bc_install NEW  copy what the lane runs into NEW
# then calls bc_main PREFIX IDENTITY DESCRIPTION VERSION "$@".

bc_patch_names() { printf '%s ' "${patches[@]##*/}" | sed 's/ $//'; }

bc_main() {
	local prefix=$1 ident=$2 describe=$3 version=$4 rc
	shift 4
	[ -f "${patches[0]}" ] || die "${patches[0]%/*}: no patches"
	key=$( { echo "$ident"; echo "${conf_opts[*]}"; cat "${patches[@]}"; } |
		sha256sum | cut -c1-12)
	key=$prefix-$key
	case ${1:-} in
	--describe) echo "$describe"; exit 0 ;;
	--key) echo "$key"; exit 0 ;;
	esac
	[ $# -eq 0 ] || die "usage: $0 [--key | --describe]"
	out=$cache/$key
	bc_done "$out" && { echo "$out"; exit 0; }
	bc_need
	mkdir -p "$cache" || die "cannot create $cache"
	exec 9>"$cache/.lock" && flock 9 || die "cannot lock $cache/.lock"
	bc_done "$out" && { echo "$out"; exit 0; }	# built while we waited
	bc_fetch
	build=$cache/build-$key
	rm -rf "$build" && mkdir -p "$build" || die "cannot create $build"
	log=$cache/$key.log
	say "building $key (log: $log)"
	# Not `( ... ) || die`: bash ignores set -e inside that.
	(set -e; cd "$build"; bc_compile) >"$log" 2>&1
	rc=$?
	[ $rc -eq 0 ] || die "build failed; see $log"
	rm -rf "$out.new" && mkdir -p "$out.new/bin" || die "cannot create $out.new"
	bc_install "$out.new"
	cp "${patches[@]}" "$out.new/"
	printf '%s\n' "$version" "${conf_opts[*]}" >"$out.new/BUILD-INFO"
	rm -rf "$out" && mv "$out.new" "$out" && rm -rf "$build" || die "cannot install $out"
	echo "$out"
}
