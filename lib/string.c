// SPDX-License-Identifier: GPL-2.0-only
/*
 * String and memory helpers with C99 semantics, plus strict number parsing.
 *
 * gcc emits calls to memcpy/memset/memmove/memcmp on its own (structure
 * copies, large initializers), so those four must exist under exactly these
 * names.  Some gcc versions also recognise the copy loops below as "a
 * memset" even with -ffreestanding and turn them back into a call to
 * memset, i.e. into infinite recursion; the optimize attribute stops that
 * pattern matching (clang does not do it in freestanding mode, and does not
 * know the attribute).
 */
#include "libcflat.h"

#if defined(__GNUC__) && !defined(__clang__)
#define __no_libcall_patterns \
	__attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define __no_libcall_patterns
#endif

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/* C99 7.21.4: characters compare as unsigned char. */
int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return *x - *y;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
		if (!*x)
			break;
	}
	return 0;
}

/* The terminating NUL is part of the string: strchr(s, 0) finds it. */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++) {
		if (!strncmp(haystack, needle, n))
			return (char *)haystack;
	}
	return n ? NULL : (char *)haystack;
}

/* C99: copies at most n bytes, pads with NULs, may leave dst unterminated. */
__no_libcall_patterns
char *strncpy(char *dst, const char *src, size_t n)
{
	size_t i = 0;

	for (; i < n && src[i]; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = '\0';
	return dst;
}

/* BSD: always terminates (if size > 0); returns strlen(src) to spot truncation. */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/*
 * One string instruction each, not a byte loop: where guest instructions
 * are expensive (kvm_pvm: a byte store costs thousands of cycles there),
 * the control-port request block alone (memset + memcpy per request, one
 * or two requests per checked MSR access) otherwise dominates a test.
 */
void *memset(void *s, int c, size_t n)
{
	void *p = s;

	asm volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(c) : "memory");
	return s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

/* Copy forwards or backwards so that overlapping ranges come out right. */
__no_libcall_patterns
void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((uintptr_t)d <= (uintptr_t)s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

/* The "C" locale: space, \t, \n, \v, \f, \r. */
int isspace(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

int isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decimal, or hex after "0x"/"0X"; at least one digit, nothing else, no
 * sign, no blanks.  A leading 0 does not mean octal: "010" is ten.
 */
int parse_u64(const char *s, u64 *val)
{
	unsigned int base = 10;
	u64 v = 0;

	if (!s)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		int d = hex_value(*s);

		if (d < 0 || (unsigned int)d >= base)
			return -1;
		if (v > (UINT64_MAX - (unsigned int)d) / base)
			return -1;	/* overflow */
		v = v * base + (unsigned int)d;
	}
	*val = v;
	return 0;
}

/* parse_u64() with an optional leading '-'; the range is INT64_MIN..MAX. */
int parse_s64(const char *s, s64 *val)
{
	bool neg = false;
	u64 mag;

	if (s && *s == '-') {
		neg = true;
		s++;
	}
	if (parse_u64(s, &mag))
		return -1;
	if (mag > (u64)INT64_MAX + neg)
		return -1;
	/* -(2^63) is not representable as a positive s64 first */
	if (neg)
		*val = mag == (u64)INT64_MAX + 1 ? INT64_MIN : -(s64)mag;
	else
		*val = (s64)mag;
	return 0;
}
