/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Force-included (-include) when lib/printf.c, string.c, argv.c and
 * report.c are compiled for the host unit tests: every libcflat function
 * whose name is also a libc function gets a cf_ prefix, so the test
 * program can link the guest code next to libc and call both.
 *
 * The macros are function-like on purpose: they rename declarations,
 * definitions and calls (a name followed by '('), but leave the bare word
 * 'printf' in __attribute__((format(printf, ...))) alone.
 *
 * Keep this list and the #undef list in cflat-host.h in step.
 */
#ifndef CFLAT_RENAME_H
#define CFLAT_RENAME_H

#define vsnprintf(...)	cf_vsnprintf(__VA_ARGS__)
#define snprintf(...)	cf_snprintf(__VA_ARGS__)
#define vprintf(...)	cf_vprintf(__VA_ARGS__)
#define printf(...)	cf_printf(__VA_ARGS__)
#define puts(...)	cf_puts(__VA_ARGS__)
#define strlen(...)	cf_strlen(__VA_ARGS__)
#define strnlen(...)	cf_strnlen(__VA_ARGS__)
#define strcmp(...)	cf_strcmp(__VA_ARGS__)
#define strncmp(...)	cf_strncmp(__VA_ARGS__)
#define strchr(...)	cf_strchr(__VA_ARGS__)
#define strrchr(...)	cf_strrchr(__VA_ARGS__)
#define strstr(...)	cf_strstr(__VA_ARGS__)
#define strncpy(...)	cf_strncpy(__VA_ARGS__)
#define strlcpy(...)	cf_strlcpy(__VA_ARGS__)
#define memset(...)	cf_memset(__VA_ARGS__)
#define memcpy(...)	cf_memcpy(__VA_ARGS__)
#define memmove(...)	cf_memmove(__VA_ARGS__)
#define memcmp(...)	cf_memcmp(__VA_ARGS__)
#define isspace(...)	cf_isspace(__VA_ARGS__)
#define isdigit(...)	cf_isdigit(__VA_ARGS__)
#define getenv(...)	cf_getenv(__VA_ARGS__)
#define exit(...)	cf_exit(__VA_ARGS__)
#define abort(...)	cf_abort(__VA_ARGS__)

#endif
