// SPDX-License-Identifier: GPL-2.0-only
/*
 * The filter-description parser (format: host/util/filterfile.h).  Pure: text in,
 * struct msrf_filter out, every error "file:line: message".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filterfile.h"
#include "util.h"

#define MAX_LINE	1024
#define MAX_TOKENS	8

struct parser {
	const char *name;
	unsigned int line;
	char *err;
	size_t errlen;
	struct msrf_filter *f;
	int nranges;
	unsigned int default_line;	/* line of 'default'/'flags', 0 = none */
	unsigned int bitmap_line;	/* line of the current range's 'bitmap' */
	char *tok[MAX_TOKENS];
	int ntok;
};

static int __attribute__((format(printf, 2, 3))) fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrf_at(p->err, p->errlen, p->name, p->line, fmt, ap);
	va_end(ap);
	return -1;
}

/* Decimal or 0x-hex, no sign, no junk, at most 0xffffffff. */
static int parse_u32(const char *s, uint32_t *val)
{
	uint64_t v;

	if (parse_uint(s, UINT32_MAX, &v))
		return -1;
	*val = (uint32_t)v;
	return 0;
}

static int number(struct parser *p, const char *s, const char *what, uint32_t *val)
{
	if (parse_u32(s, val))
		return fail(p, "bad %s '%s' (want a 32-bit decimal or 0x-hex number)", what, s);
	return 0;
}

static int want_args(struct parser *p, int n, const char *usage)
{
	if (p->ntok - 1 < n)
		return fail(p, "'%s' needs %s", p->tok[0], usage);
	if (p->ntok - 1 > n)
		return fail(p, "unexpected '%s' after %s", p->tok[n + 1], p->tok[n]);
	return 0;
}

static struct msrf_range *cur_range(struct parser *p)
{
	if (!p->nranges) {
		fail(p, "'%s' outside a range (put it after a 'range' line)", p->tok[0]);
		return NULL;
	}
	return &p->f->ranges[p->nranges - 1];
}

static int do_default(struct parser *p)
{
	uint32_t flags = 0;

	if (p->default_line)
		return fail(p, "duplicate '%s' (the filter flags were set on line %u)",
			    p->tok[0], p->default_line);
	if (want_args(p, 1, strcmp(p->tok[0], "flags") ? "allow or deny" : "a number"))
		return -1;
	if (!strcmp(p->tok[0], "flags")) {
		if (number(p, p->tok[1], "filter flags", &flags))
			return -1;
	} else if (!strcmp(p->tok[1], "allow")) {
		flags = 0;
	} else if (!strcmp(p->tok[1], "deny")) {
		flags = MSRF_DEFAULT_DENY;
	} else {
		return fail(p, "bad default '%s' (want allow or deny)", p->tok[1]);
	}
	p->f->flags = flags;
	p->default_line = p->line;
	return 0;
}

static int do_range(struct parser *p)
{
	struct msrf_range *r;
	uint32_t base = 0, nmsrs = 0, flags = 0;
	const char *fl;

	if (want_args(p, 3, "BASE NMSRS FLAGS"))
		return -1;
	if (p->nranges == MSRF_MAX_RANGES)
		return fail(p, "more than %d ranges: the ioctl cannot express it",
			    MSRF_MAX_RANGES);
	if (number(p, p->tok[1], "range base", &base) ||
	    number(p, p->tok[2], "range size", &nmsrs))
		return -1;
	fl = p->tok[3];
	if (!strcmp(fl, "r"))
		flags = MSRF_READ;
	else if (!strcmp(fl, "w"))
		flags = MSRF_WRITE;
	else if (!strcmp(fl, "rw"))
		flags = MSRF_READ | MSRF_WRITE;
	else if (parse_u32(fl, &flags))
		return fail(p, "bad range flags '%s' (want r, w, rw or a number)", fl);
	r = &p->f->ranges[p->nranges++];
	r->base = base;
	r->nmsrs = nmsrs;
	r->flags = flags;
	r->bitmap_kind = MSRF_BITMAP_DATA;
	p->bitmap_line = 0;
	return 0;
}

static void set_bits(struct msrf_range *r, uint32_t first, uint32_t last, bool allow)
{
	uint32_t n = 0;

	for (n = first - r->base; n <= last - r->base; n++) {
		if (allow)
			r->bitmap[n / 8] |= 1u << (n % 8);
		else
			r->bitmap[n / 8] &= ~(1u << (n % 8));
	}
}

/* The last index of r that allow/deny can name (BASE..0xffffffff if it wraps). */
static uint32_t range_last(const struct msrf_range *r)
{
	uint64_t end = (uint64_t)r->base + r->nmsrs;

	return end > UINT32_MAX ? UINT32_MAX : (uint32_t)(end - 1);
}

static int parse_span(struct parser *p, const char *s, uint32_t *first, uint32_t *last)
{
	char buf[MAX_LINE];
	char *dash;

	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = 0;
	if (number(p, buf, "MSR index", first))
		return -1;
	if (!dash) {
		*last = *first;
		return 0;
	}
	if (number(p, dash + 1, "MSR index", last))
		return -1;
	if (*last < *first)
		return fail(p, "empty span '%s' (last below first)", s);
	return 0;
}

static int do_bits(struct parser *p)
{
	bool allow = !strcmp(p->tok[0], "allow");
	struct msrf_range *r = cur_range(p);
	uint32_t first = 0, last = 0;

	if (!r || want_args(p, 1, "all, an MSR index or FIRST-LAST"))
		return -1;
	if (r->nmsrs > MSRF_MAX_NMSRS)
		return fail(p, "'%s' in a range of %u MSRs: a bitmap holds at most %u "
			    "(only 'bitmap' lines can follow an oversize range)",
			    p->tok[0], r->nmsrs, MSRF_MAX_NMSRS);
	if (!r->nmsrs)
		return fail(p, "'%s' in a range of 0 MSRs", p->tok[0]);
	if (!strcmp(p->tok[1], "all")) {
		set_bits(r, r->base, range_last(r), allow);
		return 0;
	}
	if (parse_span(p, p->tok[1], &first, &last))
		return -1;
	if (first < r->base || last > range_last(r))
		return fail(p, "'%s' is outside the range 0x%x-0x%x", p->tok[1],
			    r->base, range_last(r));
	set_bits(r, first, last, allow);
	return 0;
}

static int do_bitmap(struct parser *p)
{
	static const char *const kinds[] = {
		[MSRF_BITMAP_DATA] = "data",
		[MSRF_BITMAP_NULL] = "null",
		[MSRF_BITMAP_UNMAPPED] = "unmapped",
		[MSRF_BITMAP_EDGE] = "edge",
	};
	struct msrf_range *r = cur_range(p);
	unsigned int k;

	if (!r || want_args(p, 1, "data, null, unmapped or edge"))
		return -1;
	if (p->bitmap_line)
		return fail(p, "duplicate 'bitmap' for this range (first on line %u)",
			    p->bitmap_line);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (!strcmp(p->tok[1], kinds[k])) {
			r->bitmap_kind = (enum msrf_bitmap_kind)k;
			p->bitmap_line = p->line;
			return 0;
		}
	}
	return fail(p, "bad bitmap kind '%s' (want data, null, unmapped or edge)", p->tok[1]);
}

/* Split buf in place into blank-separated tokens, dropping the comment. */
static int tokenize(struct parser *p, char *buf)
{
	char *s = buf, *hash = strchr(buf, '#');

	if (hash)
		*hash = 0;
	p->ntok = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return 0;
		if (p->ntok == MAX_TOKENS)
			return fail(p, "too many words on one line");
		p->tok[p->ntok++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = 0;
	}
}

static int do_line(struct parser *p, const char *line, size_t len)
{
	char buf[MAX_LINE + 1];
	size_t i;

	bool comment = false;

	if (len > MAX_LINE)
		return fail(p, "line longer than %d characters", MAX_LINE);
	/* Plain ASCII, except that comments may hold any text (UTF-8). */
	for (i = 0; i < len; i++) {
		unsigned char c = line[i];

		comment |= c == '#';
		if (c == '\r')
			return fail(p, "carriage return (use Unix line ends)");
		if (!c)
			return fail(p, "NUL byte");
		if (c == '\t' || (c >= 0x20 && c < 0x7f) || (comment && c >= 0x80))
			continue;
		return fail(p, "unexpected byte 0x%02x (the format is plain ASCII)", c);
	}
	memcpy(buf, line, len);
	buf[len] = 0;
	if (tokenize(p, buf))
		return -1;
	if (!p->ntok)
		return 0;
	if (!strcmp(p->tok[0], "default") || !strcmp(p->tok[0], "flags"))
		return do_default(p);
	if (!strcmp(p->tok[0], "range"))
		return do_range(p);
	if (!strcmp(p->tok[0], "allow") || !strcmp(p->tok[0], "deny"))
		return do_bits(p);
	if (!strcmp(p->tok[0], "bitmap"))
		return do_bitmap(p);
	return fail(p, "unknown keyword '%s'", p->tok[0]);
}

int filter_parse(const char *name, const char *text, size_t len,
		 struct msrf_filter *f, char *err, size_t errlen)
{
	struct parser p = {
		.name = name, .err = err, .errlen = errlen, .f = f,
	};
	size_t pos = 0;

	memset(f, 0, sizeof(*f));
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		p.line++;
		if (do_line(&p, text + pos, end - pos))
			return -1;
		pos = end + 1;
	}
	if (!p.default_line) {
		p.line = p.line ? p.line : 1;
		return fail(&p, "no 'default allow|deny' (or 'flags') line");
	}
	return p.nranges;
}

int filter_load(const char *path, struct msrf_filter *f, char *err, size_t errlen)
{
	size_t len;
	char *buf;
	int ret;

	memset(f, 0, sizeof(*f));
	if (read_file(path, FILTER_MAX_FILE_SIZE, &buf, &len, err, errlen))
		return -1;
	ret = filter_parse(path, buf, len, f, err, errlen);
	free(buf);
	return ret;
}
