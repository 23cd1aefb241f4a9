// SPDX-License-Identifier: GPL-2.0-only
/*
 * The verdict protocol that the runner parses from the serial console:
 *
 *	PASS: <prefix>: <prefix>: <message>
 *	FAIL: / SKIP: / XFAIL: / INFO: (same shape)
 *	ABORT: <prefixes>: <message>
 *	SUMMARY: <T> tests, <F> unexpected failures, <X> expected failures, <S> skipped, <C> checks
 *
 * Each line is built in a buffer and written with one console_write() call
 * under a spinlock, so lines from several vCPUs never interleave and a VMM
 * that charges per write pays once per line.  A message cannot break the
 * line structure: CR and LF in it become blanks, and an over-long line is
 * cut and ends in "...".
 *
 * The prefix stack is global (one per guest, not per CPU); it is meant to be
 * pushed and popped by the boot CPU.
 */
#include "libcflat.h"

#define PREFIX_DEPTH	16	/* nesting of report_prefix_push() */
#define PREFIX_BUF	256	/* all prefixes, each with its ": " */
#define LINE_BUF	512	/* one output line, newline included */
#define ABORT_SPINS	(1u << 24)	/* bounded waits of report_abort() */

static char prefixes[PREFIX_BUF];	/* "outer: inner: " */
static size_t prefixes_len;
static size_t prefix_start[PREFIX_DEPTH];	/* prefixes_len before a push */
static unsigned int prefix_depth;
static struct report_counts counts;
static bool report_lock_held;
static bool aborting;

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static void report_lock(void)
{
	while (__atomic_test_and_set(&report_lock_held, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&report_lock_held, __ATOMIC_RELAXED))
			relax();
	}
}

static void report_unlock(void)
{
	__atomic_clear(&report_lock_held, __ATOMIC_RELEASE);
}

/*
 * report_abort() may run from an exception handler that interrupted this
 * very CPU inside report(), with the lock held: rather than deadlock, give
 * up waiting after a while and print anyway.  Returns whether it locked.
 */
static bool lock_for_abort(void)
{
	unsigned int spins;

	for (spins = 0; spins < ABORT_SPINS; spins++) {
		if (!__atomic_test_and_set(&report_lock_held, __ATOMIC_ACQUIRE))
			return true;
		relax();
	}
	return false;
}

/* Build "<tag>: <prefixes><message>\n" and write it out.  Lock held. */
static void emit(const char *tag, const char *fmt, va_list ap)
{
	char line[LINE_BUF];
	size_t room = sizeof(line) - 1;	/* the last byte is for '\n' */
	size_t head, n, i;
	int msg;

	head = (size_t)snprintf(line, room, "%s: %s", tag, prefixes);
	msg = vsnprintf(line + head, room - head, fmt, ap);
	n = head + (size_t)msg;
	if (n >= room) {
		/* vsnprintf kept room - 1 characters; mark the cut */
		n = room - 1;
		memcpy(line + n - 3, "...", 3);
	}
	for (i = 0; i < n; i++) {
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	}
	line[n++] = '\n';
	console_write(line, n);
}

static void emit_summary(void)
{
	char line[128];
	int n;

	n = snprintf(line, sizeof(line),
		     "SUMMARY: %u tests, %u unexpected failures, "
		     "%u expected failures, %u skipped, %u checks\n",
		     counts.total, counts.failed, counts.xfailed,
		     counts.skipped, counts.checks);
	console_write(line, (size_t)n);
}

/*
 * Record one verdict and print it.  'counted' verdicts add to the total;
 * 'counter' is the one other count it bumps (failed, xfailed or skipped),
 * or NULL.  An INFO line is neither.
 */
static void vreport(const char *tag, bool counted, unsigned int *counter,
		    const char *fmt, va_list ap)
{
	report_lock();
	if (counted)
		counts.total++;
	if (counted && counter != &counts.skipped)
		counts.checks++;
	if (counter)
		(*counter)++;
	emit(tag, fmt, ap);
	report_unlock();
}

static void vreport_abort(const char *fmt, va_list ap) __noreturn;
static void vreport_abort(const char *fmt, va_list ap)
{
	bool locked;

	/*
	 * Already aborting: either another CPU is printing its reason and is
	 * about to exit (let it finish, so the reason is not lost), or this
	 * CPU faulted while aborting (must not recurse).  Wait, then stop.
	 */
	if (__atomic_exchange_n(&aborting, true, __ATOMIC_ACQ_REL)) {
		unsigned int spins;

		for (spins = 0; spins < ABORT_SPINS; spins++)
			relax();
		exit(EXIT_ABORT);
	}
	locked = lock_for_abort();
	emit("ABORT", fmt, ap);
	emit_summary();
	if (locked)
		report_unlock();
	exit(EXIT_ABORT);
}

void report_abort(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport_abort(fmt, ap);
}

/* Abort with the lock held by the caller (which it releases first). */
static void abort_unlock(const char *fmt, ...) __printf(1, 2) __noreturn;
static void abort_unlock(const char *fmt, ...)
{
	va_list ap;

	report_unlock();
	va_start(ap, fmt);
	vreport_abort(fmt, ap);
}

void report_prefix_push(const char *prefix)
{
	size_t n = strlen(prefix);

	report_lock();
	if (prefix_depth == PREFIX_DEPTH)
		abort_unlock("report_prefix_push: more than %d prefixes "
			     "(pushing '%.40s')", PREFIX_DEPTH, prefix);
	if (n + 2 >= sizeof(prefixes) - prefixes_len)
		abort_unlock("report_prefix_push: prefixes longer than %d "
			     "bytes (pushing '%.40s')", PREFIX_BUF - 1, prefix);
	prefix_start[prefix_depth++] = prefixes_len;
	memcpy(prefixes + prefixes_len, prefix, n);
	memcpy(prefixes + prefixes_len + n, ": ", 3);
	prefixes_len += n + 2;
	report_unlock();
}

void report_prefix_pushf(const char *fmt, ...)
{
	char prefix[PREFIX_BUF];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	if ((size_t)n >= sizeof(prefix))
		report_abort("report_prefix_pushf: prefix longer than %d "
			     "bytes ('%.40s...')", PREFIX_BUF - 1, prefix);
	report_prefix_push(prefix);
}

void report_prefix_pop(void)
{
	report_lock();
	if (!prefix_depth)
		abort_unlock("report_prefix_pop: prefix stack is empty");
	prefixes_len = prefix_start[--prefix_depth];
	prefixes[prefixes_len] = '\0';
	report_unlock();
}

bool report(bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(pass ? "PASS" : "FAIL", true, pass ? NULL : &counts.failed,
		fmt, ap);
	va_end(ap);
	return pass;
}

void report_pass(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("PASS", true, NULL, fmt, ap);
	va_end(ap);
}

void report_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("FAIL", true, &counts.failed, fmt, ap);
	va_end(ap);
}

void report_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("SKIP", true, &counts.skipped, fmt, ap);
	va_end(ap);
}

void report_add_checks(unsigned int n)
{
	report_lock();
	counts.checks += n;
	report_unlock();
}

void report_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("INFO", false, NULL, fmt, ap);
	va_end(ap);
}

/*
 * The next thing this guest does ends it in a shutdown, on purpose (a
 * VM-abort test).  The runner accepts the shutdown only after this line
 * and only in a stanza with expected_end = shutdown.
 */
void report_expect_shutdown(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("SHUTDOWN-EXPECTED", false, NULL, fmt, ap);
	va_end(ap);
}

/* An unexpected pass (XPASS) prints and counts as a plain PASS. */
bool report_xfail(bool xfail, bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (pass)
		vreport("PASS", true, NULL, fmt, ap);
	else if (xfail)
		vreport("XFAIL", true, &counts.xfailed, fmt, ap);
	else
		vreport("FAIL", true, &counts.failed, fmt, ap);
	va_end(ap);
	return pass;
}

/*
 * The exit code for the whole image: a failure wins; a run where nothing
 * ran or everything was skipped is not a pass.
 */
int report_summary(void)
{
	int code;

	report_lock();
	emit_summary();
	if (counts.failed)
		code = EXIT_FAIL;
	else if (counts.skipped == counts.total)	/* includes 0 == 0 */
		code = EXIT_SKIP;
	else
		code = EXIT_PASS;
	report_unlock();
	return code;
}

struct report_counts report_get_counts(void)
{
	struct report_counts c;

	report_lock();
	c = counts;
	report_unlock();
	return c;
}
