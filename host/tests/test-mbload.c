// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the multiboot loader (host/kvmrun/mbload.c): a valid image built
 * here byte by byte, every kind of malformed image with the exact error,
 * truncation at every length, loading, and the multiboot info.  Runs under
 * ASan+UBSan, so an out-of-bounds read on a bad image fails the test.
 */
#include <elf.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "kvmrun/mbload.h"
#include "util/util.h"
#include "test-kvmrun.h"
#include "test-mbload-image.h"

#define RAM	(64ull << 20)

static const uint8_t hang[] = { 0xeb, 0xfe };	/* jmp . */
static uint8_t img[16384];
static size_t img_len;

static void put16(size_t off, uint16_t v)
{
	memcpy(img + off, &v, 2);
}

static void put32(size_t off, uint32_t v)
{
	memcpy(img + off, &v, 4);
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, 4);
	return v;
}

static void fresh(void)
{
	memset(img, 0, sizeof(img));
	img_len = mkimage(img, hang, sizeof(hang), 0);
}

/* Multiboot header flags with a matching checksum. */
static void mb_flags(size_t off, uint32_t flags)
{
	put32(off, MB_HEADER_MAGIC);
	put32(off + 4, flags);
	put32(off + 8, -(MB_HEADER_MAGIC + flags));
}

#define PH(field) (MKIMG_PHDR_OFF + offsetof(Elf32_Phdr, field))
#define EH(field) (offsetof(Elf32_Ehdr, field))

static void m_magic(void) { img[0] = 0; }
static void m_class(void) { img[EI_CLASS] = ELFCLASS64; }
static void m_data(void) { img[EI_DATA] = ELFDATA2MSB; }
static void m_version(void) { img[EI_VERSION] = 0; }
static void m_type(void) { put16(EH(e_type), ET_DYN); }
static void m_machine(void) { put16(EH(e_machine), EM_X86_64); }
static void m_phentsize(void) { put16(EH(e_phentsize), 0); }
static void m_phnum0(void) { put16(EH(e_phnum), 0); }
static void m_phnum65(void) { put16(EH(e_phnum), 65); }
static void m_phnum_huge(void) { put16(EH(e_phnum), 0xffff); }
static void m_phnum2(void) { put16(EH(e_phnum), 2); }
static void m_ph_short(void) { img_len = MKIMG_PHDR_OFF + sizeof(Elf32_Phdr) - 1; }
static void m_phoff(void) { put32(EH(e_phoff), 0xffffffff); }
static void m_no_mbh(void) { put32(MKIMG_MBH_OFF, 0); }
static void m_checksum(void) { put32(MKIMG_MBH_OFF + 8, get32(img, MKIMG_MBH_OFF + 8) + 1); }
static void m_video(void) { mb_flags(MKIMG_MBH_OFF, 0x7); }
static void m_flag5(void) { mb_flags(MKIMG_MBH_OFF, 0x23); }
static void m_aout(void) { mb_flags(MKIMG_MBH_OFF, 0x10003); }
static void m_optional(void) { mb_flags(MKIMG_MBH_OFF, 0x100003); }
static void m_misaligned(void)
{
	memset(img + MKIMG_MBH_OFF, 0, 12);
	mb_flags(MKIMG_MBH_OFF + 2, 0x3);
}

static void mbh_at(size_t off)
{
	put32(MKIMG_MBH_OFF, 0);
	mb_flags(off, 0x3);
	img_len = off + 12;
}

static void m_mbh_last(void) { mbh_at(8192 - 12); }
static void m_mbh_late(void) { mbh_at(8192 - 8); }
static void m_filesz(void) { put32(PH(p_memsz), 10); }
static void m_file_end(void)
{
	put32(PH(p_filesz), (uint32_t)img_len + 1);
	put32(PH(p_memsz), (uint32_t)img_len + 1);
}
static void m_offset(void) { put32(PH(p_offset), 0xffffff00); }
static void m_overflow(void) { put32(PH(p_paddr), 0xffffff00); put32(PH(p_memsz), 0x200); }
static void m_low(void) { put32(PH(p_paddr), 0xff000); }
static void m_beyond(void) { put32(PH(p_paddr), (uint32_t)RAM - 16); }
static void m_ram_end1(void)
{
	uint32_t p = (uint32_t)(RAM - img_len + 1);

	put32(PH(p_paddr), p);
	put32(EH(e_entry), p + MKIMG_CODE_OFF);
}
static void m_ram_end(void)
{
	uint32_t p = (uint32_t)(RAM - img_len);

	put32(PH(p_paddr), p);
	put32(EH(e_entry), p + MKIMG_CODE_OFF);
}
static void m_entry(void) { put32(EH(e_entry), 0x200000); }
static void m_entry_bss(void)
{
	put32(PH(p_memsz), 0x1000);
	put32(EH(e_entry), MKIMG_LOAD + 0xfff);
}
static void m_entry_end(void) { put32(EH(e_entry), MKIMG_LOAD + (uint32_t)img_len); }
static void m_no_load(void) { put32(PH(p_type), PT_NOTE); }
static void m_empty_load(void)
{
	/* A second, empty PT_LOAD is skipped, not an overlap. */
	Elf32_Phdr ph = { .p_type = PT_LOAD, .p_paddr = MKIMG_LOAD };

	memcpy(img + img_len, img + MKIMG_PHDR_OFF, sizeof(ph));
	memcpy(img + img_len + sizeof(ph), &ph, sizeof(ph));
	put32(EH(e_phoff), (uint32_t)img_len);
	put16(EH(e_phnum), 2);
	img_len += 2 * sizeof(ph);
}

/* n program headers at the end of the file, all loading 1 byte. */
static void extra_phdrs(unsigned int n, bool overlap)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		Elf32_Phdr ph = {
			.p_type = PT_LOAD, .p_offset = 0, .p_filesz = i ? 1 : (uint32_t)img_len,
			.p_memsz = i ? 1 : (uint32_t)img_len,
			.p_paddr = MKIMG_LOAD + (overlap ? 0 : (i ? 0x10000 * i : 0)),
		};

		memcpy(img + img_len + i * sizeof(ph), &ph, sizeof(ph));
	}
	put32(EH(e_phoff), (uint32_t)img_len);
	put16(EH(e_phnum), (uint16_t)n);
	img_len += n * sizeof(Elf32_Phdr);
}

static void m_overlap(void) { extra_phdrs(2, true); }
static void m_many(void) { extra_phdrs(17, false); }
static void m_sixteen(void) { extra_phdrs(16, false); }
static void m_short(void) { img_len = 51; }
static void m_zero(void) { img_len = 0; }

static const struct bad_image {
	const char *name;
	void (*mutate)(void);
	const char *error;	/* NULL: must be accepted */
} cases[] = {
	{ "valid image", NULL, NULL },
	{ "bad ELF magic", m_magic, "img: not an ELF file (bad magic)" },
	{ "ELFCLASS64", m_class, "img: ELF class 2, want ELFCLASS32 (a multiboot image is ELF32)" },
	{ "big-endian", m_data, "img: ELF data encoding 2, want little-endian" },
	{ "ELF version 0", m_version, "img: ELF version 0/1, want 1" },
	{ "ET_DYN", m_type, "img: ELF type 3, want ET_EXEC" },
	{ "EM_X86_64", m_machine, "img: ELF machine 62, want EM_386" },
	{ "e_phentsize 0", m_phentsize, "img: e_phentsize 0, want 32" },
	{ "no program headers", m_phnum0, "img: no program headers" },
	{ "65 program headers", m_phnum65, "img: 65 program headers, at most 64 supported" },
	{ "65535 program headers", m_phnum_huge, "img: 65535 program headers, at most 64 supported" },
	{ "program headers past the end", m_phnum2,
	  "img: program headers at 0x34-0x74 are beyond the end of the file (98 bytes)" },
	{ "program headers one byte past the end", m_ph_short,
	  "img: program headers at 0x34-0x54 are beyond the end of the file (83 bytes)" },
	{ "e_phoff 0xffffffff", m_phoff,
	  "img: program headers at 0xffffffff-0x10000001f are beyond the end of the file (98 bytes)" },
	{ "no multiboot header", m_no_mbh,
	  "img: no multiboot header (magic 0x1badb002) in the first 8192 bytes" },
	{ "bad checksum", m_checksum, "img: multiboot header at offset 0x54 has a bad checksum" },
	{ "video mode flag", m_video, "img: multiboot flag 2 (video mode) is not supported" },
	{ "unknown required flag", m_flag5, "img: unknown required multiboot flags 0x20" },
	{ "a.out kludge flag", m_aout, "img: multiboot flag 16 (a.out load addresses) is not "
	  "supported: kvmrun loads ELF program headers" },
	{ "unknown optional flag", m_optional, NULL },
	{ "misaligned multiboot header", m_misaligned,
	  "img: no multiboot header (magic 0x1badb002) in the first 8192 bytes" },
	{ "multiboot header ending at 8192", m_mbh_last, NULL },
	{ "multiboot header crossing 8192", m_mbh_late,
	  "img: no multiboot header (magic 0x1badb002) in the first 8192 bytes" },
	{ "filesz > memsz", m_filesz, "img: segment 0: filesz 0x62 > memsz 0xa" },
	{ "segment past the end of the file", m_file_end,
	  "img: segment 0: file bytes 0x0-0x63 beyond the end of the file (98 bytes)" },
	{ "p_offset 0xffffff00", m_offset,
	  "img: segment 0: file bytes 0xffffff00-0xffffff62 beyond the end of the file (98 bytes)" },
	{ "paddr + memsz overflows", m_overflow,
	  "img: segment 0: paddr 0xffffff00 + memsz 0x200 overflows 32 bits" },
	{ "segment below 1 MiB", m_low,
	  "img: segment 0: paddr 0xff000 is below 1 MiB (the loader's info area)" },
	{ "segment beyond RAM", m_beyond,
	  "img: segment 0: 0x3fffff0-0x4000051 is beyond guest RAM (64 MiB)" },
	{ "segment ending at the end of RAM", m_ram_end, NULL },
	{ "segment ending 1 byte past RAM", m_ram_end1,
	  "img: segment 0: 0x3ffff9f-0x4000000 is beyond guest RAM (64 MiB)" },
	{ "entry outside the segments", m_entry,
	  "img: entry point 0x200000 is not inside a loaded segment" },
	{ "entry in the bss", m_entry_bss, NULL },
	{ "entry right after the segment", m_entry_end,
	  "img: entry point 0x100062 is not inside a loaded segment" },
	{ "no PT_LOAD", m_no_load, "img: no loadable segment" },
	{ "empty PT_LOAD skipped", m_empty_load, NULL },
	{ "overlapping segments", m_overlap,
	  "img: segment 1 overlaps an earlier segment at 0x100000" },
	{ "16 segments", m_sixteen, NULL },
	{ "17 segments", m_many, "img: more than 16 loadable segments" },
	{ "51 bytes", m_short, "img: truncated: 51 bytes, an ELF32 header needs 52" },
	{ "0 bytes", m_zero, "img: truncated: 0 bytes, an ELF32 header needs 52" },
};

static void test_cases(void)
{
	struct mb_image mi;
	char err[256], name[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_image *c = &cases[i];
		int r;

		fresh();
		if (c->mutate)
			c->mutate();
		err[0] = 0;
		r = mb_parse("img", img, img_len, RAM, &mi, err, sizeof(err));
		snprintf(name, sizeof(name), "mbload: %s", c->name);
		if (c->error)
			check_str(name, c->error, r ? err : "(accepted)");
		else
			check_str(name, "(accepted)", r ? err : "(accepted)");
	}
}

/* Every truncation of the valid image is rejected (and read in bounds). */
static void test_truncation(void)
{
	struct mb_image mi;
	char err[256];
	size_t len, accepted = 0;

	fresh();
	for (len = 0; len < img_len; len++) {
		uint8_t *copy = malloc(len ? len : 1);

		memcpy(copy, img, len);
		accepted += !mb_parse("img", copy, len, RAM, &mi, err, sizeof(err));
		free(copy);
	}
	check_u64("mbload: every truncation of a valid image is rejected", 0, accepted);
}

static void test_load(void)
{
	uint8_t *ram = malloc(2 << 20);
	struct mb_image mi;
	char err[256];
	bool same, zero = true;
	size_t i;

	fresh();
	put32(PH(p_memsz), (uint32_t)img_len + 0x100);
	memset(ram, 0xaa, 2 << 20);
	if (mb_parse("img", img, img_len, 2 << 20, &mi, err, sizeof(err))) {
		check_str("mbload: load: parse", "(accepted)", err);
		free(ram);
		return;
	}
	mb_load(img, &mi, ram);
	same = !memcmp(ram + MKIMG_LOAD, img, img_len);
	for (i = 0; i < 0x100; i++)
		zero &= ram[MKIMG_LOAD + img_len + i] == 0;
	check_true("mbload: load: file bytes copied to paddr", same);
	check_true("mbload: load: bss zeroed", zero);
	check_u64("mbload: load: byte after the bss untouched", 0xaa,
		  ram[MKIMG_LOAD + img_len + 0x100]);
	check_u64("mbload: load: entry", MKIMG_LOAD + MKIMG_CODE_OFF, mi.entry);
	check_u64("mbload: load: header flags", 3, mi.header_flags);
	free(ram);
}

static void test_info(void)
{
	const uint64_t ram_size = 64ull << 20;
	uint8_t *ram = calloc(1, ram_size);
	static char big[MB_MODULE_MAX + 2];
	struct mb_boot b = {
		.cmdline = "x86/t.flat a b", .env = "A=1\nB=2\n", .envlen = 8,
		.modname = "kvmrun-env",
	};
	char err[256];
	uint32_t info = mb_build_info(ram, ram_size, &b, err, sizeof(err));
	const uint8_t *mi = ram + info, *mmap, *mod;

	check_u64("mbload: info: address", MB_INFO_ADDR, info);
	check_u64("mbload: info: flags mem|cmdline|mods|mmap", 0x4d, get32(mi, 0));
	check_u64("mbload: info: mem_lower", 640, get32(mi, 4));
	check_u64("mbload: info: mem_upper", 63 * 1024, get32(mi, 8));
	check_str("mbload: info: cmdline", "x86/t.flat a b", (char *)ram + get32(mi, 16));
	check_u64("mbload: info: mods_count", 1, get32(mi, 20));
	mod = ram + get32(mi, 24);
	check_u64("mbload: info: module page-aligned", 0, get32(mod, 0) & 0xfff);
	check_u64("mbload: info: module length", 8, get32(mod, 4) - get32(mod, 0));
	check_true("mbload: info: module contents", !memcmp(ram + get32(mod, 0), "A=1\nB=2\n", 8));
	check_str("mbload: info: module string", "kvmrun-env", (char *)ram + get32(mod, 8));
	check_u64("mbload: info: mmap_length", 48, get32(mi, 44));
	mmap = ram + get32(mi, 48);
	check_true("mbload: info: mmap 0-0x9fc00 available",
		   get32(mmap, 0) == 20 && get32(mmap, 4) == 0 && get32(mmap, 12) == 0x9fc00 &&
		   get32(mmap, 20) == 1);
	check_true("mbload: info: mmap 1 MiB-end available",
		   get32(mmap, 24) == 20 && get32(mmap, 28) == 0x100000 &&
		   get32(mmap, 36) == ram_size - 0x100000 && get32(mmap, 44) == 1);
	check_true("mbload: info: all below 1 MiB", MB_MODULE_ADDR + MB_MODULE_MAX < MB_LOW_MEM_END);

	memset(big, 'x', MB_CMDLINE_MAX + 1);
	big[MB_CMDLINE_MAX + 1] = 0;
	b.cmdline = big;
	info = mb_build_info(ram, ram_size, &b, err, sizeof(err));
	check_str("mbload: info: command line too long",
		  "multiboot info: command line of 4096 bytes is over 4095", info ? "(ok)" : err);
	b.cmdline = "x";
	b.env = big;
	b.envlen = MB_MODULE_MAX + 1;
	info = mb_build_info(ram, ram_size, &b, err, sizeof(err));
	check_str("mbload: info: environment too large",
		  "multiboot info: environment of 65537 bytes is over 65536", info ? "(ok)" : err);
	b.envlen = MB_MODULE_MAX;
	info = mb_build_info(ram, ram_size, &b, err, sizeof(err));
	check_str("mbload: info: environment of 64 KiB fits", "(ok)", info ? "(ok)" : err);
	info = mb_build_info(ram, 1 << 20, &b, err, sizeof(err));
	check_str("mbload: info: 1 MiB of RAM",
		  "multiboot info: guest RAM of 1048576 bytes is under 2 MiB", info ? "(ok)" : err);
	free(ram);
}

static void test_selftest_image(void)
{
	const char *path = "x86/selftest.flat";
	struct mb_image mi;
	char err[512], *buf;
	size_t len;

	if (read_file(path, 64 << 20, &buf, &len, err, sizeof(err))) {
		printf("SKIP: mbload: %s (%s; run make first)\n", path, err);
		return;
	}
	check_str("mbload: x86/selftest.flat parses", "(accepted)",
		  mb_parse(path, buf, len, RAM, &mi, err, sizeof(err)) ? err : "(accepted)");
	check_u64("mbload: x86/selftest.flat loads at 4 MiB", 0x400000, mi.segs[0].paddr);
	if (mb_parse(path, buf, len, 4 << 20, &mi, err, sizeof(err)))
		pass_fail(strstr(err, ": segment 0: 0x400000-") &&
			  strstr(err, " is beyond guest RAM (4 MiB)"),
			  "mbload: x86/selftest.flat does not fit in 4 MiB (%s)", err);
	else
		pass_fail(false, "mbload: x86/selftest.flat does not fit in 4 MiB (accepted)");
	free(buf);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_cases();
	test_truncation();
	test_load();
	test_info();
	test_selftest_image();
	return test_exit();
}
