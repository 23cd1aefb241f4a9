#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# run_tests.sh: the front door.  Builds the tree on first use (quietly),
# then hands every argument to build/runner, which does the real work; see
# "run_tests.sh -h".  Works from any directory and from an installed copy
# (a .installed file next to this script means: never build).
# Exit status: 0 nothing unexpected, 1 a test failed, 2 usage/build error.

# Follow a symlink (e.g. $prefix/bin/kvm-msrfilter-tests) to the tree.
self=$0
if command -v readlink >/dev/null 2>&1 && real=$(readlink -f -- "$0" 2>/dev/null); then
	self=$real
fi
case $self in
*/*) dir=${self%/*} ;;
*) dir=. ;;
esac
dir=$(cd -- "$dir" && pwd) || exit 2

need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "run_tests.sh: '$1' not found, cannot build the tests;" \
		"on Debian: apt-get install $2" >&2
	exit 2
}

build() {
	need make make
	need gcc gcc
	need ld binutils
	need objcopy binutils
	log=$(mktemp "${TMPDIR:-/tmp}/run_tests-build.XXXXXX") || exit 2
	# A make we may be running under must not hand us its jobserver.
	unset MAKEFLAGS MFLAGS MAKELEVEL
	if [ ! -f "$dir/config.mak" ] &&
	   ! (cd "$dir" && ./configure) >"$log" 2>&1; then
		cat "$log" >&2
		echo "run_tests.sh: ./configure failed" >&2
		rm -f "$log"
		exit 2
	fi
	if ! make -C "$dir" -s -j2 >"$log" 2>&1; then
		cat "$log" >&2
		echo "run_tests.sh: build failed (make -C $dir)" >&2
		rm -f "$log"
		exit 2
	fi
	rm -f "$log"
}

# Programs are in build/ in the tree, in bin/ in an installed copy.
if [ -f "$dir/.installed" ]; then
	runner=$dir/bin/runner
else
	build
	runner=$dir/build/runner
fi
if [ ! -x "$runner" ]; then
	echo "run_tests.sh: $runner is missing" >&2
	exit 2
fi
exec "$runner" --srcdir "$dir" "$@"
