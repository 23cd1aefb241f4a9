// SPDX-License-Identifier: GPL-2.0-only
/*
 * Known failures: a test (or some of its subtests) that is expected to
 * fail on this host, e.g. a kernel bug with a fix pending.  File format,
 * one entry per line ('#' starts a comment, also after an entry):
 *
 *   TEST-GLOB                    # reason
 *   TEST-GLOB/SUBTEST-GLOB       # reason
 *   ENTRY [when KEY=GLOB ...]    # reason
 *
 * The reason is required: an entry without one is an error (FILE:LINE,
 * exit status 2). *
 * The optional [when ...] list restricts an entry to runs where every
 * condition holds: vmm (kvmrun, qemu), accel (kvm, tcg; QEMU only), kernel
 * (the release of the kernel the runner runs on, uname -r), kvm_module
 * (the vendor module loaded: kvm_intel, kvm_amd, kvm_pvm, ...) and any KVM
 * module parameter results.json records, by its "module.parameter" name
 * (kvm_intel.enable_apicv=Y, kvm.ignore_msrs=N, ...; a parameter the host
 * does not have matches nothing).  Prefer a guest-side probe to a kernel
 * condition; this file is for differences that are known, explained and
 * waiting for a fix.
 *
 * A whole-test entry turns FAIL and TIMEOUT into XFAIL, and PASS into
 * XPASS (the bug is gone: remove the entry).  Subtest entries match the
 * text after "FAIL: " / "PASS: " with fnmatch(): a FAIL whose every FAIL
 * line is known becomes XFAIL; a PASS in which a known subtest passed
 * becomes XPASS.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"

#define KNOWN_MAX_CONDS 4

struct known_cond {
	char *key, *glob;
};

struct known {
	char *test, *sub, *reason;	/* sub may be NULL */
	int line;
	int nconds;
	struct known_cond conds[KNOWN_MAX_CONDS];
};

static const char *const cond_keys[] = { "vmm", "accel", "kernel", "kvm_module" };

/* Parse "[when k=v k=v]" at the end of line; cuts it off the line. */
static int parse_conds(struct runner *r, char *line, struct known *k, int lineno,
		       char *err, size_t errlen)
{
	char *open = strstr(line, " [when "), *tok, *save = NULL;
	size_t n = strlen(line);
	unsigned int i;

	k->nconds = 0;
	if (!open)
		return 0;
	if (line[n - 1] != ']')
		goto bad;
	line[n - 1] = 0;
	*open = 0;
	for (tok = strtok_r(open + 7, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok || !eq[1] || k->nconds == KNOWN_MAX_CONDS)
			goto bad;
		*eq = 0;
		for (i = 0; i < sizeof(cond_keys) / sizeof(cond_keys[0]); i++)
			if (!strcmp(tok, cond_keys[i]))
				break;
		if (i == sizeof(cond_keys) / sizeof(cond_keys[0]) && !host_param_name_known(tok)) {
			snprintf(err, errlen, "%s:%d: unknown condition '%s' (vmm, accel, "
				 "kernel, kvm_module or a KVM parameter such as "
				 "kvm_intel.enable_apicv)", r->known_path, lineno, tok);
			return -1;
		}
		k->conds[k->nconds].key = xstrdup(tok);
		k->conds[k->nconds++].glob = xstrdup(eq + 1);
	}
	if (k->nconds)
		return 0;
bad:
	snprintf(err, errlen, "%s:%d: expected '[when KEY=GLOB ...]' with up to %d "
		 "conditions at the end of the entry", r->known_path, lineno, KNOWN_MAX_CONDS);
	return -1;
}

static const char *cond_value(const struct runner *r, const struct job *j,
			      const char *key)
{
	if (!strcmp(key, "vmm"))
		return vmm_name(j->plan.vmm);
	if (!strcmp(key, "accel"))
		return j->plan.accel ? j->plan.accel : "";
	if (!strcmp(key, "kernel"))
		return r->host.kernel;
	if (!strcmp(key, "kvm_module"))
		return r->host.kvm_module;
	return host_param(&r->host, key);
}

static bool conds_hold(const struct runner *r, const struct known *k,
		       const struct job *j)
{
	const char *v;
	int i;

	for (i = 0; i < k->nconds; i++) {
		v = cond_value(r, j, k->conds[i].key);
		if (!v || fnmatch(k->conds[i].glob, v, 0))
			return false;
	}
	return true;
}

static struct known *known;
static int nknown;

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

static bool valid_test_glob(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_.+-*?[]!", *s))
			return false;
	return true;
}

static int unmatched, first_unmatched;	/* entries matching no test */

static int parse_entry(struct runner *r, char *line, int lineno,
		       char *err, size_t errlen)
{
	char *hash = strchr(line, '#'), *slash, *reason = NULL;
	struct known *k, cond;
	int i;

	if (hash) {
		*hash = 0;
		reason = trim(hash + 1);
	}
	line = trim(line);
	if (!*line)
		return 0;
	if (parse_conds(r, line, &cond, lineno, err, errlen))
		return -1;
	line = trim(line);
	slash = strchr(line, '/');
	if (slash)
		*slash = 0;
	if (!valid_test_glob(trim(line)) || (slash && !*trim(slash + 1))) {
		snprintf(err, errlen, "%s:%d: expected TEST-GLOB or "
			 "TEST-GLOB/SUBTEST-GLOB", r->known_path, lineno);
		return -1;
	}
	/* An unexplained entry would hide a failure nobody can judge later. */
	if (!reason || !*reason) {
		snprintf(err, errlen, "%s:%d: entry without '# reason' (say why this "
			 "host differs)", r->known_path, lineno);
		return -1;
	}
	known = xrealloc(known, (nknown + 1) * sizeof(*known));
	k = &known[nknown++];
	k->test = xstrdup(trim(line));
	k->sub = slash ? xstrdup(trim(slash + 1)) : NULL;
	k->reason = reason && *reason ? xstrdup(reason) : NULL;
	k->line = lineno;
	k->nconds = cond.nconds;
	memcpy(k->conds, cond.conds, sizeof(cond.conds));
	for (i = 0; i < r->cfg.ntests; i++)
		if (!fnmatch(k->test, r->cfg.tests[i].name, 0))
			break;
	/*
	 * Common with --config or a narrow cfg: counted, and summed up in
	 * one line with -v only.
	 */
	if (i == r->cfg.ntests && !unmatched++)
		first_unmatched = lineno;
	return 0;
}

int known_load(struct runner *r, char *err, size_t errlen)
{
	char *text, *line, *next;
	int lineno = 0;

	if (!r->known_path)
		return 0;
	text = read_small_file(r->known_path, 1 << 20, err, errlen);
	if (!text)
		return -1;
	for (line = text; *line; line = next) {
		size_t n = strcspn(line, "\n");

		next = line + n + (line[n] == '\n');
		line[n] = 0;
		if (parse_entry(r, line, ++lineno, err, errlen)) {
			free(text);
			return -1;
		}
	}
	free(text);
	if (unmatched && r->verbose)
		fprintf(stderr, "run_tests: %d known-failures entr%s no test in %s "
			"(first: %s:%d)\n", unmatched, unmatched == 1 ? "y matches" : "ies match",
			r->cfg_display, r->known_path, first_unmatched);
	return 0;
}

static char *with_reason(const char *what, const struct known *k, const char *was)
{
	return xasprintf("%s%s%s%s%s", what, k->reason ? ": " : "",
			 k->reason ? k->reason : "", was ? "; " : "", was ? was : "");
}

static void set(struct result *res, enum status st, char *reason, const struct known *k)
{
	free(res->reason);
	res->reason = reason;
	res->status = st;
	res->known = true;
	free(res->known_reason);
	res->known_reason = k->reason ? xstrdup(k->reason) : NULL;
}

/* The known entry matching subtest 'name' of job j's test, or NULL. */
static const struct known *known_sub(const struct runner *r, const struct job *j,
				     const char *name)
{
	int i;

	for (i = 0; i < nknown; i++)
		if (known[i].sub && !fnmatch(known[i].test, j->t->name, 0) &&
		    !fnmatch(known[i].sub, name, 0) && conds_hold(r, &known[i], j))
			return &known[i];
	return NULL;
}

/*
 * Mark each subtest a subtest entry matches (or, with a whole-test entry,
 * each FAIL subtest), so that TAP and JUnit show it as a known failure or
 * an unexpected pass.
 */
static void mark_subtests(const struct runner *r, struct job *j, const struct known *whole)
{
	struct result *res = &j->res;
	size_t i;

	for (i = 0; i < res->nsubs; i++) {
		struct subtest *sub = &res->subs[i];
		const struct known *k = whole;

		if (sub->st != SUB_FAIL && sub->st != SUB_PASS)
			continue;
		if (!k || sub->st != SUB_FAIL)
			k = known_sub(r, j, sub->name);
		if (k)
			sub->known = k;
	}
}

static void apply_subtests(struct job *j)
{
	struct result *res = &j->res;
	const struct known *any = NULL;
	size_t i;

	if (res->status == ST_FAIL) {
		/* Only when every failure is a known one, and we saw them all. */
		if (res->guest_code != 1 || res->subs_dropped || !res->nlines[SUB_FAIL])
			return;
		for (i = 0; i < res->nsubs; i++) {
			if (res->subs[i].st != SUB_FAIL)
				continue;
			if (!res->subs[i].known)
				return;
			any = any ? any : res->subs[i].known;
		}
		set(res, ST_XFAIL, with_reason("known failure", any, res->reason), any);
	} else if (res->status == ST_PASS) {
		for (i = 0; i < res->nsubs; i++) {
			const struct subtest *sub = &res->subs[i];
			char *what;

			if (sub->st != SUB_PASS || !sub->known)
				continue;
			what = xasprintf("known failure passed: %s", sub->name);
			set(res, ST_XPASS, with_reason(what, sub->known, NULL), sub->known);
			free(what);
			return;
		}
	}
}

const char *known_reason(const struct known *k)
{
	return k->reason ? k->reason : "";
}

void known_apply(struct runner *r, struct job *j)
{
	struct result *res = &j->res;
	int i;

	for (i = 0; i < nknown; i++) {
		const struct known *k = &known[i];

		if (k->sub || fnmatch(k->test, j->t->name, 0) || !conds_hold(r, k, j))
			continue;
		mark_subtests(r, j, k);
		if (res->status == ST_FAIL || res->status == ST_TIMEOUT)
			set(res, ST_XFAIL, with_reason("known failure", k, res->reason), k);
		else if (res->status == ST_PASS)
			set(res, ST_XPASS, with_reason("known failure passed", k, NULL), k);
		return;
	}
	mark_subtests(r, j, NULL);
	apply_subtests(j);
}
