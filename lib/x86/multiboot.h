/* SPDX-License-Identifier: GPL-2.0-only */
/* Multiboot v1 (the boot contract in doc/architecture.md): what the loader hands us. */
#ifndef X86_MULTIBOOT_H
#define X86_MULTIBOOT_H

#include "libcflat.h"

#define MULTIBOOT_HEADER_MAGIC		0x1badb002
#define MULTIBOOT_BOOTLOADER_MAGIC	0x2badb002

#define MB_INFO_MEM		BIT(0)
#define MB_INFO_CMDLINE		BIT(2)
#define MB_INFO_MODS		BIT(3)
#define MB_INFO_MMAP		BIT(6)

struct mb_info {
	u32 flags;
	u32 mem_lower;		/* KiB below 1 MiB */
	u32 mem_upper;		/* KiB above 1 MiB */
	u32 boot_device;
	u32 cmdline;
	u32 mods_count;
	u32 mods_addr;
	u32 syms[4];
	u32 mmap_length;
	u32 mmap_addr;
} __attribute__((packed));

struct mb_module {
	u32 start, end;
	u32 string;
	u32 reserved;
} __attribute__((packed));

extern u32 mb_magic;
extern u32 mb_info_addr;

/* Bytes of RAM from the multiboot memory fields (0 when not given). */
u64 mb_ram_size(void);

#endif
