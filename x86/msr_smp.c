// SPDX-License-Identifier: GPL-2.0-only
/*
 * A filter is per VM: two vCPUs, one changes the filter while the other
 * keeps doing RDMSRs.  After the change and one handshake through memory,
 * the other vCPU must see only the new filter (api.rst: until then, each
 * access sees either the old or the new one, so a round of accesses may
 * mix them).  FS_BASE is in the set on
 * purpose: VMX and SVM normally pass it through, so the new filter only
 * reaches it through the intercept recalculation KVM requests on every
 * vCPU.  Then the roles swap: the AP installs a filter and the BSP sees it.
 *
 * The exit mask is 0: a denied read is #GP, an allowed one is not, and the
 * host must see no MSR exit at all from either vCPU; every
 * expectation is msrf_outcome() for that filter.
 */
#include "libcflat.h"
#include "desc.h"
#include "msr.h"
#include "msrtest.h"
#include "processor.h"
#include "smp.h"

/* Both are emulated by KVM and readable on every vCPU model it offers. */
static const u32 probes[] = { MSR_IA32_POWER_CTL, MSR_IA32_MISC_ENABLE, MSR_FS_BASE };
#define NPROBES ARRAY_SIZE(probes)

#define PHASE_START	0
#define PHASE_STOP	0xffffffffu

static struct msrf_filter filt[2];

static volatile u32 phase;		/* written by the BSP */
static volatile u32 ack;		/* phase the AP last finished a round in */
static volatile u32 rounds[4];		/* AP rounds completed per phase */
static volatile u32 mismatches[4];	/* AP rounds matching no allowed filter */
static volatile u32 bad_vec[4][NPROBES];
static volatile bool ap_install_done;

/* Filter 0 denies reads of POWER_CTL and FS_BASE; filter 1 of MISC_ENABLE. */
static void build_filters(void)
{
	int s;

	msrf_filter_init(&filt[0], 0);
	s = msrf_add_range(&filt[0], MSR_IA32_POWER_CTL, 1, MSRF_READ, false);
	s = msrf_add_range(&filt[0], MSR_FS_BASE, 1, MSRF_READ, false);
	msrf_filter_init(&filt[1], 0);
	s = msrf_add_range(&filt[1], MSR_IA32_MISC_ENABLE, 1, MSRF_READ, false);
	(void)s;
}

/* Vector the model expects for a read of probes[i] under filter f. */
static int expected_vector(const struct msrf_filter *f, unsigned int i)
{
	struct msrf_ctx ctx;

	msrtest_ctx(&ctx);
	ctx.filter = f;
	ctx.exit_mask = 0;
	return msrf_outcome(&ctx, probes[i], MSRF_ACCESS_READ, MSRF_KVM_OK) == MSRF_GP ?
	       GP_VECTOR : 0;
}

static bool round_matches(const struct msrf_filter *f, const int *vec)
{
	unsigned int i;

	for (i = 0; i < NPROBES; i++)
		if (vec[i] != expected_vector(f, i))
			return false;
	return true;
}

/*
 * While the filter changes, each access sees the old or the new filter
 * (api.rst); a round may straddle the change, so judge access by access.
 */
static bool round_matches_either(const struct msrf_filter *a,
				 const struct msrf_filter *b, const int *vec)
{
	unsigned int i;

	for (i = 0; i < NPROBES; i++)
		if (vec[i] != expected_vector(a, i) && vec[i] != expected_vector(b, i))
			return false;
	return true;
}

/*
 * Phase 1: filter 0 in force, only it may show.  Phase 2: the BSP is
 * replacing it with filter 1: each access may see either.  Phase 3: the
 * ioctl returned and the AP saw the handshake: only filter 1 may show.
 */
static void ap_loop(void *arg)
{
	int vec[NPROBES];
	unsigned int i;
	u64 v;
	u32 p;

	while ((p = phase) != PHASE_STOP) {
		for (i = 0; i < NPROBES; i++)
			vec[i] = rdmsr_safe(probes[i], &v);
		if (p != phase || p == PHASE_START)
			continue;	/* phase changed mid-round: not attributable */
		if (p == 2 ? !round_matches_either(&filt[0], &filt[1], vec)
			   : !round_matches(&filt[p == 1 ? 0 : 1], vec)) {
			mismatches[p]++;
			for (i = 0; i < NPROBES; i++)
				bad_vec[p][i] = vec[i];
		}
		rounds[p]++;
		ack = p;
	}
}

static void wait_rounds(u32 p, u32 n)
{
	u64 spins = 0;

	while (rounds[p] < n) {
		if (++spins > 2000000000ull)
			report_abort("AP made %u of %u rounds in phase %u", rounds[p], n, p);
		cpu_relax();
	}
}

static void report_phase(u32 p, const char *what)
{
	report(rounds[p] && !mismatches[p], "AP: %u rounds %s (%u mismatched)",
	       rounds[p], what, mismatches[p]);
	if (mismatches[p])
		report_info("last bad round: POWER_CTL vector %u, MISC_ENABLE %u, FS_BASE %u",
			    bad_vec[p][0], bad_vec[p][1], bad_vec[p][2]);
}

static void bsp_sees(const struct msrf_filter *f, const char *who)
{
	int vec[NPROBES];
	unsigned int i;
	u64 v;

	for (i = 0; i < NPROBES; i++)
		vec[i] = rdmsr_safe(probes[i], &v);
	report(round_matches(f, vec), "BSP sees the filter %s installed", who);
}

/* The AP installs filter 0, to show the filter is not per vCPU. */
static void ap_install(void *arg)
{
	msrtest_install(&filt[0]);
	ap_install_done = true;
	for (;;)
		asm volatile("cli; hlt");
}

int main(int argc, char **argv, char **envp)
{
	report_prefix_push("msr_smp");
	if (!msrtest_init())
		return report_summary();
	if (msrtest_host.info.smp < 3) {
		report_skip("needs 3 vCPUs (kvmrun --smp 3), have %u", msrtest_host.info.smp);
		return report_summary();
	}
	build_filters();
	/* Mask 0: no access of this test may reach the host. */
	msrtest_counts_begin();
	if (msrtest_set_mask(0) || msrtest_install(&filt[0])) {
		report_fail("cannot install the first filter");
		return report_summary();
	}
	if (smp_start_ap(1, ap_loop, NULL)) {
		report_fail("cannot start vCPU 1");
		return report_summary();
	}
	phase = 1;
	wait_rounds(1, 1000);
	phase = 2;
	wait_rounds(2, 10);
	report(msrtest_install(&filt[1]) == 0, "BSP replaces the filter while the AP runs");
	bsp_sees(&filt[1], "it");
	/* Handshake: rounds from here on must see only the new filter. */
	phase = 3;
	wait_rounds(3, 1000);
	phase = PHASE_STOP;
	report_phase(1, "before the change saw only the old filter");
	report_phase(2, "during the change saw the old or the new filter, access by access");
	report_phase(3, "after the handshake saw only the new filter");

	report(msrtest_filter_off() == 0, "filter off");
	if (smp_start_ap(2, ap_install, NULL)) {
		report_fail("cannot start vCPU 2");
		return report_summary();
	}
	while (!ap_install_done)
		cpu_relax();
	/* The AP's install went through the model's copy too. */
	bsp_sees(&filt[0], "another vCPU");
	msrtest_filter_off();
	msrtest_counts_check("exit counters, both vCPUs");
	return report_summary();
}
