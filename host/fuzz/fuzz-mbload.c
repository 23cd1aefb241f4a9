// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the multiboot loader (host/kvmrun/mbload.c) on arbitrary
 * images.  Checks what mbload.h promises of an accepted image (a valid
 * multiboot header, 1-16 non-overlapping PT_LOAD segments inside the file
 * and inside guest RAM above 1 MiB, the entry inside one), then loads it
 * into a RAM buffer of exactly the guest's size and checks the copy, and
 * builds the multiboot info with a command line and module from the input.
 */
#include <elf.h>

#include "fuzz.h"
#include "kvmrun/mbload.h"

#define NAME		"fuzz.flat"
#define SMALL_RAM	0x210000ull	/* 2 MiB + 64 KiB: memset stays cheap */
#define BIG_RAM		(1ull << 36)	/* every 32-bit address is RAM */

static uint8_t *ram;

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* PT_LOAD headers with memsz != 0, counted without the loader. */
static unsigned int count_loads(const uint8_t *data, size_t size)
{
	Elf32_Ehdr eh;
	Elf32_Phdr ph;
	unsigned int i, n = 0;

	memcpy(&eh, data, sizeof(eh));
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, data + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		n += ph.p_type == PT_LOAD && ph.p_memsz;
	}
	return n;
}

static void check_image(const uint8_t *data, size_t size, uint64_t ram_size,
			const struct mb_image *img)
{
	size_t limit = size < MB_SEARCH_BYTES ? size : MB_SEARCH_BYTES;
	uint32_t off = img->header_offset, flags = img->header_flags;
	Elf32_Ehdr eh;
	unsigned int i, j;
	bool entry_ok = false;

	fuzz_check(size >= sizeof(eh), "accepted %zu bytes", size);
	memcpy(&eh, data, sizeof(eh));
	fuzz_check(!memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
		   eh.e_ident[EI_CLASS] == ELFCLASS32 && eh.e_machine == EM_386 &&
		   eh.e_type == ET_EXEC && eh.e_phnum >= 1 &&
		   eh.e_phnum <= MB_MAX_PHNUM, "accepted a bad ELF header");
	fuzz_check(img->entry == eh.e_entry, "entry 0x%x, e_entry 0x%x",
		   img->entry, eh.e_entry);
	fuzz_check(off % 4 == 0 && off + 12 <= limit, "header at 0x%x", off);
	fuzz_check(get32(data + off) == MB_HEADER_MAGIC &&
		   get32(data + off + 4) == flags &&
		   (uint32_t)(MB_HEADER_MAGIC + flags + get32(data + off + 8)) == 0,
		   "no valid multiboot header at 0x%x", off);
	fuzz_check(!(flags & (MB_HF_VIDEO_MODE | 0xfff8 | MB_HF_AOUT_KLUDGE)),
		   "accepted header flags 0x%x", flags);
	fuzz_check(img->nsegs >= 1 && img->nsegs <= MB_MAX_SEGS &&
		   img->nsegs == count_loads(data, size),
		   "%u segments, %u PT_LOAD headers", img->nsegs, count_loads(data, size));
	for (i = 0; i < img->nsegs; i++) {
		const struct mb_segment *s = &img->segs[i];
		uint64_t end = (uint64_t)s->paddr + s->memsz;

		fuzz_check(s->memsz && s->filesz <= s->memsz &&
			   (uint64_t)s->offset + s->filesz <= size,
			   "segment %u: file 0x%x+0x%x mem 0x%x", i, s->offset,
			   s->filesz, s->memsz);
		fuzz_check(s->paddr >= MB_LOAD_MIN && end <= ram_size &&
			   end <= 0x100000000ull, "segment %u at 0x%x-0x%llx, RAM 0x%llx",
			   i, s->paddr, (unsigned long long)end,
			   (unsigned long long)ram_size);
		for (j = 0; j < i; j++)
			fuzz_check(end <= img->segs[j].paddr ||
				   img->segs[j].paddr + (uint64_t)img->segs[j].memsz <= s->paddr,
				   "segments %u and %u overlap", j, i);
		entry_ok |= img->entry >= s->paddr && img->entry < end;
	}
	fuzz_check(entry_ok, "entry 0x%x outside the segments", img->entry);
}

static void check_load(const uint8_t *data, const struct mb_image *img)
{
	unsigned int i;
	uint32_t k;

	/* Canaries around every segment: mb_load() writes only inside. */
	for (i = 0; i < img->nsegs; i++) {
		ram[img->segs[i].paddr - 1] = 0xa5;
		if (img->segs[i].paddr + (uint64_t)img->segs[i].memsz < SMALL_RAM)
			ram[img->segs[i].paddr + img->segs[i].memsz] = 0xa5;
	}
	mb_load(data, img, ram);
	for (i = 0; i < img->nsegs; i++) {
		const struct mb_segment *s = &img->segs[i];
		bool before = false, after = false;
		unsigned int j;

		fuzz_check(!memcmp(ram + s->paddr, data + s->offset, s->filesz),
			   "segment %u: file bytes not copied", i);
		for (k = s->filesz; k < s->memsz; k++)
			fuzz_check(!ram[s->paddr + k], "segment %u: bss byte 0x%x", i, k);
		/* A canary may only have been overwritten by a neighbour. */
		for (j = 0; j < img->nsegs; j++) {
			before |= img->segs[j].paddr + img->segs[j].memsz == s->paddr;
			after |= img->segs[j].paddr == s->paddr + s->memsz;
		}
		fuzz_check(before || ram[s->paddr - 1] == 0xa5,
			   "segment %u: byte before it written", i);
		fuzz_check(after || s->paddr + (uint64_t)s->memsz >= SMALL_RAM ||
			   ram[s->paddr + s->memsz] == 0xa5,
			   "segment %u: byte after it written", i);
	}
}

static void check_info(const uint8_t *data, size_t size)
{
	size_t n = size < MB_CMDLINE_MAX + 100 ? size : MB_CMDLINE_MAX + 100, i;
	char *cmdline = fuzz_strndup(data, n);
	struct mb_boot boot = {
		.cmdline = cmdline, .env = (const char *)data, .envlen = size,
		.modname = "fuzz.env",
	};
	char err[256];
	size_t len;
	uint32_t info;

	for (i = 0; i < n; i++)		/* images are full of NULs */
		cmdline[i] = cmdline[i] ? cmdline[i] : ' ';
	len = strlen(cmdline);
	err[0] = 0;
	info = mb_build_info(ram, SMALL_RAM, &boot, err, sizeof(err));
	if (len > MB_CMDLINE_MAX || size > MB_MODULE_MAX) {
		fuzz_check(!info && !strncmp(err, "multiboot info: ", 16) &&
			   fuzz_one_line(err), "long command line: '%s'", err);
	} else {
		fuzz_check(info == MB_INFO_ADDR, "info at 0x%x: %s", info, err);
		fuzz_check(!strcmp((char *)ram + MB_CMDLINE_ADDR, cmdline),
			   "command line not copied");
		fuzz_check(!memcmp(ram + MB_MODULE_ADDR, data, size),
			   "module not copied");
		fuzz_check(get32(ram + MB_MODS_ADDR) == MB_MODULE_ADDR &&
			   get32(ram + MB_MODS_ADDR + 4) == MB_MODULE_ADDR + size,
			   "module bounds");
		fuzz_check(get32(ram + MB_INFO_ADDR + 8) ==
			   (SMALL_RAM - MB_LOAD_MIN) >> 10, "mem_upper");
	}
	free(cmdline);
}

static void check_short_err(const uint8_t *data, size_t size, const char *full,
			    size_t errlen)
{
	char *err = malloc(errlen);	/* exact size: ASan sees any overflow */
	struct mb_image img;

	fuzz_check(mb_parse(NAME, data, size, SMALL_RAM, &img, err, errlen) < 0,
		   "second parse succeeded");
	fuzz_check_cut_err(err, errlen, full);
	free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mb_image small, big;
	char err[512], err2[512];
	int r_small, r_big;

	if (!ram) {
		ram = malloc(SMALL_RAM);	/* exactly the guest's RAM */
		if (!ram)
			abort();
		memset(ram, 0, SMALL_RAM);
	}
	memset(err, 'x', sizeof(err));
	r_small = mb_parse(NAME, data, size, SMALL_RAM, &small, err, sizeof(err));
	r_big = mb_parse(NAME, data, size, BIG_RAM, &big, err2, sizeof(err2));
	fuzz_check((r_small == 0 || r_small == -1) && (r_big == 0 || r_big == -1),
		   "mb_parse returned %d/%d", r_small, r_big);
	/* More RAM never makes an image invalid. */
	fuzz_check(r_small || !r_big, "accepted with 2 MiB, refused with 64 GiB: %s",
		   err2);
	if (r_big == 0)
		check_image(data, size, BIG_RAM, &big);
	if (r_small == 0) {
		fuzz_check(!memcmp(&small, &big, sizeof(small)),
			   "the RAM size changed the parsed image");
		check_image(data, size, SMALL_RAM, &small);
		check_load(data, &small);
	} else {
		fuzz_check(strnlen(err, sizeof(err)) < sizeof(err) &&
			   !strncmp(err, NAME ": ", sizeof(NAME) + 1) &&
			   err[sizeof(NAME) + 1] && fuzz_one_line(err),
			   "error '%s' is not one line \"NAME: message\"", err);
		check_short_err(data, size, err, fuzz_hash(data, size) % 24);
	}
	check_info(data, size);
	return 0;
}
