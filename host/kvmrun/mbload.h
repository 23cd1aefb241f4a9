/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multiboot v1 loader for kvmrun: validates an ELF32 multiboot image held
 * in a buffer, copies its segments into guest RAM and builds the multiboot
 * information.  Pure (no KVM, no files), so host/tests/test-mbload feeds it
 * every kind of malformed image.
 *
 * What is accepted (anything else is an error naming the image and the
 * problem):
 *  - ELF header: ELFCLASS32, little-endian, version 1, ET_EXEC, EM_386,
 *    e_phentsize 32, 1 to MB_MAX_PHNUM program headers inside the file;
 *  - a multiboot header (magic 0x1BADB002, checksum) 4-aligned in the first
 *    8192 bytes, with no required flag other than bit 0 (page-align
 *    modules) and bit 1 (memory information); bit 2 (video mode) and bit 16
 *    (a.out load addresses) are not supported;
 *  - PT_LOAD segments (other types are ignored, empty ones skipped): filesz
 *    <= memsz, the file bytes inside the file, paddr + memsz without 32-bit
 *    overflow, at or above 1 MiB (below it is the info area) and inside
 *    guest RAM, no two overlapping; at most MB_MAX_SEGS of them;
 *  - e_entry inside a loaded segment.
 *
 * Memory the loader uses below 1 MiB: the info, memory map and module list
 * from MB_INFO_ADDR, the command line at MB_CMDLINE_ADDR, the module (the
 * KEY=VALUE environment) page-aligned at MB_MODULE_ADDR.
 */
#ifndef HOST_MBLOAD_H
#define HOST_MBLOAD_H

#include <stddef.h>
#include <stdint.h>

#define MB_HEADER_MAGIC		0x1badb002u
#define MB_LOADER_MAGIC		0x2badb002u	/* EAX at entry */
#define MB_SEARCH_BYTES		8192u
#define MB_MAX_PHNUM		64u
#define MB_MAX_SEGS		16u
#define MB_LOAD_MIN		0x100000u	/* segments start at or above 1 MiB */

/* multiboot header flags */
#define MB_HF_PAGE_ALIGN	(1u << 0)
#define MB_HF_MEMORY_INFO	(1u << 1)
#define MB_HF_VIDEO_MODE	(1u << 2)
#define MB_HF_AOUT_KLUDGE	(1u << 16)

/* multiboot info flags this loader sets */
#define MB_INFO_MEM		(1u << 0)
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MODS		(1u << 3)
#define MB_INFO_MMAP		(1u << 6)

/* Guest-physical layout of what the loader writes below 1 MiB. */
#define MB_INFO_ADDR		0x10000u	/* struct multiboot_info, 128 bytes */
#define MB_MMAP_ADDR		0x10080u	/* 2 entries of 24 bytes */
#define MB_MODS_ADDR		0x100c0u	/* 1 module of 16 bytes */
#define MB_MODNAME_ADDR		0x10100u	/* module string */
#define MB_MODNAME_MAX		255u
#define MB_CMDLINE_ADDR		0x11000u
#define MB_CMDLINE_MAX		4095u		/* bytes, without the NUL */
#define MB_MODULE_ADDR		0x12000u
#define MB_MODULE_MAX		65536u		/* bytes of environment */
#define MB_LOW_MEM_END		0x9fc00u	/* conventional memory: 639 KiB */

struct mb_segment {
	uint32_t offset;	/* in the file */
	uint32_t paddr;
	uint32_t filesz;
	uint32_t memsz;
};

struct mb_image {
	uint32_t entry;
	uint32_t header_offset;	/* of the multiboot header in the file */
	uint32_t header_flags;
	unsigned int nsegs;
	struct mb_segment segs[MB_MAX_SEGS];
};

/*
 * Validate the 'len' bytes at 'buf' as an image for a guest with 'ram_size'
 * bytes of RAM at address 0.  Returns 0, or -1 with "name: message" in err.
 */
int mb_parse(const char *name, const void *buf, size_t len, uint64_t ram_size,
	     struct mb_image *img, char *err, size_t errlen);

/* Copy the segments of a parsed image into 'ram' and zero their bss. */
void mb_load(const void *buf, const struct mb_image *img, void *ram);

struct mb_boot {
	const char *cmdline;	/* NUL-terminated, at most MB_CMDLINE_MAX */
	const char *env;	/* the module's bytes */
	size_t envlen;		/* at most MB_MODULE_MAX */
	const char *modname;	/* the module's string, at most MB_MODNAME_MAX */
};

/*
 * Write the multiboot info (memory sizes, command line, one module, memory
 * map) into 'ram' (ram_size bytes, at least 2 MiB).  Returns the info's
 * guest-physical address (EBX at entry), or 0 with a message in err when
 * something does not fit.
 */
uint32_t mb_build_info(void *ram, uint64_t ram_size, const struct mb_boot *boot,
		       char *err, size_t errlen);

#endif
