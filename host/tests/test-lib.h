/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared helpers of the guest library's host unit tests (test-lib*.c).
 *
 * Every check prints one "PASS: <name>" or "FAIL: <name>: <why>" line on
 * stdout; main() exits 1 if any check failed.  The guest library's console
 * is captured into 'capture' by the console_write() stub, and its exit()
 * and abort() are trapped so that report_abort() can be tested.
 */
#ifndef TEST_LIB_H
#define TEST_LIB_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

#include "cflat-host.h"

bool check(const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool check_str(const char *name, const char *got, const char *exp);
bool check_int(const char *name, long long got, long long exp);
bool check_mem(const char *name, const void *got, const void *exp, size_t n);
/* A name built printf-style, valid until the next call. */
const char *name_of(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Everything the guest library wrote through console_write(). */
struct capture {
	char *text;		/* NUL-terminated */
	size_t len;
	unsigned long writes;	/* console_write() calls */
	size_t max_write;	/* longest single call */
	bool overflow;		/* more than fits was written */
	bool overlap;		/* two calls ran at the same time */
};
extern struct capture capture;
void capture_reset(void);
unsigned long capture_lines(void);

/* Slow down console_write() to widen race windows (threaded tests). */
extern volatile unsigned int console_write_delay;
/* Called (once, then cleared) at the start of the next console_write(). */
extern void (*console_write_hook)(void);

#define NOT_EXITED	(-1000)
/*
 * Call fn(); if it calls exit() or abort(), return from here instead.
 * Returns fn()'s value, or the exit code (-1 for abort()), and sets *exited.
 */
int call_trapping_exit(int (*fn)(void), bool *exited);

/*
 * Run fn in a forked child, so it starts from the library's pristine
 * static state (as a freshly booted guest would).  The child prints its
 * own check lines; a crash is reported as a failure of 'name'.
 */
void run_isolated(const char *name, void (*fn)(void));

void test_printf(void);
void test_string(void);
void test_argv(void);
void test_report(void);

#endif
