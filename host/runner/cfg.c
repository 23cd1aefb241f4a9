// SPDX-License-Identifier: GPL-2.0-only
/*
 * unittests.cfg parser.  Strict on purpose: a typo in a key or value must
 * stop the run with FILE:LINE instead of silently running something else.
 * See cfg.h for the syntax.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "util/util.h"

#define MAX_KEYS	16

struct parser {
	const char *path;
	const char *text;
	size_t len, pos;
	int lineno;		/* of the line last read */
	char *err;
	size_t errlen;
	struct cfg *cfg;
	struct cfg_test *cur;	/* stanza being filled, or NULL */
	/* per key (an alias counts as its key): line it was set on, 0 = unset */
	int key_line[MAX_KEYS];
	int key_used[MAX_KEYS];	/* ... and the name it was set by (keys[] index) */
	const char *key;	/* the key being set, as written (an alias too) */
};

static int perr(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int perr(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%d: ", p->path, line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Shortened copy of user text for messages, so one bad line stays one line. */
static const char *clip(const char *s, char *buf, size_t size)
{
	size_t n = strlen(s);

	if (n < size)
		return s;
	snprintf(buf, size, "%.*s...", (int)(size - 4), s);
	return buf;
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static bool is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '+' ||
	       c == '-';
}

static bool is_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!is_name_char((unsigned char)*s))
			return false;
	return true;
}

/* A file name inside x86/ or filters/: a name that is not hidden or "..". */
static bool is_file_name(const char *s)
{
	return is_name(s) && s[0] != '.' && strlen(s) <= 255;
}

static char *trim(char *s)
{
	char *e;

	while (is_blank(*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_blank(e[-1]))
		*--e = 0;
	return s;
}

/*
 * Copy the next physical line into buf (CFG_MAX_LINE + 1 bytes).  Returns 1
 * with a line, 0 at end of input, -1 on a bad line.
 */
static int next_line(struct parser *p, char *buf)
{
	size_t start = p->pos, n, i;

	if (p->pos >= p->len)
		return 0;
	p->lineno++;
	while (p->pos < p->len && p->text[p->pos] != '\n')
		p->pos++;
	n = p->pos - start;
	if (p->pos < p->len)
		p->pos++;		/* the '\n' */
	if (n && p->text[start + n - 1] == '\r')
		n--;
	if (n > CFG_MAX_LINE)
		return perr(p, p->lineno, "line too long (%zu bytes, max %d)",
			    n, CFG_MAX_LINE);
	for (i = 0; i < n; i++) {
		unsigned char c = p->text[start + i];

		if (c == 0)
			return perr(p, p->lineno, "NUL byte in line");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return perr(p, p->lineno,
				    "control character 0x%02x in line", c);
	}
	memcpy(buf, p->text + start, n);
	buf[n] = 0;
	return 1;
}

/* ---- word splitting ------------------------------------------------------- */

struct words {
	char **v;
	int n, cap;
};

static void words_push(struct words *w, const char *s, size_t len)
{
	char *copy = xrealloc(NULL, len + 1);

	memcpy(copy, s, len);
	copy[len] = 0;
	if (w->n + 2 > w->cap) {
		w->cap = w->cap ? 2 * w->cap : 8;
		w->v = xrealloc(w->v, w->cap * sizeof(*w->v));
	}
	w->v[w->n++] = copy;
	w->v[w->n] = NULL;
}

void cfg_free_words(char **words)
{
	char **w;

	if (!words)
		return;
	for (w = words; *w; w++)
		free(*w);
	free(words);
}

char **cfg_split_words(const char *s, bool raw, int *count,
		       char *err, size_t errlen)
{
	size_t n = strlen(s);
	char *buf = xrealloc(NULL, n + 1);
	struct words w = { 0 };
	size_t len;

	w.v = xrealloc(NULL, sizeof(*w.v));
	w.v[0] = NULL;
	for (;;) {
		char quote = 0;

		while (is_blank(*s))
			s++;
		if (!*s)
			break;
		len = 0;
		for (; *s && (quote || !is_blank(*s)); s++) {
			bool literal = quote == '\'';

			if (!literal && *s == '\\') {
				if (!s[1]) {
					snprintf(err, errlen, "trailing backslash");
					goto fail;
				}
				if (raw)
					buf[len++] = *s;
				buf[len++] = *++s;
				continue;
			}
			if (*s == quote || (!quote && (*s == '\'' || *s == '"'))) {
				quote = quote ? 0 : *s;
				if (raw)
					buf[len++] = *s;
				continue;
			}
			buf[len++] = *s;
		}
		if (quote) {
			snprintf(err, errlen, "unterminated %c quote", quote);
			goto fail;
		}
		words_push(&w, buf, len);
	}
	free(buf);
	if (count)
		*count = w.n;
	return w.v;
fail:
	free(buf);
	cfg_free_words(w.v);
	return NULL;
}

/* ---- values ------------------------------------------------------------- */

/* Strict decimal (or 0x hex) integer in [min, max] (parse_uint's rules). */
static int parse_int(const char *s, long min, long max, long *out)
{
	uint64_t v;

	if (parse_uint(s, (uint64_t)max, &v) || v < (uint64_t)min)
		return -1;
	*out = (long)v;
	return 0;
}

static int pick(const char *val, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(val, names[i]))
			return i;
	return -1;
}

static const char *const vmm_names[] = { "any", "kvmrun", "qemu" };
static const char *const accel_names[] = { "any", "kvm", "tcg" };
static const char *const irqchip_names[] = { "unset", "full", "split", "none" };

const char *cfg_vmm_name(enum cfg_vmm vmm)
{
	return vmm_names[vmm];
}

const char *cfg_accel_name(enum cfg_accel accel)
{
	return accel_names[accel];
}

const char *cfg_irqchip_name(enum cfg_irqchip irqchip)
{
	return irqchip_names[irqchip];
}

typedef int (*setter)(struct parser *p, int line, struct cfg_test *t,
		      const char *val);

static int bad(struct parser *p, int line, const char *key, const char *val,
	       const char *want)
{
	char buf[80];

	return perr(p, line, "bad %s '%s': expected %s", key,
		    clip(val, buf, sizeof(buf)), want);
}

static int set_file(struct parser *p, int line, struct cfg_test *t, const char *val)
{
	if (!is_file_name(val))
		return bad(p, line, "file", val,
			   "an image name in x86/ (letters, digits, _ . + -)");
	t->file = xstrdup(val);
	t->file_line = line;
	return 0;
}

static int check_words(struct parser *p, int line, const char *key, const char *val)
{
	char msg[64];
	char **w = cfg_split_words(val, false, NULL, msg, sizeof(msg));

	if (!w)
		return perr(p, line, "bad %s: %s", key, msg);
	cfg_free_words(w);
	return 0;
}

static int set_test_args(struct parser *p, int line, struct cfg_test *t, const char *val)
{
	if (check_words(p, line, "test_args", val))
		return -1;
	free(t->test_args);
	t->test_args = xstrdup(val);
	return 0;
}

static int set_qemu_params(struct parser *p, int line, struct cfg_test *t, const char *val)
{
	if (check_words(p, line, p->key, val))
		return -1;
	t->qemu_params = xstrdup(val);
	return 0;
}

static int set_kvmrun_params(struct parser *p, int line, struct cfg_test *t, const char *val)
{
	if (check_words(p, line, "kvmrun_params", val))
		return -1;
	t->kvmrun_params = xstrdup(val);
	t->kvmrun_params_line = line;
	return 0;
}

static int set_smp(struct parser *p, int line, struct cfg_test *t, const char *val)
{
	long v;

	if (parse_int(val, 1, CFG_SMP_MAX, &v))
		return bad(p, line, "smp", val, "an integer from 1 to 64");
	t->smp = v;
	return 0;
}

static int set_groups(struct parser *p, int line, struct cfg_test *t, const char *val)
{
	char msg[64];
	int i, n;
	char **w = cfg_split_words(val, false, &n, msg, sizeof(msg));

	if (!w || !n || strpbrk(val, "'\"\\")) {
		cfg_free_words(w);
		return bad(p, line, "groups", val, "group names separated by blanks");
	}
	for (i = 0; i < n; i++) {
		if (!is_name(w[i])) {
			cfg_free_words(w);
			return bad(p, line, "groups", val,
				   "group names made of letters, digits, _ . + -");
		}
	}
	cfg_free_words(t->groups);
	t->groups = w;
	t->ngroups = n;
	return 0;
}

static int set_accel(struct parser *p, int line, struct cfg_test *t, const char *val)
{
	int i = pick(val, accel_names + 1, 2);

	if (i < 0)
		return bad(p, line, "accel", val, "kvm or tcg");
	t->accel = i + 1;
	return 0;
}

static int set_timeout(struct parser *p, int line, struct cfg_test *t, const char *val)
{
	char num[32];
	size_t n = strlen(val);
	long v, mul = 1;

	if (n && n < sizeof(num) && (val[n - 1] == 's' || val[n - 1] == 'm')) {
		mul = val[n - 1] == 'm' ? 60 : 1;
		n--;
	}
	if (n >= sizeof(num))
		return bad(p, line, "timeout", val, "seconds, e.g. 90, 90s or 2m");
	memcpy(num, val, n);
	num[n] = 0;
	if (parse_int(num, 1, CFG_TIMEOUT_MAX, &v) || v * mul > CFG_TIMEOUT_MAX)
		return bad(p, line, "timeout", val,
			   "1 to 86400 seconds, e.g. 90, 90s or 2m");
	t->timeout = v * mul;
	return 0;
}

static int set_vmm(struct parser *p, int line, struct cfg_test *t, const char *val)
{
	int i = pick(val, vmm_names, 3);

	if (i < 0)
		return bad(p, line, "vmm", val, "kvmrun, qemu or any");
	t->vmm = i;
	return 0;
}

static int set_filter(struct parser *p, int line, struct cfg_test *t, const char *val)
{
	if (!is_file_name(val))
		return bad(p, line, "filter", val,
			   "a file name in filters/ (letters, digits, _ . + -)");
	t->filter = xstrdup(val);
	t->filter_line = line;
	return 0;
}

static int set_exit_mask(struct parser *p, int line, struct cfg_test *t, const char *val)
{
	long v;

	if (parse_int(val, 0, 7, &v))
		return bad(p, line, "exit_mask", val, "an integer from 0 to 7");
	t->exit_mask = v;
	return 0;
}

static int set_irqchip(struct parser *p, int line, struct cfg_test *t, const char *val)
{
	int i = pick(val, irqchip_names + 1, 3);

	if (i < 0)
		return bad(p, line, "irqchip", val, "full, split or none");
	t->irqchip = i + 1;
	return 0;
}

static int set_cpuid(struct parser *p, int line, struct cfg_test *t, const char *val)
{
	const char *s;

	for (s = val; *s; s++)
		if (!is_name_char((unsigned char)*s) && !strchr(",:=", *s))
			break;
	if (!*val || *s)
		return bad(p, line, "cpuid", val,
			   "one kvmrun --cpuid word such as +x2apic or -x2apic");
	t->cpuid = xstrdup(val);
	t->cpuid_line = line;
	return 0;
}

static int set_expected_end(struct parser *p, int line, struct cfg_test *t, const char *val)
{
	static const char *const ends[] = { "exit", "shutdown" };
	int i = pick(val, ends, 2);

	if (i < 0)
		return bad(p, line, "expected_end", val, "exit or shutdown");
	t->shutdown_ok = i == 1;
	return 0;
}

static int set_check(struct parser *p, int line, struct cfg_test *t, const char *val)
{
	return perr(p, line, "unsupported key 'check': host-parameter checks "
		    "are not supported; use a group and -g/-x instead");
}

static const struct key {
	const char *name;
	setter set;
	bool empty_ok;
	const char *alias_of;	/* an old name of that key, or NULL */
} keys[] = {
	{ "file", set_file, false, NULL },
	{ "test_args", set_test_args, true, NULL },
	{ "smp", set_smp, false, NULL },
	{ "groups", set_groups, false, NULL },
	{ "accel", set_accel, false, NULL },
	{ "timeout", set_timeout, false, NULL },
	{ "qemu_params", set_qemu_params, true, NULL },
	/* kvm-unit-tests' old name for qemu_params, still accepted there */
	{ "extra_params", set_qemu_params, true, "qemu_params" },
	{ "vmm", set_vmm, false, NULL },
	{ "filter", set_filter, false, NULL },
	{ "exit_mask", set_exit_mask, false, NULL },
	{ "irqchip", set_irqchip, false, NULL },
	{ "cpuid", set_cpuid, false, NULL },
	{ "check", set_check, true, NULL },
	{ "kvmrun_params", set_kvmrun_params, true, NULL },
	{ "expected_end", set_expected_end, false, NULL },
};
_Static_assert(sizeof(keys) / sizeof(keys[0]) <= MAX_KEYS, "MAX_KEYS too small");

static const char *key_name(const void *unused, int i)
{
	return keys[i].name;
}

static int key_index(const char *name)
{
	int i;

	for (i = 0; strcmp(keys[i].name, name); i++)
		;
	return i;
}

/* ---- stanzas -------------------------------------------------------------- */

static void free_test(struct cfg_test *t)
{
	free(t->name);
	free(t->file);
	free(t->test_args);
	cfg_free_words(t->groups);
	free(t->qemu_params);
	free(t->filter);
	free(t->cpuid);
	free(t->kvmrun_params);
}

void cfg_free(struct cfg *cfg)
{
	int i;

	for (i = 0; i < cfg->ntests; i++)
		free_test(&cfg->tests[i]);
	free(cfg->tests);
	cfg->tests = NULL;
	cfg->ntests = 0;
}

bool cfg_in_group(const struct cfg_test *t, const char *group)
{
	int i;

	for (i = 0; i < t->ngroups; i++)
		if (!strcmp(t->groups[i], group))
			return true;
	return false;
}

static int end_stanza(struct parser *p)
{
	struct cfg_test *t = p->cur;

	if (!t)
		return 0;
	if (!t->file)
		return perr(p, t->line, "[%s] has no 'file' key", t->name);
	/* Contradictions would only show up as a confusing SKIP later. */
	if (t->vmm == CFG_VMM_QEMU) {
		const char *k = t->filter ? "filter" : t->exit_mask >= 0 ? "exit_mask" :
			t->irqchip ? "irqchip" : t->cpuid ? "cpuid" :
			t->kvmrun_params ? "kvmrun_params" : NULL;

		if (k)
			return perr(p, p->key_line[key_index(k)], "'%s' needs "
				    "kvmrun, but [%s] has vmm = qemu", k, t->name);
	}
	if (t->vmm == CFG_VMM_KVMRUN && t->qemu_params) {
		int k = key_index("qemu_params");

		return perr(p, p->key_line[k], "'%s' is for QEMU, but [%s] has "
			    "vmm = kvmrun", keys[p->key_used[k]].name, t->name);
	}
	if (t->vmm == CFG_VMM_KVMRUN && t->accel == CFG_ACCEL_TCG)
		return perr(p, p->key_line[key_index("accel")],
			    "accel = tcg needs QEMU, but [%s] has vmm = kvmrun",
			    t->name);
	p->cur = NULL;
	return 0;
}

static int start_stanza(struct parser *p, char *line)
{
	size_t n = strlen(line);
	struct cfg_test *t;
	char buf[80];
	int i;

	if (n < 2 || line[n - 1] != ']')
		return perr(p, p->lineno, "bad stanza header '%s': expected [name]",
			    clip(line, buf, sizeof(buf)));
	line[n - 1] = 0;
	line++;
	if (!is_name(line))
		return perr(p, p->lineno, "bad test name '%s': use letters, "
			    "digits, _ . + -", clip(line, buf, sizeof(buf)));
	if (end_stanza(p))
		return -1;
	for (i = 0; i < p->cfg->ntests; i++)
		if (!strcmp(p->cfg->tests[i].name, line))
			return perr(p, p->lineno, "duplicate test name '%s' "
				    "(first at line %d)", line, p->cfg->tests[i].line);
	if (p->cfg->ntests >= CFG_MAX_TESTS)
		return perr(p, p->lineno, "more than %d tests", CFG_MAX_TESTS);
	p->cfg->tests = xrealloc(p->cfg->tests,
				 (p->cfg->ntests + 1) * sizeof(*t));
	t = &p->cfg->tests[p->cfg->ntests++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(line);
	t->line = p->lineno;
	t->test_args = xstrdup("");
	t->smp = 1;
	t->groups = xrealloc(NULL, sizeof(*t->groups));
	t->groups[0] = NULL;
	t->exit_mask = -1;
	p->cur = t;
	memset(p->key_line, 0, sizeof(p->key_line));
	memset(p->key_used, 0, sizeof(p->key_used));
	return 0;
}

/*
 * Append continuation lines to 'val' (a trailing backslash joins the next
 * line with one blank).  Returns the value in a malloc'd buffer or NULL.
 */
static char *read_value(struct parser *p, int key_line, const char *first)
{
	char *line = xrealloc(NULL, CFG_MAX_LINE + 1);
	char *val = xstrdup(first);
	size_t n = strlen(val);

	while (n && val[n - 1] == '\\') {
		char *more;
		int r;

		val[--n] = 0;
		r = next_line(p, line);
		if (r < 0)
			goto fail;
		if (r == 0) {
			perr(p, key_line, "line continuation at end of file");
			goto fail;
		}
		more = trim(line);
		while (n && is_blank(val[n - 1]))
			val[--n] = 0;
		if (n + strlen(more) + 2 > CFG_MAX_VALUE) {
			perr(p, p->lineno, "value too long (max %d bytes)",
			     CFG_MAX_VALUE);
			goto fail;
		}
		val = xrealloc(val, n + strlen(more) + 2);
		if (n && *more)
			val[n++] = ' ';
		strcpy(val + n, more);
		n = strlen(val);
	}
	free(line);
	return val;
fail:
	free(line);
	free(val);
	return NULL;
}

#define TQ	"\"\"\""		/* opens and closes a multi-line value */

static bool ends_with_tq(const char *s, size_t n)
{
	return n >= 3 && !memcmp(s + n - 3, TQ, 3);
}

/* Does s[0..n) end with an odd number of backslashes (an escaped line end)? */
static bool escapes_eol(const char *s, size_t n)
{
	size_t k = 0;

	while (k < n && s[n - 1 - k] == '\\')
		k++;
	return k & 1;
}

static bool all_blank(const char *s, size_t n)
{
	while (n && is_blank(s[n - 1]))
		n--;
	return !n;
}

/*
 * A """ value, read the way kvm-unit-tests' scripts/common.bash reads one:
 * 'rest' is what follows the opening """ (trimmed with its line), and the
 * value goes on to the first later line that ends with """ (blanks after
 * it allowed), up to that line's last """.  Lines in between are taken as
 * written: no comments, no trimming, '[' and '=' are plain text.  A line
 * ending with an odd number of backslashes continues with the next line
 * and nothing between them (the backslash goes), as the shell's
 * backslash-newline does.
 *
 * kvm-unit-tests hands the value to a shell's eval, where any other line
 * break ends the QEMU command: the rest of the value would run as a
 * separate shell command.  Only a break followed by nothing but blanks is
 * harmless there; every other one is an error here, at the line it ends.
 * So the value never holds a line break; it is trimmed like any value.
 * Returns the value in a malloc'd buffer, or NULL with the error set.
 */
static char *read_quoted(struct parser *p, int key_line, const char *rest)
{
	char *line = xrealloc(NULL, CFG_MAX_LINE + 1), *out, *trimmed;
	const char *seg = rest;
	size_t len = strlen(rest);
	struct sbuf val = { 0 };
	int brk = 0;		/* line of an unescaped line break, 0 = none */
	bool brk_bs = false;	/* ... that has blanks after a final '\' */
	bool last = false;

	if (ends_with_tq(rest, len)) {
		perr(p, key_line, TQ " opened and closed on one line: "
		     "write a one-line value without " TQ);
		goto fail;
	}
	for (;;) {
		int r;

		if (brk && !all_blank(seg, len)) {
			if (brk_bs)
				perr(p, brk, "blanks after the '\\' at the end of "
				     "this line: inside a " TQ " value (opened at line "
				     "%d) a '\\' continues the value only as the last "
				     "character", key_line);
			else
				perr(p, brk, "line break inside the " TQ " value "
				     "opened at line %d: end the line with '\\' to "
				     "continue the value, or with " TQ " to close it",
				     key_line);
			goto fail;
		}
		if (!brk) {
			bool esc = !last && escapes_eol(seg, len);

			if (esc)
				len--;		/* the backslash; no line break */
			if (val.len + len > CFG_MAX_VALUE) {
				perr(p, p->lineno, "value too long (max %d bytes)",
				     CFG_MAX_VALUE);
				goto fail;
			}
			sb_add(&val, seg, len);
			if (!esc && !last) {
				brk = p->lineno;
				while (len && is_blank(seg[len - 1]))
					len--;
				brk_bs = escapes_eol(seg, len);
			}
		}
		if (last)
			break;
		r = next_line(p, line);
		if (r < 0)
			goto fail;
		if (r == 0) {
			perr(p, key_line, "unterminated " TQ " value: no later "
			     "line ends with " TQ);
			goto fail;
		}
		seg = line;
		len = strlen(line);
		while (len && is_blank(line[len - 1]))
			len--;
		last = ends_with_tq(line, len);
		if (last)
			len -= 3;
		else
			len = strlen(line);	/* blanks kept: before '\' or not */
	}
	free(line);
	out = sb_steal(&val);
	trimmed = trim(out);
	memmove(out, trimmed, strlen(trimmed) + 1);
	return out;
fail:
	free(line);
	sb_free(&val);
	return NULL;
}

static int key_value(struct parser *p, char *line)
{
	char *eq = strchr(line, '='), *key, *val;
	int line_no = p->lineno, r, slot;
	char buf[80];
	size_t i;

	if (!eq)
		return perr(p, line_no, "expected 'key = value' or '[name]', got '%s'",
			    clip(line, buf, sizeof(buf)));
	*eq = 0;
	key = trim(line);
	if (!*key)
		return perr(p, line_no, "missing key before '='");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].name, key))
			break;
	if (i == sizeof(keys) / sizeof(keys[0])) {
		const char *near = closest_name(key, key_name, NULL,
						sizeof(keys) / sizeof(keys[0]));

		return perr(p, line_no, "unknown key '%s'%s%s%s", clip(key, buf, sizeof(buf)),
			    near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	}
	if (!p->cur)
		return perr(p, line_no, "key '%s' outside a [stanza]", key);
	slot = keys[i].alias_of ? key_index(keys[i].alias_of) : (int)i;
	/* kvm-unit-tests would silently take the later of the two names. */
	if (p->key_line[slot] && p->key_used[slot] != (int)i)
		return perr(p, line_no, "'%s' and '%s' (its old name) both in [%s] "
			    "(first at line %d): keep one", keys[slot].name,
			    keys[keys[i].alias_of ? (int)i : p->key_used[slot]].name,
			    p->cur->name, p->key_line[slot]);
	if (p->key_line[slot])
		return perr(p, line_no, "duplicate key '%s' in [%s] (first at line %d)",
			    key, p->cur->name, p->key_line[slot]);
	p->key_line[slot] = line_no;
	p->key_used[slot] = i;
	p->key = keys[i].name;
	val = trim(eq + 1);
	if (!strncmp(val, TQ, 3))
		val = read_quoted(p, line_no, val + 3);
	else
		val = read_value(p, line_no, val);
	if (!val)
		return -1;
	if (!*val && !keys[i].empty_ok)
		r = perr(p, line_no, "empty value for '%s'", key);
	else
		r = keys[i].set(p, line_no, p->cur, val);
	free(val);
	return r;
}

int cfg_parse(const char *path, const char *text, size_t len,
	      struct cfg *out, char *err, size_t errlen)
{
	struct parser p = {
		.path = path, .text = text, .len = len,
		.err = err, .errlen = errlen, .cfg = out,
	};
	char *buf = xrealloc(NULL, CFG_MAX_LINE + 1);
	int r;

	if (errlen)
		err[0] = 0;
	out->tests = NULL;
	out->ntests = 0;
	while ((r = next_line(&p, buf)) > 0) {
		char *line = trim(buf);

		if (!*line || *line == '#')
			continue;
		if (*line == '[')
			r = start_stanza(&p, line);
		else
			r = key_value(&p, line);
		if (r)
			break;
	}
	if (!r)
		r = end_stanza(&p);
	free(buf);
	if (r)
		cfg_free(out);
	return r ? -1 : 0;
}

int cfg_load(const char *path, struct cfg *out, char *err, size_t errlen)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	out->tests = NULL;
	out->ntests = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	text = xrealloc(NULL, CFG_MAX_FILE + 1);
	while ((n = read(fd, text + len, CFG_MAX_FILE + 1 - len)) > 0 &&
	       len + n <= CFG_MAX_FILE)
		len += n;
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (n > 0) {
		snprintf(err, errlen, "%s: bigger than %d bytes", path, CFG_MAX_FILE);
		goto fail;
	}
	close(fd);
	r = cfg_parse(path, text, len, out, err, errlen);
	free(text);
	return r;
fail:
	if (fd >= 0)
		close(fd);
	free(text);
	return -1;
}
