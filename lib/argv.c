// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's argv and environment, from the multiboot command line and the
 * first multiboot module.  There is no allocator, so both live in fixed
 * static buffers; input that does not fit is reported with an "ERROR:" line
 * and dropped whole (never half an argument or half a variable), and
 * nothing is ever written past a buffer.
 */
#include "libcflat.h"

#define ARGS_BUF_SIZE	4096
#define ENV_BUF_SIZE	8192

int __argc;
char *__argv[MAX_ARGS];
char *__envp[MAX_ENV + 1];

static char args_buf[ARGS_BUF_SIZE];
static char env_buf[ENV_BUF_SIZE];

/* Appends characters to args_buf, remembering whether one did not fit. */
struct arg_writer {
	size_t len;
	bool full;
};

static void arg_putc(struct arg_writer *w, char c)
{
	if (w->len < sizeof(args_buf))
		args_buf[w->len++] = c;
	else
		w->full = true;
}

static bool is_blank(char c)
{
	return isspace((unsigned char)c);
}

/*
 * Copy one argument starting at *p into args_buf, shell style: '...'
 * quotes everything literally, "..." groups and honours backslash, a
 * backslash outside quotes escapes the next character.  Returns false if
 * a quote was not closed.
 */
static bool scan_arg(const char **p, struct arg_writer *w)
{
	const char *s = *p;
	char quote = 0;

	for (; *s; s++) {
		if (quote == '\'') {
			if (*s == '\'')
				quote = 0;
			else
				arg_putc(w, *s);
		} else if (*s == '\\' && s[1]) {
			arg_putc(w, *++s);
		} else if (quote == '"') {
			if (*s == '"')
				quote = 0;
			else
				arg_putc(w, *s);
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
		} else if (is_blank(*s)) {
			break;
		} else {
			arg_putc(w, *s);
		}
	}
	arg_putc(w, '\0');
	*p = s;
	return !quote;
}

int setup_args(const char *progname, const char *cmdline)
{
	struct arg_writer w = { 0, false };
	const char *p = cmdline ? cmdline : "";

	__argc = 0;
	memset(__argv, 0, sizeof(__argv));

	/* argv[0] is copied too (cut at 255 bytes): every argv[] is writable. */
	strlcpy(args_buf, progname ? progname : "", 256);
	__argv[__argc++] = args_buf;
	w.len = strlen(args_buf) + 1;

	for (;;) {
		size_t start = w.len;

		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		/* keep argv[argc] == NULL, as C's main() guarantees */
		if (__argc == MAX_ARGS - 1) {
			printf("ERROR: setup_args: more than %d arguments, "
			       "dropping the rest from '%.40s'\n",
			       MAX_ARGS - 2, p);
			break;
		}
		if (!scan_arg(&p, &w))
			printf("ERROR: setup_args: unterminated quote in "
			       "argument %d\n", __argc);
		if (w.full) {
			printf("ERROR: setup_args: command line longer than "
			       "%d bytes, dropping argument %d and after\n",
			       ARGS_BUF_SIZE, __argc);
			break;
		}
		__argv[__argc++] = args_buf + start;
	}
	return __argc;
}

/* Length of the key of a "KEY=VALUE" entry (up to '='). */
static size_t key_len(const char *entry)
{
	const char *eq = strchr(entry, '=');

	return eq ? (size_t)(eq - entry) : strlen(entry);
}

static char **env_find(const char *name, size_t len)
{
	char **e;

	for (e = __envp; *e; e++) {
		if (key_len(*e) == len && !strncmp(*e, name, len))
			return e;
	}
	return NULL;
}

static bool line_is_blank(const char *s, size_t n)
{
	while (n--) {
		if (!is_blank(*s++))
			return false;
	}
	return true;
}

/*
 * Check and store one line (without its newline).  'nr' is the 1-based
 * line number for messages.  Returns false when storage is exhausted.
 */
static bool env_add_line(const char *line, size_t n, int nr,
			 size_t *used, int *count)
{
	const char *eq;
	size_t klen, i;
	char *entry, **slot;

	if (n && line[n - 1] == '\r')	/* CRLF files */
		n--;
	if (line_is_blank(line, n))
		return true;
	for (i = 0; i < n && is_blank(line[i]); i++)
		;
	if (line[i] == '#')
		return true;

	for (eq = line; eq < line + n && *eq != '='; eq++)
		;
	klen = (size_t)(eq - line);
	if (eq == line + n || !klen) {
		printf("ERROR: setup_env: line %d: expected KEY=VALUE, "
		       "got '%.*s'\n", nr, (int)(n > 60 ? 60 : n), line);
		return true;
	}
	for (i = 0; i < klen; i++) {
		if (is_blank(line[i])) {
			printf("ERROR: setup_env: line %d: blank in key "
			       "'%.*s'\n", nr, (int)klen, line);
			return true;
		}
	}

	if (ENV_BUF_SIZE - *used < n + 1) {
		printf("ERROR: setup_env: environment larger than %d bytes, "
		       "dropping line %d and after\n", ENV_BUF_SIZE, nr);
		return false;
	}
	slot = env_find(line, klen);
	if (!slot) {
		if (*count == MAX_ENV) {
			printf("ERROR: setup_env: more than %d variables, "
			       "dropping line %d and after\n", MAX_ENV, nr);
			return false;
		}
		slot = &__envp[(*count)++];
	}
	/* A repeated key replaces the earlier value, as in a shell. */
	entry = env_buf + *used;
	memcpy(entry, line, n);
	entry[n] = '\0';
	*used += n + 1;
	*slot = entry;
	return true;
}

int setup_env(const char *text, size_t len)
{
	size_t used = 0, pos = 0;
	int count = 0, nr = 0;

	memset(__envp, 0, sizeof(__envp));
	if (!text)
		return 0;
	/* A NUL ends the text: modules are often padded with zeroes. */
	len = strnlen(text, len);

	while (pos < len) {
		const char *line = text + pos;
		size_t n = 0;

		while (pos + n < len && line[n] != '\n')
			n++;
		pos += n + 1;
		if (!env_add_line(line, n, ++nr, &used, &count))
			break;
	}
	return count;
}

const char *getenv(const char *name)
{
	char **e;

	if (!name || !*name || strchr(name, '='))
		return NULL;
	e = env_find(name, strlen(name));
	return e ? *e + strlen(name) + 1 : NULL;
}

/* Case-insensitive compare with a lower-case word. */
static bool word_is(const char *s, const char *lower)
{
	for (; *s && *lower; s++, lower++) {
		char c = *s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s;

		if (c != *lower)
			return false;
	}
	return !*s && !*lower;
}

bool env_enabled(const char *name)
{
	const char *v = getenv(name);

	return v && !word_is(v, "0") && !word_is(v, "n") &&
	       !word_is(v, "no") && !word_is(v, "false");
}

/* 'arg' selects 'name' exactly, or as a prefix when it ends in '*'. */
static bool arg_matches(const char *arg, const char *name)
{
	size_t n = strlen(arg);

	if (n && arg[n - 1] == '*')
		return !strncmp(arg, name, n - 1);
	return !strcmp(arg, name);
}

bool arg_selected(int argc, char **argv, const char *name)
{
	bool any = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (!argv[i] || argv[i][0] == '-')
			continue;
		if (arg_matches(argv[i], name))
			return true;
		any = true;
	}
	return !any;
}
