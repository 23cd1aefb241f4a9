// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMMs the runner can drive.  Each is one entry of vmms[]: how to find
 * its command, how to build the command line for a stanza, and how to turn
 * its exit status into a test status.  Adding a VMM is adding an entry.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner.h"

struct vmm {
	const char *name;	/* VMM=..., vmm = ... and the env file */
	const char *cmd_env;	/* environment variable overriding the command */
	/* Fill j->plan->argv (after argv[0]); return false with plan->pre set. */
	bool (*build)(struct runner *r, struct job *j, const char *image);
	/* Map a finished process (exit status, parsed output) to a status. */
	void (*classify)(struct runner *r, struct job *j);
	double grace;		/* extra seconds before the runner kills it */
	/* resolved by vmm_probe() */
	char *cmd;		/* absolute path, or NULL */
	struct stat cmd_st;	/* cmd as found then (see vmm_replaced) */
	char *exec;		/* the run's copy of cmd that is executed, or NULL */
	enum status missing_status;
	char *missing_reason;
	char diag[64];		/* "<basename>: ", its own messages start so */
};

static bool qemu_build(struct runner *r, struct job *j, const char *image);
static void qemu_classify(struct runner *r, struct job *j);
static bool kvmrun_build(struct runner *r, struct job *j, const char *image);
static void kvmrun_classify(struct runner *r, struct job *j);

static struct vmm vmms[] = {
	{
		.name = "kvmrun", .cmd_env = "KVMRUN",
		.build = kvmrun_build, .classify = kvmrun_classify,
		/* kvmrun has its own watchdog; let it report TIMEOUT first. */
		.grace = 5,
	},
	{
		.name = "qemu", .cmd_env = "QEMU",
		.build = qemu_build, .classify = qemu_classify,
	},
};

static struct vmm *vmm_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(vmms) / sizeof(vmms[0]); i++)
		if (!strcmp(vmms[i].name, name))
			return &vmms[i];
	return NULL;
}

const char *vmm_name(const struct vmm *vmm)
{
	return vmm ? vmm->name : "none";
}

const char *vmm_command(const struct vmm *vmm)
{
	return vmm ? vmm->cmd : NULL;
}

const char *vmm_exec_path(const struct vmm *vmm)
{
	return vmm->exec ? vmm->exec : vmm->cmd;
}

/*
 * kvmrun is part of the tree and gets rebuilt (make, make check, another
 * run_tests.sh) while tests may still be running from it: a process that
 * execs a binary being rewritten dies in execve or in the loader (SIGSEGV,
 * SIGBUS) or fails to start, and in a nested lane, where the tree is shared
 * over 9p, that is easy to hit.  So each run executes its own copy, made
 * once in its log directory before the first test starts: every test of a
 * run uses the same binary, and the crash report's offsets can still be
 * resolved against it after a rebuild.  The reproducer keeps the real path.
 * On failure the run goes on with the original and says so.
 */
void vmm_snapshot(struct runner *r)
{
	struct vmm *v = vmm_by_name("kvmrun");
	char err[256], *dst;
	bool used = false;
	int i;

	for (i = 0; i < r->njobs; i++)
		used |= r->jobs_v[i].plan.run && r->jobs_v[i].plan.vmm == v;
	if (!used || !v->cmd)
		return;
	dst = xasprintf("%s/%s", r->logdir, strrchr(v->cmd, '/') + 1);
	if (copy_file(v->cmd, dst, 0755, err, sizeof(err))) {
		fprintf(stderr, "run_tests: cannot copy the VMM into the log directory (%s); "
			"running %s itself\n", err, v->cmd);
		free(dst);
		return;
	}
	/* access() also says EACCES for a file on a noexec mount. */
	if (access(dst, X_OK)) {
		fprintf(stderr, "run_tests: cannot execute files in the log directory (%s: %s); "
			"running %s itself\n", dst, strerror(errno), v->cmd);
		unlink(dst);	/* not the binary the run executed */
		free(dst);
		return;
	}
	v->exec = dst;
}

const char *vmm_diag_prefix(const struct vmm *vmm)
{
	return vmm ? vmm->diag : NULL;
}

static const char *kvm_device(void)
{
	const char *dev = getenv("KVM_DEVICE");

	return dev && *dev ? dev : "/dev/kvm";
}

static void probe_kvm(struct runner *r)
{
	const char *dev = kvm_device();
	int fd = open(dev, O_RDWR | O_CLOEXEC), v;

	r->kvm_ok = false;
	r->qemu_kvm_ok = -1;
	if (fd < 0) {
		snprintf(r->kvm_reason, sizeof(r->kvm_reason), "%s: %s", dev,
			 strerror(errno));
		return;
	}
	v = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION)
		snprintf(r->kvm_reason, sizeof(r->kvm_reason),
			 "%s: KVM_GET_API_VERSION gave %d%s%s (want %d)", dev, v,
			 v < 0 ? ": " : "", v < 0 ? strerror(errno) : "",
			 KVM_API_VERSION);
	else
		r->kvm_ok = true;
	close(fd);
}

static char *absolute(const char *path)
{
	char cwd[4096];

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return xstrdup(path);
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	return xasprintf("%s/%s", cwd, path);
}

static void resolve(struct runner *r, struct vmm *v, const char *dflt,
		    enum status missing, const char *hint)
{
	const char *want = getenv(v->cmd_env), *base;
	char buf[4096];
	const char *found;

	if (!want || !*want)
		want = dflt;
	found = find_in_path(want, buf, sizeof(buf));
	if (found && !access(found, X_OK) && !stat(found, &v->cmd_st)) {
		v->cmd = absolute(found);
	} else {
		v->missing_status = missing;
		v->missing_reason = xasprintf("%s not found%s", want, hint);
	}
	base = strrchr(want, '/');
	snprintf(v->diag, sizeof(v->diag), "%s: ", base ? base + 1 : want);
}

static double parse_seconds(const char *name, const char *s, bool suffix)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (suffix && (*end == 's' || *end == 'm'))
		v *= *end++ == 'm' ? 60 : 1;
	if (errno || end == s || *end || !(v > 0) || v > 1e6)
		die(2, "bad %s='%s': expected a positive number%s", name, s,
		    suffix ? " of seconds (suffix s or m allowed)" : "");
	return v;
}

static bool valid_env_key(const char *s, size_t n)
{
	size_t i;

	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* Lines of TEST_ENV_FILE are appended to every test's env file. */
static void load_extra_env(struct runner *r)
{
	const char *path = getenv("TEST_ENV_FILE");
	struct sbuf sb = { 0 };
	char err[512], *text, *line, *next;
	int lineno = 0;

	if (!path || !*path)
		return;
	text = read_small_file(path, 64 << 10, err, sizeof(err));
	if (!text)
		die(2, "TEST_ENV_FILE: %s", err);
	for (line = text; *line; line = next) {
		size_t n = strcspn(line, "\n");
		char *eq;

		next = line + n + (line[n] == '\n');
		line[n] = 0;
		lineno++;
		if (n && line[n - 1] == '\r')
			line[--n] = 0;
		if (!n || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq || !valid_env_key(line, eq - line))
			die(2, "%s:%d: expected KEY=VALUE", path, lineno);
		sb_printf(&sb, "%s\n", line);
	}
	free(text);
	r->extra_env = sb_steal(&sb);
}

void vmm_probe(struct runner *r)
{
	const char *s;
	char *kvmrun;

	probe_kvm(r);
	s = getenv("VMM");
	r->vmm_env = s && *s ? s : "auto";
	if (strcmp(r->vmm_env, "auto") && !vmm_by_name(r->vmm_env))
		die(2, "bad VMM='%s': expected auto, kvmrun or qemu", r->vmm_env);
	s = getenv("ACCEL");
	if (s && *s) {
		if (strcmp(s, "kvm") && strcmp(s, "tcg"))
			die(2, "bad ACCEL='%s': expected kvm or tcg", s);
		r->accel = s;
		r->accel_explicit = true;
	} else {
		r->accel = r->kvm_ok ? "kvm" : "tcg";
	}
	s = getenv("CPU");
	r->cpu_env = s && *s ? s : NULL;
	s = getenv("TIMEOUT");
	if (s && *s)
		r->timeout_override = parse_seconds("TIMEOUT", s, true);
	s = getenv("TIMEOUT_FACTOR");
	r->timeout_factor = s && *s ? parse_seconds("TIMEOUT_FACTOR", s, false) : 1;
	load_extra_env(r);
	/* Programs live in build/ in the tree, in bin/ in an installed copy. */
	kvmrun = xasprintf("%s/%s/kvmrun", r->srcdir, r->installed ? "bin" : "build");
	resolve(r, vmm_by_name("kvmrun"), kvmrun, ST_ERROR, " (run make)");
	free(kvmrun);
	resolve(r, vmm_by_name("qemu"), "qemu-system-x86_64", ST_SKIP,
		" (apt-get install qemu-system-x86)");
}

/* ---- choosing ------------------------------------------------------------ */

/* The first key that only kvmrun understands, or NULL. */
static const char *kvmrun_only_key(const struct cfg_test *t)
{
	if (t->filter)
		return "filter";
	if (t->exit_mask >= 0)
		return "exit_mask";
	if (t->irqchip)
		return "irqchip";
	if (t->cpuid)
		return "cpuid";
	if (t->kvmrun_params)
		return "kvmrun_params";
	return NULL;
}

static void pre(struct plan *p, enum status st, char *reason)
{
	p->run = false;
	p->pre = st;
	free(p->pre_reason);
	p->pre_reason = reason;
}

static struct vmm *choose(struct runner *r, const struct cfg_test *t, struct plan *p)
{
	const char *key = kvmrun_only_key(t);
	struct vmm *v;

	if (strcmp(r->vmm_env, "auto")) {
		v = vmm_by_name(r->vmm_env);
		if (t->vmm != CFG_VMM_ANY && strcmp(cfg_vmm_name(t->vmm), v->name)) {
			pre(p, ST_SKIP, xasprintf("needs vmm=%s (VMM=%s)",
						  cfg_vmm_name(t->vmm), v->name));
			return NULL;
		}
		if (!strcmp(v->name, "qemu") && key) {
			pre(p, ST_SKIP, xasprintf("needs kvmrun for '%s' (VMM=qemu)", key));
			return NULL;
		}
		return v;
	}
	if (t->vmm != CFG_VMM_ANY)
		return vmm_by_name(cfg_vmm_name(t->vmm));
	if (key)
		return vmm_by_name("kvmrun");
	/* ACCEL=tcg or accel = tcg asks for QEMU's TCG explicitly. */
	if (t->accel == CFG_ACCEL_TCG || (r->accel_explicit && !strcmp(r->accel, "tcg")))
		return vmm_by_name("qemu");
	return vmm_by_name(r->kvm_ok ? "kvmrun" : "qemu");
}

/* ---- building --------------------------------------------------------- */

static void push(struct plan *p, int *n, const char *s)
{
	strv_push(&p->argv, n, s);
}

static int argc_of(char **v)
{
	int n = 0;

	while (v && v[n])
		n++;
	return n;
}

static void push_words(struct plan *p, const char *s, bool raw)
{
	char err[64], **w;
	int n = argc_of(p->argv), i;

	if (!s)
		return;
	/* Validated by the cfg parser already. */
	w = cfg_split_words(s, raw, NULL, err, sizeof(err));
	if (!w)
		die(2, "internal error: cannot split '%s': %s", s, err);
	for (i = 0; w[i]; i++)
		push(p, &n, w[i]);
	cfg_free_words(w);
}

/*
 * QEMU's multiboot -initrd takes a comma-separated list of "file args":
 * commas in a file name are doubled, blanks cannot be expressed.
 */
static char *initrd_arg(const char *path)
{
	struct sbuf sb = { 0 };

	for (; *path; path++) {
		if (*path == ',')
			sb_puts(&sb, ",,");
		else
			sb_add(&sb, path, 1);
	}
	return sb_steal(&sb);
}

/*
 * Can QEMU run a KVM vCPU with the CPU model we give it?  Some KVMs cannot:
 * QEMU 7.2 with -cpu host aborts on kvm_pvm ("failed to set MSR 0x10a").
 * Probed once, by booting x86/bench.flat (boot-only) exactly as a test
 * would; usable when the guest's "booted" line came out.  Then QEMU+KVM
 * tests SKIP with QEMU's own last words, instead of each failing alike.
 */
static bool qemu_kvm_usable(struct runner *r, const char *cpu)
{
	char *image = xasprintf("%s/x86/bench.flat", r->srcdir), buf[4096], *last, *e;
	char *argv[] = { (char *)vmm_exec_path(vmm_by_name("qemu")), "-nodefaults",
			 "-no-user-config", "-accel", "kvm", "-cpu", (char *)cpu, "-m", "64",
			 "-display", "none", "-serial", "stdio", "-device",
			 "isa-debug-exit,iobase=0xf4,iosize=0x4", "--no-reboot", "-kernel",
			 image, "-append", "boot-only", NULL };
	size_t len;
	int st;

	if (r->qemu_kvm_ok >= 0)
		goto out;
	r->qemu_kvm_ok = 1;	/* when the probe itself cannot run: let the tests say */
	/* a hung probe must not hang the run */
	if (access(image, R_OK) || (st = run_capture(argv, true, 60, buf, sizeof(buf))) < 0)
		goto out;
	len = strlen(buf);
	if (strstr(buf, "PASS: bench: booted"))
		goto out;
	r->qemu_kvm_ok = 0;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = 0;
	last = strrchr(buf, '\n');
	last = last ? last + 1 : buf;
	/* QEMU's assertion comes after the message that explains it. */
	if (strstr(last, "Assertion") && last > buf) {
		e = last - 1;
		*e = 0;
		last = strrchr(buf, '\n');
		last = last ? last + 1 : buf;
	}
	snprintf(r->qemu_kvm_reason, sizeof(r->qemu_kvm_reason),
		 "QEMU cannot run a KVM vCPU with -cpu %.32s here (probe: %s boot-only %s: %.200s)",
		 cpu, "x86/bench.flat",
		 WIFSIGNALED(st) ? "killed by a signal" : "gave no boot line",
		 *last ? last : "no output");
out:
	free(image);
	return r->qemu_kvm_ok;
}

static bool qemu_build(struct runner *r, struct job *j, const char *image)
{
	const struct cfg_test *t = j->t;
	struct plan *p = &j->plan;
	const char *accel = r->accel;
	int n = argc_of(p->argv);
	char *s;

	if (!strcmp(accel, "kvm") && !r->kvm_ok) {
		pre(p, ST_SKIP, xasprintf("ACCEL=kvm but %s", r->kvm_reason));
		return false;
	}
	if (t->accel != CFG_ACCEL_ANY && strcmp(cfg_accel_name(t->accel), accel)) {
		pre(p, ST_SKIP, xasprintf("needs accel=%s (running with %s)",
					  cfg_accel_name(t->accel), accel));
		return false;
	}
	if (!strcmp(accel, "kvm") &&
	    !qemu_kvm_usable(r, r->cpu_env ? r->cpu_env : "host")) {
		pre(p, ST_SKIP, xstrdup(r->qemu_kvm_reason));
		return false;
	}
	if (strchr(j->env_path, ' ')) {
		pre(p, ST_ERROR, xasprintf("QEMU cannot take '%s' as -initrd: "
					   "the log path has a blank (set LOGDIR)",
					   j->env_path));
		return false;
	}
	p->accel = accel;
	push(p, &n, "-nodefaults");
	push(p, &n, "-no-user-config");
	push(p, &n, "-accel");
	push(p, &n, accel);
	push(p, &n, "-cpu");
	push(p, &n, r->cpu_env ? r->cpu_env : !strcmp(accel, "kvm") ? "host" : "max");
	push(p, &n, "-m");
	push(p, &n, "64");
	push(p, &n, "-smp");
	s = xasprintf("%d", t->smp);
	push(p, &n, s);
	free(s);
	push(p, &n, "-display");
	push(p, &n, "none");
	push(p, &n, "-serial");
	push(p, &n, "stdio");
	push(p, &n, "-device");
	push(p, &n, "isa-debug-exit,iobase=0xf4,iosize=0x4");
	push(p, &n, "--no-reboot");
	push(p, &n, "-kernel");
	push(p, &n, image);
	push(p, &n, "-initrd");
	s = initrd_arg(j->env_path);
	push(p, &n, s);
	free(s);
	push(p, &n, "-append");
	push(p, &n, t->test_args);
	push_words(p, t->qemu_params, false);
	return true;
}

static bool kvmrun_build(struct runner *r, struct job *j, const char *image)
{
	const struct cfg_test *t = j->t;
	struct plan *p = &j->plan;
	int n = argc_of(p->argv), i;
	char **args, err[64];
	bool dashdash = false;
	char *s;

	if (t->accel == CFG_ACCEL_TCG) {
		pre(p, ST_SKIP, xasprintf("needs accel=tcg (kvmrun always uses KVM)"));
		return false;
	}
	p->accel = "kvm";
	if (getenv("KVM_DEVICE") && *getenv("KVM_DEVICE")) {
		push(p, &n, "--kvm-device");
		push(p, &n, kvm_device());
	}
	push(p, &n, "--timeout");
	/*
	 * kvmrun takes whole seconds up to a day; round up so it never fires
	 * early (the runner's own deadline still applies beyond a day).
	 */
	s = xasprintf("%.0f", fmin(ceil(p->timeout), CFG_TIMEOUT_MAX));
	push(p, &n, s);
	free(s);
	push(p, &n, "--smp");
	s = xasprintf("%d", t->smp);
	push(p, &n, s);
	free(s);
	if (t->filter) {
		/* Absolute: a file outside the tree (--audit). */
		s = t->filter[0] == '/' ? xstrdup(t->filter) :
			xasprintf("%s/filters/%s", r->srcdir, t->filter);
		if (access(s, R_OK)) {
			pre(p, ST_ERROR, xasprintf("filters/%s: %s", t->filter,
						   strerror(errno)));
			free(s);
			return false;
		}
		push(p, &n, "--filter");
		push(p, &n, s);
		free(s);
	}
	if (t->exit_mask >= 0) {
		s = xasprintf("%d", t->exit_mask);
		push(p, &n, "--exit-mask");
		push(p, &n, s);
		free(s);
	}
	if (t->irqchip) {
		push(p, &n, "--irqchip");
		push(p, &n, cfg_irqchip_name(t->irqchip));
	}
	if (t->cpuid) {
		push(p, &n, "--cpuid");
		push(p, &n, t->cpuid);
	}
	push(p, &n, "--env");
	push(p, &n, j->env_path);
	push_words(p, t->kvmrun_params, false);
	n = argc_of(p->argv);
	/*
	 * kvmrun joins the guest arguments with blanks into the multiboot
	 * command line, which the guest splits again: pass the words with
	 * their quotes so "arg two" stays one argument.
	 */
	args = cfg_split_words(t->test_args, true, NULL, err, sizeof(err));
	if (!args)
		die(2, "internal error: cannot split test_args of %s: %s", t->name, err);
	for (i = 0; args[i]; i++)
		dashdash |= args[i][0] == '-';
	if (dashdash)
		push(p, &n, "--");
	push(p, &n, image);
	for (i = 0; args[i]; i++)
		push(p, &n, args[i]);
	cfg_free_words(args);
	return true;
}

static char *env_text(struct runner *r, struct job *j)
{
	struct sbuf sb = { 0 };

	/* kvmrun adds VMM and its own facts itself, and refuses them here. */
	if (!strcmp(vmm_name(j->plan.vmm), "kvmrun"))
		sb_printf(&sb, "TEST=%s\n", j->t->name);
	else
		sb_printf(&sb, "TEST=%s\nVMM=%s\nACCEL=%s\n", j->t->name,
			  vmm_name(j->plan.vmm), j->plan.accel);
	if (r->extra_env)
		sb_puts(&sb, r->extra_env);
	return sb_steal(&sb);
}

void vmm_plan(struct runner *r, struct job *j)
{
	const struct cfg_test *t = j->t;
	struct plan *p = &j->plan;
	struct vmm *v;
	char *image;
	int n = 0;

	p->run = true;
	p->timeout = (r->timeout_override ? r->timeout_override :
		      t->timeout ? t->timeout : CFG_DEFAULT_TIMEOUT) * r->timeout_factor;
	v = choose(r, t, p);
	if (!v)
		return;
	p->vmm = v;
	if (!v->cmd) {
		pre(p, v->missing_status, xstrdup(v->missing_reason));
		return;
	}
	p->kill_after = p->timeout + v->grace;
	push(p, &n, v->cmd);
	image = xasprintf("%s/x86/%s", r->srcdir, t->file);
	if (access(image, R_OK)) {
		pre(p, ST_ERROR, xasprintf("x86/%s: %s%s", t->file, strerror(errno),
					   r->installed ? "" : " (run make)"));
	} else if (v->build(r, j, image)) {
		p->env_text = env_text(r, j);
		p->env_assign = xasprintf("TEST=%s VMM=%s ACCEL=%s", t->name,
					  v->name, p->accel);
	}
	free(image);
}

/* ---- classifying -------------------------------------------------------- */

static void verdict(struct result *res, enum status st, char *reason)
{
	res->status = st;
	free(res->reason);
	res->reason = reason;
}

static bool protocol_seen(const struct result *res)
{
	int i;

	for (i = 0; i < SUB_COUNT; i++)
		if (res->nlines[i])
			return true;
	return res->have_summary || res->abort_line;
}

/* The guest exited through the debug-exit port with 'code'. */
static void guest_verdict(struct result *res, int code)
{
	res->guest_code = code;
	switch (code) {
	case 0:
		if (!res->have_summary)
			verdict(res, ST_FAIL, xstrdup("no SUMMARY line"));
		else if (res->nlines[SUB_FAIL] || res->sum_failed)
			verdict(res, ST_FAIL, xasprintf("inconsistent: exit code 0 "
				"but %lu FAIL lines, SUMMARY says %u unexpected failures",
				res->nlines[SUB_FAIL], res->sum_failed));
		else
			verdict(res, ST_PASS, NULL);
		break;
	case 1:
		if (res->first_fail)
			verdict(res, ST_FAIL, xasprintf("%lu FAIL line%s, first: %s",
				res->nlines[SUB_FAIL], res->nlines[SUB_FAIL] == 1 ? "" : "s",
				res->first_fail));
		else
			verdict(res, ST_FAIL, xstrdup("exit code 1 without a FAIL line"));
		break;
	case 3:
		verdict(res, ST_FAIL, res->abort_line ?
			xasprintf("ABORT: %s", res->abort_line) :
			xstrdup("aborted (exit code 3) without an ABORT line"));
		break;
	case 77:
		verdict(res, ST_SKIP, xstrdup(res->first_skip ? res->first_skip :
					      "all skipped"));
		break;
	default:
		verdict(res, ST_FAIL, xasprintf("unexpected guest exit code %d", code));
	}
}

static const char *diag(const struct result *res, const char *dflt)
{
	return res->diag_line ? res->diag_line : dflt;
}

/*
 * The guest shut down (triple fault, or a VM-abort of its own L2).  That
 * is a PASS only where the stanza says expected_end = shutdown, the
 * guest announced it with a SHUTDOWN-EXPECTED line and printed no FAIL.
 */
static void shutdown_verdict(struct job *j, const char *how)
{
	struct result *res = &j->res;
	const char *why = res->shutdown_line;

	if (why && j->t->shutdown_ok && !res->nlines[SUB_FAIL])
		verdict(res, ST_PASS, xasprintf("shut down as announced after %lu "
			"passes: %s", res->nlines[SUB_PASS], why));
	else if (why && j->t->shutdown_ok)
		verdict(res, ST_FAIL, xasprintf("%lu FAIL line%s before the announced "
			"shutdown, first: %s", res->nlines[SUB_FAIL],
			res->nlines[SUB_FAIL] == 1 ? "" : "s", res->first_fail));
	else if (why)
		verdict(res, ST_FAIL, xasprintf("%s, announced (%s), but the stanza "
			"does not say expected_end = shutdown", how, why));
	else
		verdict(res, ST_FAIL, xasprintf("%s", how));
}

static void qemu_classify(struct runner *r, struct job *j)
{
	struct result *res = &j->res;
	int st = res->exit_status;

	if (st == 0) {
		shutdown_verdict(j, "guest shut down (triple fault?)");
	} else if (st == 1 && !protocol_seen(res) && res->diag_line) {
		/* QEMU's own errors also exit 1, which is guest code 0. */
		verdict(res, ST_ERROR, xstrdup(res->diag_line));
	} else if (st & 1) {
		guest_verdict(res, st >> 1);
	} else {
		verdict(res, ST_ERROR, xasprintf("%sexited with status %d%s%s",
			j->plan.vmm->diag, st, res->diag_line ? ": " : "",
			res->diag_line ? res->diag_line : ""));
	}
}

/* "kvmrun: SKIP: no /dev/kvm" → "no /dev/kvm" */
static char *skip_reason(const struct result *res)
{
	const char *s = res->diag_line;

	if (!s)
		return xstrdup("kvmrun skipped without a reason");
	if (!strncmp(s, "kvmrun: ", 8))
		s += 8;
	if (!strncmp(s, "SKIP: ", 6))
		s += 6;
	return xstrdup(s);
}

static void kvmrun_classify(struct runner *r, struct job *j)
{
	struct result *res = &j->res;
	int st = res->exit_status;

	switch (st) {
	case 2:
		verdict(res, ST_ERROR, xstrdup(diag(res, "kvmrun: setup error")));
		break;
	case 77:
		verdict(res, ST_SKIP, skip_reason(res));
		break;
	case 124:
		/* kvmrun's watchdog fired first, as intended. */
		res->timed_out = true;
		verdict(res, ST_TIMEOUT, xasprintf("%g s", j->plan.timeout));
		break;
	case 64: {
		char *how = xasprintf("guest shut down (triple fault?): %s",
				      diag(res, "no reason given"));

		shutdown_verdict(j, how);
		free(how);
		break;
	}
	case 66:
	case 68:
	case 70:
		verdict(res, ST_FAIL, xasprintf("%s", diag(res,
			st == 66 ? "kvmrun: unexpected exit" :
			st == 68 ? "kvmrun: KVM_RUN failed" :
			"kvmrun: filter errno mismatch")));
		break;
	default:
		if (st & 1)
			guest_verdict(res, st >> 1);
		else
			verdict(res, ST_ERROR, xasprintf("kvmrun exited with status %d%s%s",
				st, res->diag_line ? ": " : "",
				res->diag_line ? res->diag_line : ""));
	}
}

/*
 * The VMM's file is no longer the one the run started with: rebuilt
 * (make, another run_tests.sh) while tests ran.  A process exec'ing it
 * meanwhile can die of SIGSEGV or SIGBUS before main(), in a nested lane
 * too, where the file is shared over 9p.
 */
static bool vmm_replaced(const struct vmm *v)
{
	struct stat st;

	if (!v->cmd || v->exec)		/* a copy ran: a rebuild did not matter */
		return false;
	return stat(v->cmd, &st) || st.st_dev != v->cmd_st.st_dev ||
	       st.st_ino != v->cmd_st.st_ino || st.st_size != v->cmd_st.st_size ||
	       st.st_mtim.tv_sec != v->cmd_st.st_mtim.tv_sec ||
	       st.st_mtim.tv_nsec != v->cmd_st.st_mtim.tv_nsec;
}

void vmm_classify(struct runner *r, struct job *j)
{
	struct result *res = &j->res;

	res->guest_code = -1;
	if (res->timed_out) {
		verdict(res, ST_TIMEOUT, xasprintf("%g s", j->plan.timeout));
	} else if (res->term_signal) {
		/* kvmrun's crash report (kvmrun/crash.h) is its diag line. */
		verdict(res, ST_ERROR, xasprintf("killed by %s%s%s%s",
			signal_name(res->term_signal), res->diag_line ? ": " : "",
			res->diag_line ? res->diag_line : "",
			vmm_replaced(j->plan.vmm) ? "; the VMM binary changed during the "
			"run (rebuilt while tests ran?)" : ""));
	} else if (res->exit_status < 0) {
		verdict(res, ST_ERROR, xstrdup(res->reason ? res->reason :
					      "did not run"));
	} else {
		j->plan.vmm->classify(r, j);
	}
}
