// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the unittests.cfg parser (host/runner/cfg.c), built with ASan and
 * UBSan.  Every malformed file in host/tests/data/cfg/ starts with
 *   # expect: LINE: message
 * and must fail with exactly "PATH:LINE: message".  Valid inputs are
 * checked field by field; the shipped unittests.cfg must parse; truncated
 * and mutated inputs must give an error or a result, never a crash.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/cfg.h"

#define DATA_DIR "host/tests/data/cfg"

static int failures;

static void check(bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s: cfg: %s", ok ? "PASS" : "FAIL", name);
	if (!ok) {
		failures++;
		printf(" (");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf(")");
	}
	printf("\n");
}

static int parse(const char *text, struct cfg *cfg, char *err, size_t errlen)
{
	return cfg_parse("t.cfg", text, strlen(text), cfg, err, errlen);
}

/* ---- malformed files ----------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	if (fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = 0;
	fclose(f);
	*len = n;
	return buf;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void test_data_files(void)
{
	struct dirent **ents;
	int n, i, files = 0;

	n = scandir(DATA_DIR, &ents, NULL, by_name);
	check(n > 0, "data directory " DATA_DIR " is readable", "scandir failed");
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		char path[512], want[1024], err[1024], *text, *nl;
		struct cfg cfg;
		size_t len;
		int r;

		if (strlen(name) < 5 || strcmp(name + strlen(name) - 4, ".cfg"))
			goto next;
		files++;
		snprintf(path, sizeof(path), "%s/%s", DATA_DIR, name);
		text = slurp(path, &len);
		if (!text || strncmp(text, "# expect: ", 10)) {
			check(false, name, "no '# expect: ' first line");
			free(text);
			goto next;
		}
		nl = strchr(text, '\n');
		snprintf(want, sizeof(want), "%s:%.*s", path,
			 (int)(nl - text - 10), text + 10);
		free(text);
		r = cfg_load(path, &cfg, err, sizeof(err));
		check(r == -1 && !strcmp(err, want) && cfg.ntests == 0 && !cfg.tests,
		      name, "want \"%s\", got %d \"%s\"", want, r, err);
		cfg_free(&cfg);
next:
		free(ents[i]);
	}
	free(ents);
	check(files >= 40, "at least 40 malformed files", "only %d", files);
}

/* ---- valid input ---------------------------------------------------------- */

static void test_all_keys(void)
{
	static const char text[] =
		"# comment\n"
		"\n"
		"[first]\n"
		"file = a.flat\n"
		"\ttest_args   =   x \"y z\"  \n"
		"smp = 4\n"
		"groups = g1  g2\tnodefault\n"
		"accel = kvm\n"
		"timeout = 2m\n"
		"vmm = kvmrun\n"
		"filter = deny-all.filter\n"
		"exit_mask = 0x7\n"
		"irqchip = split\n"
		"cpuid = -x2apic\n"
		"kvmrun_params = --mem 128\n"
		"expected_end = shutdown\n"
		"  # indented comment\n"
		"[second.2+x-y_z]\r\n"
		"file=b.flat\r\n"
		"extra_params = -cpu max,+x2apic \\\n"
		"   -m 'a b' \\\n"
		"\n"
		"accel = tcg\n"
		"timeout = 90s\n"
		"[third]\n"
		"file = c.flat\n"
		"test_args =\n";
	struct cfg cfg;
	char err[256];
	int r = parse(text, &cfg, err, sizeof(err));
	const struct cfg_test *a = &cfg.tests[0], *b = &cfg.tests[1], *c = &cfg.tests[2];

	check(r == 0 && cfg.ntests == 3, "all keys parse", "r=%d n=%d err=%s",
	      r, cfg.ntests, err);
	if (r || cfg.ntests != 3)
		return;
	check(!strcmp(a->name, "first") && a->line == 3 && !strcmp(a->file, "a.flat"),
	      "name, line and file", "%s %d %s", a->name, a->line, a->file);
	check(!strcmp(a->test_args, "x \"y z\""), "test_args kept raw and trimmed",
	      "'%s'", a->test_args);
	check(a->smp == 4 && a->accel == CFG_ACCEL_KVM && a->timeout == 120 &&
	      a->vmm == CFG_VMM_KVMRUN && a->exit_mask == 7 &&
	      a->irqchip == CFG_IRQCHIP_SPLIT, "numbers and enums",
	      "smp %d accel %d timeout %d vmm %d mask %d irqchip %d", a->smp,
	      a->accel, a->timeout, a->vmm, a->exit_mask, a->irqchip);
	check(a->ngroups == 3 && !strcmp(a->groups[0], "g1") &&
	      !strcmp(a->groups[2], "nodefault") && !a->groups[3] &&
	      cfg_in_group(a, "g2") && !cfg_in_group(a, "g"), "groups",
	      "%d groups", a->ngroups);
	check(!strcmp(a->filter, "deny-all.filter") && !strcmp(a->cpuid, "-x2apic") &&
	      !strcmp(a->kvmrun_params, "--mem 128") && !a->qemu_params,
	      "strings", "filter %s cpuid %s", a->filter, a->cpuid);
	check(a->shutdown_ok && !b->shutdown_ok, "expected_end = shutdown, default exit",
	      "%d %d", a->shutdown_ok, b->shutdown_ok);
	check(!strcmp(b->name, "second.2+x-y_z") && !strcmp(b->file, "b.flat"),
	      "CRLF lines and a name with every allowed character", "%s %s",
	      b->name, b->file);
	check(b->qemu_params && !strcmp(b->qemu_params, "-cpu max,+x2apic -m 'a b'"),
	      "continuation lines join with one blank, empty last part",
	      "'%s'", b->qemu_params ? b->qemu_params : "(null)");
	check(b->smp == 1 && b->exit_mask == -1 && b->irqchip == CFG_IRQCHIP_UNSET &&
	      b->vmm == CFG_VMM_ANY && b->timeout == 90 && b->accel == CFG_ACCEL_TCG &&
	      !b->filter && !b->cpuid && b->ngroups == 0 && b->groups && !b->groups[0] &&
	      !strcmp(b->test_args, ""), "defaults of unset keys", "smp %d mask %d",
	      b->smp, b->exit_mask);
	check(c->test_args && !strcmp(c->test_args, ""), "empty test_args allowed",
	      "'%s'", c->test_args);
	cfg_free(&cfg);
}

/*
 * kvm-unit-tests compatibility: 'qemu_params' with 'extra_params' as its old
 * name, and """ values (kvm-unit-tests' scripts/common.bash): the value
 * runs from after the opening """ to the last """ of the first later line
 * ending with """; the lines are kept as written (indentation included),
 * a line ending with an odd number of backslashes joins the next one with
 * nothing between (the backslash goes), a line break before nothing but
 * blanks is dropped, and the value is trimmed.
 */
struct ml_case {
	const char *name, *text, *want;
	int field;		/* 0 test_args, 1 qemu_params, 2 kvmrun_params */
};

static void test_multiline(void)
{
	static const struct ml_case cases[] = {
		{ "qemu_params is a key", "qemu_params = -m 128\n", "-m 128", 1 },
		{ "extra_params is its old name", "extra_params = -m 128\n", "-m 128", 1 },
		{ "kvm-unit-tests' s390x shape",
		  "qemu_params = \"\"\"-cpu max,ctop=on -smp 1 \\\n"
		  "-device a,id=1 \\\n"
		  "-device b,id=2 \\\n"
		  "\"\"\"\n", "-cpu max,ctop=on -smp 1 -device a,id=1 -device b,id=2", 1 },
		{ "indentation kept, no blank added at a join",
		  "qemu_params = \"\"\"-cpu max \\\n"
		  "   -m 128 \\\n"
		  "\t-smp 2,\\\n"
		  "cores=2 \\\n"
		  "\"\"\"\n", "-cpu max    -m 128 \t-smp 2,cores=2", 1 },
		{ "closing on a content line, blanks after it",
		  "test_args = \"\"\"argcheck \\\n  \"two words\" x=1\"\"\"  \t\n",
		  "argcheck   \"two words\" x=1", 0 },
		{ "a final line break (before blanks only) is dropped",
		  "test_args = \"\"\"a \\\n   b\n\n  \t\n   \"\"\"\n", "a    b", 0 },
		{ "an even number of backslashes is no escape (last line)",
		  "test_args = \"\"\"a \\\\\n\"\"\"\n", "a \\\\", 0 },
		{ "three backslashes: one escaped pair and an escape",
		  "test_args = \"\"\"a\\\\\\\nb\"\"\"\n", "a\\\\b", 0 },
		{ "'#', '[x]' and 'k = v' inside are content",
		  "test_args = \"\"\"a \\\n# b \\\n[c] \\\nd = e\"\"\"\n", "a # b [c] d = e", 0 },
		{ "CRLF lines", "test_args = \"\"\"a \\\r\n  b\r\n\"\"\"\r\n", "a   b", 0 },
		{ "the last of several \"\"\" closes",
		  "test_args = \"\"\"a \\\nb\"\"\"\"\"\n", "a b\"\"", 0 },
		{ "kvmrun_params too",
		  "kvmrun_params = \"\"\"--mem \\\n 128\n\"\"\"\n", "--mem  128", 2 },
		{ "an empty \"\"\" value", "test_args = \"\"\"\\\n\"\"\"\n", "", 0 },
		{ "four quotes open, the next line closes",
		  "test_args = \"\"\"\"a\\\n\"\"\"\"\n", "\"a\"", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ml_case *c = &cases[i];
		char text[1024], err[256];
		const char *got = NULL;
		struct cfg cfg;
		int r;

		snprintf(text, sizeof(text), "[a]\nfile = a.flat\n%sgroups = g\n", c->text);
		r = parse(text, &cfg, err, sizeof(err));
		if (!r && cfg.ntests == 1 && cfg_in_group(&cfg.tests[0], "g")) {
			const struct cfg_test *t = &cfg.tests[0];

			got = c->field == 0 ? t->test_args : c->field == 1 ?
			      t->qemu_params : t->kvmrun_params;
		}
		check(got && !strcmp(got, c->want), c->name, "want '%s', got %s%s%s",
		      c->want, got ? "'" : "", got ? got : r ? err : "(null)", got ? "'" : "");
		cfg_free(&cfg);
	}
}

/* Every key may take a """ value, e.g. file and smp. */
static void test_multiline_any_key(void)
{
	static const char text[] =
		"[a]\n"
		"file = \"\"\"a.flat\n"
		"\"\"\"\n"
		"smp = \"\"\"1\\\n"
		"2\"\"\"\n"
		"[b]\n"
		"file = b.flat\n";
	struct cfg cfg;
	char err[256];
	int r = parse(text, &cfg, err, sizeof(err));

	check(r == 0 && cfg.ntests == 2 && !strcmp(cfg.tests[0].file, "a.flat") &&
	      cfg.tests[0].smp == 12 && cfg.tests[1].line == 6,
	      "\"\"\" values for file and smp, next stanza's line", "r=%d %s", r, err);
	cfg_free(&cfg);
}

static void test_empty_and_comments(void)
{
	struct cfg cfg;
	char err[256];

	check(!parse("", &cfg, err, sizeof(err)) && cfg.ntests == 0,
	      "empty input is no tests", "%s", err);
	cfg_free(&cfg);
	check(!parse("# only\n\n   \n\t# comments\n", &cfg, err, sizeof(err)) &&
	      cfg.ntests == 0, "comments only", "%s", err);
	cfg_free(&cfg);
	check(!parse("[a]\nfile = a.flat", &cfg, err, sizeof(err)) && cfg.ntests == 1,
	      "no newline at end of file", "%s", err);
	cfg_free(&cfg);
	check(!parse("[a]\nfile = a.flat\ntest_args = #not a comment\n", &cfg, err,
		     sizeof(err)) && !strcmp(cfg.tests[0].test_args, "#not a comment"),
	      "'#' inside a value is literal", "%s", err);
	cfg_free(&cfg);
}

static void test_limits(void)
{
	char *text = malloc(CFG_MAX_LINE + 64), err[256];
	struct cfg cfg;
	int r;

	/* Exactly CFG_MAX_LINE bytes is fine, even with a CR after it. */
	strcpy(text, "[a]\nfile = a.flat\n#");
	memset(text + strlen(text), 'x', CFG_MAX_LINE - 1);
	strcpy(text + 18 + CFG_MAX_LINE, "\r\n");
	r = parse(text, &cfg, err, sizeof(err));
	check(r == 0, "a line of exactly 4096 bytes", "%s", err);
	cfg_free(&cfg);
	free(text);
	check(parse("[a]\nfile = a.flat\ntimeout = 86400\n", &cfg, err, sizeof(err)) == 0 &&
	      cfg.tests[0].timeout == 86400, "timeout 86400 is the maximum", "%s", err);
	cfg_free(&cfg);
	check(parse("[a]\nfile = a.flat\nsmp = 64\nexit_mask = 0\n", &cfg, err,
		    sizeof(err)) == 0 && cfg.tests[0].smp == 64 &&
	      cfg.tests[0].exit_mask == 0, "smp 64 and exit_mask 0", "%s", err);
	cfg_free(&cfg);
	/* Continuations may not build a value beyond CFG_MAX_VALUE. */
	text = malloc(6 * 4100);
	strcpy(text, "[a]\nfile = a.flat\ntest_args = ");
	for (r = 0; r < 5; r++) {
		size_t n = strlen(text);

		memset(text + n, 'x', 4000);
		strcpy(text + n + 4000, " \\\n");
	}
	strcat(text, "end\n");
	r = parse(text, &cfg, err, sizeof(err));
	check(r == -1 && !strcmp(err, "t.cfg:7: value too long (max 16384 bytes)"),
	      "continued value over 16384 bytes", "%d '%s'", r, err);
	free(text);
	/* The same limit for a """ value, named at the line that passes it. */
	text = malloc(6 * 4100);
	strcpy(text, "[a]\nfile = a.flat\ntest_args = \"\"\"\\\n");
	for (r = 0; r < 5; r++) {
		size_t n = strlen(text);

		memset(text + n, 'x', 4000);
		strcpy(text + n + 4000, " \\\n");
	}
	strcat(text, "\"\"\"\n");
	r = parse(text, &cfg, err, sizeof(err));
	check(r == -1 && !strcmp(err, "t.cfg:8: value too long (max 16384 bytes)"),
	      "\"\"\" value over 16384 bytes", "%d '%s'", r, err);
	free(text);
	/* A tiny error buffer still gets a NUL-terminated, cut message. */
	r = parse("[a]\nfoo = 1\n", &cfg, err, 8);
	check(r == -1 && strlen(err) < 8 && !strncmp(err, "t.cfg:2", 7),
	      "error message cut to the buffer", "'%s'", err);
}

struct split_case {
	const char *in;
	bool raw;
	const char *out[5];	/* NULL-terminated; out[0] "!" = error */
};

static void test_split(void)
{
	static const struct split_case cases[] = {
		{ "", false, { NULL } },
		{ "  \t ", false, { NULL } },
		{ "a", false, { "a", NULL } },
		{ " a  b\tc ", false, { "a", "b", "c", NULL } },
		{ "a \"b c\" d", false, { "a", "b c", "d", NULL } },
		{ "'x \"y' z", false, { "x \"y", "z", NULL } },
		{ "a\\ b c", false, { "a b", "c", NULL } },
		{ "\"a\\\"b\"", false, { "a\"b", NULL } },
		{ "'a\\b'", false, { "a\\b", NULL } },
		{ "pre\"mid dle\"post", false, { "premid dlepost", NULL } },
		{ "\"\"", false, { "", NULL } },
		{ "a \"b c\" d", true, { "a", "\"b c\"", "d", NULL } },
		{ "a\\ b 'c d'", true, { "a\\ b", "'c d'", NULL } },
		{ "\"open", false, { "!", NULL } },
		{ "'open", true, { "!", NULL } },
		{ "end\\", false, { "!", NULL } },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct split_case *c = &cases[i];
		char err[64], name[128], got[256] = "";
		int n = -1, k;
		char **w = cfg_split_words(c->in, c->raw, &n, err, sizeof(err));
		bool ok;

		snprintf(name, sizeof(name), "split%s [%s]", c->raw ? " raw" : "", c->in);
		if (!strcmp(c->out[0] ? c->out[0] : "", "!")) {
			check(!w && err[0], name, "expected an error");
			cfg_free_words(w);
			continue;
		}
		ok = w != NULL;
		for (k = 0; ok && c->out[k]; k++)
			ok = w[k] && !strcmp(w[k], c->out[k]);
		ok = ok && !w[k] && n == k;
		for (k = 0; w && w[k]; k++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "<%s>", w[k]);
		check(ok, name, "got %s (n=%d)", w ? got : err, n);
		cfg_free_words(w);
	}
}

static void test_shipped_cfg(void)
{
	struct cfg cfg;
	char err[1024];
	int r = cfg_load("unittests.cfg", &cfg, err, sizeof(err)), i;
	bool has_selftest = false;

	check(r == 0 && cfg.ntests >= 2, "shipped unittests.cfg parses", "%s", err);
	for (i = 0; i < cfg.ntests; i++)
		if (!strcmp(cfg.tests[i].name, "selftest"))
			has_selftest = !strcmp(cfg.tests[i].file, "selftest.flat") &&
				       cfg_in_group(&cfg.tests[i], "selftest");
	check(has_selftest, "unittests.cfg has [selftest] in group selftest", "missing");
	cfg_free(&cfg);
	r = cfg_load(DATA_DIR "/does-not-exist.cfg", &cfg, err, sizeof(err));
	check(r == -1 && !strcmp(err, DATA_DIR "/does-not-exist.cfg: No such file or directory"),
	      "missing file names path and errno", "%s", err);
	r = cfg_load(DATA_DIR, &cfg, err, sizeof(err));
	check(r == -1 && !strcmp(err, DATA_DIR ": not a regular file"),
	      "a directory is refused", "%s", err);
}

/*
 * Robustness: every prefix of a valid file, and many random single-byte
 * mutations, must parse or fail with a "t.cfg:N: " message (ASan watches).
 */
static bool well_formed_error(int r, const char *err)
{
	int line;

	return r == 0 || (sscanf(err, "t.cfg:%d: ", &line) == 1 && line > 0 &&
			  strstr(err, ": ") && strlen(err) > 8);
}

static void test_robustness(void)
{
	static const char base[] =
		"# c\n[a]\nfile = a.flat\ntest_args = x \"y z\" \\\n  w\nsmp = 2\n"
		"groups = g nodefault\ntimeout = 10s\nvmm = any\n[b]\nfile = b.flat\n"
		"filter = f.filter\nexit_mask = 3\nirqchip = none\ncpuid = +x2apic\n"
		"extra_params = -m 'q r'\n[c]\nfile = c.flat\nqemu_params = \"\"\"-m 1 \\\n"
		"  -cpu max\n\"\"\"\ntest_args = \"\"\"a\\\\\\\n b\"\"\"\n";
	static const char bytes[] = "[]=\\\"'# \n\r\t\0xa0-9";
	size_t len = strlen(base), i;
	unsigned int seed = 12345;
	char *buf = malloc(len + 1), err[256];
	int bad = 0, k, r;
	struct cfg cfg;

	for (i = 0; i <= len; i++) {
		memcpy(buf, base, i);
		r = cfg_parse("t.cfg", buf, i, &cfg, err, sizeof(err));

		bad += !well_formed_error(r, err);
		cfg_free(&cfg);
	}
	for (k = 0; k < 20000; k++) {
		memcpy(buf, base, len);
		seed = seed * 1103515245 + 12345;
		i = (seed >> 8) % len;
		seed = seed * 1103515245 + 12345;
		buf[i] = (seed >> 16) & 1 ? bytes[(seed >> 4) % (sizeof(bytes) - 1)] :
			 (char)(seed >> 8);
		r = cfg_parse("t.cfg", buf, len, &cfg, err, sizeof(err));

		bad += !well_formed_error(r, err);
		cfg_free(&cfg);
	}
	free(buf);
	check(!bad, "prefixes and 20000 mutations parse or fail cleanly",
	      "%d malformed results", bad);
}

int main(void)
{
	/* Sanitizer reports end the process without flushing stdio. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_data_files();
	test_all_keys();
	test_multiline();
	test_multiline_any_key();
	test_empty_and_comments();
	test_limits();
	test_split();
	test_shipped_cfg();
	test_robustness();
	return failures ? 1 : 0;
}
