/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared state of the runner (build/runner) (see the comment at the top of runner.c).
 * One struct job per selected test carries its plan (what to run), its
 * live process state and its result; renderers only read results.
 */
#ifndef HOST_RUNNER_H
#define HOST_RUNNER_H

#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "cfg.h"
#include "util/util.h"

#define RUNNER_LINE_MAX		4096	/* longer guest lines are cut for parsing */
#define RUNNER_MAX_SUBTESTS	100000	/* then only counted */
#define RUNNER_SUBTEST_BYTES	(16 << 20)
#define RUNNER_KILL_GRACE	2.0	/* seconds between SIGTERM and SIGKILL */

enum status { ST_PASS, ST_FAIL, ST_SKIP, ST_XFAIL, ST_XPASS, ST_TIMEOUT,
	      ST_ERROR, ST_COUNT };
enum sub_status { SUB_PASS, SUB_FAIL, SUB_SKIP, SUB_XFAIL, SUB_COUNT };

extern const char *const status_names[ST_COUNT];
extern const char *const sub_status_names[SUB_COUNT];

struct known;

struct subtest {
	enum sub_status st;
	char *name;		/* text after "PASS: " etc., made unique */
	const struct known *known;	/* known-failures entry matching it */
	unsigned int repeats;	/* later subtests that had the same name */
};

struct result {
	enum status status;
	char *reason;		/* why, for anything but a plain PASS */
	bool started;		/* a process was started */
	int exit_status;	/* process exit status, -1 if none */
	int term_signal;	/* signal that killed it, 0 if none */
	int guest_code;		/* guest exit code, -1 if not a guest exit */
	bool timed_out;
	double duration;	/* seconds */
	bool have_summary;
	unsigned int sum_tests, sum_failed, sum_xfail, sum_skipped;
	bool have_checks;	/* SUMMARY had "<C> checks" */
	unsigned int sum_checks;
	unsigned long nlines[SUB_COUNT];	/* protocol lines seen */
	struct subtest *subs;
	size_t nsubs, subs_cap, subs_bytes;
	unsigned int *sub_index;	/* hash of names: subs index + 1, 0 free */
	size_t sub_index_cap;		/* power of 2, > 2 * nsubs */
	unsigned long subs_dropped;
	char *first_fail;	/* first FAIL line, without "FAIL: " */
	char *first_skip;	/* first SKIP line, without "SKIP: " */
	char *abort_line;	/* first ABORT line, without "ABORT: " */
	char *shutdown_line;	/* last SHUTDOWN-EXPECTED line, without the tag */
	char *diag_line;	/* last line of the VMM's own diagnostics */
	char *last_line;	/* last non-empty output line */
	unsigned long long out_bytes;
	bool known;		/* listed in the known-failures file */
	char *known_reason;
};

struct runner;
struct vmm;

/* A guest output line being assembled (runner/parse.c). */
struct linebuf {
	char s[RUNNER_LINE_MAX + 1];
	size_t len;
	bool cut;		/* bytes past RUNNER_LINE_MAX were dropped */
};

struct plan {
	const struct vmm *vmm;	/* NULL when decided without a VMM */
	const char *accel;	/* "kvm" / "tcg" / NULL */
	char **argv;		/* argv[0] is the full command path */
	char *env_assign;	/* documentary env prefix of the reproducer */
	char *env_text;		/* contents of the env file */
	double timeout;		/* seconds the test may take */
	double kill_after;	/* runner's own deadline (>= timeout) */
	bool run;		/* false: 'pre' is the final status */
	enum status pre;
	char *pre_reason;
};

enum job_phase { JOB_WAITING, JOB_RUNNING, JOB_TERMINATING, JOB_KILLED,
		 JOB_DONE };

struct job {
	const struct cfg_test *t;
	int index;		/* 1-based position in the run */
	struct plan plan;
	struct result res;
	char *log_path;		/* NULL for list-only runs */
	char *env_path;
	char *cmdline;		/* shell-quoted reproducer */
	/* process state, owned by runner/exec.c */
	enum job_phase phase;
	pid_t pid;
	int out_fd, log_fd;
	bool eof, reaped;
	bool cancelled;		/* stopped by a signal to the runner */
	double start, deadline;
	struct linebuf line;	/* output line being assembled */
	bool out_ends_nl;
};

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

#define HOST_MAX_PARAMS 32	/* >= the entries of host.c's kvm_params[] */
/* runner/host.c: what results.json says about the host */
struct host_facts {
	char *kernel;		/* uname -r */
	char *hostname;		/* uname -n */
	char *kernel_source;	/* KERNEL_SOURCE: where a lane got the kernel, or NULL */
	char *emulator;		/* LANE_EMULATOR: the lane's emulator, or NULL */
	char *suite_version;	/* git describe, or VERSION of an installed copy */
	char *cpu_vendor, *cpu_model;	/* NULL if /proc/cpuinfo says nothing */
	const char *kvm_module;	/* kvm_intel, kvm_amd, kvm_pvm or "none" */
	int nparams;		/* "module.param" = value, those present */
	char *param_names[HOST_MAX_PARAMS], *param_values[HOST_MAX_PARAMS];
	bool qemu_probed;
	char *qemu_version;	/* first line of QEMU --version, or NULL */
};

struct runner {
	char *srcdir;		/* absolute, no trailing slash */
	bool installed;
	char *cfg_path, *cfg_display;
	struct cfg cfg;
	/* selection */
	char **patterns;	/* positional names / globs */
	int npatterns;
	char **groups;		/* -g, split on commas */
	int ngroups;
	char **excludes;	/* -x */
	int nexcludes;
	bool all, list, json, verbose, tap;
	int jobs;
	int shard_i, shard_n;	/* 1-based shard, 0/0 = off */
	enum color_mode color_mode, progress_mode;
	bool color;
	bool progress;		/* live progress line on stdout */
	bool progress_shown;	/* one is on screen now */
	double progress_at;	/* when it was last drawn */
	char *known_path;	/* NULL = none */
	char *junit_path;	/* --junit FILE: a copy of junit.xml, or NULL */
	bool quiet;		/* --quiet: no human line for PASS */
	char *audit_file;	/* --audit FILTER, or NULL */
	int audit_mask;		/* --exit-mask, -1 = unset */
	enum cfg_irqchip audit_irqchip;	/* --irqchip, UNSET = default */
	/* environment, probed once */
	const char *vmm_env;	/* "auto", "kvmrun" or "qemu" */
	bool kvm_ok;
	char kvm_reason[256];	/* why /dev/kvm is unusable */
	int qemu_kvm_ok;	/* QEMU runs a KVM vCPU: -1 not probed yet */
	char qemu_kvm_reason[512];	/* why it does not */
	const char *accel;	/* default accel for QEMU */
	bool accel_explicit;
	const char *cpu_env;	/* CPU=, or NULL */
	double timeout_override;	/* TIMEOUT=, 0 = none */
	double timeout_factor;
	char *extra_env;	/* TEST_ENV_FILE contents, validated */
	struct host_facts host;
	/* logs */
	char *logroot, *logdir;
	double started;
	char started_iso[32];
	/* the run */
	struct job *jobs_v;
	int njobs;
	volatile sig_atomic_t interrupted;	/* signal number, 0 if none */
};

/*
 * A job's log file name within the run directory.  Inline here, not in
 * logs.c, so that the renderers logs.c calls (json.c, tap.c) do not call
 * back into it.
 */
static inline const char *log_name(const struct job *j)
{
	const char *s = j->log_path ? strrchr(j->log_path, '/') : NULL;

	return s ? s + 1 : j->log_path;
}

/* runner/util.c */
double now_mono(void);
int run_capture(char *const argv[], bool with_stderr, unsigned int limit,
		char *buf, size_t size);

void sb_shell_quote(struct sbuf *sb, const char *s);
void sb_json_str(struct sbuf *sb, const char *s);	/* with the quotes */
void sb_json_key_str(struct sbuf *sb, const char *key, const char *val);
void sb_xml_str(struct sbuf *sb, const char *s);

char *shell_join(char *const *argv);
const char *signal_name(int sig);
int write_all(int fd, const char *buf, size_t len);
int write_file(const char *path, const char *text, char *err, size_t errlen);
/* Copy src to a new file dst with 'mode'; 0, or -1 with "path: reason" in err. */
int copy_file(const char *src, const char *dst, mode_t mode, char *err, size_t errlen);
const char *find_in_path(const char *name, char *buf, size_t size);

/* runner/validate.c: every stanza's image, filter and kvmrun options; exit 2 */
void cfg_validate(struct runner *r);

/* runner/host.c */
void host_probe(struct runner *r);
/* "module.parameter" is one of the KVM parameters host_probe() records. */
bool host_param_name_known(const char *name);
/* Its value on this host, or NULL when the parameter is absent. */
const char *host_param(const struct host_facts *h, const char *name);
const char *host_qemu_version(struct runner *r, const char *cmd);

/* runner/vmm.c */
void vmm_probe(struct runner *r);
const char *vmm_command(const struct vmm *vmm);	/* NULL if not found */
/* Copy kvmrun into the log directory when a planned test runs it. */
void vmm_snapshot(struct runner *r);
/* What to execve(): the run's copy, or the command itself. */
const char *vmm_exec_path(const struct vmm *vmm);
void vmm_plan(struct runner *r, struct job *j);
void vmm_classify(struct runner *r, struct job *j);
const char *vmm_name(const struct vmm *vmm);
const char *vmm_diag_prefix(const struct vmm *vmm);

/* runner/exec.c */
void exec_run_all(struct runner *r);
void exec_install_signals(struct runner *r);

/* runner/parse.c: guest output protocol */
typedef void line_fn(void *arg, const char *line, bool cut);
void lines_feed(struct linebuf *lb, const char *buf, size_t len,
		line_fn *fn, void *arg);
void lines_flush(struct linebuf *lb, line_fn *fn, void *arg);
void parse_line(struct result *res, const char *line, bool cut,
		const char *diag_prefix);
void result_free(struct result *res);

/* runner/out.c */
void out_start(struct runner *r);
void out_result(struct runner *r, struct job *j);
void out_progress(struct runner *r);
int out_finish(struct runner *r);
void out_list(struct runner *r);
char *out_detail(const struct job *j);	/* "(...)" text of the human line */
const char *color_on(struct runner *r, enum status st);
const char *color_off(struct runner *r);

/* runner/known.c */
int known_load(struct runner *r, char *err, size_t errlen);
void known_apply(struct runner *r, struct job *j);
const char *known_reason(const struct known *k);	/* "" if none given */

/* runner/logs.c */
void logs_create(struct runner *r);
void logs_write_results(struct runner *r, int exit_status);

/* runner/audit.c: --audit; exit 2 on bad input */
void audit_setup(struct runner *r, const char *file, int exit_mask, enum cfg_irqchip irqchip);
int audit_report(struct runner *r);	/* the run's exit status */

/* renderers of the finished run: runner/json.c, runner/tap.c, runner/junit.c */
char *results_json(struct runner *r, int exit_status);
/* The "host" object's members of results.json (no braces). */
void results_json_host(struct sbuf *sb, struct runner *r);
void tap_test(struct sbuf *sb, const struct job *j, const char *log);
char *results_junit(struct runner *r);

#endif
