// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib/report.c: the exact console text of the verdict protocol, the
 * counters, report_summary()'s exit codes, report_abort(), and line
 * atomicity under threads.  Each scenario runs in a forked child, so it
 * starts from the pristine state of a freshly booted guest.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "test-lib.h"

#define SUMMARY(t, f, x, s, c)						\
	"SUMMARY: " #t " tests, " #f " unexpected failures, "		\
	#x " expected failures, " #s " skipped, " #c " checks\n"

struct scenario {
	const char *name;
	int (*fn)(void);	/* returns report_summary() unless it exits */
	const char *text;	/* the exact console output, or */
	const char *sub;	/* a part of it (for file names, long lines) */
	bool exits;		/* expected to end in exit() */
	int code;		/* report_summary() value or exit code */
	struct report_counts counts;
};

static const struct scenario *cur;

static int all_pass(void)
{
	check("report all pass: report() returns true", report(true, "a"),
	      "returned false");
	report_pass("b %d", 2);
	return report_summary();
}

static int one_fail(void)
{
	report(true, "a");
	check("report one fail: report() returns false", !report(false, "b"),
	      "returned true");
	report_pass("c");
	return report_summary();
}

static int report_fail_only(void)
{
	report_fail("x=%#x", 0x10u);
	return report_summary();
}

static int all_skip(void)
{
	report_skip("no x2apic");
	report_skip("b");
	return report_summary();
}

static int nothing_ran(void)
{
	report_info("hello %s", "world");
	return report_summary();
}

static int skip_and_pass(void)
{
	report_skip("s");
	report_pass("p");
	return report_summary();
}

static int fail_and_skip(void)
{
	report_skip("s");
	report_fail("f");
	return report_summary();
}

static int xfail(void)
{
	check("report xfail: returns false on failure",
	      !report_xfail(true, false, "known"), "returned true");
	check("report xfail: returns true on xpass",
	      report_xfail(true, true, "xpass"), "returned false");
	report_pass("p");
	return report_summary();
}

static int xfail_not_expected(void)
{
	report_xfail(false, false, "bad");
	report_xfail(false, true, "good");
	return report_summary();
}

static int prefixes(void)
{
	report_prefix_push("outer");
	report_pass("a");
	report_prefix_pushf("inner-%d", 3);
	report(true, "b");
	report_info("i");
	report_skip("s");
	report_prefix_pop();
	report_fail("c");
	report_prefix_pop();
	report_pass("d");
	report_prefix_push("");
	report_pass("e");
	report_prefix_pop();
	return report_summary();
}

static int sanitized(void)
{
	report_pass("a\nb\rc");
	report_prefix_push("x\ny");
	report_info("z\n");
	report_prefix_pop();
	return report_summary();
}

static int aborts(void)
{
	report_prefix_push("p");
	report_pass("ok");
	report_abort("boom %d", 7);
}

static int assert_fails(void)
{
	int two = 2;

	assert(two == 2);
	report_pass("before");
	assert(1 + two == 4);
	report_pass("after");
	return report_summary();
}

static int prefix_too_deep(void)
{
	static const char *const names[] = {
		"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7",
		"p8", "p9", "pa", "pb", "pc", "pd", "pe", "pf", "pg",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		report_prefix_push(names[i]);
	return report_summary();
}

static int prefix_too_long(void)
{
	char p[101];

	memset(p, 'q', 100);
	p[100] = '\0';
	report_prefix_push(p);	/* 102 bytes with ": " */
	report_prefix_push(p);	/* 204 */
	report_pass("still fine");
	report_prefix_push(p);	/* 306 > 255 */
	return report_summary();
}

static int pop_empty(void)
{
	report_prefix_push("a");
	report_prefix_pop();
	report_prefix_pop();
	return report_summary();
}

/* A message longer than a line is cut, still one write ending in "...\n". */
static int long_message(void)
{
	static char msg[2001];
	size_t len;

	memset(msg, 'm', 2000);
	report_pass("%s", msg);
	len = capture.len;
	check("report long message: one write", capture.writes == 1,
	      "%lu writes", capture.writes);
	check("report long message: cut with ...",
	      len > 100 && len <= 512 && !strncmp(capture.text, "PASS: mmm", 9) &&
	      !strcmp(capture.text + len - 4, "...\n") &&
	      strspn(capture.text + 6, "m") == len - 10,
	      "%zu bytes", len);
	capture_reset();
	return report_summary();
}

/* A sweep line standing for 4096 comparisons; SKIPs are no checks. */
static int add_checks(void)
{
	report_skip("s");
	report_add_checks(4095);
	report_pass("4096 indices as the model says");
	report(false, "one more");
	return report_summary();
}

static const struct scenario scenarios[] = {
	{ "all pass", all_pass, "PASS: a\nPASS: b 2\n" SUMMARY(2, 0, 0, 0, 2),
	  NULL, false, EXIT_PASS, { 2, 0, 0, 0, 2 } },
	{ "one fail", one_fail,
	  "PASS: a\nFAIL: b\nPASS: c\n" SUMMARY(3, 1, 0, 0, 3),
	  NULL, false, EXIT_FAIL, { 3, 1, 0, 0, 3 } },
	{ "report_fail", report_fail_only, "FAIL: x=0x10\n" SUMMARY(1, 1, 0, 0, 1),
	  NULL, false, EXIT_FAIL, { 1, 1, 0, 0, 1 } },
	{ "all skip", all_skip,
	  "SKIP: no x2apic\nSKIP: b\n" SUMMARY(2, 0, 0, 2, 0),
	  NULL, false, EXIT_SKIP, { 2, 0, 0, 2, 0 } },
	{ "nothing ran", nothing_ran, "INFO: hello world\n" SUMMARY(0, 0, 0, 0, 0),
	  NULL, false, EXIT_SKIP, { 0, 0, 0, 0, 0 } },
	{ "skip and pass", skip_and_pass,
	  "SKIP: s\nPASS: p\n" SUMMARY(2, 0, 0, 1, 1),
	  NULL, false, EXIT_PASS, { 2, 0, 0, 1, 1 } },
	{ "fail and skip", fail_and_skip,
	  "SKIP: s\nFAIL: f\n" SUMMARY(2, 1, 0, 1, 1),
	  NULL, false, EXIT_FAIL, { 2, 1, 0, 1, 1 } },
	{ "xfail", xfail,
	  "XFAIL: known\nPASS: xpass\nPASS: p\n" SUMMARY(3, 0, 1, 0, 3),
	  NULL, false, EXIT_PASS, { 3, 0, 1, 0, 3 } },
	{ "xfail not expected", xfail_not_expected,
	  "FAIL: bad\nPASS: good\n" SUMMARY(2, 1, 0, 0, 2),
	  NULL, false, EXIT_FAIL, { 2, 1, 0, 0, 2 } },
	{ "prefixes", prefixes,
	  "PASS: outer: a\n"
	  "PASS: outer: inner-3: b\n"
	  "INFO: outer: inner-3: i\n"
	  "SKIP: outer: inner-3: s\n"
	  "FAIL: outer: c\n"
	  "PASS: d\n"
	  "PASS: : e\n"
	  SUMMARY(6, 1, 0, 1, 5),
	  NULL, false, EXIT_FAIL, { 6, 1, 0, 1, 5 } },
	{ "newlines in messages", sanitized,
	  "PASS: a b c\nINFO: x y: z \n" SUMMARY(1, 0, 0, 0, 1),
	  NULL, false, EXIT_PASS, { 1, 0, 0, 0, 1 } },
	{ "abort", aborts,
	  "PASS: p: ok\nABORT: p: boom 7\n" SUMMARY(1, 0, 0, 0, 1),
	  NULL, true, EXIT_ABORT, { 1, 0, 0, 0, 1 } },
	{ "assert", assert_fails, NULL,
	  ": assert(1 + two == 4) failed\n" SUMMARY(1, 0, 0, 0, 1),
	  true, EXIT_ABORT, { 1, 0, 0, 0, 1 } },
	{ "prefix stack too deep", prefix_too_deep,
	  "ABORT: p0: p1: p2: p3: p4: p5: p6: p7: p8: p9: pa: pb: pc: pd: "
	  "pe: pf: report_prefix_push: more than 16 prefixes (pushing 'pg')\n"
	  SUMMARY(0, 0, 0, 0, 0),
	  NULL, true, EXIT_ABORT, { 0, 0, 0, 0, 0 } },
	{ "prefix stack too long", prefix_too_long, NULL,
	  "qqq: still fine\nABORT: qqqq",
	  true, EXIT_ABORT, { 1, 0, 0, 0, 1 } },
	{ "pop of empty prefix stack", pop_empty,
	  "ABORT: report_prefix_pop: prefix stack is empty\n"
	  SUMMARY(0, 0, 0, 0, 0),
	  NULL, true, EXIT_ABORT, { 0, 0, 0, 0, 0 } },
	{ "add checks", add_checks,
	  "SKIP: s\nPASS: 4096 indices as the model says\nFAIL: one more\n"
	  SUMMARY(3, 1, 0, 1, 4097),
	  NULL, false, EXIT_FAIL, { 3, 1, 0, 1, 4097 } },
	{ "long message", long_message, SUMMARY(1, 0, 0, 0, 1),
	  NULL, false, EXIT_PASS, { 1, 0, 0, 0, 1 } },
};

static void run_scenario(void)
{
	const struct scenario *sc = cur;
	struct report_counts c;
	bool exited;
	int code;

	code = call_trapping_exit(sc->fn, &exited);
	if (sc->text)
		check_str(name_of("report %s: output", sc->name), capture.text,
			  sc->text);
	else
		check(name_of("report %s: output", sc->name),
		      strstr(capture.text, sc->sub) != NULL,
		      "\"%s\" not in \"%s\"", sc->sub, capture.text);
	check(name_of("report %s: one write per line", sc->name),
	      capture.writes == capture_lines(), "%lu writes, %lu lines",
	      capture.writes, capture_lines());
	check(name_of("report %s: %s", sc->name, sc->exits ? "exit code" :
		      "report_summary() value"),
	      exited == sc->exits && code == sc->code,
	      "%s %d, expected %s %d", exited ? "exit" : "return", code,
	      sc->exits ? "exit" : "return", sc->code);
	/* report_get_counts() also proves the lock was released */
	c = report_get_counts();
	check(name_of("report %s: counts", sc->name),
	      !memcmp(&c, &sc->counts, sizeof(c)),
	      "total %u failed %u xfailed %u skipped %u checks %u, expected %u %u %u %u %u",
	      c.total, c.failed, c.xfailed, c.skipped, c.checks, sc->counts.total,
	      sc->counts.failed, sc->counts.xfailed, sc->counts.skipped,
	      sc->counts.checks);
}

/* ---- report_abort() from inside console_write() ---------------------- */

static int nested_aborts;

/* As if the serial write faulted and the handler called report_abort(). */
static void abort_from_console(void)
{
	nested_aborts++;
	report_abort("fault while printing");
}

static int abort_in_report(void)
{
	console_write_hook = abort_from_console;
	report_pass("never printed");
	return 0;
}

static int abort_in_abort(void)
{
	console_write_hook = abort_from_console;
	report_abort("first");
}

static void run_nested_abort(void)
{
	bool exited;
	int code;

	/* the lock is held by report_pass(): abort must not wait forever */
	code = call_trapping_exit(abort_in_report, &exited);
	check_str("report abort with lock held: output", capture.text,
		  "ABORT: fault while printing\n" SUMMARY(1, 0, 0, 0, 1));
	check("report abort with lock held: exit code",
	      exited && code == EXIT_ABORT, "%s %d",
	      exited ? "exit" : "return", code);
}

static void run_recursive_abort(void)
{
	bool exited;
	int code;

	/* an abort while aborting exits at once instead of recursing */
	code = call_trapping_exit(abort_in_abort, &exited);
	check("report abort while aborting: exits", exited &&
	      code == EXIT_ABORT && nested_aborts == 1,
	      "%s %d after %d nested aborts", exited ? "exit" : "return",
	      code, nested_aborts);
	check_str("report abort while aborting: output", capture.text, "");
}

/* ---- several threads reporting at once ------------------------------- */

#define THREADS		4
#define PER_THREAD	500

static void *reporter(void *arg)
{
	int t = (int)(long)arg, i;

	for (i = 0; i < PER_THREAD; i++)
		report_pass("t%d %d", t, i);
	return NULL;
}

static void run_threads(void)
{
	static bool seen[THREADS][PER_THREAD];
	pthread_t tid[THREADS];
	struct report_counts c;
	const char *p = capture.text;
	int t, i, bad = 0, n;

	console_write_delay = 2000;	/* make overlaps likely if unlocked */
	for (t = 0; t < THREADS; t++) {
		if (pthread_create(&tid[t], NULL, reporter, (void *)(long)t)) {
			check("report threads: pthread_create", false, "failed");
			return;
		}
	}
	for (t = 0; t < THREADS; t++)
		pthread_join(tid[t], NULL);

	c = report_get_counts();
	check_int("report threads: total count", c.total, THREADS * PER_THREAD);
	check("report threads: no overlapping writes", !capture.overlap,
	      "two console_write() calls ran at once");
	check_int("report threads: one write per line", (long long)capture.writes,
		  THREADS * PER_THREAD);
	/* every line whole, every report exactly once */
	while (*p) {
		if (sscanf(p, "PASS: t%d %d\n%n", &t, &i, &n) != 2 ||
		    t < 0 || t >= THREADS || i < 0 || i >= PER_THREAD ||
		    seen[t][i] || p[n - 1] != '\n') {
			bad++;
			break;
		}
		seen[t][i] = true;
		p += n;
	}
	for (t = 0; t < THREADS; t++)
		for (i = 0; i < PER_THREAD; i++)
			bad += !seen[t][i];
	check("report threads: lines intact", !bad,
	      "%d lines garbled or missing", bad);
}

void test_report(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		cur = &scenarios[i];
		run_isolated(name_of("report %s", cur->name), run_scenario);
	}
	run_isolated("report abort with lock held", run_nested_abort);
	run_isolated("report abort while aborting", run_recursive_abort);
	run_isolated("report threads", run_threads);
}
