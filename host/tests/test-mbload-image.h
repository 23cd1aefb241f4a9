/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal multiboot ELF32 images for the loader's tests and the CLI test:
 * ELF header, one program header, the multiboot header and the code, all
 * in one PT_LOAD segment at MKIMG_LOAD (1 MiB), entry at the code.
 */
#ifndef TEST_MBLOAD_IMAGE_H
#define TEST_MBLOAD_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define MKIMG_PHDR_OFF	52
#define MKIMG_MBH_OFF	84
#define MKIMG_CODE_OFF	96
#define MKIMG_LOAD	0x100000u
#define MKIMG_MAX	4096

/* Build into buf (MKIMG_MAX bytes); returns the image size. */
size_t mkimage(uint8_t *buf, const uint8_t *code, size_t codelen, uint32_t bss);

#endif
