// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib/argv.c: command-line splitting, the environment module, getenv,
 * env_enabled and arg_selected, against the contract in libcflat.h.
 */
#include <stdio.h>
#include <string.h>

#include "test-lib.h"

#define NO_ERROR	false
#define WANT_ERROR	true

/* Did the library print an "ERROR:" line since the last capture_reset()? */
static bool saw_error(void)
{
	return !strncmp(capture.text, "ERROR:", 6) ||
	       strstr(capture.text, "\nERROR:");
}

/*
 * setup_args(progname, cmdline) must give exactly exp[0..n-1] after
 * argv[0], keep argv[argc] NULL, and print an ERROR only when 'error'.
 */
static void args_case(const char *name, const char *cmdline, bool error,
		      int n, const char *const *exp)
{
	int argc, i;
	bool ok;

	capture_reset();
	argc = setup_args("prog.flat", cmdline);
	ok = argc == n + 1 && __argc == argc && __argv[argc] == NULL &&
	     __argv[0] && !strcmp(__argv[0], "prog.flat");
	for (i = 0; ok && i < n; i++)
		ok = __argv[i + 1] && !strcmp(__argv[i + 1], exp[i]);
	if (!ok) {
		check(name_of("setup_args %s", name), false,
		      "argc %d (expected %d), mismatch at or before argv[%d]",
		      argc, n + 1, i);
		return;
	}
	check(name_of("setup_args %s", name), saw_error() == error,
	      "%s", error ? "no ERROR line printed" : capture.text);
}

#define ARGS(name, cmdline, error, ...) do {				\
	static const char *const exp_[] = { __VA_ARGS__ };		\
	args_case(name, cmdline, error, ARRAY_SIZE(exp_), exp_);	\
} while (0)

static void test_setup_args(void)
{
	char line[8192];
	size_t pos;
	int i;

	args_case("empty", "", NO_ERROR, 0, NULL);
	args_case("NULL", NULL, NO_ERROR, 0, NULL);
	args_case("blanks only", " \t \n ", NO_ERROR, 0, NULL);
	ARGS("one", "foo", NO_ERROR, "foo");
	ARGS("many spaces", "  a   b\t\tc  ", NO_ERROR, "a", "b", "c");
	ARGS("single quotes", "'a b'  c", NO_ERROR, "a b", "c");
	ARGS("double quotes", "\"a  b\" c", NO_ERROR, "a  b", "c");
	ARGS("quotes inside a word", "x'a b'y\"c d\"z", NO_ERROR, "xa byc dz");
	ARGS("empty quotes", "'' \"\" x", NO_ERROR, "", "", "x");
	ARGS("backslash space", "a\\ b c", NO_ERROR, "a b", "c");
	ARGS("backslash quote", "\\'a \\\"b", NO_ERROR, "'a", "\"b");
	ARGS("backslash backslash", "a\\\\b", NO_ERROR, "a\\b");
	ARGS("backslash in double quotes", "\"a\\\"b\"", NO_ERROR, "a\"b");
	ARGS("backslash in single quotes", "'a\\b'", NO_ERROR, "a\\b");
	ARGS("other quote inside", "\"it's\" 'say \"hi\"'", NO_ERROR,
	     "it's", "say \"hi\"");
	ARGS("trailing backslash", "a\\", NO_ERROR, "a\\");
	ARGS("option and name", "-v msr_read", NO_ERROR, "-v", "msr_read");
	ARGS("unterminated quote", "a 'b c", WANT_ERROR, "a", "b c");

	/* MAX_ARGS - 1 entries including argv[0], then a NULL */
	pos = 0;
	for (i = 0; i < 100; i++)
		pos += (size_t)snprintf(line + pos, sizeof(line) - pos,
					"a%d ", i);
	capture_reset();
	i = setup_args("prog.flat", line);
	check("setup_args too many: argc", i == MAX_ARGS - 1 &&
	      __argc == MAX_ARGS - 1 && __argv[MAX_ARGS - 1] == NULL,
	      "argc %d", i);
	check("setup_args too many: kept args intact",
	      !strcmp(__argv[1], "a0") &&
	      !strcmp(__argv[MAX_ARGS - 2], name_of("a%d", MAX_ARGS - 3)),
	      "argv[1] \"%s\", argv[%d] \"%s\"", __argv[1], MAX_ARGS - 2,
	      __argv[MAX_ARGS - 2]);
	check("setup_args too many: ERROR printed", saw_error(),
	      "no ERROR line");

	/* 3 x 2000-byte words overflow the 4 KiB buffer: the 3rd is dropped */
	memset(line, 'x', 6002);
	line[2000] = ' ';
	line[4001] = ' ';
	line[6002] = '\0';
	capture_reset();
	i = setup_args("prog.flat", line);
	check("setup_args buffer overflow: whole args only",
	      i == 3 && strlen(__argv[1]) == 2000 &&
	      strlen(__argv[2]) == 2000 && !__argv[3],
	      "argc %d", i);
	check("setup_args buffer overflow: ERROR printed", saw_error(),
	      "no ERROR line");

	/* state from a previous call does not leak into the next */
	ARGS("reuse after overflow", "b", NO_ERROR, "b");
}

/* setup_env(text) must give exactly the entries exp[] in __envp. */
static void env_case(const char *name, const char *text, size_t len,
		     bool error, int n, const char *const *exp)
{
	int count, i;
	bool ok;

	capture_reset();
	count = setup_env(text, len);
	ok = count == n && __envp[n] == NULL;
	for (i = 0; ok && i < n; i++)
		ok = __envp[i] && !strcmp(__envp[i], exp[i]);
	if (!ok) {
		check(name_of("setup_env %s", name), false,
		      "count %d (expected %d), envp[%d] = \"%s\"", count, n,
		      i, i <= n && __envp[i] ? __envp[i] : "(null)");
		return;
	}
	check(name_of("setup_env %s", name), saw_error() == error,
	      "%s", error ? "no ERROR line printed" : capture.text);
}

#define ENV(name, text, error, ...) do {				\
	static const char *const exp_[] = { __VA_ARGS__ };		\
	env_case(name, text, strlen(text), error, ARRAY_SIZE(exp_), exp_); \
} while (0)

static void test_setup_env(void)
{
	static char big[12000];
	char name[16];
	size_t pos;
	int i, n;

	env_case("empty", "", 0, NO_ERROR, 0, NULL);
	env_case("NULL", NULL, 10, NO_ERROR, 0, NULL);
	ENV("simple", "A=1\nB=2\n", NO_ERROR, "A=1", "B=2");
	ENV("no trailing newline", "A=1\nB=2", NO_ERROR, "A=1", "B=2");
	ENV("blank lines", "\n\nA=1\n  \n\t\nB=2\n\n", NO_ERROR, "A=1", "B=2");
	ENV("comments", "# c\nA=1\n  # indented\n#B=2\n", NO_ERROR, "A=1");
	ENV("CRLF", "A=1\r\nB=two words\r\n\r\n", NO_ERROR, "A=1",
	    "B=two words");
	ENV("empty value", "A=\n", NO_ERROR, "A=");
	ENV("= in value", "A=x=y\n", NO_ERROR, "A=x=y");
	ENV("missing =", "A=1\nNOEQUALS\nB=2\n", WANT_ERROR, "A=1", "B=2");
	ENV("empty key", "=1\nB=2\n", WANT_ERROR, "B=2");
	ENV("blank in key", "A B=1\n C=2\nD=3", WANT_ERROR, "D=3");
	ENV("repeated key wins", "A=1\nB=2\nA=3\n", NO_ERROR, "A=3", "B=2");

	/* 'text' is not NUL-terminated: only 'len' bytes count */
	{
		static const char raw[] = { 'A', '=', '1', '\n', 'B', '=',
					    '2', 'X' };
		static const char *const exp[] = { "A=1", "B=2" };

		env_case("length bound", raw, 7, NO_ERROR, 2, exp);
	}
	{
		static const char padded[] = "A=1\nB=2\n\0\0C=3\n";
		static const char *const exp[] = { "A=1", "B=2" };

		env_case("NUL ends text", padded, sizeof(padded) - 1,
			 NO_ERROR, 2, exp);
	}

	/* more than MAX_ENV variables: the first MAX_ENV are kept */
	pos = 0;
	for (i = 0; i < MAX_ENV + 6; i++)
		pos += (size_t)snprintf(big + pos, sizeof(big) - pos,
					"V%d=%d\n", i, i);
	capture_reset();
	n = setup_env(big, pos);
	check("setup_env too many: count", n == MAX_ENV &&
	      __envp[MAX_ENV] == NULL, "count %d", n);
	snprintf(name, sizeof(name), "V%d", MAX_ENV - 1);
	check("setup_env too many: last kept",
	      cf_getenv(name) && !strcmp(cf_getenv(name),
					 name_of("%d", MAX_ENV - 1)),
	      "getenv(%s) wrong", name);
	snprintf(name, sizeof(name), "V%d", MAX_ENV);
	check("setup_env too many: rest dropped", !cf_getenv(name),
	      "getenv(%s) set", name);
	check("setup_env too many: ERROR printed", saw_error(),
	      "no ERROR line");

	/* 3 lines of 3000 bytes overflow the 8 KiB buffer: the 3rd goes */
	memset(big, 'x', 9003);
	for (i = 0; i < 3; i++) {
		big[i * 3001] = (char)('A' + i);
		big[i * 3001 + 1] = '=';
		big[i * 3001 + 3000] = '\n';
	}
	capture_reset();
	n = setup_env(big, 9003);
	check("setup_env buffer overflow: whole lines only",
	      n == 2 && strlen(cf_getenv("A")) == 2998 &&
	      strlen(cf_getenv("B")) == 2998 && !cf_getenv("C"),
	      "count %d", n);
	check("setup_env buffer overflow: ERROR printed", saw_error(),
	      "no ERROR line");
}

static void test_getenv(void)
{
	static const char text[] =
		"ACCEL=kvm\nAB=1\nEMPTY=\nON=1\nYES=yes\nTRUE=true\n"
		"OFF=0\nN=n\nNO=no\nFALSE=false\nNO_UP=NO\nFALSE_UP=False\n"
		"OTHER=2\n";
	static const struct {
		const char *name;
		bool enabled;
	} bools[] = {
		{ "ON", true }, { "YES", true }, { "TRUE", true },
		{ "OTHER", true }, { "EMPTY", true },
		{ "OFF", false }, { "N", false }, { "NO", false },
		{ "FALSE", false }, { "NO_UP", false }, { "FALSE_UP", false },
		{ "UNSET", false },
	};
	const char *v;
	size_t i;

	capture_reset();
	setup_env(text, sizeof(text) - 1);
	v = cf_getenv("ACCEL");
	check_str("getenv value", v, "kvm");
	check("getenv unset", !cf_getenv("NOPE"), "found");
	check("getenv no prefix match", !cf_getenv("A") && !cf_getenv("ACC"),
	      "a key prefix matched");
	check("getenv no extension match", !cf_getenv("ACCELX"),
	      "a longer name matched");
	check_str("getenv after prefix key", cf_getenv("AB"), "1");
	check_str("getenv empty value", cf_getenv("EMPTY"), "");
	check("getenv empty name", !cf_getenv(""), "found");
	check("getenv name with =", !cf_getenv("ACCEL=kvm"), "found");
	check("getenv NULL name", !cf_getenv(NULL), "found");

	for (i = 0; i < ARRAY_SIZE(bools); i++)
		check(name_of("env_enabled(%s)", bools[i].name),
		      env_enabled(bools[i].name) == bools[i].enabled,
		      "expected %s", bools[i].enabled ? "true" : "false");
}

static void test_arg_selected(void)
{
	char *none[] = { "prog" };
	char *opts[] = { "prog", "-v", "--fast" };
	char *one[] = { "prog", "-v", "read_allow" };
	char *two[] = { "prog", "read_allow", "write_deny" };
	char *glob[] = { "prog", "read_*" };
	char *star[] = { "prog", "*" };
	char *nulls[] = { "prog", NULL };

	check("arg_selected no args", arg_selected(1, none, "x"), "false");
	check("arg_selected argc 0", arg_selected(0, NULL, "x"), "false");
	check("arg_selected options only", arg_selected(3, opts, "x"), "false");
	check("arg_selected exact", arg_selected(3, one, "read_allow"),
	      "false");
	check("arg_selected other", !arg_selected(3, one, "read_deny"),
	      "true");
	check("arg_selected no prefix match", !arg_selected(3, one, "read"),
	      "true");
	check("arg_selected no extension match",
	      !arg_selected(3, one, "read_allow2"), "true");
	check("arg_selected option not a name", !arg_selected(3, one, "-v"),
	      "true");
	check("arg_selected second of two", arg_selected(3, two, "write_deny"),
	      "false");
	check("arg_selected none of two", !arg_selected(3, two, "write_allow"),
	      "true");
	check("arg_selected glob match", arg_selected(2, glob, "read_x"),
	      "false");
	check("arg_selected glob exact prefix", arg_selected(2, glob, "read_"),
	      "false");
	check("arg_selected glob miss", !arg_selected(2, glob, "read"), "true");
	check("arg_selected star", arg_selected(2, star, "anything"), "false");
	check("arg_selected NULL entry", arg_selected(2, nulls, "x"), "false");
	check("arg_selected respects argc", arg_selected(1, two, "x"), "false");
}

void test_argv(void)
{
	test_setup_args();
	test_setup_env();
	test_getenv();
	test_arg_selected();
}
