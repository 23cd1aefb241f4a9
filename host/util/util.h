/* SPDX-License-Identifier: GPL-2.0-only */
/* Small helpers shared by kvmrun, ioctl-test and their unit tests. */
#ifndef HOST_KVMRUN_UTIL_H
#define HOST_KVMRUN_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* A growable NUL-terminated string. */
struct sbuf {
	char *p;
	size_t len, cap;
};

/* Append; aborts the program on allocation failure (host tools only). */
void sbuf_add(struct sbuf *b, const char *s, size_t len);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_free(struct sbuf *b);

/*
 * Read a whole regular file of at most 'max' bytes into a malloc'ed buffer
 * (NUL-terminated for convenience; *len excludes the NUL).  Returns 0, or
 * -1 with "path: reason" in err.
 */
int read_file(const char *path, size_t max, char **buf, size_t *len,
	      char *err, size_t errlen);

/*
 * "file:line: message" (or "file: message" when line is 0) into err, cut
 * to errlen; returns -1 so that a parser can "return errf_at(...);".  The
 * one error format of every input file kvmrun reads.
 */
int verrf_at(char *err, size_t errlen, const char *file, unsigned int line,
	     const char *fmt, va_list ap);
int errf_at(char *err, size_t errlen, const char *file, unsigned int line,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* "EINVAL" for EINVAL, "0" for 0; NULL for numbers it does not know. */
const char *errno_name(int e);
/* errno_name(), or "errno N" in buf for unknown numbers. */
const char *errno_str(int e, char *buf, size_t size);
/* The inverse: "EINVAL" -> EINVAL, "0" -> 0, -1 for unknown names. */
int errno_parse(const char *name);

/* Strict decimal / 0x-hex unsigned parse: 0, or -1 on junk or > max. */
int parse_uint(const char *s, uint64_t max, uint64_t *val);

#endif
