// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest verdict protocol, one line at a time (lib/report.c writes it):
 *   PASS: / FAIL: / SKIP: / XFAIL: <prefixes>: <message>
 *   INFO: ..., ABORT: <message>
 *   SUMMARY: <T> tests, <F> unexpected failures, <X> expected failures, <S> skipped
 * lines_feed() cuts lines to RUNNER_LINE_MAX; memory stays bounded
 * however much a guest prints.
 */
#include <stdlib.h>
#include <string.h>

#include "runner.h"

const char *const status_names[ST_COUNT] = {
	"PASS", "FAIL", "SKIP", "XFAIL", "XPASS", "TIMEOUT", "ERROR",
};

const char *const sub_status_names[SUB_COUNT] = {
	"PASS", "FAIL", "SKIP", "XFAIL",
};

static const char *const sub_prefixes[SUB_COUNT] = {
	"PASS: ", "FAIL: ", "SKIP: ", "XFAIL: ",
};

static void set_once(char **slot, const char *s)
{
	if (!*slot)
		*slot = xstrdup(s);
}

static void set_last(char **slot, const char *s)
{
	free(*slot);
	*slot = xstrdup(s);
}

static void add_subtest(struct result *res, enum sub_status st, const char *name)
{
	size_t n = strlen(name);

	if (res->nsubs >= RUNNER_MAX_SUBTESTS ||
	    res->subs_bytes + n > RUNNER_SUBTEST_BYTES) {
		res->subs_dropped++;
		return;
	}
	if (res->nsubs == res->subs_cap) {
		res->subs_cap = res->subs_cap ? 2 * res->subs_cap : 64;
		res->subs = xrealloc(res->subs, res->subs_cap * sizeof(*res->subs));
	}
	res->subs[res->nsubs].st = st;
	res->subs[res->nsubs].name = xstrdup(name);
	res->nsubs++;
	res->subs_bytes += n + 1;
}

/* "<n> words[, <n> words]...": the words name each count. */
static void parse_summary(struct result *res, const char *s)
{
	unsigned int vals[4] = { 0 };
	static const char *const words[4] = {
		"tests", "unexpected failures", "expected failures", "skipped",
	};
	bool seen_tests = false;

	while (*s) {
		unsigned long v;
		char *end;
		size_t n;
		int i;

		while (*s == ' ' || *s == ',')
			s++;
		if (*s < '0' || *s > '9')
			break;
		v = strtoul(s, &end, 10);
		if (*end != ' ' || v > 0xffffffffUL)
			return;
		s = end + 1;
		n = strcspn(s, ",");
		for (i = 0; i < 4; i++) {
			if (strlen(words[i]) == n && !strncmp(s, words[i], n)) {
				vals[i] = v;
				seen_tests |= i == 0;
			}
		}
		s += n;
	}
	if (!seen_tests)
		return;
	res->have_summary = true;
	res->sum_tests = vals[0];
	res->sum_failed = vals[1];
	res->sum_xfail = vals[2];
	res->sum_skipped = vals[3];
}

void parse_line(struct result *res, const char *line, bool cut,
		const char *diag_prefix)
{
	int i;

	if (!*line)
		return;
	set_last(&res->last_line, line);
	if (diag_prefix && !strncmp(line, diag_prefix, strlen(diag_prefix)))
		set_last(&res->diag_line, line);
	for (i = 0; i < SUB_COUNT; i++) {
		size_t n = strlen(sub_prefixes[i]);

		if (strncmp(line, sub_prefixes[i], n))
			continue;
		res->nlines[i]++;
		add_subtest(res, i, line + n);
		if (i == SUB_FAIL)
			set_once(&res->first_fail, line + n);
		if (i == SUB_SKIP)
			set_once(&res->first_skip, line + n);
		return;
	}
	if (!strncmp(line, "ABORT: ", 7))
		set_once(&res->abort_line, line + 7);
	else if (!strncmp(line, "SUMMARY: ", 9) && !cut)
		parse_summary(res, line + 9);
}

static void line_done(struct linebuf *lb, line_fn *fn, void *arg)
{
	if (lb->len && lb->s[lb->len - 1] == '\r')
		lb->len--;
	lb->s[lb->len] = 0;
	fn(arg, lb->s, lb->cut);
	lb->len = 0;
	lb->cut = false;
}

/*
 * Cut raw output into lines for 'fn' (which usually calls parse_line()):
 * '\n' ends a line, a '\r' before it is dropped, bytes past RUNNER_LINE_MAX
 * are dropped and mark the line cut.  A line may span several calls.
 */
void lines_feed(struct linebuf *lb, const char *buf, size_t len,
		line_fn *fn, void *arg)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] == '\n')
			line_done(lb, fn, arg);
		else if (lb->len < RUNNER_LINE_MAX)
			lb->s[lb->len++] = buf[i];
		else
			lb->cut = true;
	}
}

/* At end of output: the last line, if it had no '\n'. */
void lines_flush(struct linebuf *lb, line_fn *fn, void *arg)
{
	if (lb->len || lb->cut)
		line_done(lb, fn, arg);
}

void result_free(struct result *res)
{
	size_t i;

	for (i = 0; i < res->nsubs; i++)
		free(res->subs[i].name);
	free(res->subs);
	free(res->reason);
	free(res->first_fail);
	free(res->first_skip);
	free(res->abort_line);
	free(res->diag_line);
	free(res->last_line);
	free(res->known_reason);
	memset(res, 0, sizeof(*res));
}
