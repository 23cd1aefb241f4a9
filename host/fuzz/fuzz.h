/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared helpers of the libFuzzer targets in host/fuzz/ (see host/fuzz/fuzz.mk).
 * A target checks the documented invariants of a parser's result; a broken
 * invariant aborts, which libFuzzer reports as a crash with the input saved.
 */
#ifndef HOST_FUZZ_H
#define HOST_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_check(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz invariant failed at %s:%d: %s: ", \
				__FILE__, __LINE__, #cond);		\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			abort();					\
		}							\
	} while (0)

/* Lines as the file parsers count them: a final line needs no '\n'. */
static inline unsigned long fuzz_count_lines(const uint8_t *data, size_t size)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size && data[size - 1] != '\n');
}

/*
 * "PREFIX:LINE: message": returns LINE, or 0 when err does not look so.
 * The line number must be plain decimal without leading zeros.
 */
static inline unsigned long fuzz_err_line(const char *err, const char *prefix)
{
	size_t n = strlen(prefix);
	unsigned long line = 0;
	const char *s;

	if (strncmp(err, prefix, n) || err[n] != ':')
		return 0;
	s = err + n + 1;
	if (*s < '1' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		line = line * 10 + (unsigned long)(*s - '0');
		if (line > 100000000)
			return 0;
	}
	if (s[0] != ':' || s[1] != ' ' || !s[2])
		return 0;
	return line;
}

/* An error message is one line of text: no control bytes. */
static inline bool fuzz_one_line(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return false;
	return true;
}

/*
 * An error written into a buffer of errlen bytes is the full message cut
 * to fit: its first errlen - 1 bytes, NUL-terminated (nothing for 0).
 */
static inline void fuzz_check_cut_err(const char *err, size_t errlen, const char *full)
{
	size_t n, want;

	if (!errlen)
		return;
	n = strnlen(err, errlen);
	want = strlen(full) < errlen - 1 ? strlen(full) : errlen - 1;
	fuzz_check(n == want && !strncmp(err, full, n),
		   "short error '%.*s' is not a prefix of '%s'", (int)n, err, full);
}

/* A small, input-derived number (for choices that must be reproducible). */
static inline uint32_t fuzz_hash(const uint8_t *data, size_t size)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	return h ^ (uint32_t)size;
}

/* A copy of the input with a NUL after it, in its own exact-size block. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

#endif
