// SPDX-License-Identifier: GPL-2.0-only
/*
 * The log directory of a run: logs/<YYYYmmdd-HHMMSS[-N]>/ (never reused),
 * logs/latest pointing at it, one <test>.log and <test>.env per test, and
 * at the end results.json (the source of truth), results.tap and
 * junit.xml rendered from the same results.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "runner.h"

static void mkdir_p(const char *path)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST)
			die("mkdir %s: %s", p, strerror(errno));
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST)
		die("mkdir %s: %s", p, strerror(errno));
	free(p);
}

/* Absolute, so reproducers work from any directory. */
static char *log_root(struct runner *r)
{
	const char *env = getenv("LOGDIR");
	char cwd[4096];

	if (!(env && *env)) {
		if (!r->installed)
			return xasprintf("%s/logs", r->srcdir);
		/* An installed tree may be read-only: log where the user is. */
		env = "logs";
	}
	if (env[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return xstrdup(env);
	return xasprintf("%s/%s", cwd, env);
}

static void update_latest(struct runner *r, const char *name)
{
	char *tmp = xasprintf("%s/.latest.%d", r->logroot, (int)getpid());
	char *link = xasprintf("%s/latest", r->logroot);

	unlink(tmp);
	/* rename() replaces the old link atomically. */
	if (symlink(name, tmp) || rename(tmp, link)) {
		fprintf(stderr, "run_tests: warning: cannot update %s: %s\n", link,
			strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(link);
}

void logs_create(struct runner *r)
{
	struct tm tm;
	time_t t = time(NULL);
	char stamp[32], *name = NULL;
	int i;

	r->logroot = log_root(r);
	mkdir_p(r->logroot);
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (i = 0; i < 1000; i++) {
		free(name);
		name = i ? xasprintf("%s-%d", stamp, i) : xstrdup(stamp);
		free(r->logdir);
		r->logdir = xasprintf("%s/%s", r->logroot, name);
		if (!mkdir(r->logdir, 0755))
			break;
		if (errno != EEXIST)
			die("mkdir %s: %s", r->logdir, strerror(errno));
	}
	if (i == 1000)
		die("%s: cannot find a free name for this run", r->logroot);
	update_latest(r, name);
	free(name);
	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs_v[i];

		j->log_path = xasprintf("%s/%s.log", r->logdir, j->t->name);
		j->env_path = xasprintf("%s/%s.env", r->logdir, j->t->name);
	}
}

/* ---- results.json ----------------------------------------------------- */

static void json_key_str(struct sbuf *sb, const char *key, const char *val)
{
	sb_printf(sb, "\"%s\": ", key);
	if (val)
		sb_json_str(sb, val);
	else
		sb_puts(sb, "null");
}

static void json_key_int(struct sbuf *sb, const char *key, long v, bool valid)
{
	if (valid)
		sb_printf(sb, "\"%s\": %ld", key, v);
	else
		sb_printf(sb, "\"%s\": null", key);
}

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path;
}

static void json_test(struct sbuf *sb, const struct job *j)
{
	const struct result *res = &j->res;
	size_t i;
	int k;

	sb_puts(sb, "    {");
	json_key_str(sb, "name", j->t->name);
	sb_printf(sb, ", \"index\": %d, ", j->index);
	json_key_str(sb, "status", status_names[res->status]);
	sb_puts(sb, ", ");
	json_key_str(sb, "reason", res->reason);
	sb_puts(sb, ", ");
	json_key_str(sb, "file", j->t->file);
	sb_puts(sb, ", \"groups\": [");
	for (k = 0; k < j->t->ngroups; k++) {
		if (k)
			sb_puts(sb, ", ");
		sb_json_str(sb, j->t->groups[k]);
	}
	sb_puts(sb, "],\n      ");
	json_key_str(sb, "vmm", j->plan.vmm ? vmm_name(j->plan.vmm) : NULL);
	sb_puts(sb, ", ");
	json_key_str(sb, "accel", j->plan.accel);
	sb_puts(sb, ", ");
	json_key_str(sb, "log", base_name(j->log_path));
	sb_puts(sb, ",\n      ");
	json_key_str(sb, "command", res->started ? j->cmdline : NULL);
	sb_printf(sb, ",\n      \"started\": %s, ", res->started ? "true" : "false");
	json_key_int(sb, "exit_status", res->exit_status, res->exit_status >= 0);
	sb_puts(sb, ", ");
	json_key_str(sb, "signal", res->term_signal ? signal_name(res->term_signal) : NULL);
	sb_puts(sb, ", ");
	json_key_int(sb, "guest_exit_code", res->guest_code, res->guest_code >= 0);
	sb_printf(sb, ", \"timeout_s\": %g, \"timed_out\": %s, \"duration_s\": %.3f, "
		  "\"output_bytes\": %llu,\n      ", j->plan.timeout,
		  res->timed_out ? "true" : "false", res->duration, res->out_bytes);
	if (res->have_summary)
		sb_printf(sb, "\"summary\": {\"tests\": %u, \"unexpected_failures\": %u, "
			  "\"expected_failures\": %u, \"skipped\": %u}", res->sum_tests,
			  res->sum_failed, res->sum_xfail, res->sum_skipped);
	else
		sb_puts(sb, "\"summary\": null");
	sb_puts(sb, ", \"lines\": {");
	for (k = 0; k < SUB_COUNT; k++)
		sb_printf(sb, "%s\"%s\": %lu", k ? ", " : "", sub_status_names[k],
			  res->nlines[k]);
	sb_puts(sb, "},\n      ");
	json_key_str(sb, "known_failure", res->known ? (res->known_reason ?
		     res->known_reason : "") : NULL);
	sb_printf(sb, ", \"subtests_dropped\": %lu, \"subtests\": [", res->subs_dropped);
	for (i = 0; i < res->nsubs; i++) {
		sb_puts(sb, i ? ",\n        {" : "\n        {");
		json_key_str(sb, "status", sub_status_names[res->subs[i].st]);
		sb_puts(sb, ", ");
		json_key_str(sb, "name", res->subs[i].name);
		sb_puts(sb, "}");
	}
	sb_puts(sb, res->nsubs ? "\n      ]}" : "]}");
}

static char *results_json(struct runner *r, int exit_status)
{
	struct utsname u;
	struct sbuf sb = { 0 };
	int counts[ST_COUNT] = { 0 }, i, first = 1;

	for (i = 0; i < r->njobs; i++)
		if (r->jobs_v[i].phase == JOB_DONE)
			counts[r->jobs_v[i].res.status]++;
	if (uname(&u))
		strcpy(u.release, "unknown");
	sb_puts(&sb, "{\n  \"schema\": \"kvm-msrfilter-tests/results/1\",\n  ");
	json_key_str(&sb, "started", r->started_iso);
	sb_printf(&sb, ", \"duration_s\": %.3f,\n  ", now_mono() - r->started);
	json_key_str(&sb, "srcdir", r->srcdir);
	sb_puts(&sb, ", ");
	json_key_str(&sb, "config", r->cfg_path);
	sb_puts(&sb, ", ");
	json_key_str(&sb, "logdir", r->logdir);
	sb_puts(&sb, ",\n  \"host\": {");
	json_key_str(&sb, "kernel", u.release);
	sb_printf(&sb, ", \"kvm_usable\": %s, ", r->kvm_ok ? "true" : "false");
	json_key_str(&sb, "kvm_reason", r->kvm_ok ? NULL : r->kvm_reason);
	sb_puts(&sb, ", ");
	json_key_str(&sb, "vmm", r->vmm_env);
	sb_puts(&sb, ", ");
	json_key_str(&sb, "accel", r->accel);
	sb_printf(&sb, ", \"timeout_factor\": %g},\n  ", r->timeout_factor);
	sb_printf(&sb, "\"exit_status\": %d, ", exit_status);
	json_key_str(&sb, "interrupted_by", r->interrupted ?
		     signal_name(r->interrupted) : NULL);
	sb_puts(&sb, ",\n  \"totals\": {");
	for (i = 0; i < ST_COUNT; i++)
		sb_printf(&sb, "%s\"%s\": %d", i ? ", " : "", status_names[i], counts[i]);
	sb_printf(&sb, ", \"selected\": %d},\n  \"tests\": [", r->njobs);
	for (i = 0; i < r->njobs; i++) {
		if (r->jobs_v[i].phase != JOB_DONE)
			continue;
		sb_puts(&sb, first ? "\n" : ",\n");
		first = 0;
		json_test(&sb, &r->jobs_v[i]);
	}
	sb_puts(&sb, first ? "]\n}\n" : "\n  ]\n}\n");
	return sb_steal(&sb);
}

/* ---- results.tap and junit.xml ------------------------------------------ */

static char *results_tap(struct runner *r)
{
	struct sbuf sb = { 0 };
	int i;

	sb_printf(&sb, "TAP version 13\n1..%d\n", r->njobs);
	for (i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs_v[i];
		const struct result *res = &j->res;
		bool ok = res->status == ST_PASS || res->status == ST_SKIP ||
			  res->status == ST_XPASS;

		if (j->phase != JOB_DONE) {
			sb_printf(&sb, "not ok %d - %s # SKIP not run (interrupted)\n",
				  j->index, j->t->name);
			continue;
		}
		sb_printf(&sb, "%s %d - %s", ok ? "ok" : "not ok", j->index, j->t->name);
		if (res->status == ST_SKIP)
			sb_printf(&sb, " # SKIP %s", res->reason ? res->reason : "");
		else if (res->status == ST_XFAIL || res->status == ST_XPASS)
			sb_printf(&sb, " # TODO %s", res->reason ? res->reason : "");
		sb_puts(&sb, "\n");
		if (res->status != ST_PASS && res->status != ST_SKIP) {
			sb_printf(&sb, "  ---\n  status: %s\n", status_names[res->status]);
			if (res->reason) {
				sb_puts(&sb, "  message: ");
				sb_json_str(&sb, res->reason);
				sb_puts(&sb, "\n");
			}
			sb_puts(&sb, "  log: ");
			sb_json_str(&sb, base_name(j->log_path));
			sb_puts(&sb, "\n  ...\n");
		}
	}
	return sb_steal(&sb);
}

static void junit_case(struct sbuf *sb, const struct job *j)
{
	const struct result *res = &j->res;
	const char *reason = res->reason ? res->reason : "";
	size_t i, shown = 0;

	sb_puts(sb, "    <testcase classname=\"kvm-msrfilter-tests\" name=\"");
	sb_xml_str(sb, j->t->name);
	sb_printf(sb, "\" time=\"%.3f\">\n", res->duration);
	switch (res->status) {
	case ST_PASS:
		break;
	case ST_SKIP:
	case ST_XFAIL:
		sb_printf(sb, "      <skipped message=\"%s", status_names[res->status]);
		sb_puts(sb, ": ");
		sb_xml_str(sb, reason);
		sb_puts(sb, "\"/>\n");
		break;
	case ST_ERROR:
		sb_puts(sb, "      <error type=\"ERROR\" message=\"");
		sb_xml_str(sb, reason);
		sb_puts(sb, "\"/>\n");
		break;
	default:
		sb_printf(sb, "      <failure type=\"%s\" message=\"",
			  status_names[res->status]);
		sb_xml_str(sb, reason);
		sb_puts(sb, "\">");
		for (i = 0; i < res->nsubs && shown < 100; i++) {
			if (res->subs[i].st != SUB_FAIL)
				continue;
			sb_puts(sb, "FAIL: ");
			sb_xml_str(sb, res->subs[i].name);
			sb_puts(sb, "\n");
			shown++;
		}
		sb_puts(sb, "</failure>\n");
	}
	sb_puts(sb, "      <system-out>log: ");
	sb_xml_str(sb, base_name(j->log_path));
	sb_puts(sb, "</system-out>\n    </testcase>\n");
}

static char *results_junit(struct runner *r)
{
	int counts[ST_COUNT] = { 0 }, i, n = 0;
	struct sbuf body = { 0 }, sb = { 0 };

	for (i = 0; i < r->njobs; i++) {
		if (r->jobs_v[i].phase != JOB_DONE)
			continue;
		counts[r->jobs_v[i].res.status]++;
		n++;
		junit_case(&body, &r->jobs_v[i]);
	}
	sb_puts(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	sb_printf(&sb, "<testsuites>\n  <testsuite name=\"kvm-msrfilter-tests\" "
		  "tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" "
		  "time=\"%.3f\" timestamp=\"%s\">\n", n,
		  counts[ST_FAIL] + counts[ST_XPASS] + counts[ST_TIMEOUT],
		  counts[ST_ERROR], counts[ST_SKIP] + counts[ST_XFAIL],
		  now_mono() - r->started, r->started_iso);
	if (body.s)
		sb_puts(&sb, body.s);
	sb_puts(&sb, "  </testsuite>\n</testsuites>\n");
	free(body.s);
	return sb_steal(&sb);
}

static void write_in_logdir(struct runner *r, const char *name, char *text)
{
	char *path = xasprintf("%s/%s", r->logdir, name);
	char err[512];

	if (write_file(path, text, err, sizeof(err)))
		fprintf(stderr, "run_tests: warning: %s\n", err);
	free(path);
	free(text);
}

void logs_write_results(struct runner *r, int exit_status)
{
	write_in_logdir(r, "results.json", results_json(r, exit_status));
	write_in_logdir(r, "results.tap", results_tap(r));
	/* Rendered once: --junit FILE is the very same document. */
	char *xml = results_junit(r), err[512];

	if (r->junit_path && write_file(r->junit_path, xml, err, sizeof(err)))
		fprintf(stderr, "run_tests: warning: %s\n", err);
	write_in_logdir(r, "junit.xml", xml);
}
