// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of kvmrun's crash report (host/kvmrun/crash.c).  Children
 * crash on purpose, in a named thread or in main: the report line names
 * the signal, the fault address and the thread, a backtrace follows, and
 * the child still dies of that very signal (the runner's "killed by" and
 * any core dump are unchanged).  Built without sanitizers: ASan would
 * take SIGSEGV for itself.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvmrun/crash.h"
#include "test-kvmrun.h"

/* Hidden from the compiler, which would otherwise refuse the store. */
static volatile uintptr_t bad_addr = 16;

static void *crash_null(void *arg)
{
	crash_thread(arg);
	*(volatile int *)bad_addr = 1;	/* SIGSEGV at address 0x10 */
	return NULL;
}

static void child(int how)
{
	pthread_t t;

	crash_init();
	switch (how) {
	case 0:		/* a vCPU-like thread */
		pthread_create(&t, NULL, crash_null, "vCPU 1");
		pthread_join(t, NULL);
		break;
	case 1:		/* main */
		*(volatile int *)bad_addr = 1;
		break;
	case 2:		/* a sent signal, not a fault */
		abort();
	}
	_exit(0);
}

/* Run child(how); its stderr into buf, its wait status returned. */
static int run_child(int how, char *buf, size_t size)
{
	int p[2], status = 0;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		close(p[1]);
		signal(SIGABRT, SIG_DFL);
		child(how);
	}
	close(p[1]);
	while (n + 1 < size && (r = read(p[0], buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	close(p[0]);
	waitpid(pid, &status, 0);
	return status;
}

int main(void)
{
	static char out[16384];
	int st;

	st = run_child(0, out, sizeof(out));
	check_true("thread fault: still killed by SIGSEGV", WIFSIGNALED(st) &&
		   WTERMSIG(st) == SIGSEGV);
	check_true("thread fault: report names signal, address and thread",
		   strstr(out, "kvmrun: crash: SIGSEGV (code 1) at address 0x10 in thread "
			  "vCPU 1, ip 0x") != NULL);
	check_true("thread fault: a backtrace follows (crash_null in it)",
		   strstr(out, "; backtrace:\n") && strchr(strstr(out, "; backtrace:\n") + 13,
							  '['));
	if (test_failures)
		printf("child's stderr:\n%s", out);

	st = run_child(1, out, sizeof(out));
	check_true("main fault: killed by SIGSEGV, thread 'main'", WIFSIGNALED(st) &&
		   WTERMSIG(st) == SIGSEGV && strstr(out, "in thread main, ip ") != NULL);

	st = run_child(2, out, sizeof(out));
	check_true("abort(): reported and still killed by SIGABRT", WIFSIGNALED(st) &&
		   WTERMSIG(st) == SIGABRT &&
		   strstr(out, "kvmrun: crash: SIGABRT sent by pid ") != NULL);
	if (test_failures)
		printf("last child's stderr:\n%s", out);
	return test_exit();
}
