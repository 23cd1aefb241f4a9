// SPDX-License-Identifier: GPL-2.0-only
/*
 * Running tests: one event loop drives up to -j N VMM processes at once.
 * Each runs in its own process group with stdout+stderr on a pipe that is
 * streamed to the test's log and parsed line by line (bounded memory).
 * Waiting is poll() with the nearest deadline; SIGCHLD and SIGINT/SIGTERM
 * come in through a self-pipe, so there is no sleeping or busy polling.
 * Results are handed to the renderer in cfg order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner.h"

extern char **environ;

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t sig_count;
static struct runner *sig_runner;

static void on_signal(int sig)
{
	int saved = errno;
	char c = sig == SIGCHLD ? 'C' : 'I';

	if (sig != SIGCHLD) {
		if (!sig_runner->interrupted)
			sig_runner->interrupted = sig;
		sig_count++;
	}
	if (write(sig_pipe[1], &c, 1) < 0) {
		/* Pipe full: a wakeup is already pending. */
	}
	errno = saved;
}

void exec_install_signals(struct runner *r)
{
	static const int sigs[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	sig_runner = r;
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK))
		die(2, "pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	/* A closed stdout (e.g. "| head") must not kill us mid-run. */
	signal(SIGPIPE, SIG_IGN);
}

/* environ with TEST/VMM/ACCEL replaced, so the reproducer is exact. */
static char **child_env(struct job *j)
{
	static const char *const keys[] = { "TEST=", "VMM=", "ACCEL=" };
	char **env = NULL;
	int n = 0, i;
	size_t k;
	char *s;

	for (i = 0; environ[i]; i++) {
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (!strncmp(environ[i], keys[k], strlen(keys[k])))
				break;
		if (k == sizeof(keys) / sizeof(keys[0]))
			strv_push(&env, &n, environ[i]);
	}
	s = xasprintf("TEST=%s", j->t->name);
	strv_push(&env, &n, s);
	free(s);
	s = xasprintf("VMM=%s", vmm_name(j->plan.vmm));
	strv_push(&env, &n, s);
	free(s);
	s = xasprintf("ACCEL=%s", j->plan.accel);
	strv_push(&env, &n, s);
	free(s);
	return env;
}

static void child(struct job *j, int out, int errfd, char **env)
{
	sigset_t none;
	int fd, e;

	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	dup2(out, 1);
	dup2(out, 2);
	if (out > 2)
		close(out);
	execve(vmm_exec_path(j->plan.vmm), j->plan.argv, env);
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0) {
		/* Nothing more we can do. */
	}
	_exit(127);
}

static void log_text(struct job *j, const char *s)
{
	if (j->log_fd >= 0 && write_all(j->log_fd, s, strlen(s)))
		die(2, "%s: %s", j->log_path, strerror(errno));
}

static void start_failed(struct job *j, char *reason)
{
	j->res.exit_status = -1;
	free(j->res.reason);
	j->res.reason = reason;
	j->reaped = j->eof = true;
	j->phase = JOB_KILLED;
}

static void job_start(struct runner *r, struct job *j)
{
	int out[2], errp[2], e = 0;
	char err[512], **env;
	ssize_t n;
	pid_t pid;

	j->start = now_mono();
	j->res.exit_status = -1;
	j->log_fd = open(j->log_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (j->log_fd < 0)
		die(2, "%s: %s", j->log_path, strerror(errno));
	log_text(j, j->cmdline);
	log_text(j, "\n");
	if (write_file(j->env_path, j->plan.env_text, err, sizeof(err))) {
		start_failed(j, xstrdup(err));
		return;
	}
	if (pipe2(out, O_CLOEXEC) || pipe2(errp, O_CLOEXEC))
		die(2, "pipe: %s", strerror(errno));
	env = child_env(j);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die(2, "fork: %s", strerror(errno));
	if (pid == 0)
		child(j, out[1], errp[1], env);
	setpgid(pid, pid);	/* also here: no race with kill(-pid) */
	strv_free(env);
	close(out[1]);
	close(errp[1]);
	do
		n = read(errp[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(errp[0]);
	j->pid = pid;
	j->out_fd = out[0];
	fcntl(j->out_fd, F_SETFL, O_NONBLOCK);
	j->res.started = true;
	j->phase = JOB_RUNNING;
	j->deadline = j->start + j->plan.kill_after;
	j->out_ends_nl = true;
	if (n == sizeof(e)) {
		/* exec failed: the child is gone; reap it here. */
		waitpid(pid, NULL, 0);
		close(j->out_fd);
		j->out_fd = -1;
		start_failed(j, xasprintf("cannot run %s: %s", j->plan.argv[0],
					  strerror(e)));
	}
}

/* ---- output ------------------------------------------------------------ */

struct line_ctx {
	struct runner *r;
	struct job *j;
};

static void end_line(void *arg, const char *line, bool cut)
{
	struct line_ctx *c = arg;
	struct runner *r = c->r;
	struct job *j = c->j;

	parse_line(&j->res, line, cut, vmm_diag_prefix(j->plan.vmm));
	if (r->verbose && (r->jobs > 1 || r->tap)) {
		/* TAP readers take "# ..." as a comment. */
		printf("%s[%s] %s%s\n", r->tap ? "# " : "", j->t->name, line,
		       cut ? "..." : "");
		fflush(stdout);
	}
}

static void read_output(struct runner *r, struct job *j)
{
	struct line_ctx ctx = { r, j };
	char buf[65536];
	ssize_t n;
	int chunks;

	/* Bounded, so a flooding guest cannot starve deadlines and others. */
	for (chunks = 0; chunks < 16; chunks++) {
		n = read(j->out_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		j->res.out_bytes += n;
		j->out_ends_nl = buf[n - 1] == '\n';
		if (write_all(j->log_fd, buf, n))
			die(2, "%s: %s", j->log_path, strerror(errno));
		if (r->verbose && r->jobs == 1 && !r->tap) {
			fwrite(buf, 1, n, stdout);
			fflush(stdout);
		}
		lines_feed(&j->line, buf, n, end_line, &ctx);
	}
	if (chunks == 16)
		return;
	/* EOF (or a read error, which ends the stream just the same). */
	lines_flush(&j->line, end_line, &ctx);
	close(j->out_fd);
	j->out_fd = -1;
	j->eof = true;
}

/* ---- processes --------------------------------------------------------- */

static void try_reap(struct job *j)
{
	siginfo_t si;
	int status;

	if (j->reaped || j->phase < JOB_RUNNING)
		return;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, j->pid, &si, WEXITED | WNOHANG | WNOWAIT) || si.si_pid != j->pid)
		return;
	/*
	 * The leader is a zombie, so its process group id cannot be reused
	 * yet: kill whatever it left behind, then reap it.
	 */
	kill(-j->pid, SIGKILL);
	if (waitpid(j->pid, &status, 0) != j->pid)
		return;
	j->reaped = true;
	if (WIFEXITED(status))
		j->res.exit_status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		j->res.term_signal = WTERMSIG(status);
	/* Output still buffered in the pipe is read; don't wait for strangers. */
	if (!j->eof && j->deadline > now_mono() + RUNNER_KILL_GRACE)
		j->deadline = now_mono() + RUNNER_KILL_GRACE;
}

static void terminate(struct job *j, double now)
{
	kill(-j->pid, SIGTERM);
	j->phase = JOB_TERMINATING;
	j->deadline = now + RUNNER_KILL_GRACE;
}

static void check_deadline(struct job *j, double now)
{
	if (now < j->deadline)
		return;
	if (j->reaped) {
		/* Something outside the group holds the pipe open. */
		if (!j->eof) {
			close(j->out_fd);
			j->out_fd = -1;
			j->eof = true;
		}
		return;
	}
	switch (j->phase) {
	case JOB_RUNNING:
		j->res.timed_out = true;
		terminate(j, now);
		break;
	case JOB_TERMINATING:
		kill(-j->pid, SIGKILL);
		j->phase = JOB_KILLED;
		j->deadline = now + RUNNER_KILL_GRACE;
		break;
	default:
		/* SIGKILL'ed and still not gone (stuck in the kernel): keep waiting. */
		j->deadline = now + RUNNER_KILL_GRACE;
	}
}

static void finish(struct runner *r, struct job *j)
{
	char *detail;

	j->res.duration = now_mono() - j->start;
	if (j->plan.run)
		vmm_classify(r, j);
	if (j->cancelled) {
		free(j->res.reason);
		j->res.status = ST_ERROR;
		j->res.reason = xasprintf("interrupted by %s",
					  signal_name(r->interrupted));
	}
	known_apply(r, j);
	if (j->log_fd >= 0) {
		detail = out_detail(j);
		if (!j->out_ends_nl)
			log_text(j, "\n");
		if (j->res.started) {
			char *s;

			if (j->res.term_signal)
				s = xasprintf("run_tests: killed by %s after %.2f s: %s%s\n",
					      signal_name(j->res.term_signal),
					      j->res.duration, status_names[j->res.status],
					      detail);
			else
				s = xasprintf("run_tests: exit status %d after %.2f s: %s%s\n",
					      j->res.exit_status, j->res.duration,
					      status_names[j->res.status], detail);
			log_text(j, s);
			free(s);
		}
		free(detail);
		close(j->log_fd);
		j->log_fd = -1;
	}
	j->phase = JOB_DONE;
}

/* Tests decided without running (SKIP/ERROR) still get a log line. */
static void finish_unrun(struct runner *r, struct job *j)
{
	char *s, *detail;

	j->res.status = j->plan.pre;
	j->res.reason = j->plan.pre_reason ? xstrdup(j->plan.pre_reason) : NULL;
	j->res.exit_status = -1;
	j->res.guest_code = -1;
	known_apply(r, j);
	detail = out_detail(j);
	s = xasprintf("# not run: %s%s\n", status_names[j->res.status], detail);
	j->log_fd = open(j->log_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (j->log_fd < 0)
		die(2, "%s: %s", j->log_path, strerror(errno));
	log_text(j, s);
	close(j->log_fd);
	j->log_fd = -1;
	free(s);
	free(detail);
	j->phase = JOB_DONE;
}

static void cancel_all(struct runner *r, double now, bool hard)
{
	int i;

	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs_v[i];

		if (j->phase < JOB_RUNNING || j->phase == JOB_DONE || j->reaped)
			continue;
		j->cancelled = true;
		if (hard) {
			kill(-j->pid, SIGKILL);
			j->phase = JOB_KILLED;
			j->deadline = now + RUNNER_KILL_GRACE;
		} else if (j->phase == JOB_RUNNING) {
			terminate(j, now);
		}
	}
}

static int poll_timeout_ms(struct runner *r, double now)
{
	double next = -1;
	int i;

	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs_v[i];

		if (j->phase < JOB_RUNNING || j->phase == JOB_DONE)
			continue;
		if (next < 0 || j->deadline < next)
			next = j->deadline;
	}
	if (next < 0)
		return -1;
	if (next <= now)
		return 0;
	return (int)fmin(ceil((next - now) * 1000), 3600 * 1000);
}

/* Wake up at least once a second to keep the progress line's clocks live. */
static int progress_cap(struct runner *r, int ms)
{
	return r->progress && (ms < 0 || ms > 1000) ? 1000 : ms;
}

static void drain_sig_pipe(void)
{
	char buf[64];

	while (read(sig_pipe[0], buf, sizeof(buf)) > 0)
		;
}

void exec_run_all(struct runner *r)
{
	struct pollfd *fds = xmalloc((r->njobs + 1) * sizeof(*fds));
	struct job **owner = xmalloc((r->njobs + 1) * sizeof(*owner));
	int next_start = 0, next_report = 0, running = 0, handled_sigs = 0;
	int i, nfds;

	while (next_report < r->njobs) {
		double now = now_mono();

		if (sig_count != handled_sigs) {
			cancel_all(r, now, handled_sigs > 0 || sig_count > 1);
			handled_sigs = sig_count;
		}
		while (!r->interrupted && next_start < r->njobs && running < r->jobs) {
			struct job *j = &r->jobs_v[next_start++];

			if (!j->plan.run) {
				finish_unrun(r, j);
				continue;
			}
			job_start(r, j);
			running++;
		}
		nfds = 0;
		fds[nfds].fd = sig_pipe[0];
		fds[nfds].events = POLLIN;
		owner[nfds++] = NULL;
		for (i = 0; i < r->njobs; i++) {
			struct job *j = &r->jobs_v[i];

			if (j->phase < JOB_RUNNING || j->phase == JOB_DONE)
				continue;
			try_reap(j);
			check_deadline(j, now);
			if (j->reaped && j->eof) {
				finish(r, j);
				running--;
				continue;
			}
			if (!j->eof) {
				fds[nfds].fd = j->out_fd;
				fds[nfds].events = POLLIN;
				owner[nfds++] = j;
			}
		}
		while (next_report < r->njobs && r->jobs_v[next_report].phase == JOB_DONE)
			out_result(r, &r->jobs_v[next_report++]);
		if (r->interrupted && !running)
			break;
		if (next_report >= r->njobs)
			break;
		if (running == 0 && next_start < r->njobs)
			continue;
		out_progress(r);
		if (poll(fds, nfds, progress_cap(r, poll_timeout_ms(r, now_mono()))) < 0 &&
		    errno != EINTR)
			die(2, "poll: %s", strerror(errno));
		if (fds[0].revents)
			drain_sig_pipe();
		for (i = 1; i < nfds; i++)
			if (fds[i].revents)
				read_output(r, owner[i]);
	}
	free(fds);
	free(owner);
}
