// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the runner's guest output parser (host/runner/parse.c:
 * lines_feed() cutting raw output into lines, parse_line() turning them
 * into a struct result) and the escaping of what the guest printed for
 * results.json and JUnit (sb_json_str(), sb_xml_str() in runner/util.c).
 *
 * The input is raw guest output, fed in chunks of input-derived sizes.  A
 * small independent model of the protocol (lib/report.c's line format)
 * predicts every line, the counts, the first FAIL/SKIP/ABORT, the last line
 * and the subtests; the escaped strings must be valid JSON (UTF-8) and XML.
 */
#include <limits.h>

#include "fuzz.h"
#include "runner/runner.h"

static const char *const prefixes[SUB_COUNT] = {
	"PASS: ", "FAIL: ", "SKIP: ", "XFAIL: ",
};

struct model {
	const uint8_t *data;
	size_t size, pos;	/* where the next expected line starts */
	const char *diag;	/* diagnostics prefix given to parse_line() */
	struct result *res;
	unsigned long nlines[SUB_COUNT];
	unsigned long nprotocol;	/* subtest lines, in order */
	char *first_fail, *first_skip, *abort_line, *diag_line, *last_line;
	char *summary;		/* text of the last complete SUMMARY line */
	bool any_summary;
};

static void set(char **slot, const char *s, bool once)
{
	if (once && *slot)
		return;
	free(*slot);
	*slot = strdup(s);
}

/* The next line as the model cuts it: up to '\n', 4096 bytes kept, '\r' off. */
static void expect_line(struct model *m, const char *line, bool cut, bool at_eof)
{
	const uint8_t *start = m->data + m->pos;
	const uint8_t *nl = memchr(start, '\n', m->size - m->pos);
	size_t seg = nl ? (size_t)(nl - start) : m->size - m->pos;
	size_t keep = seg < RUNNER_LINE_MAX ? seg : RUNNER_LINE_MAX;

	fuzz_check(nl || at_eof, "line delivered before its newline arrived");
	fuzz_check(!at_eof || seg, "empty final line delivered");
	if (keep && start[keep - 1] == '\r')
		keep--;
	keep = strnlen((const char *)start, keep);	/* C string: up to a NUL */
	fuzz_check(strlen(line) == keep && !memcmp(line, start, keep),
		   "line at offset %zu: got %zu bytes, want %zu", m->pos,
		   strlen(line), keep);
	fuzz_check(cut == (seg > RUNNER_LINE_MAX), "line at offset %zu of %zu "
		   "bytes: cut %d", m->pos, seg, cut);
	m->pos += seg + (nl != NULL);
}

/* 'name' is 'line', or 'line' + " #N" (N >= 2) for a repeated name. */
static bool same_or_repeat(const char *name, const char *line)
{
	size_t n = strlen(line);
	const char *p = name + n;

	if (strncmp(name, line, n))
		return false;
	if (!*p)
		return true;
	if (strncmp(p, " #", 2) || !p[2])
		return false;
	for (p += 2; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Subtest names must be unique within a result. */
static void check_unique(const struct result *res)
{
	char **v = malloc(res->nsubs * sizeof(*v) + 1);
	size_t i;

	for (i = 0; i < res->nsubs; i++)
		v[i] = res->subs[i].name;
	qsort(v, res->nsubs, sizeof(*v), cmp_names);
	for (i = 1; i < res->nsubs; i++)
		fuzz_check(strcmp(v[i - 1], v[i]), "subtest name '%s' twice", v[i]);
	free(v);
}

static void model_line(struct model *m, const char *line, bool cut)
{
	int i;

	if (!*line)
		return;
	set(&m->last_line, line, false);
	if (m->diag && !strncmp(line, m->diag, strlen(m->diag)))
		set(&m->diag_line, line, false);
	for (i = 0; i < SUB_COUNT; i++) {
		size_t n = strlen(prefixes[i]);
		const struct result *res = m->res;

		if (strncmp(line, prefixes[i], n))
			continue;
		m->nlines[i]++;
		/* The parser's subtest list so far must end with this line. */
		if (!res->subs_dropped) {
			fuzz_check(res->nsubs == m->nprotocol + 1 &&
				   res->subs[m->nprotocol].st == (enum sub_status)i &&
				   same_or_repeat(res->subs[m->nprotocol].name, line + n),
				   "subtest %lu: '%s' not recorded", m->nprotocol, line);
		}
		m->nprotocol++;
		if (i == SUB_FAIL)
			set(&m->first_fail, line + n, true);
		if (i == SUB_SKIP)
			set(&m->first_skip, line + n, true);
		return;
	}
	if (!strncmp(line, "ABORT: ", 7))
		set(&m->abort_line, line + 7, true);
	if (!strncmp(line, "SUMMARY: ", 9)) {
		m->any_summary = true;
		if (!cut)
			set(&m->summary, line + 9, false);
	}
}

static struct model *cur;

static void got_line(void *arg, const char *line, bool cut)
{
	struct model *m = arg;

	fuzz_check(m == cur, "callback argument lost");
	fuzz_check(strlen(line) <= RUNNER_LINE_MAX && !strchr(line, '\n'),
		   "line of %zu bytes", strlen(line));
	expect_line(m, line, cut, false);
	parse_line(m->res, line, cut, m->diag);
	model_line(m, line, cut);
}

static void got_last_line(void *arg, const char *line, bool cut)
{
	struct model *m = arg;

	expect_line(m, line, cut, true);
	parse_line(m->res, line, cut, m->diag);
	model_line(m, line, cut);
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Length of the valid UTF-8 sequence at s (no overlongs, no surrogates). */
static int utf8_seq(const unsigned char *s, unsigned int *cp)
{
	int n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 :
		(s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	static const unsigned int min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	int i;

	if (!n)
		return 0;
	*cp = n == 1 ? s[0] : s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (*cp < min[n] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

static bool valid_utf8(const char *s)
{
	unsigned int cp;
	int n;

	for (; *s; s += n)
		if (!(n = utf8_seq((const unsigned char *)s, &cp)))
			return false;
	return true;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * s must be one valid JSON string (RFC 8259, UTF-8); returns its decoded
 * bytes (malloc'd) so valid input can be compared after a round trip.
 */
static char *json_decode(const char *s)
{
	char *out = malloc(strlen(s) * 3 + 1), *o = out;
	unsigned int cp;
	int n, i;

	fuzz_check(*s == '"', "JSON string does not start with a quote");
	for (s++; *s != '"'; s += n) {
		fuzz_check(*s, "unterminated JSON string");
		fuzz_check((unsigned char)*s >= 0x20, "raw control byte 0x%02x in "
			   "JSON", (unsigned char)*s);
		n = 1;
		if (*s != '\\') {
			n = utf8_seq((const unsigned char *)s, &cp);
			fuzz_check(n, "invalid UTF-8 in JSON");
			memcpy(o, s, n);
			o += n;
			continue;
		}
		n = 2;
		switch (s[1]) {
		case '"': case '\\': case '/': *o++ = s[1]; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			for (cp = 0, i = 2; i < 6; i++) {
				fuzz_check(hexval(s[i]) >= 0, "bad \\u escape in JSON");
				cp = cp << 4 | (unsigned int)hexval(s[i]);
			}
			fuzz_check(cp < 0xd800 || cp > 0xdfff, "lone surrogate in JSON");
			n = 6;
			if (cp < 0x80) {
				*o++ = (char)cp;
			} else if (cp < 0x800) {
				*o++ = (char)(0xc0 | cp >> 6);
				*o++ = (char)(0x80 | (cp & 0x3f));
			} else {
				*o++ = (char)(0xe0 | cp >> 12);
				*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
				*o++ = (char)(0x80 | (cp & 0x3f));
			}
			break;
		default:
			fuzz_check(0, "bad JSON escape \\%c", s[1]);
		}
	}
	fuzz_check(!s[1], "bytes after the JSON string");
	*o = 0;
	return out;
}

static void check_json(const char *s)
{
	struct sbuf sb = { 0 };
	char *dec;

	sb_json_str(&sb, s);
	dec = json_decode(sb.s);
	/* Valid UTF-8 survives the round trip; anything else may be replaced. */
	if (valid_utf8(s))
		fuzz_check(!strcmp(dec, s), "JSON round trip changed '%s'", s);
	free(dec);
	free(sb.s);
}

/* XML 1.0 character data: valid UTF-8, no markup, no forbidden characters. */
static void check_xml(const char *s)
{
	static const char *const ents[] = { "&lt;", "&gt;", "&amp;", "&quot;", "&apos;" };
	struct sbuf sb = { 0 };
	const char *p;
	size_t i;

	sb_xml_str(&sb, s);
	fuzz_check(valid_utf8(sb.s ? sb.s : ""), "invalid UTF-8 in XML text");
	for (p = sb.s ? sb.s : ""; *p; p++) {
		unsigned char c = *p;

		fuzz_check(c == '\t' || c == '\n' || (c >= 0x20 && c != 0x7f),
			   "byte 0x%02x in XML text", c);
		fuzz_check(!(c == 0xef && (unsigned char)p[1] == 0xbf &&
			     (unsigned char)p[2] >= 0xbe), "U+FFFE/U+FFFF in XML text");
		fuzz_check(c != '<' && c != '>' && c != '"' && c != '\'',
			   "raw '%c' in XML text", c);
		if (c != '&')
			continue;
		for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
			if (!strncmp(p, ents[i], strlen(ents[i])))
				break;
		fuzz_check(i < sizeof(ents) / sizeof(ents[0]), "raw '&' in XML text");
	}
	free(sb.s);
}

static void check_text(const char *s)
{
	if (!s)
		return;
	check_json(s);
	check_xml(s);
}

/* report.c's exact SUMMARY text: the parser must read its four numbers. */
static void check_summary(const struct model *m, const struct result *res)
{
	unsigned int v[4];
	char canon[160];
	int used = -1;

	fuzz_check(!res->have_summary || m->summary,
		   "SUMMARY parsed without a complete SUMMARY line");
	if (!m->summary)
		return;
	if (sscanf(m->summary, "%u tests, %u unexpected failures, %u expected "
		   "failures, %u skipped%n", &v[0], &v[1], &v[2], &v[3], &used) != 4)
		return;
	snprintf(canon, sizeof(canon), "%u tests, %u unexpected failures, %u "
		 "expected failures, %u skipped", v[0], v[1], v[2], v[3]);
	if (strcmp(canon, m->summary))
		return;
	fuzz_check(res->have_summary && res->sum_tests == v[0] &&
		   res->sum_failed == v[1] && res->sum_xfail == v[2] &&
		   res->sum_skipped == v[3], "SUMMARY: %s read as %d %u %u %u %u",
		   m->summary, res->have_summary, res->sum_tests, res->sum_failed,
		   res->sum_xfail, res->sum_skipped);
}

static void check_result(const struct model *m, const struct result *res)
{
	unsigned long total = 0;
	size_t i;
	int k;

	for (k = 0; k < SUB_COUNT; k++) {
		fuzz_check(res->nlines[k] == m->nlines[k], "%s lines: %lu, want %lu",
			   prefixes[k], res->nlines[k], m->nlines[k]);
		total += m->nlines[k];
	}
	fuzz_check(res->nsubs + res->subs_dropped == total &&
		   res->nsubs <= RUNNER_MAX_SUBTESTS &&
		   res->subs_bytes <= RUNNER_SUBTEST_BYTES,
		   "%zu subtests + %lu dropped, %lu lines", res->nsubs,
		   res->subs_dropped, total);
	fuzz_check(same(res->first_fail, m->first_fail), "first FAIL");
	fuzz_check(same(res->first_skip, m->first_skip), "first SKIP");
	fuzz_check(same(res->abort_line, m->abort_line), "first ABORT");
	fuzz_check(same(res->diag_line, m->diag_line), "last diagnostic line");
	fuzz_check(same(res->last_line, m->last_line), "last line");
	check_summary(m, res);
	for (i = 0; i < res->nsubs; i++)
		check_text(res->subs[i].name);
	check_unique(res);
	check_text(res->first_fail);
	check_text(res->abort_line);
	check_text(res->last_line);
}

static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const diags[] = { "kvmrun: ", "qemu-system-x86_64: ", NULL };
	uint32_t seed = fuzz_hash(data, size) | 1;
	static struct linebuf linebuf;	/* ASan guards globals too */
	struct linebuf *lb = &linebuf;
	struct result res = { 0 };
	struct model m = {
		.data = data, .size = size, .res = &res,
		.diag = diags[seed % 3],
	};
	size_t pos = 0, n;

	lb->len = 0;
	lb->cut = false;
	cur = &m;
	/* Reads return arbitrary pieces: lines must not depend on them. */
	while (pos < size) {
		uint32_t r = next_rand(&seed);

		n = r % 4 ? 1 + r % 16 : 1 + r % 8192;
		if (n > size - pos)
			n = size - pos;
		lines_feed(lb, (const char *)data + pos, n, got_line, &m);
		pos += n;
	}
	lines_flush(lb, got_last_line, &m);
	fuzz_check(lb->len == 0 && !lb->cut, "line buffer not reset");
	fuzz_check(m.pos == size, "model at %zu of %zu bytes: a line was lost",
		   m.pos, size);
	lines_flush(lb, got_last_line, &m);	/* nothing left: no call */
	check_result(&m, &res);
	result_free(&res);
	free(m.first_fail);
	free(m.first_skip);
	free(m.abort_line);
	free(m.diag_line);
	free(m.last_line);
	free(m.summary);
	return 0;
}
