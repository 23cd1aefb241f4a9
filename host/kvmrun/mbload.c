// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multiboot v1 loader (rules: host/kvmrun/mbload.h).  All arithmetic on values
 * from the file is done in 64 bits, so no field can wrap a check.
 */
#include <elf.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"
#include "mbload.h"

#define FAIL(...) errf_at(err, errlen, name, 0, __VA_ARGS__)

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);	/* x86 hosts only: the image is little-endian */
	return v;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static bool name_ends(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	return n > k && !strcmp(name + n - k, suffix);
}

static int check_ehdr(const char *name, const Elf32_Ehdr *eh, size_t len,
		      char *err, size_t errlen)
{
	uint64_t ph_end;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return FAIL("not an ELF file (bad magic)");
	/* x86/NAME.elf is the ELF64 link step of x86/NAME.flat: say so. */
	if (eh->e_ident[EI_CLASS] == ELFCLASS64 && name_ends(name, ".elf"))
		return FAIL("an ELF64 file, want ELFCLASS32 (a multiboot image is ELF32): "
			    "run %.*s.flat, which make builds from it",
			    (int)(strlen(name) - 4), name);
	if (eh->e_ident[EI_CLASS] != ELFCLASS32)
		return FAIL("ELF class %u, want ELFCLASS32 (a multiboot image is ELF32)",
			    eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return FAIL("ELF data encoding %u, want little-endian", eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return FAIL("ELF version %u/%u, want 1", eh->e_ident[EI_VERSION], eh->e_version);
	if (eh->e_type != ET_EXEC)
		return FAIL("ELF type %u, want ET_EXEC", eh->e_type);
	if (eh->e_machine != EM_386)
		return FAIL("ELF machine %u, want EM_386", eh->e_machine);
	if (eh->e_phentsize != sizeof(Elf32_Phdr))
		return FAIL("e_phentsize %u, want %zu", eh->e_phentsize, sizeof(Elf32_Phdr));
	if (eh->e_phnum == 0)
		return FAIL("no program headers");
	if (eh->e_phnum > MB_MAX_PHNUM)
		return FAIL("%u program headers, at most %u supported", eh->e_phnum,
			    MB_MAX_PHNUM);
	ph_end = (uint64_t)eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr);
	if (ph_end > len)
		return FAIL("program headers at 0x%x-0x%llx are beyond the end of the file "
			    "(%zu bytes)", eh->e_phoff, (unsigned long long)ph_end, len);
	return 0;
}

static int find_mb_header(const char *name, const uint8_t *p, size_t len,
			  struct mb_image *img, char *err, size_t errlen)
{
	size_t limit = len < MB_SEARCH_BYTES ? len : MB_SEARCH_BYTES;
	long bad_sum_at = -1;
	uint32_t flags;
	size_t off;

	for (off = 0; off + 12 <= limit; off += 4) {
		if (get32(p + off) != MB_HEADER_MAGIC)
			continue;
		flags = get32(p + off + 4);
		if ((uint32_t)(MB_HEADER_MAGIC + flags + get32(p + off + 8)) == 0)
			break;
		if (bad_sum_at < 0)
			bad_sum_at = (long)off;
	}
	if (off + 12 > limit) {
		if (bad_sum_at >= 0)
			return FAIL("multiboot header at offset 0x%lx has a bad checksum",
				    bad_sum_at);
		return FAIL("no multiboot header (magic 0x%x) in the first %u bytes",
			    MB_HEADER_MAGIC, MB_SEARCH_BYTES);
	}
	if (flags & MB_HF_VIDEO_MODE)
		return FAIL("multiboot flag 2 (video mode) is not supported");
	if (flags & 0xfff8)
		return FAIL("unknown required multiboot flags 0x%x", flags & 0xfff8);
	if (flags & MB_HF_AOUT_KLUDGE)
		return FAIL("multiboot flag 16 (a.out load addresses) is not supported: "
			    "kvmrun loads ELF program headers");
	img->header_offset = (uint32_t)off;
	img->header_flags = flags;
	return 0;
}

static int add_segment(const char *name, const Elf32_Phdr *ph, unsigned int i,
		       size_t len, uint64_t ram_size, struct mb_image *img,
		       char *err, size_t errlen)
{
	uint64_t file_end = (uint64_t)ph->p_offset + ph->p_filesz;
	uint64_t mem_end = (uint64_t)ph->p_paddr + ph->p_memsz;
	unsigned int j;

	if (ph->p_filesz > ph->p_memsz)
		return FAIL("segment %u: filesz 0x%x > memsz 0x%x", i, ph->p_filesz,
			    ph->p_memsz);
	if (file_end > len)
		return FAIL("segment %u: file bytes 0x%x-0x%llx beyond the end of the file "
			    "(%zu bytes)", i, ph->p_offset, (unsigned long long)file_end, len);
	if (mem_end > 0x100000000ull)
		return FAIL("segment %u: paddr 0x%x + memsz 0x%x overflows 32 bits", i,
			    ph->p_paddr, ph->p_memsz);
	if (ph->p_paddr < MB_LOAD_MIN)
		return FAIL("segment %u: paddr 0x%x is below 1 MiB (the loader's info area)",
			    i, ph->p_paddr);
	if (mem_end > ram_size)
		return FAIL("segment %u: 0x%x-0x%llx is beyond guest RAM (%llu MiB)", i,
			    ph->p_paddr, (unsigned long long)mem_end - 1,
			    (unsigned long long)(ram_size >> 20));
	for (j = 0; j < img->nsegs; j++) {
		const struct mb_segment *s = &img->segs[j];

		if (ph->p_paddr < (uint64_t)s->paddr + s->memsz && s->paddr < mem_end)
			return FAIL("segment %u overlaps an earlier segment at 0x%x", i,
				    s->paddr);
	}
	if (img->nsegs == MB_MAX_SEGS)
		return FAIL("more than %u loadable segments", MB_MAX_SEGS);
	img->segs[img->nsegs++] = (struct mb_segment){
		.offset = ph->p_offset, .paddr = ph->p_paddr,
		.filesz = ph->p_filesz, .memsz = ph->p_memsz,
	};
	return 0;
}

static int check_entry(const char *name, const struct mb_image *img,
		       char *err, size_t errlen)
{
	unsigned int i;

	for (i = 0; i < img->nsegs; i++) {
		const struct mb_segment *s = &img->segs[i];

		if (img->entry >= s->paddr && img->entry - s->paddr < s->memsz)
			return 0;
	}
	return FAIL("entry point 0x%x is not inside a loaded segment", img->entry);
}

int mb_parse(const char *name, const void *buf, size_t len, uint64_t ram_size,
	     struct mb_image *img, char *err, size_t errlen)
{
	const uint8_t *p = buf;
	Elf32_Ehdr eh;
	unsigned int i;

	memset(img, 0, sizeof(*img));
	if (len < sizeof(eh))
		return FAIL("truncated: %zu bytes, an ELF32 header needs %zu", len, sizeof(eh));
	memcpy(&eh, p, sizeof(eh));
	if (check_ehdr(name, &eh, len, err, errlen) ||
	    find_mb_header(name, p, len, img, err, errlen))
		return -1;
	for (i = 0; i < eh.e_phnum; i++) {
		Elf32_Phdr ph;

		memcpy(&ph, p + eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (add_segment(name, &ph, i, len, ram_size, img, err, errlen))
			return -1;
	}
	if (!img->nsegs)
		return FAIL("no loadable segment");
	img->entry = eh.e_entry;
	return check_entry(name, img, err, errlen);
}

void mb_load(const void *buf, const struct mb_image *img, void *ram)
{
	unsigned int i;

	for (i = 0; i < img->nsegs; i++) {
		const struct mb_segment *s = &img->segs[i];
		uint8_t *dst = (uint8_t *)ram + s->paddr;

		memcpy(dst, (const uint8_t *)buf + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
}

static void put_mmap_entry(uint8_t *e, uint64_t base, uint64_t len)
{
	put32(e, 20);		/* size of the rest of the entry */
	put64(e + 4, base);
	put64(e + 12, len);
	put32(e + 20, 1);	/* available RAM */
}

uint32_t mb_build_info(void *ram, uint64_t ram_size, const struct mb_boot *b,
		       char *err, size_t errlen)
{
	const char *name = "multiboot info";
	uint8_t *m = ram, *info = m + MB_INFO_ADDR, *mod = m + MB_MODS_ADDR;
	size_t cmdlen = strlen(b->cmdline), namelen = strlen(b->modname);
	uint64_t top = ram_size < 0x100000000ull ? ram_size : 0x100000000ull;

	if (ram_size < 2 * MB_LOAD_MIN)
		return FAIL("guest RAM of %llu bytes is under 2 MiB",
			    (unsigned long long)ram_size), 0;
	if (cmdlen > MB_CMDLINE_MAX)
		return FAIL("command line of %zu bytes is over %u", cmdlen,
			    MB_CMDLINE_MAX), 0;
	if (namelen > MB_MODNAME_MAX)
		return FAIL("module name of %zu bytes is over %u", namelen,
			    MB_MODNAME_MAX), 0;
	if (b->envlen > MB_MODULE_MAX)
		return FAIL("environment of %zu bytes is over %u", b->envlen,
			    MB_MODULE_MAX), 0;

	memset(m + MB_INFO_ADDR, 0, MB_MODULE_ADDR - MB_INFO_ADDR);
	memcpy(m + MB_CMDLINE_ADDR, b->cmdline, cmdlen + 1);
	memcpy(m + MB_MODNAME_ADDR, b->modname, namelen + 1);
	memcpy(m + MB_MODULE_ADDR, b->env, b->envlen);

	put32(mod, MB_MODULE_ADDR);
	put32(mod + 4, MB_MODULE_ADDR + (uint32_t)b->envlen);
	put32(mod + 8, MB_MODNAME_ADDR);
	put_mmap_entry(m + MB_MMAP_ADDR, 0, MB_LOW_MEM_END);
	put_mmap_entry(m + MB_MMAP_ADDR + 24, MB_LOAD_MIN, ram_size - MB_LOAD_MIN);

	put32(info, MB_INFO_MEM | MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MMAP);
	put32(info + 4, 640);					/* mem_lower, as QEMU */
	put32(info + 8, (uint32_t)((top - MB_LOAD_MIN) >> 10));	/* mem_upper */
	put32(info + 16, MB_CMDLINE_ADDR);
	put32(info + 20, 1);					/* mods_count */
	put32(info + 24, MB_MODS_ADDR);
	put32(info + 44, 2 * 24);				/* mmap_length */
	put32(info + 48, MB_MMAP_ADDR);
	return MB_INFO_ADDR;
}
