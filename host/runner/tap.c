// SPDX-License-Identifier: GPL-2.0-only
/*
 * TAP13 for one test, the same text on stdout (-t) and in results.tap.
 * A test's subtests come first as an indented subtest block, in the
 * convention of Test::More and the kernel's KTAP:
 *
 *       # Subtest: msr_rules
 *       ok 1 - msr_rules: rdmsr 0x10 allowed
 *       not ok 2 - msr_rules: wrmsr 0x10 # TODO known failure: reason
 *       1..2
 *   ok 7 - msr_rules
 *
 * Directives: a guest SKIP line is "ok # SKIP", a guest XFAIL line and a
 * known-failure FAIL are "not ok # TODO", a known failure that passed is
 * "ok # TODO".  At the top level SKIP is "ok # SKIP", XFAIL "not ok #
 * TODO", XPASS "ok # TODO"; FAIL, TIMEOUT and ERROR are "not ok" with a
 * YAML block giving the status, message and log.  '#' and '\' in names
 * are escaped so no name reads as a directive.
 */
#include <stdlib.h>
#include <string.h>

#include "runner.h"

static void tap_desc(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '#' || *s == '\\')
			sb_puts(sb, "\\");
		sb_add(sb, s, 1);
	}
}

static void tap_subtests(struct sbuf *sb, const struct job *j)
{
	const struct result *res = &j->res;
	size_t i;

	if (!res->nsubs)
		return;
	sb_puts(sb, "    # Subtest: ");
	tap_desc(sb, j->t->name);
	sb_puts(sb, "\n");
	for (i = 0; i < res->nsubs; i++) {
		const struct subtest *sub = &res->subs[i];
		bool ok = sub->st == SUB_PASS || sub->st == SUB_SKIP;

		sb_printf(sb, "    %s %zu - ", ok ? "ok" : "not ok", i + 1);
		tap_desc(sb, sub->name);
		if (sub->st == SUB_SKIP)
			sb_puts(sb, " # SKIP");
		else if (sub->st == SUB_XFAIL)
			sb_puts(sb, " # TODO expected failure");
		else if (sub->known)
			sb_printf(sb, " # TODO %s", sub->st == SUB_FAIL ?
				  "known failure" : "known failure passed");
		if (sub->known && *known_reason(sub->known)) {
			sb_puts(sb, ": ");
			tap_desc(sb, known_reason(sub->known));
		}
		sb_puts(sb, "\n");
	}
	if (res->subs_dropped)
		sb_printf(sb, "    # %lu more subtests were not kept\n", res->subs_dropped);
	sb_printf(sb, "    1..%zu\n", res->nsubs);
}

/* One test at top-level number j->index; 'log' names its log file. */
void tap_test(struct sbuf *sb, const struct job *j, const char *log)
{
	const struct result *res = &j->res;
	bool ok = res->status == ST_PASS || res->status == ST_SKIP ||
		  res->status == ST_XPASS;
	const char *reason = res->reason ? res->reason : "";

	if (j->phase != JOB_DONE) {
		sb_printf(sb, "not ok %d - ", j->index);
		tap_desc(sb, j->t->name);
		sb_puts(sb, " # SKIP not run (interrupted)\n");
		return;
	}
	tap_subtests(sb, j);
	sb_printf(sb, "%s %d - ", ok ? "ok" : "not ok", j->index);
	tap_desc(sb, j->t->name);
	if (res->status == ST_SKIP) {
		sb_puts(sb, " # SKIP ");
		tap_desc(sb, reason);
	} else if (res->status == ST_XFAIL || res->status == ST_XPASS) {
		sb_puts(sb, " # TODO ");
		tap_desc(sb, *reason ? reason : "known failure");
	}
	sb_puts(sb, "\n");
	if (res->status == ST_PASS || res->status == ST_SKIP)
		return;
	sb_printf(sb, "  ---\n  status: %s\n", status_names[res->status]);
	if (res->reason) {
		sb_puts(sb, "  message: ");
		sb_json_str(sb, res->reason);
		sb_puts(sb, "\n");
	}
	if (log) {
		sb_puts(sb, "  log: ");
		sb_json_str(sb, log);
		sb_puts(sb, "\n");
	}
	sb_puts(sb, "  ...\n");
}
