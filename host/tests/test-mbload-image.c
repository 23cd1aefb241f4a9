// SPDX-License-Identifier: GPL-2.0-only
#include <elf.h>
#include <string.h>

#include "test-mbload-image.h"

size_t mkimage(uint8_t *buf, const uint8_t *code, size_t codelen, uint32_t bss)
{
	size_t len = MKIMG_CODE_OFF + codelen;
	Elf32_Ehdr eh = {
		.e_type = ET_EXEC, .e_machine = EM_386, .e_version = EV_CURRENT,
		.e_entry = MKIMG_LOAD + MKIMG_CODE_OFF, .e_phoff = MKIMG_PHDR_OFF,
		.e_ehsize = sizeof(Elf32_Ehdr), .e_phentsize = sizeof(Elf32_Phdr),
		.e_phnum = 1,
	};
	Elf32_Phdr ph = {
		.p_type = PT_LOAD, .p_offset = 0, .p_vaddr = MKIMG_LOAD,
		.p_paddr = MKIMG_LOAD, .p_filesz = (uint32_t)len,
		.p_memsz = (uint32_t)len + bss, .p_flags = PF_R | PF_W | PF_X,
		.p_align = 4096,
	};
	uint32_t mbh[3] = { 0x1badb002u, 0x3, -(0x1badb002u + 0x3) };

	if (len > MKIMG_MAX)
		return 0;
	memset(buf, 0, MKIMG_MAX);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS32;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + MKIMG_PHDR_OFF, &ph, sizeof(ph));
	memcpy(buf + MKIMG_MBH_OFF, mbh, sizeof(mbh));
	memcpy(buf + MKIMG_CODE_OFF, code, codelen);
	return len;
}
