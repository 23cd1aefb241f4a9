// SPDX-License-Identifier: GPL-2.0-only
/*
 * build/runner: runs the stanzas of unittests.cfg and reports.  Normally
 * started by ./run_tests.sh, which builds the tree first and passes
 * --srcdir.
 *
 * Flow: parse the cfg strictly (cfg.c) -> select tests (names/globs, -g,
 * -x, -a, --shard) -> probe the host once (runner/vmm.c: /dev/kvm, ACCEL,
 * VMM, the VMM commands) -> plan each test (which VMM, its argv, or a
 * SKIP/ERROR decided without running) -> run them, -j N at a time, each in
 * its own process group with a deadline (runner/exec.c) -> classify the
 * exit status and the guest's PASS:/FAIL:/SKIP:/XFAIL:/ABORT:/SUMMARY:
 * lines (runner/parse.c, runner/vmm.c) -> known failures (runner/known.c)
 * -> one human line per test in cfg order (runner/out.c) -> results.json,
 * results.tap and junit.xml in the log directory (runner/logs.c).
 *
 * Statuses: PASS, FAIL, SKIP (with reason), XFAIL/XPASS (known-failures
 * file), TIMEOUT, ERROR (infrastructure: the VMM could not run or died).
 *
 * Mapping of VMM exit statuses (guest code c exits with (c << 1) | 1):
 *   guest 0 + SUMMARY  PASS (FAIL if FAIL lines were printed anyway)
 *   guest 0, no SUMMARY FAIL "no SUMMARY line"
 *   guest 1            FAIL, reason = first FAIL line and the count
 *   guest 3            FAIL, reason = the ABORT line
 *   guest 77           SKIP, reason = first SKIP line or "all skipped"
 *   QEMU status 0      FAIL "guest shut down (triple fault?)" (--no-reboot)
 *   QEMU status 1 with only a "qemu-system-x86_64: ..." line: ERROR
 *   kvmrun 2 ERROR, 77 SKIP, 124 TIMEOUT, 64 FAIL (shutdown / triple
 *   fault), 66 FAIL (unexpected exit), 68 FAIL (KVM_RUN error), 70 FAIL
 *   (--filter-expect-errno mismatch); the reason is kvmrun's last
 *   "kvmrun: ..." line.  Killed by a signal: ERROR naming the signal.
 *   A shutdown (kvmrun 64, QEMU 0) is PASS instead when the stanza says
 *   expected_end = shutdown and the guest announced it with a
 *   SHUTDOWN-EXPECTED line and printed no FAIL (vmm.c).
 *
 * Log directory (logs/ in the tree, ./logs in an installed copy, or
 * $LOGDIR): <YYYYmmdd-HHMMSS[-N]>/ per run, never reused, logs/latest
 * links to it.  <test>.log starts with the exact reproducer command (shell
 * quoted, env assignments first), then the VMM's output verbatim, then one
 * "run_tests: exit status S after T s: STATUS (detail)" line.  <test>.env is
 * the environment module given to the guest: TEST, VMM and ACCEL (kvmrun
 * adds VMM and its own facts itself, so only TEST there), then the lines
 * of $TEST_ENV_FILE.  The VMM process also gets TEST, VMM and ACCEL in its
 * environment, as the reproducer shows.
 *
 * results.json (runner/json.c) is the source of truth of a run; its
 * schema, with every field described, is host/runner/results.schema.json
 * ("kvm-msrfilter-tests/results/2"): run metadata (suite version, host
 * kernel, CPU, KVM vendor module and the KVM parameters that matter, VMM,
 * QEMU version when used), totals, the tests not run after an
 * interruption, and per test its status, reason, reproducer, exit status,
 * timing and every subtest line with its status (names made unique with
 * " #N", runner/parse.c).  Strings are valid UTF-8 (invalid bytes become
 * U+FFFD).  results.tap (runner/tap.c, same as -t) and junit.xml
 * (runner/junit.c, also --junit FILE) are rendered from the same data.
 *
 * Exit status: 0 nothing unexpected (PASS/SKIP/XFAIL only), 1 any FAIL,
 * TIMEOUT, ERROR or XPASS, 2 usage/cfg/setup error (nothing ran), 128+N
 * when interrupted by signal N (running tests are stopped and reported as
 * ERROR, the rest is not run).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runner.h"

static void usage(FILE *f)
{
	fputs(
"Usage: run_tests.sh [OPTIONS] [TEST|GLOB...]\n"
"Run the tests of unittests.cfg (all but group 'nodefault' when no TEST is\n"
"given) and print one line per test, then a summary.\n"
"\n"
"Selection:\n"
"  TEST|GLOB         run tests whose name matches (fnmatch); naming a test\n"
"                    exactly also runs it when it is in group 'nodefault'\n"
"  -g, --group G[,G] only tests in one of these groups (repeatable); a\n"
"                    named group also selects its 'nodefault' tests\n"
"  -x, --exclude PAT skip tests matching PAT (repeatable)\n"
"  -a, --all         include tests in group 'nodefault'\n"
"  --shard I/N       run only every N-th selected test, starting at the I-th\n"
"  -l, --list        list the selected test names, run nothing\n"
"  --json            with -l: JSON with groups, vmm and requirements\n"
"\n"
"Running and output:\n"
"  -j, --jobs N      run N tests in parallel (results still in cfg order)\n"
"  -v, --verbose     show guest output live (prefixed by [test] with -j)\n"
"  -t, --tap         TAP13 on stdout instead of the human lines\n"
"  -q, --quiet       no human line for tests that PASS\n"
"  --junit FILE      also write the run's JUnit XML to FILE\n"
"  --color=WHEN      auto (default: only on a terminal), always or never\n"
"  --progress=WHEN   live progress line: auto (default: on a terminal, not\n"
"                    with -t or -v), always or never\n"
"  --config FILE     use FILE instead of unittests.cfg\n"
"  --known-failures FILE  known-failures file (default: known-failures in\n"
"                    the tree, if present): lines 'TEST-GLOB  # reason' or\n"
"                    'TEST-GLOB/SUBTEST-GLOB  # reason', optionally with\n"
"                    '[when vmm=|accel=|kernel=|kvm_module=GLOB ...]' before\n"
"                    the reason (also a KVM parameter results.json records,\n"
"                    e.g. kvm_intel.enable_apicv=Y); a known FAIL or\n"
"                    TIMEOUT becomes XFAIL, a known PASS becomes XPASS\n"
"  --srcdir DIR      the test tree (set by run_tests.sh)\n"
"\n"
"Filter audit (instead of the cfg's tests):\n"
"  --audit FILTER    boot the audit guest (x86/msr_audit.c) under kvmrun with\n"
"                    the filter file FILTER installed before the vCPUs run,\n"
"                    as a VMM does; write logs/<stamp>/audit.md and\n"
"                    audit.json; exit 1 on a bypass, 0 on none, 2 on bad\n"
"                    input (unparsable file, an ioctl KVM rejects)\n"
"  --exit-mask N     with --audit: KVM_CAP_X86_USER_SPACE_MSR mask 0-7\n"
"                    (default 0: no user exits, denials are #GP)\n"
"  --irqchip full|split|none  with --audit: in-kernel irqchip (default full)\n"
"  -h, --help        this help\n"
"\n"
"Environment:\n"
"  VMM=auto|kvmrun|qemu  auto (default): a stanza's vmm decides; vmm=any uses\n"
"                    kvmrun when /dev/kvm is usable, else QEMU (QEMU also\n"
"                    when ACCEL=tcg or accel=tcg)\n"
"  ACCEL=kvm|tcg     QEMU accelerator (default kvm when /dev/kvm is usable)\n"
"  CPU=MODEL         QEMU -cpu (default host with kvm, max with tcg)\n"
"  QEMU=PATH         QEMU binary (default qemu-system-x86_64 from PATH)\n"
"  KVMRUN=PATH       harness binary (default build/kvmrun in the tree,\n"
"                    bin/kvmrun in an installed copy)\n"
"  KVM_DEVICE=PATH   KVM device to probe and pass to kvmrun (default /dev/kvm)\n"
"  TIMEOUT=SECONDS   override every stanza's timeout (suffix s or m allowed)\n"
"  TIMEOUT_FACTOR=F  multiply timeouts by F (default 1)\n"
"  TEST_ENV_FILE=F   KEY=VALUE lines added to every guest's environment\n"
"  LOGDIR=DIR        where run directories go (default logs/ in the tree,\n"
"                    ./logs in an installed copy)\n"
"  KERNEL_SOURCE=S   where the kernel came from, for results.json (set by\n"
"                    the nested lanes: scripts/kernel-get.sh)\n"
"  LANE_EMULATOR=S   the emulator under that kernel, for results.json (set\n"
"                    by the nested lanes)\n"
"  NO_COLOR=1        same as --color=never for auto\n"
"\n"
"Statuses: PASS, FAIL, SKIP (reason), XFAIL/XPASS (known failures),\n"
"TIMEOUT, ERROR (the VMM could not run or died).  Logs: logs/latest/\n"
"<test>.log (first line: reproducer command), results.json, results.tap,\n"
"junit.xml.\n"
"\n"
"Exit status: 0 nothing unexpected (only PASS/SKIP/XFAIL), 1 some FAIL,\n"
"TIMEOUT, ERROR or XPASS, 2 usage or cfg error, 128+N interrupted by\n"
"signal N.\n", f);
}

static void __attribute__((format(printf, 1, 2), noreturn)) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("run_tests: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'run_tests.sh -h' for help.\n", stderr);
	exit(2);
}

static void add_groups(struct runner *r, const char *arg)
{
	char *copy = xstrdup(arg), *tok, *save;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		strv_push(&r->groups, &r->ngroups, tok);
	if (!r->ngroups)
		usage_error("-g needs a group name, got '%s'", arg);
	free(copy);
}

static long number(const char *opt, const char *s, long min, long max)
{
	uint64_t v;

	if (parse_uint(s, (uint64_t)max, &v) || v < (uint64_t)min) {
		fprintf(stderr, "run_tests: bad %s '%s': expected %ld..%ld\n",
			opt, s, min, max);
		fputs("Try 'run_tests.sh -h' for help.\n", stderr);
		exit(2);
	}
	return (long)v;
}

static void parse_shard(struct runner *r, const char *s)
{
	char *slash = strchr(s, '/'), *i;

	if (!slash)
		usage_error("bad --shard '%s': expected I/N", s);
	i = strndup(s, slash - s);
	r->shard_n = number("--shard N", slash + 1, 1, 1 << 20);
	r->shard_i = number("--shard I", i, 1, r->shard_n);
	free(i);
}

enum { OPT_JSON = 256, OPT_SHARD, OPT_CONFIG, OPT_SRCDIR, OPT_COLOR, OPT_PROGRESS, OPT_KNOWN,
       OPT_JUNIT, OPT_AUDIT, OPT_EXIT_MASK, OPT_IRQCHIP };

/* auto / always / never of --color and --progress */
static enum color_mode when(const char *arg, const char *opt)
{
	if (!strcmp(arg, "always"))
		return COLOR_ALWAYS;
	if (!strcmp(arg, "never"))
		return COLOR_NEVER;
	if (strcmp(arg, "auto")) {
		char *msg = xasprintf("bad %s '%%s': expected auto, always or never", opt);

		usage_error(msg, arg);
	}
	return COLOR_AUTO;
}

static void parse_args(struct runner *r, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "group", required_argument, NULL, 'g' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "list", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "jobs", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "tap", no_argument, NULL, 't' },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "srcdir", required_argument, NULL, OPT_SRCDIR },
		{ "color", optional_argument, NULL, OPT_COLOR },
		{ "colour", optional_argument, NULL, OPT_COLOR },
		{ "known-failures", required_argument, NULL, OPT_KNOWN },
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "progress", required_argument, NULL, OPT_PROGRESS },
		{ "help", no_argument, NULL, 'h' },
		{ "audit", required_argument, NULL, OPT_AUDIT },
		{ "exit-mask", required_argument, NULL, OPT_EXIT_MASK },
		{ "irqchip", required_argument, NULL, OPT_IRQCHIP },
		{ 0 }
	};
	int c;

	r->jobs = 1;
	r->audit_mask = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ag:x:lj:vtqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': r->all = true; break;
		case 'g': add_groups(r, optarg); break;
		case 'x': strv_push(&r->excludes, &r->nexcludes, optarg); break;
		case 'l': r->list = true; break;
		case OPT_JSON: r->json = true; break;
		case 'j': r->jobs = number("-j", optarg, 1, 256); break;
		case 'v': r->verbose = true; break;
		case 't': r->tap = true; break;
		case OPT_SHARD: parse_shard(r, optarg); break;
		case OPT_CONFIG: free(r->cfg_path); r->cfg_path = xstrdup(optarg); break;
		case OPT_SRCDIR: free(r->srcdir); r->srcdir = xstrdup(optarg); break;
		case OPT_KNOWN: free(r->known_path); r->known_path = xstrdup(optarg); break;
		case OPT_JUNIT: free(r->junit_path); r->junit_path = xstrdup(optarg); break;
		case 'q': r->quiet = true; break;
		case OPT_PROGRESS:
			r->progress_mode = when(optarg, "--progress");
			break;
		case OPT_COLOR:
			r->color_mode = when(optarg ? optarg : "always", "--color");
			break;
		case OPT_AUDIT: free(r->audit_file); r->audit_file = xstrdup(optarg); break;
		case OPT_EXIT_MASK:
			r->audit_mask = number("--exit-mask", optarg, 0, 7);
			break;
		case OPT_IRQCHIP:
			if (!strcmp(optarg, "full"))
				r->audit_irqchip = CFG_IRQCHIP_FULL;
			else if (!strcmp(optarg, "split"))
				r->audit_irqchip = CFG_IRQCHIP_SPLIT;
			else if (!strcmp(optarg, "none"))
				r->audit_irqchip = CFG_IRQCHIP_NONE;
			else
				usage_error("bad --irqchip '%s': expected full, split or none", optarg);
			break;
		case 'h': usage(stdout); exit(0);
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
			break;
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (r->json && !r->list)
		usage_error("%s only goes with -l", "--json");
	if (!r->audit_file && (r->audit_mask >= 0 || r->audit_irqchip))
		usage_error("--exit-mask and --irqchip only go with --audit");
	if (r->audit_file && (optind < argc || r->ngroups || r->list || r->all))
		usage_error("--audit runs the audit alone: no tests, -g, -a or -l with it");
	for (; optind < argc; optind++)
		strv_push(&r->patterns, &r->npatterns, argv[optind]);
}

/* The tree is the parent of the directory holding this program. */
static void find_srcdir(struct runner *r)
{
	char buf[PATH_MAX], *s, *real;
	int up;

	if (!r->srcdir) {
		ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

		if (n < 0)
			die(2, "cannot find the test tree (/proc/self/exe: %s); use --srcdir",
			    strerror(errno));
		buf[n] = 0;
		for (up = 0; up < 2; up++) {
			s = strrchr(buf, '/');
			if (s)
				*s = 0;
		}
		r->srcdir = xstrdup(buf[0] ? buf : "/");
	}
	real = realpath(r->srcdir, NULL);
	if (!real)
		die(2, "--srcdir %s: %s", r->srcdir, strerror(errno));
	free(r->srcdir);
	r->srcdir = real;
	s = xasprintf("%s/.installed", r->srcdir);
	r->installed = !access(s, F_OK);
	free(s);
}

/* Does an error start with "FILE:LINE:"?  Those stand without a prefix. */
static bool has_line(const char *err)
{
	const char *c = strchr(err, ':');

	return c && c[1] >= '0' && c[1] <= '9' && c[1 + strspn(c + 1, "0123456789")] == ':';
}

static void load_config(struct runner *r)
{
	char err[1024], cwd[PATH_MAX], *s;

	if (r->cfg_path) {
		r->cfg_display = xstrdup(r->cfg_path);
	} else {
		r->cfg_path = xasprintf("%s/unittests.cfg", r->srcdir);
		/* Messages say "unittests.cfg:LINE:" when run from the tree. */
		r->cfg_display = getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, r->srcdir) ?
			xstrdup("unittests.cfg") : xstrdup(r->cfg_path);
	}
	if (cfg_load(r->cfg_path, &r->cfg, err, sizeof(err))) {
		/* cfg_load names the path it was given; show the short name. */
		size_t n = strlen(r->cfg_path);

		if (!strncmp(err, r->cfg_path, n))
			fprintf(stderr, "%s%s%s\n", has_line(err) ? "" : "run_tests: ",
				r->cfg_display, err + n);
		else
			fprintf(stderr, "run_tests: %s\n", err);
		exit(2);
	}
	if (!r->known_path) {
		s = xasprintf("%s/known-failures", r->srcdir);
		if (!access(s, F_OK))
			r->known_path = s;
		else
			free(s);
	}
	if (known_load(r, err, sizeof(err))) {
		/* "FILE:LINE: message" as is; "run_tests: " before anything else. */
		fprintf(stderr, "%s%s\n", has_line(err) ? "" : "run_tests: ", err);
		exit(2);
	}
}

static bool any_match(char **pats, int n, const char *name, bool exact)
{
	int i;

	for (i = 0; i < n; i++)
		if (exact ? !strcmp(pats[i], name) : !fnmatch(pats[i], name, 0))
			return true;
	return false;
}

static bool in_any_group(char **groups, int n, const struct cfg_test *t)
{
	int i;

	for (i = 0; i < n; i++)
		if (cfg_in_group(t, groups[i]))
			return true;
	return false;
}

static bool selected(struct runner *r, const struct cfg_test *t)
{
	bool named = false;

	if (r->npatterns) {
		if (!any_match(r->patterns, r->npatterns, t->name, false))
			return false;
		named = any_match(r->patterns, r->npatterns, t->name, true);
	}
	if (r->ngroups) {
		if (!in_any_group(r->groups, r->ngroups, t))
			return false;
		named = true;
	}
	if (cfg_in_group(t, "nodefault") && !named && !r->all)
		return false;
	return !any_match(r->excludes, r->nexcludes, t->name, false);
}

static const char *test_name(const void *cfg, int i)
{
	return ((const struct cfg *)cfg)->tests[i].name;
}

/* Every name and group given must exist: a typo should not pass as "0 tests". */
static void check_selection_args(struct runner *r)
{
	int i, k;

	for (i = 0; i < r->npatterns; i++) {
		for (k = 0; k < r->cfg.ntests; k++)
			if (!fnmatch(r->patterns[i], r->cfg.tests[k].name, 0))
				break;
		if (k == r->cfg.ntests) {
			const char *near = closest_name(r->patterns[i], test_name,
							&r->cfg, r->cfg.ntests);

			if (near)
				usage_error("no test matches '%s' (did you mean '%s'?)",
					    r->patterns[i], near);
			usage_error("no test matches '%s' (see run_tests.sh -l -a)",
				    r->patterns[i]);
		}
	}
	for (i = 0; i < r->ngroups; i++) {
		for (k = 0; k < r->cfg.ntests; k++)
			if (cfg_in_group(&r->cfg.tests[k], r->groups[i]))
				break;
		if (k == r->cfg.ntests)
			usage_error("no test is in group '%s'", r->groups[i]);
	}
}

static void select_tests(struct runner *r)
{
	int i, nsel = 0;

	check_selection_args(r);
	r->jobs_v = xmalloc((r->cfg.ntests + 1) * sizeof(*r->jobs_v));
	for (i = 0; i < r->cfg.ntests; i++) {
		const struct cfg_test *t = &r->cfg.tests[i];
		struct job *j;

		if (!selected(r, t))
			continue;
		if (r->shard_n && nsel++ % r->shard_n != r->shard_i - 1)
			continue;
		j = &r->jobs_v[r->njobs++];
		memset(j, 0, sizeof(*j));
		j->t = t;
		j->index = r->njobs;
		j->out_fd = j->log_fd = -1;
		j->pid = -1;
	}
	if (!r->njobs && !r->shard_n) {
		fputs("run_tests: no test selected\n", stderr);
		exit(2);
	}
}

static void plan_all(struct runner *r)
{
	int i;

	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs_v[i];
		char *cmd;

		vmm_plan(r, j);
		if (!j->plan.run)
			continue;
		cmd = shell_join(j->plan.argv);
		j->cmdline = xasprintf("%s %s", j->plan.env_assign, cmd);
		free(cmd);
	}
}

/* Colour and the live progress line only on a terminal, unless forced. */
static void set_color(struct runner *r)
{
	const char *term = getenv("TERM"), *no = getenv("NO_COLOR");
	bool tty = isatty(1) && !(term && !strcmp(term, "dumb"));

	if (r->tap)
		r->color = false;
	else if (r->color_mode != COLOR_AUTO)
		r->color = r->color_mode == COLOR_ALWAYS;
	else
		r->color = tty && !(no && *no);
	/* -v prints guest output as it comes: a progress line would cut it. */
	if (r->tap || r->verbose || r->progress_mode == COLOR_NEVER)
		r->progress = false;
	else
		r->progress = r->progress_mode == COLOR_ALWAYS || tty;
}

static void stamp_start(struct runner *r)
{
	time_t t = time(NULL);
	struct tm tm;

	r->started = now_mono();
	gmtime_r(&t, &tm);
	strftime(r->started_iso, sizeof(r->started_iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int main(int argc, char **argv)
{
	static struct runner r;
	int status;

	prog_name = "run_tests";
	prog_internal_status = 2;
	parse_args(&r, argc, argv);
	find_srcdir(&r);
	if (r.audit_file) {
		audit_setup(&r, r.audit_file, r.audit_mask, r.audit_irqchip);
	} else {
		load_config(&r);
		cfg_validate(&r);
	}
	select_tests(&r);
	if (r.list) {
		out_list(&r);
		return 0;
	}
	vmm_probe(&r);
	host_probe(&r);
	set_color(&r);
	stamp_start(&r);
	logs_create(&r);
	plan_all(&r);
	vmm_snapshot(&r);
	exec_install_signals(&r);
	out_start(&r);
	exec_run_all(&r);
	status = out_finish(&r);
	if (r.audit_file)
		status = r.interrupted ? status : audit_report(&r);
	logs_write_results(&r, status);
	return status;
}
