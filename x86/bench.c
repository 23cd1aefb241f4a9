// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exit-cost floor, measured inside the guest for `make bench`
 * (host/bench.c): TSC cycles per
 *   - in-kernel exit (CPUID, which KVM always intercepts),
 *   - user-space exit (IN from the kvmrun control port: KVM_EXIT_IO),
 *   - #GP-injected RDMSR of a filter-denied MSR (exit mask 0),
 *   - FILTER user exit (RDMSR of a denied MSR, exit mask FILTER),
 *   - RDMSR of an allowed, KVM-emulated MSR (the sweep's common case).
 * Each is the median of 7 batches of N iterations; printed as
 * "INFO: bench: <name> <cycles-per-op> cycles" lines, then one PASS per
 * measurement so the runner has a verdict.  Arguments: iterations=N, and
 * boot-only: stop right after boot (the "trivial image" of the start-to-exit
 * benchmark; it also runs under QEMU, which has no control port).
 */
#include "libcflat.h"
#include "desc.h"
#include "io.h"
#include "msr.h"
#include "msrtest.h"
#include "processor.h"

#define BATCHES 7

static unsigned long iterations = 2000;

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

int main(int argc, char **argv, char **envp)
{
	struct msrf_filter f;
	const char *s;
	u64 n;
	int i;

	for (i = 1; i < argc; i++)
		if (!strncmp(argv[i], "iterations=", 11) && !parse_u64(argv[i] + 11, &n) && n)
			iterations = n;
	report_prefix_push("bench");
	if (argc > 1 && arg_selected(argc, argv, "boot-only")) {
		report_pass("booted");
		return report_summary();
	}
	if (!msrtest_init())
		return report_summary();
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
	return report_summary();
}
