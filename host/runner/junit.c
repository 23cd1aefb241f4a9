// SPDX-License-Identifier: GPL-2.0-only
/*
 * junit.xml: one <testsuite> per test, one <testcase> per subtest (the
 * guest's PASS:/FAIL:/SKIP:/XFAIL: lines, names made unique by the
 * parser), in the shape Jenkins, GitLab and xunit-viewer read:
 *
 *   FAIL line                 <failure type="FAIL">
 *   known-failure FAIL line   <skipped message="XFAIL: reason">
 *   known-failure PASS line   <failure type="XPASS">
 *   SKIP / guest XFAIL line   <skipped>
 *
 * When the subtests do not explain the test's status (a timeout, a
 * triple fault, an ERROR, a runner-side SKIP, no subtests at all) the
 * suite gets one more testcase named after the test carrying that status,
 * so every FAIL/TIMEOUT/ERROR/XPASS shows up as a failure or error.  The
 * suite's <system-out> holds the reproducer and the end of the test's log.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner.h"

#define JUNIT_LOG_TAIL	(16 << 10)	/* bytes of log in <system-out> */

struct counts {
	int tests, failures, errors, skipped;
};

/* Does some subtest line account for the test's status? */
static bool subtests_explain(const struct result *res)
{
	bool fail = false, known_fail = false, known_pass = false, skip = false;
	size_t i;

	for (i = 0; i < res->nsubs; i++) {
		const struct subtest *sub = &res->subs[i];

		fail |= sub->st == SUB_FAIL && !sub->known;
		known_fail |= sub->st == SUB_FAIL && sub->known;
		known_pass |= sub->st == SUB_PASS && sub->known;
		skip |= sub->st == SUB_SKIP;
	}
	switch (res->status) {
	case ST_PASS:
		return res->nsubs > 0;
	case ST_FAIL:
		return fail && res->guest_code == 1;
	case ST_XFAIL:
		return known_fail && res->guest_code == 1 && !res->timed_out;
	case ST_XPASS:
		return known_pass;
	case ST_SKIP:
		return skip && res->guest_code == 77;
	default:
		return false;
	}
}

static void open_case(struct sbuf *sb, const char *test, const char *name)
{
	sb_puts(sb, "    <testcase classname=\"");
	sb_xml_str(sb, test);
	sb_puts(sb, "\" name=\"");
	sb_xml_str(sb, name);
	sb_puts(sb, "\"");
}

/* Closes the testcase with one child element, or none when kind is NULL. */
static void close_case(struct sbuf *sb, struct counts *c, const char *kind,
		       const char *type, const char *msg1, const char *msg2)
{
	c->tests++;
	if (!kind) {
		sb_puts(sb, "/>\n");
		return;
	}
	if (!strcmp(kind, "failure"))
		c->failures++;
	else if (!strcmp(kind, "error"))
		c->errors++;
	else
		c->skipped++;
	sb_printf(sb, ">\n      <%s", kind);
	if (type)
		sb_printf(sb, " type=\"%s\"", type);
	sb_puts(sb, " message=\"");
	sb_xml_str(sb, msg1);
	if (msg2 && *msg2) {
		sb_puts(sb, ": ");
		sb_xml_str(sb, msg2);
	}
	sb_printf(sb, "\"/>\n    </testcase>\n");
}

static void subtest_case(struct sbuf *sb, struct counts *c, const struct job *j,
			 const struct subtest *sub)
{
	const char *why = sub->known ? known_reason(sub->known) : NULL;

	open_case(sb, j->t->name, sub->name);
	switch (sub->st) {
	case SUB_PASS:
		if (sub->known)
			close_case(sb, c, "failure", "XPASS", "known failure passed", why);
		else
			close_case(sb, c, NULL, NULL, NULL, NULL);
		break;
	case SUB_FAIL:
		if (sub->known)
			close_case(sb, c, "skipped", NULL, "XFAIL: known failure", why);
		else
			close_case(sb, c, "failure", "FAIL", sub->name, NULL);
		break;
	case SUB_SKIP:
		close_case(sb, c, "skipped", NULL, "SKIP", sub->name);
		break;
	default:
		close_case(sb, c, "skipped", NULL, "XFAIL: expected failure", sub->name);
	}
}

static void verdict_case(struct sbuf *sb, struct counts *c, const struct job *j)
{
	const struct result *res = &j->res;
	const char *st = status_names[res->status];
	const char *reason = res->reason ? res->reason : "";

	open_case(sb, j->t->name, j->t->name);
	sb_printf(sb, " time=\"%.3f\"", res->duration);
	switch (res->status) {
	case ST_PASS:
		close_case(sb, c, NULL, NULL, NULL, NULL);
		break;
	case ST_SKIP:
	case ST_XFAIL:
		close_case(sb, c, "skipped", NULL, st, reason);
		break;
	case ST_ERROR:
		close_case(sb, c, "error", st, st, reason);
		break;
	default:
		close_case(sb, c, "failure", st, st, reason);
	}
}

/* The last JUNIT_LOG_TAIL bytes of the log, from a line start. */
static void log_tail(struct sbuf *sb, const char *path)
{
	char *buf = xmalloc(JUNIT_LOG_TAIL + 1), *s = buf;
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	struct stat st;
	ssize_t n = 0, len = 0;

	if (fd >= 0 && !fstat(fd, &st)) {
		off_t from = st.st_size > JUNIT_LOG_TAIL ? st.st_size - JUNIT_LOG_TAIL : 0;

		while (len < JUNIT_LOG_TAIL &&
		       (n = pread(fd, buf + len, JUNIT_LOG_TAIL - len, from + len)) > 0)
			len += n;
		buf[len] = 0;
		if (from) {
			s = strchr(buf, '\n');
			s = s ? s + 1 : buf + len;
			sb_puts(sb, "[...]\n");
		}
		/* Guest output may hold NUL bytes: shown as U+FFFD, not cut there. */
		for (n = 0; n < len; n++)
			buf[n] = buf[n] ? buf[n] : 1;
		sb_xml_str(sb, s);
	}
	if (fd >= 0)
		close(fd);
	free(buf);
}

static void junit_suite(struct sbuf *out, struct counts *total, const struct job *j,
			const char *stamp)
{
	const struct result *res = &j->res;
	struct counts c = { 0 };
	struct sbuf sb = { 0 };
	size_t i;

	for (i = 0; i < res->nsubs; i++)
		subtest_case(&sb, &c, j, &res->subs[i]);
	if (!subtests_explain(res))
		verdict_case(&sb, &c, j);
	sb_puts(out, "  <testsuite name=\"");
	sb_xml_str(out, j->t->name);
	sb_printf(out, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" "
		  "time=\"%.3f\" timestamp=\"%s\">\n", c.tests, c.failures, c.errors,
		  c.skipped, res->duration, stamp);
	sb_puts(out, "    <properties>\n      <property name=\"status\" value=\"");
	sb_puts(out, status_names[res->status]);
	sb_puts(out, "\"/>\n");
	if (res->reason) {
		sb_puts(out, "      <property name=\"reason\" value=\"");
		sb_xml_str(out, res->reason);
		sb_puts(out, "\"/>\n");
	}
	if (res->subs_dropped)
		sb_printf(out, "      <property name=\"subtests_dropped\" value=\"%lu\"/>\n",
			  res->subs_dropped);
	sb_puts(out, "    </properties>\n");
	if (sb.s)
		sb_puts(out, sb.s);
	free(sb.s);
	sb_puts(out, "    <system-out>");
	if (res->started) {
		sb_puts(out, "$ ");
		sb_xml_str(out, j->cmdline);
		sb_puts(out, "\n");
		log_tail(out, j->log_path);
	} else if (res->reason) {
		sb_puts(out, "not started: ");
		sb_xml_str(out, res->reason);
	}
	sb_puts(out, "</system-out>\n  </testsuite>\n");
	total->tests += c.tests;
	total->failures += c.failures;
	total->errors += c.errors;
	total->skipped += c.skipped;
}

char *results_junit(struct runner *r)
{
	struct sbuf body = { 0 }, sb = { 0 };
	struct counts total = { 0 };
	int i;

	for (i = 0; i < r->njobs; i++)
		if (r->jobs_v[i].phase == JOB_DONE)
			junit_suite(&body, &total, &r->jobs_v[i], r->started_iso);
	sb_puts(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	sb_printf(&sb, "<testsuites name=\"kvm-msrfilter-tests\" tests=\"%d\" "
		  "failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
		  total.tests, total.failures, total.errors, total.skipped,
		  now_mono() - r->started);
	if (body.s)
		sb_puts(&sb, body.s);
	sb_puts(&sb, "</testsuites>\n");
	free(body.s);
	return sb_steal(&sb);
}
