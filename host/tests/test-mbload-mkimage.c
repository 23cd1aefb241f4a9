// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkimage OUT HEXBYTES [BSS]: write a minimal multiboot image whose entry
 * (32-bit protected mode, as kvmrun and QEMU start it) runs the given
 * machine code.  For host/tests/test-kvmrun-cli.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-mbload-image.h"

int main(int argc, char **argv)
{
	static uint8_t code[MKIMG_MAX], img[MKIMG_MAX];
	size_t n = 0, len;
	const char *h;
	FILE *f;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: mkimage OUT HEXBYTES [BSS]\n");
		return 2;
	}
	for (h = argv[2]; *h; h++) {
		unsigned int b;

		if (*h == ' ')
			continue;
		if (sscanf(h, "%2x", &b) != 1 || !h[1] || n == sizeof(code)) {
			fprintf(stderr, "mkimage: bad hex at '%s'\n", h);
			return 2;
		}
		code[n++] = (uint8_t)b;
		h++;
	}
	len = mkimage(img, code, n, argc == 4 ? (uint32_t)strtoul(argv[3], NULL, 0) : 0);
	f = fopen(argv[1], "wb");
	if (!len || !f || fwrite(img, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "mkimage: cannot write %s\n", argv[1]);
		return 2;
	}
	return 0;
}
