// SPDX-License-Identifier: GPL-2.0-only
/*
 * test-lib: host unit tests of the generic guest library (lib/printf.c,
 * string.c, argv.c, report.c), compiled for the host with cf_ names (see
 * cflat-rename.h) and run under ASan+UBSan.
 *
 * This file holds the check helpers and the stand-ins for what the
 * architecture provides in a guest: console_write(), exit(), abort().
 * Usage: build/tests/test-lib (no arguments); exit status 1 if a check failed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-lib.h"

#define CAPTURE_SIZE	(1u << 20)
#define SHOW_MAX	240	/* characters of a string shown in a FAIL line */

static unsigned int failures;

struct capture capture;
static char capture_buf[CAPTURE_SIZE + 1];
static unsigned int writers;	/* console_write() calls in flight */
volatile unsigned int console_write_delay;
void (*console_write_hook)(void);

static jmp_buf exit_env;
static bool exit_armed;
static int exit_code;

/* Print s (n bytes) as a C string literal, cut after SHOW_MAX bytes. */
static void show(const char *s, size_t n)
{
	size_t i;

	if (!s) {
		fputs("NULL", stdout);
		return;
	}
	putchar('"');
	for (i = 0; i < n && i < SHOW_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('"');
	if (n > SHOW_MAX)
		printf("...(%zu bytes)", n);
}

bool check(const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS: %s\n", name);
		return true;
	}
	failures++;
	printf("FAIL: %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return false;
}

bool check_str(const char *name, const char *got, const char *exp)
{
	if (got && exp && !strcmp(got, exp))
		return check(name, true, " ");
	failures++;
	printf("FAIL: %s: expected ", name);
	show(exp, exp ? strlen(exp) : 0);
	fputs(", seen ", stdout);
	show(got, got ? strlen(got) : 0);
	putchar('\n');
	return false;
}

bool check_int(const char *name, long long got, long long exp)
{
	return check(name, got == exp, "expected %lld, seen %lld", exp, got);
}

bool check_mem(const char *name, const void *got, const void *exp, size_t n)
{
	if (!memcmp(got, exp, n))
		return check(name, true, " ");
	failures++;
	printf("FAIL: %s: expected ", name);
	show(exp, n);
	fputs(", seen ", stdout);
	show(got, n);
	putchar('\n');
	return false;
}

const char *name_of(const char *fmt, ...)
{
	static char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return name;
}

void capture_reset(void)
{
	memset(&capture, 0, sizeof(capture));
	capture.text = capture_buf;
	capture_buf[0] = '\0';
}

unsigned long capture_lines(void)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < capture.len; i++)
		n += capture.text[i] == '\n';
	return n;
}

/* The guest's serial console. */
void console_write(const char *buf, size_t len)
{
	void (*hook)(void) = console_write_hook;
	unsigned int i;

	if (hook) {
		console_write_hook = NULL;
		hook();
	}
	if (__atomic_fetch_add(&writers, 1, __ATOMIC_ACQ_REL))
		__atomic_store_n(&capture.overlap, true, __ATOMIC_RELAXED);
	for (i = 0; i < console_write_delay; i++)
		__asm__ volatile("" ::: "memory");

	capture.writes++;
	if (len > capture.max_write)
		capture.max_write = len;
	if (len > CAPTURE_SIZE - capture.len) {
		capture.overflow = true;
		len = CAPTURE_SIZE - capture.len;
	}
	memcpy(capture_buf + capture.len, buf, len);
	capture.len += len;
	capture_buf[capture.len] = '\0';

	__atomic_fetch_sub(&writers, 1, __ATOMIC_ACQ_REL);
}

/* The guest's exit port: back into call_trapping_exit(), or die loudly. */
static __noreturn void trapped_exit(int code)
{
	if (!exit_armed) {
		printf("FAIL: test-lib: unexpected exit(%d) from the library\n",
		       code);
		fflush(stdout);
		_exit(2);
	}
	exit_armed = false;
	exit_code = code;
	longjmp(exit_env, 1);
}

void cf_exit(int code)
{
	trapped_exit(code);
}

void cf_abort(void)
{
	trapped_exit(-1);
}

int call_trapping_exit(int (*fn)(void), bool *exited)
{
	int r;

	if (setjmp(exit_env)) {
		*exited = true;
		return exit_code;
	}
	exit_armed = true;
	r = fn();
	exit_armed = false;
	*exited = false;
	return r;
}

void run_isolated(const char *name, void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		check(name, false, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		alarm(20);	/* a deadlock in the library fails, not hangs */
		failures = 0;
		capture_reset();
		fn();
		fflush(stdout);
		_exit(failures ? 10 : 0);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			check(name, false, "waitpid: %s", strerror(errno));
			return;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 10) {
		failures++;	/* the child printed its FAIL lines */
		return;
	}
	if (WIFSIGNALED(status))
		check(name, false, "test child killed by signal %d",
		      WTERMSIG(status));
	else
		check(name, false, "test child exited with status %d",
		      WEXITSTATUS(status));
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "usage: %s (no arguments)\n", argv[0]);
		return 2;
	}
	/* Lines from forked children must not be duplicated or reordered. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	capture_reset();

	test_printf();
	test_string();
	test_argv();
	test_report();

	return failures ? 1 : 0;
}
