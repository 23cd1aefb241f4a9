#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Find a kernel for a nested lane: the one place that turns a kernel SPEC
# into a bootable image and a module tree, for scripts/nested-kvm.sh (AMD,
# QEMU) and any other lane (e.g. Intel under Bochs: --vendor intel).
#
#   scripts/kernel-get.sh [--modules DIR] [--vendor amd|intel]
#                         [--stage DIR [--also MOD,...]] [SPEC]
#
# SPEC:
#   installed, or nothing   the newest kernel installed in /boot + /lib/modules
#   an installed uname -r   e.g. 6.1.0-57-amd64
#   SERIES or VERSION       a Debian kernel: 6.1, 6.12, 7.3, 7.2.13, 6.1.0-57
#                           (the newest linux-image-*-amd64 whose name or
#                           version starts so), fetched unless installed
#   SUITE                   the linux-image-amd64 of a suite: unstable,
#                           trixie, trixie-backports, bookworm-backports, ...
#   PATH                    a kernel image you built (arch/x86/boot/bzImage)
#                           with --modules DIR: a `make modules_install
#                           INSTALL_MOD_PATH=DIR` tree, DIR/lib/modules/VER
#                           itself, or the kernel build tree
#
# Debian kernels come from `apt-get download` under a private apt
# configuration (sources, lists, archives all under the cache; the suites
# bookworm-backports, trixie, trixie-backports and unstable are added with
# the URIs and keyrings of this machine's own Debian sources, which are
# read, never changed; apt verifies the Release signatures as usual), are
# unpacked with dpkg-deb -x and indexed with depmod -b.  Nothing is
# installed into the system.  The cache is $NESTED_CACHE, by default
# ${XDG_CACHE_HOME:-~/.cache}/kvm-msrfilter-tests; a kernel unpacked once
# is reused, and the package lists are refreshed only when older than
# NESTED_APT_MAX_AGE seconds (default 86400) or when SPEC matches nothing.
#
# Prints KEY=VALUE lines on stdout (values never contain a newline):
#   image=    the kernel image to boot
#   version=  its release (uname -r), the module tree's name
#   moddir=   the module tree (holds modules.dep), empty when there is none
#   source=   where the kernel came from, for results.json (host.kernel_source)
# With --stage DIR, the modules kvm, kvm-VENDOR and those of --also, with
# their dependencies, are copied uncompressed into DIR, and DIR/order lists
# them in load order (paths relative to DIR); a signed module also gets a
# copy without its appended signature, NAME.nosig.ko (scripts/lib/l1-init.sh
# says why); a module that is built into
# the kernel (modules.builtin) is left out; one that is neither a module nor
# listed as built in (7.x packages ship no modules.builtin) is named on
# stderr and in DIR/builtin, for the lane to check /sys/module inside.
# Progress goes to stderr.  Exit status 0, or 2 with a message.
me=kernel-get
. "$(dirname "$0")/lib/common.sh" apt

usage() {
	sed -n '3,/^me=/{/^me=/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-2}"
}

spec= moddir_opt= vendor=amd stage= also=
while [ $# -gt 0 ]; do
	case $1 in
	--modules) [ $# -ge 2 ] || die "--modules needs a directory"; moddir_opt=$2; shift ;;
	--modules=*) moddir_opt=${1#*=} ;;
	--vendor) [ $# -ge 2 ] || die "--vendor needs amd or intel"; vendor=$2; shift ;;
	--vendor=*) vendor=${1#*=} ;;
	--stage) [ $# -ge 2 ] || die "--stage needs a directory"; stage=$2; shift ;;
	--stage=*) stage=${1#*=} ;;
	--also) [ $# -ge 2 ] || die "--also needs module names"; also=$2; shift ;;
	--also=*) also=${1#*=} ;;
	-h|--help) usage 0 ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) [ -z "$spec" ] || die "one SPEC only ($spec, $1)"; spec=$1 ;;
	esac
	shift
done
case $vendor in
amd|intel) ;;
*) die "--vendor: amd or intel, not '$vendor'" ;;
esac
spec=${spec:-installed}

cache=${NESTED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-msrfilter-tests}
apt_max_age=${NESTED_APT_MAX_AGE:-86400}
# Suites added to the machine's own, for newer kernels.
extra_suites="bookworm-backports trixie trixie-backports unstable"

# ---- result ----------------------------------------------------------------
k_image= k_version= k_moddir= k_source=

# ---- installed kernels -------------------------------------------------------
installed_versions() {	# uname -r of every installed kernel with modules, oldest first
	local v
	ls /lib/modules 2>/dev/null | sort -V | while read -r v; do
		[ -f "/boot/vmlinuz-$v" ] && [ -d "/lib/modules/$v/kernel" ] && echo "$v"
	done
}

use_installed() {	# $1 = uname -r
	local pkg ver
	k_image=/boot/vmlinuz-$1 k_version=$1 k_moddir=/lib/modules/$1
	pkg=$(dpkg-query -S "$k_image" 2>/dev/null | sed -n '1s/: .*//p')
	ver=$([ -n "$pkg" ] && dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null)
	if [ -n "$pkg" ]; then
		k_source="installed: $pkg $ver"
	else
		k_source="installed: $k_image"
	fi
	# Debian's postinst runs depmod; a hand-installed tree may lack it.
	[ -f "$k_moddir/modules.dep" ] || die "$k_moddir/modules.dep missing (run depmod $1)"
}

# ---- a private apt for Debian's kernels ------------------------------------
aptdir=$cache/apt
papt_dir=$aptdir	# lists made by an earlier run serve as they are

# The machine's Debian sources (one-line and deb822 formats): one
# "URI SUITE KEYRING" line per suite named, Debian archive entries only
# (those whose suites look like Debian's), so that the added suites use
# the same mirror.
system_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -e 's/#.*//' "$f" | awk '$1 == "deb" {
			key = ""; i = 2
			if ($2 ~ /^\[/) {
				for (; i <= NF; i++) {
					if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key); sub(/\].*/, "", key) }
					if ($i ~ /\]$/) { i++; break }
				}
			}
			print $i, $(i + 1), (key == "" ? "-" : key) }'
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'function flush() {
				if (types ~ /(^| )deb( |$)/ && enabled != "no")
					for (u in uris) for (s in suites) print u, s, (key == "" ? "-" : key)
				delete uris; delete suites; types = ""; key = ""; enabled = ""
			}
			/^#/ { next }
			/^[ \t]*$/ { flush(); next }
			{ k = tolower($1); sub(/:$/, "", k) }
			k == "types" { types = ""; for (i = 2; i <= NF; i++) types = types " " $i " " }
			k == "uris" { for (i = 2; i <= NF; i++) uris[$i] = 1 }
			k == "suites" { for (i = 2; i <= NF; i++) suites[$i] = 1 }
			k == "signed-by" { key = $2 }
			k == "enabled" { enabled = tolower($2) }
			END { flush() }' "$f"
	done
}

apt_setup() {
	local line uri suite key main_uri= main_key= n=0 opts
	papt_setup "$aptdir"
	mkdir -p "$aptdir/debs" || die "cannot create $aptdir/debs"
	: >"$aptdir/sources.list.new"
	while read -r uri suite key; do
		# The archive proper (not its security mirror) serves the added suites.
		case $suite:$uri in
		*-*:*|*:*debian-security*) ;;
		*) [ -n "$main_uri" ] || main_uri=$uri main_key=$key ;;
		esac
		opts=
		[ "$key" = - ] || opts="[signed-by=$key] "
		echo "deb ${opts}$uri $suite main" >>"$aptdir/sources.list.new"
		n=$((n + 1))
	done < <(system_sources | grep -E ' (bookworm|trixie|forky|sid|unstable|stable|testing|oldstable)(-[a-z-]+)? ' | sort -u)
	[ -n "$main_uri" ] || die "no Debian archive found in /etc/apt/sources.list* (needed for Debian kernels)"
	opts=
	[ "$main_key" = - ] || opts="[signed-by=$main_key] "
	for suite in $extra_suites; do
		grep -q " $suite main\$" "$aptdir/sources.list.new" ||
			echo "deb ${opts}$main_uri $suite main" >>"$aptdir/sources.list.new"
	done
	mv "$aptdir/sources.list.new" "$aptdir/sources.list"
}

apt_fresh() {	# lists younger than apt_max_age?
	[ -f "$aptdir/updated" ] && [ -f "$aptdir/sources.list" ] &&
		[ $(($(date +%s) - $(stat -c %Y "$aptdir/updated"))) -lt "$apt_max_age" ]
}

# "NAME VERSION SUITE" of the newest available Debian kernel for SPEC, or nothing.
debian_resolve() {
	local s=$1 ver dep re
	case $s in
	[0-9]*)
		# Names carry the ABI (6.1.0-57) or the version (6.12.117+deb13),
		# so match the series in the name, the rest in name or version.
		re=$(printf '%s' "$s" | cut -d. -f1-2 | sed 's/[.+]/\\&/g')
		papt apt-cache pkgnames linux-image- |
			grep -E "^linux-image-$re([.+-][^ ]*)?-amd64\$" |
			grep -vE -- '-(cloud|rt|dbg|unsigned)-amd64$|-amd64-(unsigned|dbg)$' |
			xargs -r env APT_CONFIG="$aptdir/apt.conf" apt-cache madison 2>/dev/null |
			awk -F' *[|] *' -v s="$s" '{
				split($3, w, " "); suite = w[2]; sub(/\/.*/, "", suite)
				name = $1; sub(/^linux-image-/, "", name)
				if (index(name, s) == 1 || index($2, s) == 1) print $1, $2, suite }' |
			sort -V -k1,1 -k2,2 | tail -n 1
		;;
	*)
		ver=$(papt apt-cache madison linux-image-amd64 2>/dev/null |
			awk -F' *[|] *' -v s="$s" '{ split($3, w, " "); suite = w[2]; sub(/\/.*/, "", suite)
				if (suite == s) print $2 }' | sort -V | tail -n 1)
		[ -n "$ver" ] || return 0
		dep=$(papt apt-cache show "linux-image-amd64=$ver" 2>/dev/null |
			sed -n 's/^Depends: //p' | tr ',' '\n' | sed -n 's/^ *\(linux-image-[^ ]*\).*/\1/p' | head -n 1)
		[ -n "$dep" ] || return 0
		ver=$(papt apt-cache madison "$dep" 2>/dev/null |
			awk -F' *[|] *' -v s="$s" '{ split($3, w, " "); suite = w[2]; sub(/\/.*/, "", suite)
				if (suite == s) print $2 }' | head -n 1)
		[ -n "$ver" ] && echo "$dep $ver $s"
		;;
	esac
}

# The debs that make up NAME=VERSION: the image itself, and on 7.x its
# linux-binary-* (vmlinuz) and linux-modules-* (modules) dependencies.
debian_parts() {
	echo "$1=$2"
	papt apt-cache show "$1=$2" 2>/dev/null | sed -n 's/^Depends: //p' | tr ',' '\n' |
		sed -n 's/^ *\(linux-\(binary\|modules\)-[^ ]*\) *(= *\([^)]*\)).*/\1=\3/p'
}

use_debian() {	# $1 = SPEC
	local found name ver suite dir parts p deb vdir
	# Lanes started at the same time share the cache: one updates or
	# unpacks at a time (the lock goes with this process).
	mkdir -p "$cache" || die "cannot create $cache"
	exec 9>"$cache/.lock"
	flock 9 || die "cannot lock $cache/.lock"
	apt_fresh || { apt_setup; papt_update; }
	found=$(debian_resolve "$1")
	if [ -z "$found" ] && [ -f "$aptdir/updated" ] &&
	   [ $(($(date +%s) - $(stat -c %Y "$aptdir/updated"))) -gt 60 ]; then
		apt_setup
		papt_update
		found=$(debian_resolve "$1")
	fi
	[ -n "$found" ] || die "no Debian kernel matches '$1' in $(cut -d' ' -f3- "$aptdir/sources.list" | sort -u | tr '\n' ' ')(SPEC: a series such as 6.12, a version such as 7.2.13, a suite such as unstable, or installed)"
	read -r name ver suite <<<"$found"
	# The very package installed here: no download.
	if [ "$(dpkg-query -W -f '${Status} ${Version}' "$name" 2>/dev/null)" = "install ok installed $ver" ] &&
	   [ -f "/boot/vmlinuz-${name#linux-image-}" ]; then
		use_installed "${name#linux-image-}"
		return
	fi
	dir=$cache/kernels/${name}_$(printf '%s' "$ver" | tr '~:' '__')
	if [ ! -f "$dir/.complete" ]; then
		parts=$(debian_parts "$name" "$ver")
		rm -rf "$dir.new"
		mkdir -p "$dir.new" || die "cannot create $dir.new"
		for p in $parts; do
			say "downloading $p ($suite)"
			(cd "$aptdir/debs" && papt apt-get download -q "$p" >"$aptdir/download.log" 2>&1) ||
				die "apt-get download $p failed: $(tail -n 5 "$aptdir/download.log")"
			deb=$(ls "$aptdir/debs/${p%%=*}_"*.deb | head -n 1)
			dpkg-deb -x "$deb" "$dir.new" || die "dpkg-deb -x $deb failed"
			rm -f "$deb"
		done
		vdir=$(ls -d "$dir.new"/usr/lib/modules/*/ "$dir.new"/lib/modules/*/ 2>/dev/null | head -n 1)
		[ -n "$vdir" ] || die "$name $ver: no lib/modules/VERSION in the package"
		k_version=$(basename "$vdir")
		depmod_tree "$(dirname "$(dirname "$(dirname "$vdir")")")" "$k_version"
		printf 'source=debian: %s %s (%s)\n' "$name" "$ver" "$suite" >"$dir.new/.complete"
		mv "$dir.new" "$dir" 2>/dev/null || { rm -rf "$dir"; mv "$dir.new" "$dir"; } ||
			die "cannot move $dir.new to $dir"
	else
		say "reusing $dir"
	fi
	k_moddir=$(ls -d "$dir"/usr/lib/modules/*/ "$dir"/lib/modules/*/ 2>/dev/null | head -n 1)
	k_moddir=${k_moddir%/}
	k_version=$(basename "$k_moddir")
	for p in "$dir/boot/vmlinuz-$k_version" "$k_moddir/vmlinuz"; do
		[ -f "$p" ] && { k_image=$p; break; }
	done
	[ -n "$k_image" ] || die "$name $ver: no vmlinuz in $dir"
	k_source=$(sed -n 's/^source=//p' "$dir/.complete")
}

depmod_tree() {	# $1 = base holding lib/modules/$2
	local out
	out=$(depmod -b "$1" "$2" 2>&1) || die "depmod -b $1 $2 failed: $out"
	# Packages without modules.builtin make depmod warn: harmless (see --stage).
	[ -f "$1/lib/modules/$2/modules.dep" ] || die "depmod -b $1 $2 wrote no modules.dep"
}

# ---- a developer's kernel ------------------------------------------------------
use_path() {	# $1 = image
	local img dir v base farm
	img=$(readlink -f "$1")
	[ -f "$img" ] || die "$1: no such kernel image"
	k_image=$img
	k_source="path: $img"
	if [ -z "$moddir_opt" ]; then
		k_version=$(kernel_release_of "$img")
		k_moddir=
		k_source="$k_source (no modules: all built in)"
		return
	fi
	dir=$(readlink -f "$moddir_opt")
	[ -d "$dir" ] || die "--modules $moddir_opt: no such directory"
	k_source="$k_source, modules $dir"
	if [ -f "$dir/modules.order" ] && [ -f "$dir/include/config/kernel.release" ]; then
		# A build tree: its .ko files are where they were built.  Lay them
		# out as modules_install would, as links, in the cache.
		v=$(cat "$dir/include/config/kernel.release")
		farm=$cache/devtrees/$(printf '%s' "$dir" | md5sum | cut -c1-12)
		rm -rf "$farm"
		mkdir -p "$farm/lib/modules/$v/kernel" || die "cannot create $farm"
		(cd "$dir" && find . -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz') |
			while read -r m; do
				mkdir -p "$farm/lib/modules/$v/kernel/$(dirname "$m")"
				ln -s "$dir/$m" "$farm/lib/modules/$v/kernel/$m"
			done
		for f in modules.order modules.builtin; do
			[ -f "$dir/$f" ] && sed 's|^|kernel/|' "$dir/$f" >"$farm/lib/modules/$v/$f"
		done
		[ -f "$dir/modules.builtin.modinfo" ] && cp "$dir/modules.builtin.modinfo" "$farm/lib/modules/$v/"
		depmod_tree "$farm" "$v"
		k_version=$v k_moddir=$farm/lib/modules/$v
		return
	fi
	if [ -f "$dir/modules.dep" ] || [ -f "$dir/modules.order" ]; then
		base=$(dirname "$(dirname "$(dirname "$dir")")")	# DIR is .../lib/modules/VER
		v=$(basename "$dir")
	else
		v=$(ls "$dir/lib/modules" 2>/dev/null)
		[ "$(echo "$v" | wc -w)" = 1 ] ||
			die "--modules $moddir_opt: want one lib/modules/VERSION inside, found: ${v:-none}"
		base=$dir
	fi
	if [ ! -f "$base/lib/modules/$v/modules.dep" ]; then
		# modules_install ran without depmod: index a linked copy, not
		# the developer's tree.
		farm=$cache/devtrees/$(printf '%s' "$dir" | md5sum | cut -c1-12)
		rm -rf "$farm"
		mkdir -p "$farm/lib/modules" && cp -as "$base/lib/modules/$v" "$farm/lib/modules/" ||
			die "cannot link $base/lib/modules/$v into $farm"
		depmod_tree "$farm" "$v"
		base=$farm
	fi
	k_version=$v k_moddir=$base/lib/modules/$v
}

# The release string a bzImage carries (x86 boot protocol: the setup
# header's kernel_version field at 0x20e points, relative to 0x200, to it).
kernel_release_of() {
	local off
	off=$(od -An -tu2 -j 526 -N 2 "$1" 2>/dev/null | tr -d ' ')
	[ -n "$off" ] && [ "$off" -gt 0 ] || { echo unknown; return; }
	dd if="$1" bs=1 skip=$((off + 512)) count=256 2>/dev/null | tr '\0' '\n' | head -n 1 | cut -d' ' -f1
}

# ---- staging the lane's modules --------------------------------------------
# Module names as modules.dep has them: kvm-amd and kvm_amd are one module.
mod_regex() { printf '%s' "$1" | sed 's/[-_]/[-_]/g'; }

# strip_sig FILE: FILE's copy without the signature the kernel build
# appended (the module, then struct module_signature, whose last 4 bytes
# are the signature's length, big-endian, then "~Module signature
# appended~\n"), as ${FILE%.ko}.nosig.ko; nothing for an unsigned module.
strip_sig() {
	local f=$1 len n
	[ "$(tail -c 28 "$f" | head -c 27)" = "~Module signature appended~" ] || return 0
	len=$(tail -c 32 "$f" | head -c 4 | od -An -tu1 |
		awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	n=$(($(stat -c %s "$f") - 28 - 12 - len))
	[ "$n" -gt 0 ] || die "$f: a signature longer than the module"
	head -c "$n" "$f" >"${f%.ko}.nosig.ko" || die "cannot write ${f%.ko}.nosig.ko"
}

stage_modules() {
	local want m p d b out order=() builtin=()
	declare -A seen
	mkdir -p "$stage" || die "cannot create $stage"
	: >"$stage/order"
	: >"$stage/builtin"
	add_mod() {
		[ -n "${seen[$1]:-}" ] && return
		seen[$1]=1
		local d
		for d in $(grep -E "^$1:" "$k_moddir/modules.dep" | cut -d: -f2 | tr ' ' '\n' | tac); do
			add_mod "$d"
		done
		order+=("$1")
	}
	want="kvm kvm-$vendor $(echo "$also" | tr ',' ' ')"
	for m in $want; do
		p=
		[ -n "$k_moddir" ] &&
			p=$(grep -oE "^[^:]*/$(mod_regex "$m")\.ko(\.xz|\.zst|\.gz)?:" "$k_moddir/modules.dep" | tr -d :)
		if [ -n "$p" ]; then
			add_mod "$p"
		elif [ -n "$k_moddir" ] && [ -f "$k_moddir/modules.builtin" ] &&
		     grep -qE "/$(mod_regex "$m")\.ko\$" "$k_moddir/modules.builtin"; then
			say "$m is built into $k_version"
		else
			say "$m: no such module in $k_version and no modules.builtin to say it is built in; assuming it is (the lane checks /sys/module/$(echo "$m" | tr - _))"
			echo "$m" | tr - _ >>"$stage/builtin"
		fi
	done
	for m in "${order[@]}"; do
		b=$(basename "$m")
		b=${b%%.ko*}.ko
		out=$stage/$b
		case "$m" in
		*.xz) xz -dc "$k_moddir/$m" >"$out" ;;
		*.zst) zstd -qdc "$k_moddir/$m" >"$out" ;;
		*.gz) gzip -dc "$k_moddir/$m" >"$out" ;;
		*) cp "$k_moddir/$m" "$out" ;;
		esac || die "cannot unpack $k_moddir/$m"
		strip_sig "$out"
		echo "$b" >>"$stage/order"
	done
}

# ---- main ------------------------------------------------------------------------
is_path=
case $spec in */*) is_path=1 ;; *) [ -f "$spec" ] && is_path=1 ;; esac
[ -z "$moddir_opt" ] || [ -n "$is_path" ] ||
	die "--modules goes with a kernel image PATH, not with '$spec'"
if [ -n "$is_path" ]; then
	use_path "$spec"
else case $spec in
installed)
	k_version=$(installed_versions | tail -n 1)
	[ -n "$k_version" ] || die "no installed kernel (/boot/vmlinuz-VER with /lib/modules/VER): apt-get install linux-image-amd64, or give a SPEC"
	use_installed "$k_version"
	;;
*)
	if installed_versions | grep -qxF -- "$spec"; then
		use_installed "$spec"
	else
		need_cmd apt-get apt
		need_cmd dpkg-deb dpkg
		need_cmd depmod kmod
		need_done
		use_debian "$spec"
	fi
	;;
esac
fi
[ -z "$stage" ] || stage_modules
printf 'image=%s\nversion=%s\nmoddir=%s\nsource=%s\n' "$k_image" "$k_version" "$k_moddir" "$k_source"
