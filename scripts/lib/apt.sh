# SPDX-License-Identifier: GPL-2.0-only
# Sourced (bash, after common.sh): the one private apt configuration, for
# Debian's kernels (kernel-get.sh) and the emulators' sources (qemu-build.sh,
# bochs-build.sh).  Everything apt keeps (sources.list, lists, archives, an
# empty dpkg status) lives under one directory of the cache; the system's
# sources and lists are never touched, its keyrings (Dir::Etc::trusted*)
# stay, so apt verifies the Release signatures as usual.

papt_dir=

# papt_setup DIR [SOURCES.LIST LINE...]: the configuration under DIR; with
# lines, they become DIR/sources.list (else the caller writes it).
papt_setup() {
	papt_dir=$1
	shift
	mkdir -p "$papt_dir"/{state/lists/partial,cache/archives/partial,parts,prefs} ||
		die "cannot create $papt_dir"
	[ $# -eq 0 ] || printf '%s\n' "$@" >"$papt_dir/sources.list"
	[ -f "$papt_dir/status" ] || : >"$papt_dir/status"
	# NoLocking: each user holds its cache's flock already.  Sandbox root:
	# the cache is in the caller's home, which apt's _apt user cannot reach.
	cat >"$papt_dir/apt.conf" <<APT
Dir::Etc::sourcelist "$papt_dir/sources.list";
Dir::Etc::sourceparts "$papt_dir/parts";
Dir::Etc::preferencesparts "$papt_dir/prefs";
Dir::State "$papt_dir/state";
Dir::State::status "$papt_dir/status";
Dir::Cache "$papt_dir/cache";
Acquire::Languages "none";
APT::Architecture "amd64";
APT::Get::AllowUnauthenticated "false";
APT::Sandbox::User "root";
Debug::NoLocking "1";
APT
}

papt() { APT_CONFIG=$papt_dir/apt.conf "$@"; }

papt_update() {
	say "updating the private package lists ($papt_dir)"
	papt apt-get update -qq >"$papt_dir/update.log" 2>&1 ||
		die "apt-get update (private configuration) failed: $(tail -n 5 "$papt_dir/update.log")"
	# A suite whose signature fails is dropped by apt with a warning only.
	if grep -E '^(W|E): .*(NO_PUBKEY|not signed|EXPKEYSIG|BADSIG|is not valid)' "$papt_dir/update.log" >&2; then
		die "package lists not verified (see above); fix the keyring, nothing was downloaded"
	fi
	touch "$papt_dir/updated"
}
