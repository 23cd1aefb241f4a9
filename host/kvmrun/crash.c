// SPDX-License-Identifier: GPL-2.0-only
/*
 * Crash report: see crash.h.  The handler uses only write(2) and
 * backtrace_symbols_fd(), which do not allocate; backtrace() is called once
 * at install time so that libgcc is already loaded when it is needed.
 */
#define _GNU_SOURCE	/* REG_RIP, sigabbrev_np */
#include <execinfo.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "crash.h"

#define CRASH_FRAMES	48

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
static __thread char thread_name[16] = "main";

/* Async-signal-safe appends: no stdio in a handler. */
static void put_str(char *buf, size_t *n, size_t size, const char *s)
{
	while (*s && *n + 1 < size)
		buf[(*n)++] = *s++;
	buf[*n] = 0;
}

static void put_num(char *buf, size_t *n, size_t size, uint64_t v, unsigned int base)
{
	char tmp[24];
	int i = 0;

	if (base == 16)
		put_str(buf, n, size, "0x");
	do {
		tmp[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i && *n + 1 < size)
		buf[(*n)++] = tmp[--i];
	buf[*n] = 0;
}

static void on_crash(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	void *frames[CRASH_FRAMES];
	char line[256];
	size_t n = 0;
	int nframes;

	put_str(line, &n, sizeof(line), "kvmrun: crash: SIG");
	put_str(line, &n, sizeof(line), sigabbrev_np(sig));	/* a table lookup */
	if (si->si_code > 0) {		/* a fault: the kernel's code and address */
		put_str(line, &n, sizeof(line), " (code ");
		put_num(line, &n, sizeof(line), (uint64_t)si->si_code, 10);
		put_str(line, &n, sizeof(line), ") at address ");
		put_num(line, &n, sizeof(line), (uintptr_t)si->si_addr, 16);
	} else {			/* abort(), kill: no address */
		put_str(line, &n, sizeof(line), " sent by pid ");
		put_num(line, &n, sizeof(line), (uint64_t)si->si_pid, 10);
	}
	put_str(line, &n, sizeof(line), " in thread ");
	put_str(line, &n, sizeof(line), thread_name);
#ifdef __x86_64__
	put_str(line, &n, sizeof(line), ", ip ");
	put_num(line, &n, sizeof(line), (uint64_t)uc->uc_mcontext.gregs[REG_RIP], 16);
#else
	(void)uc;
#endif
	put_str(line, &n, sizeof(line), "; backtrace:\n");
	if (write(STDERR_FILENO, line, n) < 0) {
		/* Nowhere left to say it. */
	}
	nframes = backtrace(frames, CRASH_FRAMES);
	backtrace_symbols_fd(frames, nframes, STDERR_FILENO);
	/*
	 * SA_RESETHAND put the default action back.  A fault returns to the
	 * faulting instruction and takes it there (the core shows the real
	 * place); a sent signal (abort(), kill) is sent again.
	 */
	if (si->si_code <= 0)
		raise(sig);
}

void crash_thread(const char *name)
{
	stack_t ss = { .ss_size = SIGSTKSZ > 65536 ? SIGSTKSZ : 65536 };

	strncpy(thread_name, name, sizeof(thread_name) - 1);
	thread_name[sizeof(thread_name) - 1] = 0;
#ifdef __SANITIZE_ADDRESS__
	/* ASan has its own per-thread stack and unmaps it at thread exit. */
	return;
#endif
	/* Never freed: a thread's stack lives as long as the process here. */
	ss.ss_sp = malloc(ss.ss_size);
	if (ss.ss_sp && sigaltstack(&ss, NULL))
		free(ss.ss_sp);
}

void crash_init(void)
{
	struct sigaction sa;
	void *frame;
	size_t i;

#ifdef __SANITIZE_ADDRESS__
	/* ASan's own report of a fault says more (build/san/kvmrun). */
	return;
#endif
	backtrace(&frame, 1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_crash;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		sigaction(crash_signals[i], &sa, NULL);
	crash_thread("main");
}
