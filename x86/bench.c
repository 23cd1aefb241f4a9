// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exit-cost floor, measured inside the guest for `make bench`
 * (host/bench/bench.c): TSC cycles per
 *   - in-kernel exit (CPUID, which KVM always intercepts),
 *   - user-space exit (IN from the kvmrun control port: KVM_EXIT_IO),
 *   - #GP-injected RDMSR of a filter-denied MSR (exit mask 0),
 *   - FILTER user exit (RDMSR of a denied MSR, exit mask FILTER),
 *   - RDMSR of an allowed, KVM-emulated MSR (the sweep's common case).
 * Each is the median of 7 batches of N iterations; printed as
 * "INFO: bench: <name> <cycles-per-op> cycles" lines, then one PASS per
 * measurement so the runner has a verdict.
 *
 * Then the console, per 64-byte line, on each path of lib/x86/io.c (line
 * request, THR without LSR polls, 16550 with LSR polls): cycles (median of
 * the batches) and exits (all batches, from KVMRUN_OP_GET_EXITS: those
 * that reached kvmrun, and every VM exit by KVM's count), printed as
 * "INFO: bench: console-<path> <cycles> cycles <exits> exits <all>
 * kvm-exits per line" ("?" when KVM does not count).  The lines printed
 * to measure are INFO lines of exactly 64 bytes.
 *
 * Arguments: iterations=N, console-lines=N (per batch, default 50),
 * console-only (skip the exit-cost floor), and boot-only: stop right after
 * boot (the "trivial image" of the start-to-exit benchmark; it also runs
 * under QEMU, which has no control port).
 */
#include "libcflat.h"
#include "ctrl.h"
#include "desc.h"
#include "io.h"
#include "msr.h"
#include "msrtest.h"
#include "processor.h"

#define BATCHES 7

#define CONSOLE_LINE_LEN 64

static unsigned long iterations = 2000;
static unsigned long console_lines = 50;

static void op_cpuid(void)
{
	cpuid(0);
}

static void op_user_io(void)
{
	inl(KVMRUN_CTRL_PORT);
}

static void op_rdmsr_denied(void)
{
	u64 v;

	rdmsr_safe(MSR_IA32_POWER_CTL, &v);
}

static void op_rdmsr_allowed(void)
{
	u64 v;

	rdmsr_safe(MSR_IA32_MISC_ENABLE, &v);
}

static u64 median(u64 *v, int n)
{
	int i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			u64 t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

static u64 measure(void (*op)(void))
{
	u64 per[BATCHES], t0;
	unsigned long i;
	int b;

	for (b = 0; b < BATCHES; b++) {
		t0 = rdtsc();
		for (i = 0; i < iterations; i++)
			op();
		per[b] = (rdtsc() - t0) / iterations;
	}
	return median(per, BATCHES);
}

static void bench(const char *name, void (*op)(void))
{
	u64 c = measure(op);

	report_info("bench: %s %lu cycles", name, (unsigned long)c);
	report(c > 0, "bench: %s measured", name);
}

/* "1.234": n / d with three decimals, without floating point. */
static const char *ratio3(char *buf, size_t len, u64 n, u64 d)
{
	u64 m = (n * 1000 + d / 2) / d;

	snprintf(buf, len, "%lu.%03lu", (unsigned long)(m / 1000), (unsigned long)(m % 1000));
	return buf;
}

static void bench_console(enum console_path p)
{
	const char *name = console_path_name(p);
	struct kvmrun_exits a, b;
	u64 per[BATCHES], t0, user = 0, all = 0, n = console_lines * BATCHES;
	bool all_known = true;
	char line[CONSOLE_LINE_LEN], r1[32], r2[32];
	unsigned long i;
	size_t len;
	int k;

	if (console_set_path(p) != p) {
		report_skip("bench: console-%s: path not offered", name);
		return;
	}
	len = (size_t)snprintf(line, sizeof(line), "INFO: bench: console fill line, %s path ", name);
	memset(line + len, '.', sizeof(line) - 1 - len);
	line[sizeof(line) - 1] = '\n';
	for (k = 0; k < BATCHES; k++) {
		kvmrun_get_exits(&a);
		t0 = rdtsc();
		for (i = 0; i < console_lines; i++)
			console_write(line, sizeof(line));
		per[k] = (rdtsc() - t0) / console_lines;
		kvmrun_get_exits(&b);
		/* b's own exit is not the console's */
		user += b.user_total - a.user_total - 1;
		if (a.kernel == KVMRUN_EXITS_UNKNOWN || b.kernel == KVMRUN_EXITS_UNKNOWN)
			all_known = false;
		else
			all += b.kernel - a.kernel - 1;
	}
	console_set_path(CONSOLE_AUTO);
	report_info("bench: console-%s %lu cycles %s exits %s kvm-exits per line", name,
		    (unsigned long)median(per, BATCHES), ratio3(r1, sizeof(r1), user, n),
		    all_known ? ratio3(r2, sizeof(r2), all, n) : "?");
	report(per[BATCHES / 2] > 0, "bench: console-%s measured", name);
}

static void bench_consoles(void)
{
	bench_console(CONSOLE_LINE);
	bench_console(CONSOLE_THR);
	bench_console(CONSOLE_UART);
}

/* arg_selected() is true without arguments: this one only when 'name' is given. */
static bool has_arg(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

int main(int argc, char **argv, char **envp)
{
	struct msrf_filter f;
	const char *s;
	u64 n;
	int i;

	for (i = 1; i < argc; i++)
		if (!strncmp(argv[i], "iterations=", 11) && !parse_u64(argv[i] + 11, &n) && n)
			iterations = n;
		else if (!strncmp(argv[i], "console-lines=", 14) && !parse_u64(argv[i] + 14, &n) &&
			 n)
			console_lines = n;
	report_prefix_push("bench");
	if (argc > 1 && arg_selected(argc, argv, "boot-only")) {
		report_pass("booted");
		return report_summary();
	}
	if (!msrtest_init())
		return report_summary();
	if (has_arg(argc, argv, "console-only")) {
		bench_consoles();
		return report_summary();
	}
	s = getenv("KVMRUN_TSC_KHZ");
	if (s)
		report_info("bench: tsc_khz %s", s);
	bench("cpuid-exit", op_cpuid);
	bench("user-io-exit", op_user_io);
	bench("rdmsr-allowed", op_rdmsr_allowed);

	msrf_filter_init(&f, 0);
	msrf_add_range(&f, MSR_IA32_POWER_CTL, 1, MSRF_READ | MSRF_WRITE, false);
	if (msrtest_install(&f) || msrtest_set_mask(0)) {
		report_fail("cannot install the benchmark filter");
		return report_summary();
	}
	bench("rdmsr-denied-gp", op_rdmsr_denied);
	if (msrtest_set_mask(MSRF_EXIT_FILTER)) {
		report_fail("cannot enable the FILTER exit");
		return report_summary();
	}
	bench("rdmsr-filter-exit", op_rdmsr_denied);
	msrtest_filter_off();
	bench_consoles();
	return report_summary();
}
