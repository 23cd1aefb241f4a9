// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the filter-file parser (host/util/filterfile.c).  Checks what
 * filterfile.h promises: 0-16 ranges with the unused slots all zero, bitmap
 * bits only inside their range, errors "FILE:LINE: ..." on one line of
 * ASCII naming a line of the input; and runs the reference model
 * (common/msrfilter.c) over what was parsed.
 */
#include "util/filterfile.h"
#include "fuzz.h"

#define NAME	"fuzz.filter"

static struct msrf_filter f, f2;	/* 25 KiB each: not on the stack */

/* How many bits of the range allow/deny lines can reach. */
static uint64_t reachable_bits(const struct msrf_range *r)
{
	uint64_t room = 0x100000000ull - r->base;

	if (r->nmsrs > MSRF_MAX_NMSRS)
		return 0;	/* no allow/deny lines after an oversize range */
	return r->nmsrs < room ? r->nmsrs : room;
}

static void check_range(const struct msrf_range *r, int i)
{
	uint64_t bits = reachable_bits(r), n;
	uint32_t idx;

	fuzz_check(r->bitmap_kind <= MSRF_BITMAP_EDGE, "range %d: bitmap kind %d",
		   i, r->bitmap_kind);
	for (n = bits; n < MSRF_MAX_NMSRS; n = n % 8 ? n + 1 : n + 8) {
		uint8_t mask = n % 8 ? 1u << (n % 8) : 0xff;

		fuzz_check(!(r->bitmap[n / 8] & mask),
			   "range %d (0x%x+%u): a bit from %llu is set outside "
			   "the range", i, r->base, r->nmsrs, (unsigned long long)n);
	}
	/* The model reads the same bits the parser wrote. */
	for (n = 0; n < bits; n += 1 + n / 4) {
		idx = r->base + (uint32_t)n;
		fuzz_check(msrf_test_bit(r, idx) ==
			   !!(r->bitmap[n / 8] & (1u << (n % 8))),
			   "range %d: model disagrees on bit %llu", i,
			   (unsigned long long)n);
	}
}

static void check_model(const struct msrf_filter *flt, int nranges)
{
	static const uint32_t probes[] = {
		0, 0x10, 0x1fc, 0x800, 0x8ff, 0x1fff, 0x40000000, 0xc0000080,
		0xffffffff,
	};
	int e = msrf_validate(flt), i;
	size_t k;

	fuzz_check(e == 0 || e == MSRF_EINVAL || e == MSRF_EFAULT,
		   "msrf_validate returned %d", e);
	fuzz_check(nranges || msrf_is_empty(flt), "no ranges but not empty");
	if (e)
		return;
	for (k = 0; k < sizeof(probes) / sizeof(probes[0]); k++) {
		msrf_allowed(flt, probes[k], MSRF_ACCESS_READ);
		msrf_allowed(flt, probes[k], MSRF_ACCESS_WRITE);
	}
	/* The edges of every MSR window the sweeps cover. */
	for (k = 0; k < MSRF_GEN_NWINDOWS; k++) {
		msrf_allowed(flt, msrf_gen_window(k), MSRF_ACCESS_READ);
		msrf_allowed(flt, msrf_gen_window(k) + MSRF_GEN_WINDOW_SIZE - 1,
			     MSRF_ACCESS_WRITE);
	}
	for (i = 0; i < nranges; i++) {
		const struct msrf_range *r = &flt->ranges[i];

		msrf_allowed(flt, r->base, MSRF_ACCESS_READ);
		msrf_allowed(flt, r->base + r->nmsrs - 1, MSRF_ACCESS_WRITE);
		msrf_allowed(flt, r->base + r->nmsrs, MSRF_ACCESS_READ);
	}
}

static void check_short_err(const uint8_t *data, size_t size, const char *full,
			    size_t errlen)
{
	char *err = malloc(errlen);	/* exact size: ASan sees any overflow */

	fuzz_check(filter_parse(NAME, (const char *)data, size, &f2, err, errlen) < 0,
		   "second parse succeeded");
	fuzz_check_cut_err(err, errlen, full);
	free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long nlines = fuzz_count_lines(data, size), line;
	static const struct msrf_range zero;
	char err[512];
	const char *s;
	int r, i;

	memset(&f, 0xa5, sizeof(f));	/* "completely overwritten either way" */
	memset(err, 'x', sizeof(err));
	r = filter_parse(NAME, (const char *)data, size, &f, err, sizeof(err));
	fuzz_check(r >= -1 && r <= MSRF_MAX_RANGES, "filter_parse returned %d", r);
	if (r < 0) {
		fuzz_check(strnlen(err, sizeof(err)) < sizeof(err), "err not terminated");
		line = fuzz_err_line(err, NAME);
		fuzz_check(line >= 1 && line <= (nlines ? nlines : 1),
			   "error '%s' does not name one of the %lu lines", err, nlines);
		for (s = err; *s; s++)
			fuzz_check(*s >= 0x20 && *s < 0x7f,
				   "error '%s' is not one line of ASCII", err);
		check_short_err(data, size, err, fuzz_hash(data, size) % 24);
		return 0;
	}
	for (i = r; i < MSRF_MAX_RANGES; i++)
		fuzz_check(!memcmp(&f.ranges[i], &zero, sizeof(zero)),
			   "unused range slot %d of %d is not zero", i, r);
	for (i = 0; i < r; i++)
		check_range(&f.ranges[i], i);
	check_model(&f, r);
	/* Deterministic: the same text gives the same filter. */
	fuzz_check(filter_parse(NAME, (const char *)data, size, &f2, err,
				sizeof(err)) == r && !memcmp(&f, &f2, sizeof(f)),
		   "second parse differs");
	return 0;
}
