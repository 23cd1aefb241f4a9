/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvmrun's last words.  A crash of kvmrun (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
 * SIGABRT) otherwise leaves nothing but "killed by SIGSEGV" in a test's
 * log: in a nested lane, with no core dump and no debugger, it cannot be
 * chased.  The handler writes one line to stderr, which the runner puts in
 * the log,
 *
 *   kvmrun: crash: SIGSEGV (code 1) at address 0x10 in thread vCPU 1, ip 0x...
 *   kvmrun: crash: SIGABRT sent by pid 1234 in thread main, ip 0x...
 *
 * followed by the backtrace (module(+offset)[address], resolvable with
 * addr2line -e build/kvmrun), and then lets the signal kill the process as
 * before: the exit status and any core dump stay what they were.  No line
 * at all means kvmrun died before main() (the loader, a failed exec).
 */
#ifndef HOST_KVMRUN_CRASH_H
#define HOST_KVMRUN_CRASH_H

/* Install the handlers (once, in main, before any other thread exists). */
void crash_init(void);
/*
 * Name the calling thread in the crash line ("main" until then) and give it
 * an alternate signal stack, so that a stack overflow is reported too.  The
 * name is copied (at most 15 bytes).
 */
void crash_thread(const char *name);

#endif
