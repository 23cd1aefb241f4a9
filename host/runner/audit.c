// SPDX-License-Identifier: GPL-2.0-only
/*
 * ./run_tests.sh --audit FILTER [--exit-mask N] [--irqchip full|split|none]:
 * one run of the audit guest (x86/msr_audit.c) under kvmrun with FILTER
 * installed before the vCPUs run, then logs/<stamp>/audit.md and
 * audit.json from its "AUDIT: " lines, next to the usual results.json.
 *
 * The runner checks first what it can without KVM: the file parses
 * (filter-file format, host/util/filterfile.h; errors "file:line: ...")
 * and what the model says KVM will do with it (msrf_validate()).  After
 * the run, the digest the guest got from kvmrun (KVMRUN_OP_GET_FILTER)
 * must be the file's: a VMM that installs something else is a finding of
 * kind "mismatch".
 *
 * Exit status: 0 no bypass, 1 a bypass (or the installed filter is not the
 * file's), 2 bad input (unparsable file, an ioctl KVM rejected, with its
 * errno and the model's view) or an audit that could not finish.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"
#include "util/filterfile.h"

#define AUDIT_MAX_FINDINGS	4096

struct finding {
	char *kv[12][2];	/* key, value pairs of one AUDIT line */
	int n;
};

static struct msrf_filter file_filter;
static char *filter_path, *filter_display;
static int model_errno;
static char *guest_filter_line;
static char *done_line;
static struct finding *findings;
static int nfindings;

static const char *kv_get(const struct finding *f, const char *key)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->kv[i][0], key))
			return f->kv[i][1];
	return NULL;
}

/* "key=value key=value" into f (values have no blanks). */
static void split_kv(char *s, struct finding *f)
{
	char *tok, *save, *eq;

	f->n = 0;
	for (tok = strtok_r(s, " ", &save); tok && f->n < 12; tok = strtok_r(NULL, " ", &save)) {
		eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = 0;
		f->kv[f->n][0] = tok;
		f->kv[f->n][1] = eq + 1;
		f->n++;
	}
}

void audit_setup(struct runner *r, const char *file, int exit_mask, enum cfg_irqchip irqchip)
{
	static char *groups[] = { "audit", NULL };
	char err[1024], *text, *real;
	struct cfg_test *t;
	size_t len;

	real = realpath(file, NULL);
	if (!real && file[0] != '/') {
		/* Also a name under the tree's filters/ (filters/vmm/...). */
		char *alt = xasprintf("%s/filters/%s", r->srcdir, file);

		real = realpath(alt, NULL);
		free(alt);
	}
	if (!real)
		die(2, "--audit %s: %s", file, strerror(errno));
	filter_path = real;
	filter_display = xstrdup(file);
	if (read_file(real, FILTER_MAX_FILE_SIZE, &text, &len, err, sizeof(err)))
		die(2, "--audit: %s", err);
	if (filter_parse(file, text, len, &file_filter, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		exit(2);
	}
	/* scripts/capture-filter.sh writes the VMM's mask as "# Exit mask: N". */
	if (exit_mask < 0) {
		static const char key[] = "# Exit mask: ";
		const char *m = NULL;

		/* On any line, the first one included. */
		if (!strncmp(text, key, strlen(key)))
			m = text + strlen(key);
		else if ((m = strstr(text, "\n# Exit mask: ")))
			m += 1 + strlen(key);
		if (m)
			exit_mask = (int)strtol(m, NULL, 0) & 7;
	}
	free(text);
	model_errno = msrf_validate(&file_filter);

	r->cfg.tests = xmalloc(sizeof(*r->cfg.tests));
	r->cfg.ntests = 1;
	t = &r->cfg.tests[0];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup("msr_audit");
	t->file = xstrdup("msr_audit.flat");
	t->test_args = xstrdup("");
	t->smp = 1;
	t->groups = groups;
	t->ngroups = 1;
	t->timeout = 1800;
	t->vmm = CFG_VMM_KVMRUN;
	t->filter = xstrdup(real);	/* absolute: vmm.c takes it as is */
	t->exit_mask = exit_mask < 0 ? 0 : exit_mask;
	t->irqchip = irqchip ? irqchip : CFG_IRQCHIP_FULL;
	t->kvmrun_params = xstrdup("--filter-when before-vcpu");
}

/* The "AUDIT: " lines of the guest's log. */
static void read_guest_lines(const struct job *j)
{
	char err[512], *text, *line, *save;
	size_t len;

	if (!j->log_path || read_file(j->log_path, 64 << 20, &text, &len, err, sizeof(err)))
		return;
	findings = xmalloc(AUDIT_MAX_FINDINGS * sizeof(*findings));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "AUDIT: ", 7))
			continue;
		line += 7;
		if (!strncmp(line, "filter ", 7))
			guest_filter_line = xstrdup(line + 7);
		else if (!strncmp(line, "done ", 5))
			done_line = xstrdup(line + 5);
		else if (!strncmp(line, "finding ", 8) && nfindings < AUDIT_MAX_FINDINGS)
			split_kv(xstrdup(line + 8), &findings[nfindings++]);
	}
	/* text is not freed: findings point into their own copies only. */
	free(text);
}

static void json_finding(struct sbuf *sb, const struct finding *f, bool first)
{
	int i;

	sb_puts(sb, first ? "\n    {" : ",\n    {");
	for (i = 0; i < f->n; i++) {
		sb_puts(sb, i ? ", " : "");
		sb_json_key_str(sb, f->kv[i][0], f->kv[i][1]);
	}
	sb_puts(sb, "}");
}

static int count_kind(const char *kind)
{
	int i, n = 0;

	for (i = 0; i < nfindings; i++)
		n += kv_get(&findings[i], "kind") && !strcmp(kv_get(&findings[i], "kind"), kind);
	return n;
}

/* The first value of 'key' in a "k=v k=v" line (a copy), or NULL. */
static char *line_value(const char *line, const char *key)
{
	size_t n = strlen(key);
	const char *p = line;

	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == '=')
			return strndup(p + n + 1, strcspn(p + n + 1, " "));
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return NULL;
}

int audit_report(struct runner *r)
{
	const struct job *j = &r->jobs_v[0];
	struct sbuf js = { 0 }, md = { 0 };
	char want[32], *seen_digest = NULL, *path, err[512];
	const char *verdict, *why = NULL;
	bool mismatch = false;
	int status, i, nbypass;

	snprintf(want, sizeof(want), "0x%llx", (unsigned long long)msrf_digest(&file_filter));
	read_guest_lines(j);
	if (guest_filter_line)
		seen_digest = line_value(guest_filter_line, "digest");
	mismatch = seen_digest && strcmp(seen_digest, want);
	nbypass = count_kind("bypass");

	if (j->res.exit_status == 2 && !guest_filter_line) {
		/* kvmrun stopped before the guest: the ioctl was rejected. */
		status = 2;
		why = xasprintf("kvmrun could not install the filter: %s; the model says: %s",
				j->res.diag_line ? j->res.diag_line : j->res.reason ?: "?",
				model_errno ? msrf_errno_name(model_errno) : "KVM accepts it");
	} else if (!done_line) {
		status = 2;
		why = xasprintf("the audit did not finish: %s (%s)", status_names[j->res.status],
				j->res.reason ? j->res.reason : "no reason");
	} else {
		status = nbypass || mismatch ? 1 : 0;
	}
	verdict = status == 2 ? "incomplete" : nbypass ? "BYPASS" : mismatch ? "MISMATCH" :
		  "no bypass";

	sb_puts(&js, "{\n  \"schema\": \"kvm-msrfilter-tests/audit/1\",\n  ");
	sb_json_key_str(&js, "filter_file", filter_display);
	sb_puts(&js, ",\n  ");
	sb_json_key_str(&js, "file_digest", want);
	sb_puts(&js, ", ");
	sb_json_key_str(&js, "installed_digest", seen_digest);
	sb_printf(&js, ", \"installed_is_file\": %s,\n  ", seen_digest && !mismatch ?
		  "true" : "false");
	sb_json_key_str(&js, "model_errno", msrf_errno_name(model_errno));
	sb_puts(&js, ", ");
	sb_json_key_str(&js, "guest_filter", guest_filter_line);
	sb_puts(&js, ",\n  ");
	sb_json_key_str(&js, "counts", done_line);
	sb_printf(&js, ",\n  \"exit_status\": %d, ", status);
	sb_json_key_str(&js, "verdict", verdict);
	sb_puts(&js, ", ");
	sb_json_key_str(&js, "reason", why);
	sb_puts(&js, ",\n  ");
	sb_json_key_str(&js, "test_status", status_names[j->res.status]);
	sb_puts(&js, ", ");
	sb_json_key_str(&js, "log", log_name(j));
	sb_puts(&js, ",\n  \"host\": {\n    ");
	results_json_host(&js, r);
	sb_puts(&js, "\n  },\n  \"findings\": [");
	if (mismatch)
		sb_printf(&js, "\n    {\"index\": \"*\", \"access\": \"*\", \"filter\": \"file\", "
			  "\"kind\": \"mismatch\", \"seen\": \"%s\", \"expected\": \"%s\"}%s",
			  seen_digest, want, nfindings ? "," : "");
	for (i = 0; i < nfindings; i++)
		json_finding(&js, &findings[i], i == 0 && !mismatch);
	sb_puts(&js, "\n  ]\n}\n");

	sb_printf(&md, "# MSR filter audit: %s\n\n", filter_display);
	sb_printf(&md, "**%s**: %d bypass finding%s, %d exempt, %d kvm-refuses, %d differs "
		  "(exit status %d)%s%s\n\n", verdict, nbypass, nbypass == 1 ? "" : "s",
		  count_kind("exempt"), count_kind("kvm-refuses"), count_kind("differs"), status,
		  why ? "; " : "", why ? why : "");
	sb_printf(&md, "Host: kernel %s, %s%s%s%s%s\n\n", r->host.kernel ?: "?",
		  r->host.kvm_module ?: "?", r->host.kernel_source ? ", from " : "",
		  r->host.kernel_source ?: "", r->host.emulator ? ", under " : "",
		  r->host.emulator ?: "");
	for (i = 0; i < r->host.nparams; i++)
		sb_printf(&md, "%s%s=%s", i ? ", " : "Parameters: ", r->host.param_names[i],
			  r->host.param_values[i]);
	sb_printf(&md, "%s\nFilter: `%s` (digest %s); installed by kvmrun: %s%s%s\n\n",
		  r->host.nparams ? "\n" : "", filter_display, want,
		  guest_filter_line ? guest_filter_line : "not reported",
		  mismatch ? " -- **not the file's filter**" : "",
		  model_errno ? "; the model expects KVM to reject it" : "");
	if (done_line)
		sb_printf(&md, "Accesses: %s\n\n", done_line);
	if (nfindings || mismatch) {
		sb_puts(&md, "| index | last | access | filter | kind | seen | expected |\n"
			     "|---|---|---|---|---|---|---|\n");
		if (mismatch)
			sb_printf(&md, "| * | * | * | file | mismatch | %s | %s |\n",
				  seen_digest, want);
		for (i = 0; i < nfindings; i++) {
			const struct finding *f = &findings[i];

			sb_printf(&md, "| %s | %s | %s | %s | %s | %s | %s |\n",
				  kv_get(f, "index") ?: "", kv_get(f, "last") ?: "",
				  kv_get(f, "access") ?: "", kv_get(f, "filter") ?: "",
				  kv_get(f, "kind") ?: "", kv_get(f, "seen") ?: "",
				  kv_get(f, "expected") ?: "");
		}
		sb_puts(&md, "\n");
	}
	sb_puts(&md, "Kinds: bypass = the filter denies, the access took effect; exempt = "
		     "x2APIC MSRs, never filtered by design; kvm-refuses = the filter allows, "
		     "KVM itself rejects (informational); differs = not what the model "
		     "predicts; mismatch = kvmrun installed another filter than the file.\n");

	path = xasprintf("%s/audit.json", r->logdir);
	if (write_file(path, js.s ? js.s : "", err, sizeof(err)))
		fprintf(stderr, "run_tests: warning: %s\n", err);
	free(path);
	path = xasprintf("%s/audit.md", r->logdir);
	if (write_file(path, md.s ? md.s : "", err, sizeof(err)))
		fprintf(stderr, "run_tests: warning: %s\n", err);
	printf("audit: %s: %s (%d bypass, %d exempt, %d kvm-refuses, %d differs%s); %s\n",
	       filter_display, verdict, nbypass, count_kind("exempt"), count_kind("kvm-refuses"),
	       count_kind("differs"), mismatch ? ", installed filter is not the file's" : "",
	       path);
	if (why)
		fprintf(stderr, "run_tests: audit: %s\n", why);
	free(path);
	sb_free(&js);
	sb_free(&md);
	return status;
}
