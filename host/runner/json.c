// SPDX-License-Identifier: GPL-2.0-only
/*
 * results.json, the source of truth of a run; its schema is
 * host/runner/results.schema.json (checked by the runner self-test), summarised
 * at the top of runner.c.
 */
#include <stdlib.h>
#include <string.h>

#include "runner.h"

static void json_key_int(struct sbuf *sb, const char *key, long v, bool valid)
{
	if (valid)
		sb_printf(sb, "\"%s\": %ld", key, v);
	else
		sb_printf(sb, "\"%s\": null", key);
}

/* QEMU's version when some test ran under QEMU, else NULL. */
static const char *qemu_version_used(struct runner *r)
{
	int i;

	for (i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs_v[i];

		if (j->res.started && !strcmp(vmm_name(j->plan.vmm), "qemu"))
			return host_qemu_version(r, vmm_command(j->plan.vmm));
	}
	return NULL;
}

void results_json_host(struct sbuf *sb, struct runner *r)
{
	const struct host_facts *h = &r->host;
	int i;

	sb_json_key_str(sb, "kernel", h->kernel);
	sb_puts(sb, ", ");
	sb_json_key_str(sb, "hostname", h->hostname);
	sb_puts(sb, ", ");
	sb_json_key_str(sb, "kernel_source", h->kernel_source);
	sb_puts(sb, ", ");
	sb_json_key_str(sb, "emulator", h->emulator);
	sb_puts(sb, ",\n    ");
	sb_json_key_str(sb, "cpu_vendor", h->cpu_vendor);
	sb_puts(sb, ", ");
	sb_json_key_str(sb, "cpu_model", h->cpu_model);
	sb_puts(sb, ",\n    ");
	sb_json_key_str(sb, "kvm_module", h->kvm_module);
	sb_puts(sb, ", \"kvm_params\": {");
	for (i = 0; i < h->nparams; i++) {
		sb_puts(sb, i ? ", " : "");
		sb_json_key_str(sb, h->param_names[i], h->param_values[i]);
	}
	sb_printf(sb, "},\n    \"kvm_usable\": %s, ", r->kvm_ok ? "true" : "false");
	sb_json_key_str(sb, "kvm_reason", r->kvm_ok ? NULL : r->kvm_reason);
	sb_puts(sb, ",\n    ");
	sb_json_key_str(sb, "vmm", r->vmm_env);
	sb_puts(sb, ", ");
	sb_json_key_str(sb, "accel", r->accel);
	sb_puts(sb, ", ");
	sb_json_key_str(sb, "qemu_version", qemu_version_used(r));
	sb_printf(sb, ", \"timeout_factor\": %g", r->timeout_factor);
}

static void json_test(struct sbuf *sb, const struct job *j)
{
	const struct result *res = &j->res;
	size_t i;
	int k;

	sb_puts(sb, "    {");
	sb_json_key_str(sb, "name", j->t->name);
	sb_printf(sb, ", \"index\": %d, ", j->index);
	sb_json_key_str(sb, "status", status_names[res->status]);
	sb_puts(sb, ", ");
	sb_json_key_str(sb, "reason", res->reason);
	sb_puts(sb, ", ");
	sb_json_key_str(sb, "file", j->t->file);
	sb_puts(sb, ", \"groups\": [");
	for (k = 0; k < j->t->ngroups; k++) {
		if (k)
			sb_puts(sb, ", ");
		sb_json_str(sb, j->t->groups[k]);
	}
	sb_puts(sb, "],\n      ");
	sb_json_key_str(sb, "vmm", j->plan.vmm ? vmm_name(j->plan.vmm) : NULL);
	sb_puts(sb, ", ");
	sb_json_key_str(sb, "accel", j->plan.accel);
	sb_puts(sb, ", ");
	sb_json_key_str(sb, "log", log_name(j));
	sb_puts(sb, ",\n      ");
	sb_json_key_str(sb, "command", res->started ? j->cmdline : NULL);
	sb_printf(sb, ",\n      \"started\": %s, ", res->started ? "true" : "false");
	json_key_int(sb, "exit_status", res->exit_status, res->exit_status >= 0);
	sb_puts(sb, ", ");
	sb_json_key_str(sb, "signal", res->term_signal ? signal_name(res->term_signal) : NULL);
	sb_puts(sb, ", ");
	json_key_int(sb, "guest_exit_code", res->guest_code, res->guest_code >= 0);
	sb_printf(sb, ", \"timeout_s\": %g, \"timed_out\": %s, \"duration_s\": %.3f, "
		  "\"output_bytes\": %llu,\n      ", j->plan.timeout,
		  res->timed_out ? "true" : "false", res->duration, res->out_bytes);
	if (res->have_summary)
	{
		sb_printf(sb, "\"summary\": {\"tests\": %u, \"unexpected_failures\": %u, "
			  "\"expected_failures\": %u, \"skipped\": %u, ", res->sum_tests,
			  res->sum_failed, res->sum_xfail, res->sum_skipped);
		json_key_int(sb, "checks", res->sum_checks, res->have_checks);
		sb_puts(sb, "}");
	}
	else
		sb_puts(sb, "\"summary\": null");
	sb_puts(sb, ", \"lines\": {");
	for (k = 0; k < SUB_COUNT; k++)
		sb_printf(sb, "%s\"%s\": %lu", k ? ", " : "", sub_status_names[k],
			  res->nlines[k]);
	sb_puts(sb, "},\n      ");
	sb_json_key_str(sb, "known_failure", res->known ? (res->known_reason ?
		     res->known_reason : "") : NULL);
	sb_printf(sb, ", \"subtests_dropped\": %lu, \"subtests\": [", res->subs_dropped);
	for (i = 0; i < res->nsubs; i++) {
		sb_puts(sb, i ? ",\n        {" : "\n        {");
		sb_json_key_str(sb, "status", sub_status_names[res->subs[i].st]);
		sb_puts(sb, ", ");
		sb_json_key_str(sb, "name", res->subs[i].name);
		if (res->subs[i].known) {
			sb_puts(sb, ", ");
			sb_json_key_str(sb, "known_failure", known_reason(res->subs[i].known));
		}
		sb_puts(sb, "}");
	}
	sb_puts(sb, res->nsubs ? "\n      ]}" : "]}");
}

char *results_json(struct runner *r, int exit_status)
{
	struct sbuf sb = { 0 };
	int counts[ST_COUNT] = { 0 }, i, first = 1;

	for (i = 0; i < r->njobs; i++)
		if (r->jobs_v[i].phase == JOB_DONE)
			counts[r->jobs_v[i].res.status]++;
	sb_puts(&sb, "{\n  \"schema\": \"kvm-msrfilter-tests/results/2\",\n  ");
	sb_json_key_str(&sb, "started", r->started_iso);
	sb_printf(&sb, ", \"duration_s\": %.3f,\n  ", now_mono() - r->started);
	sb_json_key_str(&sb, "srcdir", r->srcdir);
	sb_puts(&sb, ", ");
	sb_json_key_str(&sb, "config", r->cfg_path);
	sb_puts(&sb, ", ");
	sb_json_key_str(&sb, "logdir", r->logdir);
	sb_puts(&sb, ",\n  ");
	sb_json_key_str(&sb, "suite_version", r->host.suite_version);
	sb_puts(&sb, ",\n  \"host\": {");
	results_json_host(&sb, r);
	sb_puts(&sb, "},\n  ");
	sb_printf(&sb, "\"exit_status\": %d, ", exit_status);
	sb_json_key_str(&sb, "interrupted_by", r->interrupted ?
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
	sb_puts(&sb, first ? "],\n  \"not_run\": [" : "\n  ],\n  \"not_run\": [");
	for (i = 0, first = 1; i < r->njobs; i++) {
		if (r->jobs_v[i].phase == JOB_DONE)
			continue;
		sb_puts(&sb, first ? "" : ", ");
		first = 0;
		sb_json_str(&sb, r->jobs_v[i].t->name);
	}
	sb_puts(&sb, "]\n}\n");
	return sb_steal(&sb);
}

