// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest verdict protocol, one line at a time (lib/report.c writes it):
 *   PASS: / FAIL: / SKIP: / XFAIL: <prefixes>: <message>
 *   INFO: ..., ABORT: <message>
 *   SHUTDOWN-EXPECTED: <why>   (the guest is about to shut down on purpose)
 *   SUMMARY: <T> tests, <F> unexpected failures, <X> expected failures, <S> skipped[, <C> checks]
 * lines_feed() cuts lines to RUNNER_LINE_MAX; memory stays bounded
 * however much a guest prints.
 */
#include <stdint.h>
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

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Slot of 'name' in the open-addressed index: its entry or a free one. */
static size_t name_slot(const struct result *res, const char *name)
{
	size_t mask = res->sub_index_cap - 1, i = name_hash(name) & mask;

	while (res->sub_index[i] && strcmp(res->subs[res->sub_index[i] - 1].name, name))
		i = (i + 1) & mask;
	return i;
}

static void index_grow(struct result *res)
{
	size_t i;

	free(res->sub_index);
	res->sub_index_cap = res->sub_index_cap ? 2 * res->sub_index_cap : 256;
	res->sub_index = calloc(res->sub_index_cap, sizeof(*res->sub_index));
	if (!res->sub_index)
		die(2, "out of memory");
	for (i = 0; i < res->nsubs; i++)
		res->sub_index[name_slot(res, res->subs[i].name)] = i + 1;
}

/*
 * Subtest names are unique within a test so that TAP, JUnit and known
 * failures can name each one: the n-th repeat of a name gets " #n" (n >= 2).
 * Guest output is deterministic, so the names are stable across runs.
 */
static char *unique_name(struct result *res, const char *name)
{
	size_t slot = name_slot(res, name);
	struct subtest *first;
	char *alt;

	if (!res->sub_index[slot])
		return xstrdup(name);
	first = &res->subs[res->sub_index[slot] - 1];
	for (;;) {
		alt = xasprintf("%s #%u", name, ++first->repeats + 1);
		if (!res->sub_index[name_slot(res, alt)])
			return alt;
		free(alt);
	}
}

static void add_subtest(struct result *res, enum sub_status st, const char *name)
{
	size_t n = strlen(name);
	char *uname;

	if (res->nsubs >= RUNNER_MAX_SUBTESTS ||
	    res->subs_bytes + n + 1 > RUNNER_SUBTEST_BYTES) {
		res->subs_dropped++;
		return;
	}
	if (2 * (res->nsubs + 1) > res->sub_index_cap)
		index_grow(res);
	uname = unique_name(res, name);
	n = strlen(uname);
	if (res->subs_bytes + n + 1 > RUNNER_SUBTEST_BYTES) {
		free(uname);
		res->subs_dropped++;
		return;
	}
	if (res->nsubs == res->subs_cap) {
		res->subs_cap = res->subs_cap ? 2 * res->subs_cap : 64;
		res->subs = xrealloc(res->subs, res->subs_cap * sizeof(*res->subs));
	}
	res->sub_index[name_slot(res, uname)] = res->nsubs + 1;
	res->subs[res->nsubs] = (struct subtest){ .st = st, .name = uname };
	res->nsubs++;
	res->subs_bytes += n + 1;
}

/*
 * "<n> words[, <n> words]...": the words name each count.  "checks" is
 * newer than the rest, so a guest that does not print it leaves
 * have_checks false.
 */
static void parse_summary(struct result *res, const char *s)
{
	unsigned int vals[5] = { 0 };
	static const char *const words[5] = {
		"tests", "unexpected failures", "expected failures", "skipped", "checks",
	};
	bool seen[5] = { false };

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
		for (i = 0; i < 5; i++) {
			if (strlen(words[i]) == n && !strncmp(s, words[i], n)) {
				vals[i] = v;
				seen[i] = true;
			}
		}
		s += n;
	}
	if (!seen[0])
		return;
	res->have_summary = true;
	res->sum_tests = vals[0];
	res->sum_failed = vals[1];
	res->sum_xfail = vals[2];
	res->sum_skipped = vals[3];
	res->sum_checks = vals[4];
	res->have_checks = seen[4];
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
	else if (!strncmp(line, "SHUTDOWN-EXPECTED: ", 19))
		set_last(&res->shutdown_line, line + 19);
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
	free(res->sub_index);
	free(res->reason);
	free(res->first_fail);
	free(res->first_skip);
	free(res->abort_line);
	free(res->shutdown_line);
	free(res->diag_line);
	free(res->last_line);
	free(res->known_reason);
	memset(res, 0, sizeof(*res));
}
