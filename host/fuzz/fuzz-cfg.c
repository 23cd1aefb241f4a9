// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the unittests.cfg parser (host/runner/cfg.c) and its word
 * splitter.  Checks what cfg.h promises: an error is one "FILE:LINE: ..."
 * line naming a line of the input, a short error buffer only truncates the
 * message, and a parsed cfg holds only values the keys allow.
 */
#include <limits.h>

#include "runner/cfg.h"
#include "fuzz.h"

#define NAME	"fuzz.cfg"

static bool is_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_.+-", *s))
			return false;
	return true;
}

static bool is_file_name(const char *s)
{
	return is_name(s) && s[0] != '.' && strlen(s) <= 255;
}

/*
 * The guest and kvmrun split their command line again after a VMM joined
 * it with blanks: the raw words, joined, must split into the plain words.
 */
static void check_words(const char *s, const char *what)
{
	char err1[128], err2[128], err3[128];
	int n1 = -1, n2 = -1, n3 = -1, i;
	char **plain = cfg_split_words(s, false, &n1, err1, sizeof(err1));
	char **raw = cfg_split_words(s, true, &n2, err2, sizeof(err2));
	char **again;
	size_t len = 1;
	char *joined;

	fuzz_check(!plain == !raw, "%s: raw and plain splits disagree", what);
	if (!plain) {
		fuzz_check(err1[0] && !strcmp(err1, err2), "%s: '%s' vs '%s'",
			   what, err1, err2);
		return;
	}
	fuzz_check(n1 == n2 && !plain[n1] && !raw[n2], "%s: %d vs %d words",
		   what, n1, n2);
	for (i = 0; i < n2; i++)
		len += strlen(raw[i]) + 1;
	joined = malloc(len);
	joined[0] = 0;
	for (i = 0; i < n2; i++) {
		if (i)
			strcat(joined, " ");
		strcat(joined, raw[i]);
	}
	again = cfg_split_words(joined, false, &n3, err3, sizeof(err3));
	fuzz_check(again && n3 == n1, "%s: joined raw words '%s' split into %d "
		   "words, want %d (%s)", what, joined, n3, n1, again ? "" : err3);
	for (i = 0; i < n1; i++)
		fuzz_check(!strcmp(again[i], plain[i]), "%s: word %d '%s' came "
			   "back as '%s'", what, i, plain[i], again[i]);
	cfg_free_words(again);
	free(joined);
	cfg_free_words(plain);
	cfg_free_words(raw);
}

static bool has_eol(const char *s)
{
	return s && strpbrk(s, "\r\n");
}

static void check_test(const struct cfg *cfg, int i, unsigned long nlines)
{
	const struct cfg_test *t = &cfg->tests[i];
	int j;

	fuzz_check(is_name(t->name), "test %d: bad name", i);
	for (j = 0; j < i; j++)
		fuzz_check(strcmp(cfg->tests[j].name, t->name), "[%s] twice", t->name);
	fuzz_check(t->line >= 1 && (unsigned long)t->line <= nlines &&
		   (!i || t->line > cfg->tests[i - 1].line),
		   "[%s] at line %d of %lu", t->name, t->line, nlines);
	fuzz_check(t->file && is_file_name(t->file), "[%s]: file", t->name);
	fuzz_check(t->test_args != NULL, "[%s]: test_args NULL", t->name);
	fuzz_check(t->smp >= 1 && t->smp <= CFG_SMP_MAX, "[%s]: smp %d", t->name, t->smp);
	fuzz_check(t->groups && t->ngroups >= 0 && !t->groups[t->ngroups],
		   "[%s]: groups", t->name);
	for (j = 0; j < t->ngroups; j++)
		fuzz_check(is_name(t->groups[j]) && cfg_in_group(t, t->groups[j]),
			   "[%s]: group %d", t->name, j);
	fuzz_check(!cfg_in_group(t, "not a group"), "[%s]: in any group", t->name);
	fuzz_check(t->accel >= CFG_ACCEL_ANY && t->accel <= CFG_ACCEL_TCG,
		   "[%s]: accel %d", t->name, t->accel);
	fuzz_check(t->timeout >= 0 && t->timeout <= CFG_TIMEOUT_MAX,
		   "[%s]: timeout %d", t->name, t->timeout);
	fuzz_check(t->vmm >= CFG_VMM_ANY && t->vmm <= CFG_VMM_QEMU,
		   "[%s]: vmm %d", t->name, t->vmm);
	fuzz_check(!t->filter || is_file_name(t->filter), "[%s]: filter", t->name);
	fuzz_check(t->exit_mask >= -1 && t->exit_mask <= 7,
		   "[%s]: exit_mask %d", t->name, t->exit_mask);
	fuzz_check(t->irqchip >= CFG_IRQCHIP_UNSET && t->irqchip <= CFG_IRQCHIP_NONE,
		   "[%s]: irqchip %d", t->name, t->irqchip);
	fuzz_check(!t->cpuid || *t->cpuid, "[%s]: empty cpuid", t->name);
	/* The names of the enums exist (ASan catches a read past the tables). */
	fuzz_check(*cfg_vmm_name(t->vmm) && *cfg_accel_name(t->accel) &&
		   *cfg_irqchip_name(t->irqchip), "[%s]: enum names", t->name);
	/* Contradictions are refused at parse time (end_stanza()). */
	if (t->vmm == CFG_VMM_QEMU)
		fuzz_check(!t->filter && t->exit_mask < 0 && !t->irqchip &&
			   !t->cpuid && !t->kvmrun_params,
			   "[%s]: kvmrun-only key with vmm = qemu", t->name);
	if (t->vmm == CFG_VMM_KVMRUN)
		fuzz_check(!t->qemu_params && t->accel != CFG_ACCEL_TCG,
			   "[%s]: QEMU-only key with vmm = kvmrun", t->name);
	/* A """ value never keeps a line break (read_quoted()). */
	fuzz_check(!has_eol(t->test_args) && !has_eol(t->qemu_params) &&
		   !has_eol(t->kvmrun_params) && !has_eol(t->cpuid) &&
		   !has_eol(t->file) && !has_eol(t->filter),
		   "[%s]: a value holds a line break", t->name);
	check_words(t->test_args, "test_args");
	if (t->qemu_params)
		check_words(t->qemu_params, "qemu_params");
	if (t->kvmrun_params)
		check_words(t->kvmrun_params, "kvmrun_params");
}

/* The same input with an error buffer of 'errlen' bytes (0 included). */
static void check_short_err(const uint8_t *data, size_t size, const char *full,
			    size_t errlen)
{
	char *err = malloc(errlen);	/* exact size: ASan sees any overflow */
	struct cfg cfg;
	size_t n;

	fuzz_check(cfg_parse(NAME, (const char *)data, size, &cfg, err, errlen) < 0,
		   "second parse succeeded");
	fuzz_check(!cfg.ntests && !cfg.tests, "failed parse left tests");
	if (errlen) {
		n = strnlen(err, errlen);
		fuzz_check(n < errlen, "error not NUL-terminated in %zu bytes", errlen);
		fuzz_check(!strncmp(err, full, n) && n == (strlen(full) < errlen - 1 ?
			   strlen(full) : errlen - 1),
			   "short error '%s' is not a prefix of '%s'", err, full);
	}
	free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long nlines = fuzz_count_lines(data, size), line;
	struct cfg cfg = { (void *)1, 12345 };
	char err[512];
	char *text;
	int i, r;

	memset(err, 'x', sizeof(err));
	r = cfg_parse(NAME, (const char *)data, size, &cfg, err, sizeof(err));
	fuzz_check(r == 0 || r == -1, "cfg_parse returned %d", r);
	fuzz_check(strnlen(err, sizeof(err)) < sizeof(err), "err not terminated");
	if (r) {
		line = fuzz_err_line(err, NAME);
		fuzz_check(line >= 1 && line <= nlines,
			   "error '%s' does not name one of the %lu lines", err, nlines);
		fuzz_check(fuzz_one_line(err), "error '%s' is not one line", err);
		fuzz_check(!cfg.ntests && !cfg.tests, "failed parse left tests");
		check_short_err(data, size, err, fuzz_hash(data, size) % 24);
	} else {
		fuzz_check(!err[0], "success with error '%s'", err);
		fuzz_check(cfg.ntests >= 0 && cfg.ntests <= CFG_MAX_TESTS,
			   "%d tests", cfg.ntests);
		for (i = 0; i < cfg.ntests; i++)
			check_test(&cfg, i, nlines);
	}
	cfg_free(&cfg);
	cfg_free(&cfg);		/* documented as safe */
	fuzz_check(!cfg.tests && !cfg.ntests, "cfg_free left tests");

	/* The splitter on the raw input too (up to its first NUL). */
	text = fuzz_strndup(data, size < CFG_MAX_VALUE ? size : CFG_MAX_VALUE);
	check_words(text, "input");
	free(text);
	return 0;
}
