// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the filter-description parser (host/util/filterfile.c):
 *  - every shipped filters/NAME.filter parses into exactly the documented
 *    filter (flags, ranges, bitmap kind, every bitmap byte), and its
 *    "# Expected:" line agrees with the reference model's msrf_validate();
 *  - every malformed file in host/tests/data/filter/ fails with the exact
 *    "file:line: message";
 *  - both directories hold no file this table does not know.
 */
#include <dirent.h>
#include <stdlib.h>

#include "util/filterfile.h"
#include "util/util.h"
#include "msrfilter.h"
#include "test-kvmrun.h"

#define RW	(MSRF_READ | MSRF_WRITE)

struct span {
	uint32_t first, last;	/* allowed MSRs, inclusive */
};

struct want_range {
	uint32_t base, nmsrs, flags;
	enum msrf_bitmap_kind kind;
	struct span allow[3];	/* ends at {0, 0} */
};

struct shipped {
	const char *name;
	uint32_t flags;
	int nranges;
	struct want_range r[5];
};

#define WINDOW(b, bits) { b, 0x2000, RW, MSRF_BITMAP_DATA, bits }
#define ALL(b) { { b, b + 0x1fff } }

static const struct shipped shipped[] = {
	{ "allow-all", 0, 4, { WINDOW(0, ALL(0)), WINDOW(0x40000000, ALL(0x40000000)),
			      WINDOW(0xc0000000, ALL(0xc0000000)),
			      WINDOW(0xc0010000, ALL(0xc0010000)) } },
	{ "deny-all", MSRF_DEFAULT_DENY, 4,
	  { WINDOW(0, {}), WINDOW(0x40000000, {}), WINDOW(0xc0000000, {}),
	    WINDOW(0xc0010000, {}) } },
	{ "off", 0, 0, {} },
	{ "read-only", 0, 1, { { 0, 0x2000, MSRF_READ, MSRF_BITMAP_DATA,
				 { { 0, 0x1fb }, { 0x1fd, 0x1fff } } } } },
	{ "write-only", 0, 1, { { 0, 0x2000, MSRF_WRITE, MSRF_BITMAP_DATA,
				  { { 0, 0x1fb }, { 0x1fd, 0x1fff } } } } },
	{ "split-rw", MSRF_DEFAULT_DENY, 2,
	  { { 0x1a0, 0x60, MSRF_READ, MSRF_BITMAP_DATA, { { 0x1a0, 0x1a0 }, { 0x1fc, 0x1fc } } },
	    { 0x1a0, 0x60, MSRF_WRITE, MSRF_BITMAP_DATA, {} } } },
	{ "x2apic-deny", MSRF_DEFAULT_DENY, 1, { { 0x800, 0x100, RW, MSRF_BITMAP_DATA, {} } } },
	{ "x2apic-deny-late-lapic", MSRF_DEFAULT_DENY, 3,
	  { { 0x800, 0x100, RW, MSRF_BITMAP_DATA, {} },
	    { 0x1b, 1, RW, MSRF_BITMAP_DATA, { { 0x1b, 0x1b } } },
	    { 0xc0000080, 1, RW, MSRF_BITMAP_DATA, { { 0xc0000080, 0xc0000080 } } } } },
	{ "deny-power-ctl", 0, 1, { { 0x1fc, 1, RW, MSRF_BITMAP_DATA, {} } } },
	{ "deny-0x6e0-write", 0, 1, { { 0x6e0, 1, MSRF_WRITE, MSRF_BITMAP_DATA, {} } } },
	{ "wrap", 0, 1, { { 0xffffffff, 2, RW, MSRF_BITMAP_DATA, {} } } },
	{ "empty-deny", MSRF_DEFAULT_DENY, 0, {} },
	{ "bad-range-flags-0", 0, 1, { { 0x1fc, 1, 0, MSRF_BITMAP_DATA, {} } } },
	{ "bad-range-flags-4", 0, 1, { { 0x1fc, 1, 4, MSRF_BITMAP_DATA, {} } } },
	{ "bad-default-flags", 2, 1, { { 0x1fc, 1, RW, MSRF_BITMAP_DATA, {} } } },
	{ "oversize", 0, 1, { { 0, 12289, RW, MSRF_BITMAP_DATA, {} } } },
	{ "null-bitmap", 0, 1, { { 0x1fc, 1, RW, MSRF_BITMAP_NULL, {} } } },
	{ "unmapped-bitmap", 0, 1, { { 0x1fc, 1, RW, MSRF_BITMAP_UNMAPPED, {} } } },
	{ "edge-bitmap", 0, 1, { { 0x1fc, 1, RW, MSRF_BITMAP_EDGE, {} } } },
	/* filters/vmm/: what real VMMs install (their sources, or captured). */
	{ "vmm/qemu-7.2", 0, 1, { { 0x35, 1, MSRF_READ, MSRF_BITMAP_DATA, {} } } },
	{ "vmm/qemu-rapl", 0, 5,
	  { { 0x35, 1, MSRF_READ, MSRF_BITMAP_DATA, {} },
	    { 0x606, 1, MSRF_READ, MSRF_BITMAP_DATA, {} },
	    { 0x610, 1, MSRF_READ, MSRF_BITMAP_DATA, {} },
	    { 0x614, 1, MSRF_READ, MSRF_BITMAP_DATA, {} },
	    { 0x611, 1, MSRF_READ, MSRF_BITMAP_DATA, {} } } },
	{ "vmm/hyperlight-deny", MSRF_DEFAULT_DENY, 1,
	  { { 0xc0000080, 1, RW, MSRF_BITMAP_DATA, { { 0xc0000080, 0xc0000080 } } } } },
};

static struct msrf_filter got, want;

static void build_want(const struct shipped *s)
{
	int i, j;

	memset(&want, 0, sizeof(want));
	want.flags = s->flags;
	for (i = 0; i < s->nranges; i++) {
		const struct want_range *w = &s->r[i];
		struct msrf_range *r = &want.ranges[i];

		r->base = w->base;
		r->nmsrs = w->nmsrs;
		r->flags = w->flags;
		r->bitmap_kind = w->kind;
		for (j = 0; j < 3 && (w->allow[j].first || w->allow[j].last); j++) {
			uint32_t m;

			for (m = w->allow[j].first; m <= w->allow[j].last; m++) {
				uint32_t n = m - w->base;

				r->bitmap[n / 8] |= 1u << (n % 8);
			}
		}
	}
}

/* "# Expected: accepted|EINVAL|EFAULT" from the file's comments. */
static const char *expected_line(const char *path, char *buf, size_t len)
{
	char *text, *p, *end;
	size_t n;

	if (read_file(path, 1 << 20, &text, &n, buf, len))
		return "(unreadable)";
	p = strstr(text, "\n# Expected: ");
	if (!p) {
		free(text);
		return "(missing)";
	}
	p += strlen("\n# Expected: ");
	end = strchr(p, '\n');
	snprintf(buf, len, "%.*s", end ? (int)(end - p) : (int)strlen(p), p);
	free(text);
	return buf;
}

static void test_shipped_one(const struct shipped *s)
{
	char path[128], name[512], err[512], exp[64];
	const char *model;
	int n, i;

	snprintf(path, sizeof(path), "filters/%s.filter", s->name);
	n = filter_load(path, &got, err, sizeof(err));
	snprintf(name, sizeof(name), "filter: %s parses", path);
	check_str(name, "(ok)", n < 0 ? err : "(ok)");
	if (n < 0)
		return;
	build_want(s);
	snprintf(name, sizeof(name), "filter: %s has %d ranges", path, s->nranges);
	check_u64(name, (uint64_t)s->nranges, (uint64_t)n);
	snprintf(name, sizeof(name), "filter: %s flags", path);
	check_u64(name, want.flags, got.flags);
	for (i = 0; i < MSRF_MAX_RANGES; i++) {
		const struct msrf_range *g = &got.ranges[i], *w = &want.ranges[i];
		bool same = g->base == w->base && g->nmsrs == w->nmsrs && g->flags == w->flags &&
			    g->bitmap_kind == w->bitmap_kind &&
			    !memcmp(g->bitmap, w->bitmap, sizeof(g->bitmap));

		if (i >= s->nranges && same)
			continue;
		snprintf(name, sizeof(name), "filter: %s range %d (base 0x%x nmsrs %u flags 0x%x "
			 "kind %d, every bitmap bit)", path, i, w->base, w->nmsrs, w->flags,
			 w->bitmap_kind);
		check_true(name, same);
	}
	switch (msrf_validate(&got)) {
	case 0:
		model = "accepted";
		break;
	case MSRF_EINVAL:
		model = "EINVAL";
		break;
	case MSRF_EFAULT:
		model = "EFAULT";
		break;
	default:
		model = "?";
	}
	snprintf(name, sizeof(name), "filter: %s '# Expected:' matches msrf_validate()", path);
	check_str(name, model, expected_line(path, exp, sizeof(exp)));
}

/*
 * allow-all and deny-all cover the model's MSR windows, one range each, in
 * order (common/msrfilter.h keeps the one list): a window added there and
 * not here fails.
 */
static void test_shipped_windows(const char *name)
{
	char path[128], err[512], check[192];
	unsigned int w;
	bool ok;
	int n;

	snprintf(path, sizeof(path), "filters/%s.filter", name);
	n = filter_load(path, &got, err, sizeof(err));
	ok = n == MSRF_GEN_NWINDOWS;
	for (w = 0; ok && w < MSRF_GEN_NWINDOWS; w++)
		ok = got.ranges[w].base == msrf_gen_window(w) &&
		     got.ranges[w].nmsrs == MSRF_GEN_WINDOW_SIZE;
	snprintf(check, sizeof(check),
		 "filter: %s has one range per msrf_gen_window(), in order", path);
	check_true(check, ok);
}

struct bad {
	const char *file;
	const char *error;	/* after "host/tests/data/filter/" */
};

static const struct bad bad[] = {
	{ "no-default.filter", "no-default.filter:1: no 'default allow|deny' (or 'flags') line" },
	{ "dup-default.filter", "dup-default.filter:2: duplicate 'default' (the filter flags "
	  "were set on line 1)" },
	{ "dup-flags.filter", "dup-flags.filter:3: duplicate 'flags' (the filter flags were "
	  "set on line 2)" },
	{ "bad-default.filter", "bad-default.filter:1: bad default 'maybe' (want allow or deny)" },
	{ "unknown-keyword.filter", "unknown-keyword.filter:2: unknown keyword 'rnage'" },
	{ "trailing-junk.filter", "trailing-junk.filter:2: unexpected 'extra' after rw" },
	{ "missing-arg.filter", "missing-arg.filter:3: 'range' needs BASE NMSRS FLAGS" },
	{ "bad-number.filter", "bad-number.filter:2: bad range base '0xg' (want a 32-bit "
	  "decimal or 0x-hex number)" },
	{ "overflow-number.filter", "overflow-number.filter:2: bad range base '0x100000000' "
	  "(want a 32-bit decimal or 0x-hex number)" },
	{ "negative-number.filter", "negative-number.filter:2: bad range size '-1' (want a "
	  "32-bit decimal or 0x-hex number)" },
	{ "bad-range-flags.filter", "bad-range-flags.filter:2: bad range flags 'x' (want r, w, "
	  "rw or a number)" },
	{ "outside-range.filter", "outside-range.filter:3: '0x20' is outside the range 0x0-0xf" },
	{ "allow-before-range.filter", "allow-before-range.filter:2: 'allow' outside a range "
	  "(put it after a 'range' line)" },
	{ "oversize-bits.filter", "oversize-bits.filter:3: 'deny' in a range of 12289 MSRs: a "
	  "bitmap holds at most 12288 (only 'bitmap' lines can follow an oversize range)" },
	{ "zero-range-bits.filter", "zero-range-bits.filter:3: 'allow' in a range of 0 MSRs" },
	{ "seventeen-ranges.filter", "seventeen-ranges.filter:18: more than 16 ranges: the "
	  "ioctl cannot express it" },
	{ "empty-span.filter", "empty-span.filter:3: empty span '0x20-0x10' (last below first)" },
	{ "bad-span.filter", "bad-span.filter:3: bad MSR index '' (want a 32-bit decimal or "
	  "0x-hex number)" },
	{ "dup-bitmap.filter", "dup-bitmap.filter:4: duplicate 'bitmap' for this range (first "
	  "on line 3)" },
	{ "bad-bitmap.filter", "bad-bitmap.filter:3: bad bitmap kind 'weird' (want data, null, "
	  "unmapped or edge)" },
	{ "crlf.filter", "crlf.filter:1: carriage return (use Unix line ends)" },
	{ "non-ascii.filter", "non-ascii.filter:1: unexpected byte 0xc3 (the format is plain "
	  "ASCII)" },
	{ "long-line.filter", "long-line.filter:2: line longer than 1024 characters" },
	{ "empty.filter", "empty.filter:1: no 'default allow|deny' (or 'flags') line" },
	{ "comment-only.filter", "comment-only.filter:2: no 'default allow|deny' (or 'flags') "
	  "line" },
	{ "too-many-words.filter", "too-many-words.filter:2: too many words on one line" },
	{ "wrap-outside.filter", "wrap-outside.filter:3: '0' is outside the range "
	  "0xffffffff-0xffffffff" },
	{ "allow-missing.filter", "allow-missing.filter:3: 'allow' needs all, an MSR index or "
	  "FIRST-LAST" },
	{ "bitmap-missing.filter", "bitmap-missing.filter:3: 'bitmap' needs data, null, "
	  "unmapped or edge" },
	{ "nul-byte.filter", "nul-byte.filter:1: NUL byte" },
	{ "flags-missing.filter", "flags-missing.filter:1: 'flags' needs a number" },
};

#define BAD_DIR "host/tests/data/filter/"

static void test_bad(void)
{
	char path[256], want_err[512], err[512], name[300];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), BAD_DIR "%s", bad[i].file);
		snprintf(want_err, sizeof(want_err), BAD_DIR "%s", bad[i].error);
		snprintf(name, sizeof(name), "filter: rejects %s", bad[i].file);
		check_str(name, want_err, filter_load(path, &got, err, sizeof(err)) < 0 ?
			  err : "(accepted)");
	}
	check_str("filter: a missing file", "host/tests/data/filter/nonexistent: No such file "
		  "or directory", filter_load(BAD_DIR "nonexistent", &got, err, sizeof(err)) < 0 ?
		  err : "(accepted)");
}

/* Small inline cases: the grammar's corners that need no file. */
static void test_inline(void)
{
	static const struct {
		const char *name, *text, *error;
		uint32_t flags, base, nmsrs, rflags;
		uint8_t byte0;
	} cases[] = {
		{ "indentation and comments are free", " default deny # x\n\trange 1 8 w\n"
		  "allow all#c\n  deny 2-3\n", NULL, 1, 1, 8, MSRF_WRITE, 0xf9 },
		{ "hex and decimal", "default allow\nrange 0X10 16 3\nallow 0x10\nallow 17\n",
		  NULL, 0, 0x10, 16, 3, 0x03 },
		{ "raw range flags 0xffffffff", "default allow\nrange 0 1 0xffffffff\n", NULL, 0, 0,
		  1, 0xffffffffu, 0 },
		{ "raw filter flags", "flags 0xffffffff\n", NULL, 0xffffffffu, 0, 0, 0, 0 },
		{ "later lines win", "default allow\nrange 0 8 rw\nallow all\ndeny all\nallow 7\n",
		  NULL, 0, 0, 8, RW, 0x80 },
		{ "bits past nmsrs stay 0", "default allow\nrange 0 3 rw\nallow all\n", NULL, 0, 0,
		  3, RW, 0x07 },
		{ "no newline at the end", "default allow\nrange 5 1 r", NULL, 0, 5, 1, MSRF_READ, 0 },
		{ "span across the range end", "default allow\nrange 0 8 rw\nallow 4-8\n",
		  "t:3: '4-8' is outside the range 0x0-0x7", 0, 0, 0, 0, 0 },
		{ "uppercase keyword", "DEFAULT allow\n", "t:1: unknown keyword 'DEFAULT'",
		  0, 0, 0, 0, 0 },
		{ "'wr' is not a flag word", "default allow\nrange 0 1 wr\n",
		  "t:2: bad range flags 'wr' (want r, w, rw or a number)", 0, 0, 0, 0, 0 },
		{ "sign", "default allow\nrange +1 1 r\n", "t:2: bad range base '+1' (want a "
		  "32-bit decimal or 0x-hex number)", 0, 0, 0, 0, 0 },
		{ "bare 0x", "default allow\nrange 0x 1 r\n", "t:2: bad range base '0x' (want a "
		  "32-bit decimal or 0x-hex number)", 0, 0, 0, 0, 0 },
	};
	char err[512], name[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = filter_parse("t", cases[i].text, strlen(cases[i].text), &got, err,
				     sizeof(err));

		snprintf(name, sizeof(name), "filter: %s", cases[i].name);
		if (cases[i].error) {
			check_str(name, cases[i].error, n < 0 ? err : "(accepted)");
			continue;
		}
		if (n < 0) {
			check_str(name, "(accepted)", err);
			continue;
		}
		check_true(name, got.flags == cases[i].flags &&
			   (!cases[i].nmsrs || (got.ranges[0].base == cases[i].base &&
						got.ranges[0].nmsrs == cases[i].nmsrs &&
						got.ranges[0].flags == cases[i].rflags &&
						got.ranges[0].bitmap[0] == cases[i].byte0)));
	}
}

/*
 * Every file in 'dir' ending in .filter must be one the table knows; in a
 * shipped directory the table names it 'prefix' + its name without .filter.
 */
static void test_no_stray(const char *dir, const char *prefix, bool shipped_dir)
{
	size_t plen = strlen(prefix);
	char name[300];
	struct dirent *d;
	DIR *dp = opendir(dir);
	int stray = 0;

	if (!dp) {
		pass_fail(false, "filter: every file in %s is tested (cannot open it)", dir);
		return;
	}
	while ((d = readdir(dp))) {
		size_t len = strlen(d->d_name), i;
		bool known = false;

		if (len < 8 || strcmp(d->d_name + len - 7, ".filter"))
			continue;
		if (shipped_dir) {
			for (i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++)
				known |= strlen(shipped[i].name) == plen + len - 7 &&
					 !strncmp(shipped[i].name, prefix, plen) &&
					 !strncmp(shipped[i].name + plen, d->d_name, len - 7);
		} else {
			for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
				known |= !strcmp(bad[i].file, d->d_name);
		}
		if (!known) {
			printf("FAIL: filter: %s%s is not in host/tests/test-filterfile.c's table\n",
			       dir, d->d_name);
			stray++;
		}
	}
	closedir(dp);
	test_failures += stray;
	snprintf(name, sizeof(name), "filter: every file in %s is tested", dir);
	if (!stray)
		pass_fail(true, "%s", name);
}

int main(void)
{
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++)
		test_shipped_one(&shipped[i]);
	test_shipped_windows("allow-all");
	test_shipped_windows("deny-all");
	test_bad();
	test_inline();
	test_no_stray("filters/", "", true);
	test_no_stray("filters/vmm/", "vmm/", true);
	test_no_stray(BAD_DIR, "", false);
	return test_exit();
}
