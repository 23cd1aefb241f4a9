// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the cfg parser cannot know from the text alone, checked for every
 * stanza once the cfg is loaded and before any VM starts, so that a typo
 * is a "cfg:LINE: message" and exit status 2 rather than an ERROR or a
 * guest failure half-way through a run:
 *   file           the image exists in x86/ (or the source that would
 *                  build it is named);
 *   filter         the file exists in filters/ and parses (the filter-file
 *                  parser kvmrun uses, host/util/filterfile.c);
 *   cpuid, kvmrun_params
 *                  kvmrun accepts them: they go through kvmrun's own
 *                  command-line parser (host/util/kvmrunopts.c).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"
#include "util/filterfile.h"
#include "util/kvmrunopts.h"

struct checker {
	struct runner *r;
	int errors;
};

static void __attribute__((format(printf, 3, 4)))
bad(struct checker *c, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", c->r->cfg_display, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	c->errors++;
}

static void check_image(struct checker *c, const struct cfg_test *t)
{
	char *path = xasprintf("%s/x86/%s", c->r->srcdir, t->file), *src, *dot, *full;

	if (!access(path, R_OK)) {
		free(path);
		return;
	}
	/* x86/NAME.flat is built from x86/NAME.c by make. */
	src = xasprintf("x86/%s", t->file);
	dot = strrchr(src, '.');
	if (dot && !strcmp(dot, ".flat"))
		strcpy(dot, ".c");
	else
		*src = 0;
	full = xasprintf("%s/%s", c->r->srcdir, src);
	if (*src && !c->r->installed && !access(full, F_OK))
		bad(c, t->file_line, "file = %s: x86/%s is not built yet (make builds it from %s)",
		    t->file, t->file, src);
	else if (*src && !c->r->installed)
		bad(c, t->file_line, "file = %s: no x86/%s, and no %s to build it from",
		    t->file, t->file, src);
	else
		bad(c, t->file_line, "file = %s: no x86/%s", t->file, t->file);
	free(full);
	free(src);
	free(path);
}

static void check_filter(struct checker *c, const struct cfg_test *t)
{
	char *path = xasprintf("%s/filters/%s", c->r->srcdir, t->filter);
	char *name = xasprintf("filters/%s", t->filter), err[512], *text;
	struct msrf_filter f;
	size_t len;

	if (read_file(path, FILTER_MAX_FILE_SIZE, &text, &len, err, sizeof(err))) {
		/* read_file() names the absolute path; the tree-relative one reads better. */
		const char *why = strstr(err, ": ");

		bad(c, t->filter_line, "filter = %s: %s%s", t->filter, name, why ? why : "");
	} else {
		if (filter_parse(name, text, len, &f, err, sizeof(err)) < 0)
			bad(c, t->filter_line, "filter = %s: %s", t->filter, err);
		free(text);
	}
	free(name);
	free(path);
}

/*
 * The options the runner will give kvmrun from this stanza, through
 * kvmrun's parser: everything but the values the runner itself computes.
 */
static void check_kvmrun_opts(struct checker *c, const struct cfg_test *t)
{
	char **argv = NULL, **words, err[256];
	struct kvmrun_opts o;
	int argc = 0, i, line;

	strv_push(&argv, &argc, "kvmrun");
	if (t->cpuid) {
		strv_push(&argv, &argc, "--cpuid");
		strv_push(&argv, &argc, t->cpuid);
	}
	words = cfg_split_words(t->kvmrun_params ? t->kvmrun_params : "", false, NULL,
				err, sizeof(err));
	for (i = 0; words && words[i]; i++)
		strv_push(&argv, &argc, words[i]);
	cfg_free_words(words);
	strv_push(&argv, &argc, "IMAGE");
	if (kvmrun_parse_opts(argc, argv, &o, err, sizeof(err)) || o.help) {
		/* Blame the line of the key kvmrun's message is about. */
		line = t->cpuid && strstr(err, "--cpuid") ? t->cpuid_line :
		       t->kvmrun_params ? t->kvmrun_params_line : t->cpuid_line;
		bad(c, line, "kvmrun would refuse %s%s%s%s%s: %s",
		    t->cpuid ? "cpuid = " : "", t->cpuid ? t->cpuid : "",
		    t->cpuid && t->kvmrun_params ? ", " : "",
		    t->kvmrun_params ? "kvmrun_params = " : "",
		    t->kvmrun_params ? t->kvmrun_params : "",
		    o.help ? "--help is not a test option" : err);
	}
	strv_free(argv);
}

void cfg_validate(struct runner *r)
{
	struct checker c = { .r = r };
	int i;

	for (i = 0; i < r->cfg.ntests; i++) {
		const struct cfg_test *t = &r->cfg.tests[i];

		check_image(&c, t);
		if (t->filter)
			check_filter(&c, t);
		if (t->cpuid || t->kvmrun_params)
			check_kvmrun_opts(&c, t);
	}
	if (c.errors)
		exit(2);
}
