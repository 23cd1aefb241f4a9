/* SPDX-License-Identifier: GPL-2.0-only */
/* Small helpers shared by the host programs and their tests. */
#ifndef HOST_KVMRUN_UTIL_H
#define HOST_KVMRUN_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Who is talking: the name every message starts with ("kvmrun",
 * "run_tests") and the exit status of an internal failure such as running
 * out of memory.  main() sets both before anything can fail.
 */
extern const char *prog_name;
extern int prog_internal_status;

/* "prog_name: message" on stderr (stdout flushed first), then exit(status). */
void die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* Allocation that cannot fail: out of memory dies (prog_internal_status). */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable NUL-terminated string; { 0 } is the empty one. */
struct sbuf {
	char *s;
	size_t len, cap;
};

void sb_add(struct sbuf *sb, const char *s, size_t n);
void sb_puts(struct sbuf *sb, const char *s);
void sb_printf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sb_steal(struct sbuf *sb);	/* the string ("" if empty); sb is reset */
void sb_free(struct sbuf *sb);

/* NULL-terminated string vectors: push a copy; free it all (NULL is fine). */
void strv_push(char ***v, int *n, const char *s);
void strv_free(char **v);

/*
 * Read a whole regular file of at most 'max' bytes into a malloc'ed buffer
 * (NUL-terminated for convenience; *len excludes the NUL).  Reads to EOF,
 * so /proc and /sys files work.  Returns 0, or -1 with "path: reason" in err.
 */
int read_file(const char *path, size_t max, char **buf, size_t *len,
	      char *err, size_t errlen);
/* The same for a text file, which must hold no NUL byte; NULL on error. */
char *read_small_file(const char *path, size_t max, char *err, size_t errlen);

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

/*
 * "Did you mean": the candidate closest to 'word' by edit distance
 * (insertions, deletions, substitutions, adjacent swaps), or NULL when none
 * is close enough to be a typo (at most 2 edits, and fewer than half of
 * the word).  'get' returns candidate i of n.
 */
const char *closest_name(const char *word, const char *(*get)(const void *v, int i),
			 const void *v, int n);

/* Strict decimal / 0x-hex unsigned parse: 0, or -1 on junk or > max. */
int parse_uint(const char *s, uint64_t max, uint64_t *val);

#endif
