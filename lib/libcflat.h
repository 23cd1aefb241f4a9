/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libcflat: the freestanding guest library (no libc).
 *
 * The generic parts (printf, string, argv/env, report) are plain C with no
 * x86 dependency, so host unit tests compile the same files with the host
 * compiler (see host/tests/).  Only the freestanding headers <stdint.h>,
 * <stddef.h>, <stdarg.h> and <stdbool.h> are used.
 */
#ifndef LIBCFLAT_H
#define LIBCFLAT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define BIT(n) (1ul << (n))
#define BIT_ULL(n) (1ull << (n))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((typeof(x))(a) - 1))
#define __stringify_1(x) #x
#define __stringify(x) __stringify_1(x)
#define __unused __attribute__((unused))
#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))

/*
 * Guest exit codes, passed to exit().  The VMM reports (code << 1) | 1, as
 * QEMU's isa-debug-exit does; codes stay small so that never folds.
 */
#define EXIT_PASS	0	/* every check passed (or some were xfail) */
#define EXIT_FAIL	1	/* at least one check failed */
#define EXIT_ABORT	3	/* report_abort() or an unhandled exception */
#define EXIT_SKIP	77	/* nothing ran: every check was skipped */

/* printf.c */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vprintf(const char *fmt, va_list ap);
int printf(const char *fmt, ...) __printf(1, 2);
int puts(const char *s);	/* writes s and a newline */

/* string.c */
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strncpy(char *dst, const char *src, size_t n);
size_t strlcpy(char *dst, const char *src, size_t size);
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int isspace(int c);
int isdigit(int c);
/*
 * Strict number parsing: decimal, or hex with 0x.  Returns 0 and stores the
 * value, or -1 when s is empty, has trailing junk or overflows.
 */
int parse_u64(const char *s, u64 *val);
int parse_s64(const char *s, s64 *val);

/* argv.c: the multiboot command line and environment module. */
#define MAX_ARGS	64
#define MAX_ENV		64
/*
 * Split a command line on blanks; single and double quotes group, backslash
 * escapes the next character.  argv[0] is the image name given by the
 * caller.  Returns argc; extra arguments beyond MAX_ARGS - 1 are dropped
 * with an error printed.
 */
int setup_args(const char *progname, const char *cmdline);
/*
 * Parse KEY=VALUE lines (the first multiboot module).  Blank lines and
 * lines starting with '#' are ignored; a line without '=' is reported and
 * dropped.  'text' is copied; it need not be NUL-terminated.
 */
int setup_env(const char *text, size_t len);
extern int __argc;
extern char *__argv[MAX_ARGS];
extern char *__envp[MAX_ENV + 1];
const char *getenv(const char *name);
/* getenv() as a boolean: set and not "0"/"n"/"no"/"false". */
bool env_enabled(const char *name);
/* True when argv[1..] (excluding options) is empty or contains 'name'. */
bool arg_selected(int argc, char **argv, const char *name);

/* report.c: the verdict protocol that the runner parses. */
void report_prefix_push(const char *prefix);
void report_prefix_pushf(const char *fmt, ...) __printf(1, 2);
void report_prefix_pop(void);
bool report(bool pass, const char *fmt, ...) __printf(2, 3);
void report_pass(const char *fmt, ...) __printf(1, 2);
void report_fail(const char *fmt, ...) __printf(1, 2);
void report_skip(const char *fmt, ...) __printf(1, 2);
void report_info(const char *fmt, ...) __printf(1, 2);
void report_expect_shutdown(const char *fmt, ...) __printf(1, 2);
/* An expected failure: 'xfail' true means a failure is reported as XFAIL. */
bool report_xfail(bool xfail, bool pass, const char *fmt, ...) __printf(3, 4);
int report_summary(void);
void report_abort(const char *fmt, ...) __printf(1, 2) __noreturn;
/* Counters, for the library's own tests. */
struct report_counts {
	unsigned int total, failed, xfailed, skipped;
	unsigned int checks;	/* comparisons made: see report_add_checks() */
};
struct report_counts report_get_counts(void);
/*
 * Every PASS/FAIL/XFAIL line is one check (a comparison of what the
 * hardware did with what the model says).  A line that sums up many such
 * comparisons (a sweep: "4096 indices as the model says") adds the n - 1
 * others with report_add_checks(n - 1), so SUMMARY's "checks" counts
 * every comparison made, however the lines group them.
 */
void report_add_checks(unsigned int n);

/* Provided by the architecture (lib/x86/io.c, or the host test stub). */
void console_write(const char *buf, size_t len);
void exit(int code) __noreturn;
void abort(void) __noreturn;

#define assert(cond)							\
	do {								\
		if (!(cond))						\
			report_abort("%s:%d: assert(%s) failed",	\
				     __FILE__, __LINE__, #cond);	\
	} while (0)

#endif
