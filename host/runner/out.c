// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the user sees on stdout: one human line per test (or TAP13 with
 * -t), a summary line, and the -l listings.  Files in the log directory
 * are written by runner/logs.c from the same results.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "runner.h"

static const char *const colors[ST_COUNT] = {
	[ST_PASS] = "\033[32m", [ST_FAIL] = "\033[31m", [ST_SKIP] = "\033[33m",
	[ST_XFAIL] = "\033[36m", [ST_XPASS] = "\033[1;31m",
	[ST_TIMEOUT] = "\033[31m", [ST_ERROR] = "\033[35m",
};

const char *color_on(struct runner *r, enum status st)
{
	return r->color ? colors[st] : "";
}

const char *color_off(struct runner *r)
{
	return r->color ? "\033[0m" : "";
}

char *out_detail(const struct job *j)
{
	const struct result *res = &j->res;
	struct sbuf sb = { 0 };

	if (res->status == ST_PASS && res->have_summary) {
		sb_printf(&sb, " (%u tests", res->sum_tests);
		/* Only when lines sum up several checks each (sweeps). */
		if (res->have_checks && res->sum_checks != res->sum_tests - res->sum_skipped)
			sb_printf(&sb, ", %u checks", res->sum_checks);
		if (res->sum_skipped)
			sb_printf(&sb, ", %u skipped", res->sum_skipped);
		if (res->sum_xfail)
			sb_printf(&sb, ", %u expected failures", res->sum_xfail);
		sb_puts(&sb, ")");
	} else if (res->status == ST_FAIL && res->have_summary &&
		   res->guest_code == 1 && res->sum_failed) {
		/* The first FAIL line too: a CI log may be all anyone sees. */
		sb_printf(&sb, " (%u tests, %u unexpected failure%s", res->sum_tests,
			  res->sum_failed, res->sum_failed == 1 ? "" : "s");
		if (res->first_fail)
			sb_printf(&sb, ", first: %s", res->first_fail);
		sb_puts(&sb, ")");
	} else if (res->reason) {
		sb_printf(&sb, " (%s)", res->reason);
	}
	return sb_steal(&sb);
}

#define PROGRESS_EVERY	0.25	/* seconds between redraws */

static void progress_clear(struct runner *r)
{
	if (r->progress_shown)
		fputs("\r\033[K", stdout);
	r->progress_shown = false;
}

static int term_width(void)
{
	struct winsize ws;

	return ioctl(1, TIOCGWINSZ, &ws) || ws.ws_col < 20 ? 80 : ws.ws_col;
}

/*
 * "[3/22 done, 2:14] running msr_sweep (41 s), msr_rules (3 s)", redrawn in
 * place at most every PROGRESS_EVERY seconds, cut to the terminal width so
 * it never wraps.  Result lines clear it first, so it never ends up in
 * scrollback between them.  Called at every wake-up of the run loop: it
 * returns before any work when there is nothing to draw.
 */
void out_progress(struct runner *r)
{
	struct sbuf sb = { 0 };
	const char *sep = " running ";
	int i, done = 0, width;
	double now, el;

	if (!r->progress)
		return;
	now = now_mono();
	if (now - r->progress_at < PROGRESS_EVERY)
		return;
	r->progress_at = now;
	el = now - r->started;
	width = term_width();
	for (i = 0; i < r->njobs; i++)
		done += r->jobs_v[i].phase == JOB_DONE;
	sb_printf(&sb, "[%d/%d done, %d:%02d]", done, r->njobs, (int)el / 60, (int)el % 60);
	for (i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs_v[i];

		if (j->phase < JOB_RUNNING || j->phase == JOB_DONE)
			continue;
		sb_printf(&sb, "%s%s (%.0f s)", sep, j->t->name, now - j->start);
		sep = ", ";
	}
	if (sb.len > (size_t)width - 1)
		sb.s[width - 1] = 0;
	fputs("\r\033[K", stdout);
	fputs(sb.s, stdout);
	r->progress_shown = true;
	free(sb.s);
	fflush(stdout);
}

void out_start(struct runner *r)
{
	if (r->tap)
		printf("TAP version 13\n1..%d\n", r->njobs);
	fflush(stdout);
}

void out_result(struct runner *r, struct job *j)
{
	char *detail;

	progress_clear(r);
	if (r->tap) {
		struct sbuf sb = { 0 };

		tap_test(&sb, j, log_name(j));
		fputs(sb.s, stdout);
		free(sb.s);
	} else if (r->quiet && j->res.status == ST_PASS) {
		return;
	} else {
		detail = out_detail(j);
		printf("%s%s%s %s%s\n", color_on(r, j->res.status),
		       status_names[j->res.status], color_off(r), j->t->name, detail);
		free(detail);
	}
	fflush(stdout);
}

/* Prints the summary line; returns the exit status of the run. */
int out_finish(struct runner *r)
{
	static const char *const words[ST_COUNT] = {
		"passed", "failed", "skipped", "xfail", "xpass", "timeout", "error",
	};
	int counts[ST_COUNT] = { 0 }, notrun = 0, i, status = 0;
	struct sbuf sb = { 0 };

	for (i = 0; i < r->njobs; i++) {
		if (r->jobs_v[i].phase == JOB_DONE)
			counts[r->jobs_v[i].res.status]++;
		else
			notrun++;
	}
	for (i = 0; i < ST_COUNT; i++) {
		if (i > ST_SKIP && !counts[i])
			continue;
		sb_printf(&sb, "%s%d %s", i ? ", " : "", counts[i], words[i]);
	}
	if (notrun)
		sb_printf(&sb, ", %d not run", notrun);
	if (counts[ST_FAIL] || counts[ST_XPASS] || counts[ST_TIMEOUT] || counts[ST_ERROR])
		status = 1;
	if (r->interrupted) {
		sb_printf(&sb, " (interrupted by %s)", signal_name(r->interrupted));
		status = 128 + r->interrupted;
	}
	progress_clear(r);
	if (r->logdir)
		printf("%slogs: %s\n", r->tap ? "# " : "", r->logdir);
	printf("%s%s\n", r->tap ? "# " : "", sb.s);
	free(sb.s);
	fflush(stdout);
	return status;
}

static void json_strv(struct sbuf *sb, char **v)
{
	int i;

	sb_puts(sb, "[");
	for (i = 0; v && v[i]; i++) {
		if (i)
			sb_puts(sb, ", ");
		sb_json_str(sb, v[i]);
	}
	sb_puts(sb, "]");
}

static void json_opt_str(struct sbuf *sb, const char *key, const char *val)
{
	sb_puts(sb, ", ");
	sb_json_key_str(sb, key, val);
}

/* -l --json: what a scheduler needs to place each test on a host. */
static void list_json(struct runner *r)
{
	struct sbuf sb = { 0 };
	int i;

	sb_puts(&sb, "[");
	for (i = 0; i < r->njobs; i++) {
		const struct cfg_test *t = r->jobs_v[i].t;

		sb_puts(&sb, i ? ",\n " : "\n ");
		sb_puts(&sb, "{\"name\": ");
		sb_json_str(&sb, t->name);
		json_opt_str(&sb, "file", t->file);
		sb_puts(&sb, ", \"groups\": ");
		json_strv(&sb, t->groups);
		sb_printf(&sb, ", \"vmm\": \"%s\"", cfg_vmm_name(t->vmm));
		sb_printf(&sb, ", \"nodefault\": %s",
			  cfg_in_group(t, "nodefault") ? "true" : "false");
		sb_printf(&sb, ", \"timeout_s\": %d",
			  t->timeout ? t->timeout : CFG_DEFAULT_TIMEOUT);
		sb_printf(&sb, ", \"requires\": {\"smp\": %d", t->smp);
		json_opt_str(&sb, "accel", t->accel ? cfg_accel_name(t->accel) : NULL);
		sb_printf(&sb, ", \"kvm\": %s", t->vmm == CFG_VMM_KVMRUN || t->filter ||
			  t->exit_mask >= 0 || t->irqchip || t->cpuid || t->kvmrun_params ||
			  t->accel == CFG_ACCEL_KVM ? "true" : "false");
		json_opt_str(&sb, "filter", t->filter);
		if (t->exit_mask >= 0)
			sb_printf(&sb, ", \"exit_mask\": %d", t->exit_mask);
		else
			sb_puts(&sb, ", \"exit_mask\": null");
		json_opt_str(&sb, "irqchip", t->irqchip ? cfg_irqchip_name(t->irqchip) : NULL);
		json_opt_str(&sb, "cpuid", t->cpuid);
		sb_puts(&sb, "}");
		json_opt_str(&sb, "test_args", t->test_args);
		json_opt_str(&sb, "qemu_params", t->qemu_params);
		json_opt_str(&sb, "kvmrun_params", t->kvmrun_params);
		sb_puts(&sb, "}");
	}
	sb_puts(&sb, r->njobs ? "\n]\n" : "]\n");
	fputs(sb.s, stdout);
	free(sb.s);
}

void out_list(struct runner *r)
{
	int i;

	if (r->json) {
		list_json(r);
		return;
	}
	for (i = 0; i < r->njobs; i++)
		printf("%s\n", r->jobs_v[i].t->name);
}
