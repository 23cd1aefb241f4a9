# SPDX-License-Identifier: GPL-2.0-only
# Sourced (bash) by the lanes, the emulator builds and kernel-get.sh, as
#   me=NAME; . "$(dirname "$0")/lib/common.sh" [LIB...]
# (NAME prefixes every message): set -u, top (the tree), the messages, the
# check for what a script needs, and scripts/lib/LIB.sh of each LIB named.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "$me: $*" >&2; exit 2; }
say() { echo "$me: $*" >&2; }

# What is missing here, as Debian package names: need_cmd COMMAND PACKAGE,
# need_file PATH PACKAGE, need_pc PKG-CONFIG-MODULE PACKAGE collect them,
# need_done names them all at once (exit 2) and installs nothing.
need_missing=
need_add() {
	case " $need_missing " in *" $1 "*) ;; *) need_missing="$need_missing $1" ;; esac
}
need_cmd() { command -v "$1" >/dev/null 2>&1 || need_add "$2"; }
need_file() { [ -e "$1" ] || need_add "$2"; }
need_pc() { pkg-config --exists "$1" 2>/dev/null || need_add "$2"; }
need_done() {
	[ -z "$need_missing" ] ||
		die "missing Debian packages:$need_missing (apt-get install$need_missing)"
}

for lib in "$@"; do
	. "$top/scripts/lib/$lib.sh"
done
unset lib
