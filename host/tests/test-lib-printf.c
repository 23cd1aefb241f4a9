// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib/printf.c against hand-written expectations from C99 7.19.6.1 (and,
 * for %p and %s of NULL, from the contract in lib/printf.c's header).
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test-lib.h"

#define SENTINEL	0x5a

static unsigned int fmt_nr;

/*
 * One row of the table: vsnprintf into a roomy buffer must give 'exp' and
 * return its length, leaving the rest of the buffer alone.
 */
static void vfmt_case(const char *exp, const char *fmt, va_list ap)
{
	char buf[128];
	size_t n = strlen(exp);
	int r;

	memset(buf, SENTINEL, sizeof(buf));
	r = cf_vsnprintf(buf, sizeof(buf), fmt, ap);
	fmt_nr++;
	if (r != (int)n) {
		check(name_of("vsnprintf[%u] \"%s\"", fmt_nr, fmt), false,
		      "returned %d, expected %zu (output \"%.*s\")", r, n,
		      (int)sizeof(buf) - 1, buf);
		return;
	}
	if (!check_str(name_of("vsnprintf[%u] \"%s\"", fmt_nr, fmt), buf, exp))
		return;
	if (buf[n + 1] != SENTINEL)
		check(name_of("vsnprintf[%u] \"%s\" past end", fmt_nr, fmt),
		      false, "byte after the terminator was written");
}

static void __attribute__((format(printf, 2, 3)))
fmt_case(const char *exp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfmt_case(exp, fmt, ap);
	va_end(ap);
}

/* Same, for formats the compiler rightly rejects (unknown conversions). */
static void raw_fmt_case(const char *exp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfmt_case(exp, fmt, ap);
	va_end(ap);
}

static void test_integers(void)
{
	fmt_case("42", "%d", 42);
	fmt_case("-42", "%d", -42);
	fmt_case("0", "%d", 0);
	fmt_case("-2147483648", "%d", INT_MIN);
	fmt_case("2147483647", "%i", INT_MAX);
	fmt_case(" -2147483648", "%12d", INT_MIN);
	fmt_case("4294967295", "%u", UINT_MAX);
	fmt_case("0", "%u", 0u);
	fmt_case("ff", "%x", 255u);
	fmt_case("FF", "%X", 255u);
	fmt_case("deadbeef", "%x", 0xdeadbeefu);
	fmt_case("DEADBEEF", "%X", 0xdeadbeefu);
	fmt_case("0", "%x", 0u);
	fmt_case("17", "%o", 15u);
	fmt_case("37777777777", "%o", UINT_MAX);

	/* length modifiers */
	fmt_case("-9223372036854775808", "%lld", LLONG_MIN);
	fmt_case("9223372036854775807", "%lld", LLONG_MAX);
	fmt_case("-9223372036854775808", "%ld", LONG_MIN);
	fmt_case("-1", "%ld", -1L);
	fmt_case("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	fmt_case("18446744073709551615", "%lu", ULONG_MAX);
	fmt_case("ffffffffffffffff", "%llx", (unsigned long long)UINT64_MAX);
	fmt_case("FFFFFFFFFFFFFFFF", "%llX", (unsigned long long)UINT64_MAX);
	fmt_case("ffffffffffffffff", "%lx", ULONG_MAX);
	fmt_case("1777777777777777777777", "%llo",
		 (unsigned long long)UINT64_MAX);
	fmt_case("100000000", "%llx", 0x100000000ull);
	fmt_case("12345", "%zu", (size_t)12345);
	fmt_case("3039", "%zx", (size_t)12345);
	fmt_case("18446744073709551615", "%zu", SIZE_MAX);
	fmt_case("-5", "%zd", (ptrdiff_t)-5);
	fmt_case("-1", "%jd", (intmax_t)-1);
	fmt_case("ffffffffffffffff", "%jx", UINTMAX_MAX);
	fmt_case("-7", "%td", (ptrdiff_t)-7);
	/* hh and h convert the promoted int back to char and short */
	fmt_case("-56", "%hhd", 200);
	fmt_case("200", "%hhu", 200);
	fmt_case("44", "%hhu", 300);
	fmt_case("4464", "%hu", 70000);
	fmt_case("-1", "%hd", 65535);
	fmt_case("ff", "%hhx", 0x1ff);
}

static void test_flags_width_precision(void)
{
	fmt_case("   42", "%5d", 42);
	fmt_case("42   |", "%-5d|", 42);
	fmt_case("00042", "%05d", 42);
	fmt_case("-0042", "%05d", -42);
	fmt_case("-000000001", "%010d", -1);
	fmt_case("  -42", "%5d", -42);
	fmt_case("-42  |", "%-5d|", -42);
	/* flag combinations that gcc -Wformat flags as redundant */
	raw_fmt_case("42   |", "%-05d|", 42);	/* '-' overrides '0' */
	fmt_case("42", "%1d", 42);
	fmt_case("+42", "%+d", 42);
	fmt_case("+0", "%+d", 0);
	fmt_case("-42", "%+d", -42);
	fmt_case(" 42", "% d", 42);
	raw_fmt_case("+42", "%+ d", 42);	/* '+' overrides ' ' */
	fmt_case("+0042", "%+05d", 42);
	fmt_case("00042", "%.5d", 42);
	fmt_case("-00042", "%.5d", -42);
	fmt_case("  00042", "%7.5d", 42);
	raw_fmt_case("   42", "%05.2d", 42);	/* a precision disables '0' */
	fmt_case("", "%.0d", 0);
	fmt_case("     ", "%5.0d", 0);
	fmt_case("0000ff", "%06x", 255u);
	fmt_case("0xff", "%#x", 255u);
	fmt_case("0XFF", "%#X", 255u);
	fmt_case("0", "%#x", 0u);	/* no 0x for zero */
	fmt_case("0x00ff", "%#06x", 255u);
	fmt_case("  0xff", "%#6x", 255u);
	fmt_case("017", "%#o", 15u);
	fmt_case("0", "%#o", 0u);
	fmt_case("0", "%#.0o", 0u);
	fmt_case("00017", "%#.5o", 15u);
	fmt_case("   42", "%*d", 5, 42);
	fmt_case("42   |", "%*d|", -5, 42);	/* negative '*' width is '-' */
	fmt_case("00042", "%0*d", 5, 42);
	fmt_case("042", "%.*d", 3, 42);
	fmt_case("42", "%.*d", -1, 42);		/* negative precision: none */
	fmt_case("0", "%.*d", -1, 0);
	fmt_case("abc", "%.*s", -1, "abc");
}

static void test_pointers_strings_chars(void)
{
	const char *volatile null_str = NULL;

	fmt_case("0x0", "%p", (void *)0);
	fmt_case("0x1234abcd", "%p", (void *)0x1234abcd);
	fmt_case("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
	fmt_case("    0x10", "%8p", (void *)0x10);
	fmt_case("0x10    |", "%-8p|", (void *)0x10);

	fmt_case("hello", "%s", "hello");
	fmt_case("", "%s", "");
	fmt_case("(null)", "%s", null_str);
	fmt_case("  abc", "%5s", "abc");
	fmt_case("abc  |", "%-5s|", "abc");
	fmt_case("abc", "%2s", "abc");
	fmt_case("ab", "%.2s", "abc");
	fmt_case("abc", "%.5s", "abc");
	fmt_case("", "%.0s", "abc");
	fmt_case("   ab", "%5.2s", "abc");
	fmt_case("ab", "%.*s", 2, "abcdef");
	fmt_case("  ab", "%*.*s", 4, 2, "abc");
	fmt_case("x", "%c", 'x');
	fmt_case("  x", "%3c", 'x');
	fmt_case("x  |", "%-3c|", 'x');
	fmt_case("%", "%%");
	fmt_case("a%b", "a%%b");
	raw_fmt_case("", "");
	fmt_case("no conversions", "no conversions");
	fmt_case("a=1 b=ff c=x s=str p=0x10 %", "a=%d b=%x c=%c s=%s p=%p %%",
		 1, 255u, 'x', "str", (void *)0x10);
	/* %s precision: only 3 bytes may be read from an unterminated array */
	{
		static const char raw[3] = { 'x', 'y', 'z' };

		fmt_case("xyz", "%.3s", raw);
	}
	/* Unknown conversions are copied verbatim, consuming nothing. */
	raw_fmt_case("%y 5", "%y %d", 5);
	raw_fmt_case("%5y", "%5y");
	raw_fmt_case("%n", "%n");
	raw_fmt_case("abc%", "abc%");
}

/* C99 snprintf: 'size' bounds the bytes written, the return value doesn't. */
static void test_truncation(void)
{
	char buf[16];
	int r;

	memset(buf, SENTINEL, sizeof(buf));
	r = cf_snprintf(NULL, 0, "hello %d", 42);
	check_int("snprintf(NULL, 0) returns length", r, 8);

	r = cf_snprintf(buf, 0, "hello");
	check_int("snprintf size 0 returns length", r, 5);
	check_int("snprintf size 0 writes nothing", (unsigned char)buf[0],
		  SENTINEL);

	r = cf_snprintf(buf, 1, "hello");
	check_int("snprintf size 1 returns length", r, 5);
	check("snprintf size 1 writes only NUL", !buf[0] &&
	      buf[1] == SENTINEL, "buf[0]=%#x buf[1]=%#x",
	      (unsigned char)buf[0], (unsigned char)buf[1]);

	memset(buf, SENTINEL, sizeof(buf));
	r = cf_snprintf(buf, 5, "hello");
	check_int("snprintf size 5 of 5 returns length", r, 5);
	check_str("snprintf size 5 of 5 truncates", buf, "hell");
	check_int("snprintf size 5 of 5 stays in bounds",
		  (unsigned char)buf[5], SENTINEL);

	memset(buf, SENTINEL, sizeof(buf));
	r = cf_snprintf(buf, 6, "hello");
	check_int("snprintf exact size returns length", r, 5);
	check_str("snprintf exact size output", buf, "hello");
	check_int("snprintf exact size stays in bounds",
		  (unsigned char)buf[6], SENTINEL);

	memset(buf, SENTINEL, sizeof(buf));
	r = cf_snprintf(buf, 3, "%d", 12345);
	check_int("snprintf truncated %d returns length", r, 5);
	check_str("snprintf truncated %d output", buf, "12");

	memset(buf, SENTINEL, sizeof(buf));
	r = cf_snprintf(buf, 4, "%10s|", "ab");
	check_int("snprintf truncated padding returns length", r, 11);
	check_str("snprintf truncated padding output", buf, "   ");
	check_int("snprintf truncated padding stays in bounds",
		  (unsigned char)buf[4], SENTINEL);
}

/* Build 'n' bytes of a recognisable pattern, without the library. */
static void fill_pattern(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		s[i] = (char)('a' + i % 26);
	s[n] = '\0';
}

static void test_vprintf_chunks(void)
{
	static char big[12001], exp[12100];
	size_t i;
	int r;

	fill_pattern(big, 12000);
	exp[0] = '[';
	memcpy(exp + 1, big, 12000);
	strcpy(exp + 12001, "]7\n");

	capture_reset();
	r = cf_printf("[%s]%d\n", big, 7);
	check_int("printf 12 KiB returns length", r, 12004);
	check_str("printf 12 KiB arrives intact", capture.text, exp);
	check("printf 12 KiB is written in chunks", capture.writes > 1,
	      "%lu console_write() calls", capture.writes);
	check("printf chunks are bounded", capture.max_write <= 4096,
	      "a console_write() of %zu bytes", capture.max_write);

	/* width padding alone crosses many chunks too */
	capture_reset();
	r = cf_printf("%20000d|", 5);
	for (i = 0; i < 19999 && capture.text[i] == ' '; i++)
		;
	check_int("printf %20000d returns length", r, 20001);
	check("printf %20000d output", capture.len == 20001 && i == 19999 &&
	      !strcmp(capture.text + 19999, "5|"),
	      "%zu bytes, %zu leading blanks", capture.len, i);

	capture_reset();
	r = cf_printf("short %s\n", "line");
	check_int("printf short returns length", r, 11);
	check_str("printf short output", capture.text, "short line\n");
	check_int("printf short is one write", (long long)capture.writes, 1);

	capture_reset();
	r = cf_printf("%s", "");
	check_int("printf empty returns 0", r, 0);
	check_int("printf empty writes nothing", (long long)capture.writes, 0);

	capture_reset();
	r = cf_puts("hello");
	check("puts returns non-negative", r >= 0, "returned %d", r);
	check_str("puts appends newline", capture.text, "hello\n");

	capture_reset();
	cf_puts(big);
	check("puts 12 KiB arrives intact", capture.len == 12001 &&
	      !memcmp(capture.text, big, 12000) && capture.text[12000] == '\n',
	      "%zu bytes", capture.len);
}

void test_printf(void)
{
	test_integers();
	test_flags_width_precision();
	test_pointers_strings_chars();
	test_truncation();
	test_vprintf_chunks();
}
