# SPDX-License-Identifier: GPL-2.0-only
# Sourced (bash, after common.sh) by scripts/nested-intel.sh: the Intel
# lane's fast boot (NESTED_INTEL_BOOT=fast, the default).  Under Bochs,
# the kernel's own decompressor is most of the boot (11.8 s of Bochs CPU
# for Debian's XZ-compressed 6.1), so it runs here instead, once per kernel
# file: the bzImage's payload is unpacked with the host's xz/zstd/gzip/...
# and its ELF's PT_LOAD segments are laid out as the decompressor lays
# them out in RAM (the flat image, cached).  Bochs puts that image, the
# initramfs and a token in RAM at power-on (optramimage, with
# scripts/bochs/optram-blocks.patch), and scripts/bochs/lane-boot.S, booted
# from the lane's CD, runs the kernel's real-mode setup code and enters the
# kernel through the 64-bit boot protocol (that file says how).
#
#   fb_kernel IMAGE CACHE    the flat image of bzImage IMAGE, made unless
#                            CACHE has it (one directory per kernel file,
#                            named by its SHA-256): sets fb_flat, fb_base
#                            (its physical address, the header's
#                            pref_address), fb_entry (the ELF entry point),
#                            fb_format, fb_flat_len
#   fb_boot_image IMAGE DIR CMDLINE INITRD MEM_MB
#                            after fb_kernel: DIR/lane-boot.bin (the stub,
#                            the command line, IMAGE's setup code), DIR/token;
#                            sets fb_initrd_addr, fb_token_addr
#
# Both return 1 with the reason in fb_why when this kernel cannot boot so
# (not a 64-bit bzImage, a boot protocol older than 2.12, a payload format
# without its tool here, a damaged payload, an ELF that does not load at the
# header's pref_address); the caller falls back to the CD or stops.
# Numbers are decimal: bochsrc's optramimage parser looks for the "0x" of
# a hex address in its second argument only.

fb_why=

# fb_le FILE OFFSET BYTES: the little-endian unsigned number there (1, 2, 4, 8).
fb_le() {
	od -An -tu"$3" -j "$2" -N "$3" "$1" 2>/dev/null | tr -d ' \n'
}

fb_fail() { fb_why=$*; return 1; }

fb_hex() { printf '0x%x' "$1"; }

# fb_header IMAGE: the setup header's fields this boot needs.
fb_header() {
	local img=$1 size v
	[ -f "$img" ] || { fb_fail "$img: no such file"; return; }
	size=$(stat -c %s "$img")
	[ "$size" -ge 1024 ] || { fb_fail "$img: too short for a bzImage ($size bytes)"; return; }
	[ "$(fb_le "$img" 510 2)" = 43605 ] && [ "$(fb_le "$img" 514 4)" = 1400005704 ] ||
		{ fb_fail "$img: not a bzImage (no 0xaa55 boot flag and HdrS header)"; return; }
	v=$(fb_le "$img" 518 2)
	[ "$v" -ge 524 ] ||
		{ fb_fail "$img: boot protocol $((v >> 8)).$((v & 255)), 2.12 or later needed"; return; }
	[ $(($(fb_le "$img" 566 2) & 1)) = 1 ] ||
		{ fb_fail "$img: not a 64-bit kernel (XLF_KERNEL_64 clear)"; return; }
	fb_img_size=$size
	fb_setup_sects=$(fb_le "$img" 497 1)
	[ "$fb_setup_sects" != 0 ] || fb_setup_sects=4
	fb_setup_len=$(((fb_setup_sects + 1) * 512))
	[ "$fb_setup_len" -le 32768 ] ||
		{ fb_fail "$img: $fb_setup_len bytes of setup code, more than 32 KiB"; return; }
	fb_payload_off=$((fb_setup_len + $(fb_le "$img" 584 4)))
	fb_payload_len=$(fb_le "$img" 588 4)
	[ $((fb_payload_off + fb_payload_len)) -le "$size" ] && [ "$fb_payload_len" -ge 16 ] ||
		{ fb_fail "$img: payload (offset $fb_payload_off, $fb_payload_len bytes) not inside the file"; return; }
	fb_pref=$(fb_le "$img" 600 8)
	fb_init_size=$(fb_le "$img" 608 4)
	fb_initrd_max=$(fb_le "$img" 556 4)
	fb_cmdline_max=$(fb_le "$img" 568 4)
}

# fb_unpack PAYLOAD OUT: the payload's format into fb_format, the ELF to OUT.
# Each kernel compressor but gzip appends the uncompressed size (le32) to
# its stream; gzip's own trailer ends with that size too.
fb_unpack() {
	local p=$1 out=$2 magic tool strip=4 want got
	magic=$(od -An -tx1 -N 6 "$p" | tr -d ' \n')
	case $magic in
	1f8b*) fb_format=gzip tool="gzip -dc" strip=0 ;;
	fd377a585a00) fb_format=xz tool="xz -dc" ;;
	28b52ffd*) fb_format=zstd tool="zstd -qdc" ;;
	425a68*) fb_format=bzip2 tool="bzip2 -dc" ;;
	5d0000*) fb_format=lzma tool="xz --format=lzma -dc" ;;
	894c5a4f*) fb_format=lzo tool="lzop -dc" ;;
	02214c18*) fb_format=lz4 tool="lz4 -dc" ;;
	7f454c46*) fb_format=none tool=cat strip=0 ;;
	*) fb_fail "unknown payload format (magic $magic)"; return ;;
	esac
	command -v "${tool%% *}" >/dev/null 2>&1 ||
		{ fb_fail "the kernel is $fb_format-compressed and ${tool%% *} is not installed"; return; }
	head -c $((fb_payload_len - strip)) "$p" | $tool >"$out" 2>"$out.err" ||
		{ fb_fail "$fb_format payload does not unpack: $(head -n 1 "$out.err")"; return; }
	[ $fb_format = none ] && return
	want=$(fb_le "$p" $((fb_payload_len - 4)) 4)
	got=$(stat -c %s "$out")
	[ "$got" = "$want" ] ||
		fb_fail "$fb_format payload unpacks to $got bytes, its trailer says $want"
}

# fb_flatten ELF OUT: OUT = the PT_LOAD segments at p_paddr - pref_address,
# as the decompressor's parse_elf() copies them (p_filesz bytes each; what
# lies between stays zero here).  Sets fb_entry, fb_flat_len.
fb_flatten() {
	local elf=$1 out=$2 phoff phent phnum i ph type off paddr filesz end=0
	[ "$(od -An -tx1 -N 4 "$elf" | tr -d ' \n')" = 7f454c46 ] ||
		{ fb_fail "the payload is not an ELF file"; return; }
	[ "$(fb_le "$elf" 4 1)/$(fb_le "$elf" 5 1)/$(fb_le "$elf" 18 2)" = 2/1/62 ] ||
		{ fb_fail "the payload is not a 64-bit little-endian x86-64 ELF"; return; }
	fb_entry=$(fb_le "$elf" 24 8)
	phoff=$(fb_le "$elf" 32 8) phent=$(fb_le "$elf" 54 2) phnum=$(fb_le "$elf" 56 2)
	[ "$phent" = 56 ] && [ "$phnum" -ge 1 ] && [ "$phnum" -le 64 ] ||
		{ fb_fail "the ELF's program headers are not usable ($phnum of $phent bytes)"; return; }
	: >"$out" || { fb_fail "cannot write $out"; return; }
	for ((i = 0; i < phnum; i++)); do
		ph=$((phoff + i * phent))
		type=$(fb_le "$elf" $ph 4)
		[ "$type" = 1 ] || continue		# PT_LOAD
		off=$(fb_le "$elf" $((ph + 8)) 8)
		paddr=$(fb_le "$elf" $((ph + 24)) 8)
		filesz=$(fb_le "$elf" $((ph + 32)) 8)
		[ "$paddr" -ge "$fb_pref" ] && [ $((paddr + filesz)) -le $((fb_pref + fb_init_size)) ] ||
			{ fb_fail "PT_LOAD at $(fb_hex "$paddr") ($filesz bytes) lies outside pref_address $(fb_hex "$fb_pref") + init_size $(fb_hex "$fb_init_size")"; return; }
		dd if="$elf" of="$out" bs=1M iflag=skip_bytes,count_bytes oflag=seek_bytes conv=notrunc \
			skip="$off" seek=$((paddr - fb_pref)) count="$filesz" 2>/dev/null ||
			{ fb_fail "cannot copy a PT_LOAD segment"; return; }
		[ $((paddr + filesz)) -le "$end" ] || end=$((paddr + filesz))
	done
	[ "$end" -gt 0 ] || { fb_fail "the ELF has no PT_LOAD segment"; return; }
	fb_flat_len=$((end - fb_pref))
	[ "$fb_entry" -ge "$fb_pref" ] && [ "$fb_entry" -lt "$end" ] ||
		fb_fail "the ELF entry point $(fb_hex "$fb_entry") is outside its segments"
}

fb_kernel() {
	local img=$1 cache=$2 key dir tmp
	fb_why=
	fb_header "$img" || return 1
	fb_base=$fb_pref
	key=$(sha256sum "$img" | cut -c1-16)
	dir=$cache/$key
	if [ -f "$dir/info" ] && [ -f "$dir/kernel.flat" ]; then
		# shellcheck disable=SC1091
		. "$dir/info"
		touch "$dir"
		fb_flat=$dir/kernel.flat
		return 0
	fi
	mkdir -p "$cache" || { fb_fail "cannot create $cache"; return; }
	# Entries unused for 30 days go (about 60 MiB each).
	find "$cache" -mindepth 1 -maxdepth 1 -type d -mtime +30 -exec rm -rf {} + 2>/dev/null
	tmp=$(mktemp -d "$cache/.new-XXXXXX") && chmod 755 "$tmp" || { fb_fail "cannot create a directory in $cache"; return; }
	dd if="$img" of="$tmp/payload" bs=1M iflag=skip_bytes,count_bytes \
		skip="$fb_payload_off" count="$fb_payload_len" 2>/dev/null &&
	fb_unpack "$tmp/payload" "$tmp/vmlinux" &&
	fb_flatten "$tmp/vmlinux" "$tmp/kernel.flat" ||
		{ rm -rf "$tmp"; fb_why="$img: ${fb_why:-cannot read its payload}"; return 1; }
	rm -f "$tmp/payload" "$tmp/vmlinux" "$tmp/vmlinux.err"
	printf 'fb_format=%s\nfb_entry=%s\nfb_flat_len=%s\n' "$fb_format" "$fb_entry" "$fb_flat_len" >"$tmp/info"
	# Another lane may have made the same entry meanwhile: either is right.
	mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	[ -f "$dir/kernel.flat" ] || { fb_fail "cannot store $dir"; return; }
	fb_flat=$dir/kernel.flat
}

fb_boot_image() {
	local img=$1 dir=$2 cmdline=$3 initrd=$4 mem_mb=$5 rd_size lim size
	local align=$((2 << 20))
	mkdir -p "$dir" || { fb_fail "cannot create $dir"; return; }
	[ ${#cmdline} -le "$fb_cmdline_max" ] ||
		{ fb_fail "command line of ${#cmdline} bytes, the kernel takes $fb_cmdline_max"; return; }
	rd_size=$(stat -c %s "$initrd") || { fb_fail "no initramfs $initrd"; return; }
	# The initramfs just above what the decompressor may use (pref_address
	# + init_size), the token after it: low in RAM, where the BIOS's own
	# allocations (from the top of RAM down) do not reach.  Once the BIOS
	# is done, lane-boot.S moves the initramfs to the top of RAM, where
	# isolinux puts it.
	fb_initrd_addr=$(((fb_pref + fb_init_size + align - 1) / align * align))
	fb_token_addr=$(((fb_initrd_addr + rd_size + 4095) / 4096 * 4096))
	# Below initrd_addr_max, and 64 MiB below the top of RAM.
	lim=$(((mem_mb - 64) << 20))
	[ $((fb_initrd_max + 1)) -ge "$lim" ] || lim=$((fb_initrd_max + 1))
	[ $((fb_token_addr + 4096)) -le "$lim" ] ||
		{ fb_fail "the initramfs ($rd_size bytes at $(fb_hex "$fb_initrd_addr")) does not fit below $(fb_hex "$lim")"; return; }
	head -c "$fb_setup_len" "$img" >"$dir/setup.bin" &&
	printf '%s\0' "$cmdline" >"$dir/cmdline" &&
	printf LANEBOOT >"$dir/token" || { fb_fail "cannot write into $dir"; return; }
	(cd "$dir" && gcc -c -x assembler-with-cpp -DSETUP_FILE='"setup.bin"' -DCMDLINE_FILE='"cmdline"' \
		-DINITRD_ADDR="$fb_initrd_addr" -DINITRD_SIZE="$rd_size" -DKERNEL_ENTRY="$fb_entry" \
		-DTOKEN_ADDR="$fb_token_addr" -o lane-boot.o "$top/scripts/bochs/lane-boot.S" &&
		objcopy -O binary -j .text lane-boot.o lane-boot.bin) >"$dir/build.log" 2>&1 ||
		{ fb_fail "cannot build the boot stub: $(head -n 3 "$dir/build.log")"; return; }
	size=$(stat -c %s "$dir/lane-boot.bin")
	# The BIOS loads it at 0x7c00; it must end below 0x20000, where the
	# stub copies the command line before the setup code (a 32 KiB setup
	# and a 4 KiB command line end near 0x15000).
	[ $((0x7c00 + size)) -le $((0x20000)) ] ||
		fb_fail "boot stub of $size bytes: too large"
}
