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
			die(2, "mkdir %s: %s", p, strerror(errno));
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST)
		die(2, "mkdir %s: %s", p, strerror(errno));
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
			die(2, "mkdir %s: %s", r->logdir, strerror(errno));
	}
	if (i == 1000)
		die(2, "%s: cannot find a free name for this run", r->logroot);
	update_latest(r, name);
	free(name);
	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs_v[i];

		j->log_path = xasprintf("%s/%s.log", r->logdir, j->t->name);
		j->env_path = xasprintf("%s/%s.env", r->logdir, j->t->name);
	}
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

static char *results_tap(struct runner *r)
{
	struct sbuf sb = { 0 };
	int i;

	sb_printf(&sb, "TAP version 13\n1..%d\n", r->njobs);
	for (i = 0; i < r->njobs; i++)
		tap_test(&sb, &r->jobs_v[i], log_name(&r->jobs_v[i]));
	return sb_steal(&sb);
}

void logs_write_results(struct runner *r, int exit_status)
{
	char *xml, err[512];

	write_in_logdir(r, "results.json", results_json(r, exit_status));
	write_in_logdir(r, "results.tap", results_tap(r));
	/* Rendered once: --junit FILE is the very same document. */
	xml = results_junit(r);

	if (r->junit_path && write_file(r->junit_path, xml, err, sizeof(err)))
		fprintf(stderr, "run_tests: warning: %s\n", err);
	write_in_logdir(r, "junit.xml", xml);
}
