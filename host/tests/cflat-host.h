/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libcflat's declarations for a host test program that also uses libc:
 * include this after every libc header.  It declares the guest library's
 * libc-like functions under their cf_ names (see cflat-rename.h), then
 * drops the renaming so that printf() and friends are libc's again.
 */
#ifndef CFLAT_HOST_H
#define CFLAT_HOST_H

#include "cflat-rename.h"
#include "libcflat.h"

#undef vsnprintf
#undef snprintf
#undef vprintf
#undef printf
#undef puts
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strstr
#undef strncpy
#undef strlcpy
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef isspace
#undef isdigit
#undef getenv
#undef exit
#undef abort

/* libcflat.h's assert() reports through the guest library; tests use it. */

#endif
