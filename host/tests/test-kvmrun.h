/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Check helpers for the kvmrun unit tests: each check prints one
 * "PASS: name" or "FAIL: name (expected ..., got ...)" line; test_exit()
 * gives the status scripts/check.sh wants.
 */
#ifndef TEST_KVMRUN_H
#define TEST_KVMRUN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int test_failures;

static inline void __attribute__((format(printf, 2, 3))) pass_fail(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	test_failures += !ok;
}

static inline void check_str(const char *name, const char *expected, const char *got)
{
	bool ok = got && !strcmp(expected, got);

	if (ok)
		pass_fail(true, "%s", name);
	else
		pass_fail(false, "%s (expected \"%s\", got \"%s\")", name, expected,
			  got ? got : "(null)");
}

static inline void check_u64(const char *name, uint64_t expected, uint64_t got)
{
	if (expected == got)
		pass_fail(true, "%s", name);
	else
		pass_fail(false, "%s (expected 0x%llx, got 0x%llx)", name,
			  (unsigned long long)expected, (unsigned long long)got);
}

static inline void check_true(const char *name, bool ok)
{
	pass_fail(ok, "%s%s", name, ok ? "" : " (condition false)");
}

static inline int test_exit(void)
{
	fflush(stdout);
	return test_failures ? 1 : 0;
}

#endif
