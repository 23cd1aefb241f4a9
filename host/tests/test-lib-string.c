// SPDX-License-Identifier: GPL-2.0-only
/* lib/string.c against C99 7.21 and the strict parse_u64/parse_s64 contract. */
#include <stdint.h>
#include <string.h>

#include "test-lib.h"

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_lengths_and_compares(void)
{
	check_int("strlen empty", (long long)cf_strlen(""), 0);
	check_int("strlen abc", (long long)cf_strlen("abc"), 3);
	check_int("strlen stops at NUL", (long long)cf_strlen("ab\0cd"), 2);
	check_int("strnlen limit below length", (long long)cf_strnlen("abcdef", 3), 3);
	check_int("strnlen limit above length", (long long)cf_strnlen("ab", 10), 2);
	check_int("strnlen limit 0", (long long)cf_strnlen("ab", 0), 0);
	{
		static const char raw[4] = { 'w', 'x', 'y', 'z' };

		/* must not read past max: ASan would flag raw[4] */
		check_int("strnlen unterminated", (long long)cf_strnlen(raw, 4), 4);
	}

	check_int("strcmp equal", cf_strcmp("abc", "abc"), 0);
	check_int("strcmp less", sign(cf_strcmp("abc", "abd")), -1);
	check_int("strcmp greater", sign(cf_strcmp("abd", "abc")), 1);
	check_int("strcmp prefix shorter", sign(cf_strcmp("ab", "abc")), -1);
	check_int("strcmp prefix longer", sign(cf_strcmp("abc", "ab")), 1);
	check_int("strcmp empty", cf_strcmp("", ""), 0);
	/* C99 7.21.4: compared as unsigned char, so 0x80 > 'a' */
	check_int("strcmp high byte unsigned", sign(cf_strcmp("\x80", "a")), 1);
	check_int("strncmp equal prefix", cf_strncmp("abcX", "abcY", 3), 0);
	check_int("strncmp differs", sign(cf_strncmp("abcX", "abcY", 4)), -1);
	check_int("strncmp n 0", cf_strncmp("a", "b", 0), 0);
	check_int("strncmp stops at NUL", cf_strncmp("ab\0x", "ab\0y", 4), 0);
	check_int("strncmp shorter", sign(cf_strncmp("ab", "abc", 5)), -1);
	check_int("strncmp high byte unsigned",
		  sign(cf_strncmp("\xff", "\x01", 1)), 1);

	check_int("memcmp equal", cf_memcmp("ab\0c", "ab\0c", 4), 0);
	check_int("memcmp past NUL", sign(cf_memcmp("ab\0c", "ab\0d", 4)), -1);
	check_int("memcmp unsigned", sign(cf_memcmp("\x90", "\x10", 1)), 1);
	check_int("memcmp n 0", cf_memcmp("a", "b", 0), 0);
}

static void test_searches(void)
{
	const char *s = "hello world";

	check("strchr finds first", cf_strchr(s, 'o') == s + 4, "%p vs %p",
	      (void *)cf_strchr(s, 'o'), (void *)(s + 4));
	check("strchr not found", !cf_strchr(s, 'z'), "found 'z'");
	check("strchr NUL finds terminator", cf_strchr(s, '\0') == s + 11,
	      "wrong pointer");
	check("strchr converts to char", cf_strchr(s, 'o' + 256) == s + 4,
	      "int argument not converted to char");
	check("strrchr finds last", cf_strrchr(s, 'o') == s + 7, "wrong pointer");
	check("strrchr not found", !cf_strrchr(s, 'z'), "found 'z'");
	check("strrchr NUL finds terminator", cf_strrchr(s, '\0') == s + 11,
	      "wrong pointer");
	check("strrchr first char", cf_strrchr(s, 'h') == s, "wrong pointer");
	check("strstr found", cf_strstr(s, "wor") == s + 6, "wrong pointer");
	check("strstr at start", cf_strstr(s, "hell") == s, "wrong pointer");
	check("strstr at end", cf_strstr(s, "rld") == s + 8, "wrong pointer");
	check("strstr after partial match", cf_strstr("aaab", "aab") != NULL &&
	      !strcmp(cf_strstr("aaab", "aab"), "aab"), "missed");
	check("strstr not found", !cf_strstr(s, "word"), "found");
	check("strstr longer needle", !cf_strstr("ab", "abc"), "found");
	check("strstr empty needle", cf_strstr(s, "") == s, "not the haystack");
	check("strstr empty both", cf_strstr("", "") != NULL, "NULL");
	check("strstr empty haystack", !cf_strstr("", "a"), "found");
}

static void test_copies(void)
{
	char buf[16], exp[16];
	size_t r;

	memset(buf, 'Z', sizeof(buf));
	memcpy(exp, "ab\0\0\0\0ZZZZZZZZZZ", 16);
	cf_strncpy(buf, "ab", 6);
	check_mem("strncpy pads with NULs", buf, exp, 16);

	memset(buf, 'Z', sizeof(buf));
	memcpy(exp, "abcZZZZZZZZZZZZZ", 16);
	check("strncpy returns dst", cf_strncpy(buf, "abcdef", 3) == buf,
	      "wrong pointer");
	check_mem("strncpy long source is not terminated", buf, exp, 16);

	memset(buf, 'Z', sizeof(buf));
	r = cf_strlcpy(buf, "hello", sizeof(buf));
	check_int("strlcpy fits returns length", (long long)r, 5);
	check_str("strlcpy fits copies", buf, "hello");
	memset(buf, 'Z', sizeof(buf));
	r = cf_strlcpy(buf, "hello", 3);
	check_int("strlcpy truncated returns source length", (long long)r, 5);
	memcpy(exp, "he\0ZZZZZZZZZZZZZ", 16);
	check_mem("strlcpy truncated terminates", buf, exp, 16);
	memset(buf, 'Z', sizeof(buf));
	r = cf_strlcpy(buf, "hello", 0);
	check("strlcpy size 0 writes nothing", r == 5 && buf[0] == 'Z',
	      "r=%zu buf[0]=%#x", r, (unsigned char)buf[0]);
	r = cf_strlcpy(buf, "hello", 6);
	check("strlcpy exact size", r == 5 && !strcmp(buf, "hello"),
	      "r=%zu", r);

	memset(buf, 'Z', sizeof(buf));
	memcpy(exp, "ZZ\xab\xab\xab\xabZZZZZZZZZZ", 16);
	check("memset returns s", cf_memset(buf + 2, 0x1ab, 4) == buf + 2,
	      "wrong pointer");
	check_mem("memset fills (as unsigned char)", buf, exp, 16);
	cf_memset(buf, 0, 0);
	check_mem("memset n 0", buf, exp, 16);

	memset(buf, 'Z', sizeof(buf));
	memcpy(exp, "a\0cZZZZZZZZZZZZZ", 16);
	check("memcpy returns dst", cf_memcpy(buf, "a\0c", 3) == buf,
	      "wrong pointer");
	check_mem("memcpy copies past NUL", buf, exp, 16);

	/* overlapping moves in both directions */
	memcpy(buf, "0123456789abcdef", 16);
	check("memmove returns dst", cf_memmove(buf + 2, buf, 8) == buf + 2,
	      "wrong pointer");
	check_mem("memmove overlap forward", buf, "0101234567abcdef", 16);
	memcpy(buf, "0123456789abcdef", 16);
	cf_memmove(buf, buf + 3, 10);
	check_mem("memmove overlap backward", buf, "3456789abcabcdef", 16);
	memcpy(buf, "0123456789abcdef", 16);
	cf_memmove(buf, buf, 16);
	check_mem("memmove same buffer", buf, "0123456789abcdef", 16);
}

static void test_ctype(void)
{
	static const char spaces[] = " \t\n\v\f\r";
	int c, bad = -1;

	for (c = 0; c < 256; c++) {
		bool exp = c && strchr(spaces, c);

		if (!cf_isspace(c) != !exp)
			bad = c;
	}
	check("isspace over 0..255", bad < 0, "wrong for %d", bad);
	for (c = 0, bad = -1; c < 256; c++) {
		bool exp = c >= '0' && c <= '9';

		if (!cf_isdigit(c) != !exp)
			bad = c;
	}
	check("isdigit over 0..255", bad < 0, "wrong for %d", bad);
}

struct parse_case {
	const char *s;
	int ret;
	unsigned long long val;
};

static void test_parse_u64(void)
{
	static const struct parse_case cases[] = {
		{ "0", 0, 0 },
		{ "42", 0, 42 },
		{ "010", 0, 10 },	/* not octal */
		{ "0x10", 0, 16 },
		{ "0XfF", 0, 255 },
		{ "0x0", 0, 0 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "0xffffffffffffffff", 0, UINT64_MAX },
		{ "0x00000000000000000001", 0, 1 },
		{ "", -1, 0 },
		{ "0x", -1, 0 },
		{ "12a", -1, 0 },
		{ "a", -1, 0 },
		{ "0x1g", -1, 0 },
		{ " 1", -1, 0 },
		{ "1 ", -1, 0 },
		{ "+1", -1, 0 },
		{ "-", -1, 0 },
		{ "-1", -1, 0 },
		{ "1.5", -1, 0 },
		{ "0b1", -1, 0 },
		{ "18446744073709551616", -1, 0 },
		{ "99999999999999999999", -1, 0 },
		{ "0x10000000000000000", -1, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct parse_case *pc = &cases[i];
		u64 v = 12345;
		int r = parse_u64(pc->s, &v);

		if (pc->ret)
			check(name_of("parse_u64(\"%s\") rejected", pc->s),
			      r == -1 && v == 12345,
			      "returned %d, value %llu", r,
			      (unsigned long long)v);
		else
			check(name_of("parse_u64(\"%s\")", pc->s),
			      r == 0 && v == pc->val,
			      "returned %d, value %llu", r,
			      (unsigned long long)v);
	}
	check_int("parse_u64(NULL) rejected", parse_u64(NULL, NULL), -1);
}

static void test_parse_s64(void)
{
	static const struct {
		const char *s;
		int ret;
		long long val;
	} cases[] = {
		{ "0", 0, 0 },
		{ "-0", 0, 0 },
		{ "42", 0, 42 },
		{ "-42", 0, -42 },
		{ "0x10", 0, 16 },
		{ "-0x10", 0, -16 },
		{ "9223372036854775807", 0, INT64_MAX },
		{ "-9223372036854775808", 0, INT64_MIN },
		{ "0x7fffffffffffffff", 0, INT64_MAX },
		{ "-0x8000000000000000", 0, INT64_MIN },
		{ "9223372036854775808", -1, 0 },
		{ "-9223372036854775809", -1, 0 },
		{ "0x8000000000000000", -1, 0 },
		{ "18446744073709551616", -1, 0 },
		{ "", -1, 0 },
		{ "-", -1, 0 },
		{ "--1", -1, 0 },
		{ "+1", -1, 0 },
		{ "-0x", -1, 0 },
		{ "- 1", -1, 0 },
		{ "1-", -1, 0 },
		{ "12a", -1, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		s64 v = 12345;
		int r = parse_s64(cases[i].s, &v);

		if (cases[i].ret)
			check(name_of("parse_s64(\"%s\") rejected", cases[i].s),
			      r == -1 && v == 12345, "returned %d, value %lld",
			      r, (long long)v);
		else
			check(name_of("parse_s64(\"%s\")", cases[i].s),
			      r == 0 && v == cases[i].val,
			      "returned %d, value %lld", r, (long long)v);
	}
	check_int("parse_s64(NULL) rejected", parse_s64(NULL, NULL), -1);
}

void test_string(void)
{
	test_lengths_and_compares();
	test_searches();
	test_copies();
	test_ctype();
	test_parse_u64();
	test_parse_s64();
}
