// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intercept recalculation (doc/abi.md §4, §6): VMX and SVM pass some MSRs
 * straight to the guest through the MSR bitmap / permission map.  A
 * filter that denies one of them must make KVM intercept it again, and a
 * filter that allows it again must make KVM drop that intercept, or every
 * access keeps costing a VM exit (the bug the 6.17 selftest added a case
 * for: FS_BASE/GS_BASE reads kept exiting after being allowed again).
 *
 * For each MSR on the vendor's list (vendor from CPUID leaf 0), in each
 * direction KVM may pass through:
 *   baseline: no filter, N accesses, KVM's own exit count ("exits" from
 *     KVM_GET_STATS_FD, through kvmrun) -> "passed through" or
 *     "intercepted";
 *   then, under exit mask 0 and under FILTER: a filter denying reads (and
 *     allowing writes by an explicit bit), one denying writes (reads
 *     allowed again by a bit), then filtering off.  A denied direction
 *     must give, N times, exactly what the model says (#GP, or one FILTER
 *     exit each that kvmrun counts); an allowed direction must be back in
 *     its baseline class, counted: a passed-through MSR whose intercept
 *     was not dropped again shows N exits instead of almost none.
 * The model decides which direction each filter denies and what a denied
 * access gives; the count checks compare with the baseline, and the
 * baseline of a listed MSR should be "passed through".  Where KVM passes
 * an MSR through only on a condition (guest CPUID, a first non-zero
 * write, a module parameter), an intercepted baseline is an INFO line
 * naming the condition, not a FAIL, and the later checks just compare
 * with it.
 *
 * Counting.  Between two GET_EXITS requests the guest makes N accesses;
 * the second request's own exit is taken off.  Anything else that exits
 * (host timer ticks, IPIs, preemption: 8-11 per request seen on kvm_pvm)
 * only adds exits, and an intercepted access always costs at least one,
 * so the minimum over up to TRIES runs is taken: "intercepted" when it
 * is at least N, "passed through" at most N/4 (N = 64: 16 stray exits in
 * the best of three runs of 64 back-to-back accesses would mean a host
 * far busier than any lane), anything in between is a FAIL with the
 * numbers (part of the accesses exiting is no state KVM should leave).
 *
 * kvm_pvm has no MSR bitmaps: KVM sees every guest RDMSR/WRMSR (a denied
 * one faults or exits as the model says), yet its "exits" grew by only
 * 3-5 per 64 allowed accesses of these MSRs (handled on a path that does
 * not count them), so the count cannot tell a pass-through there: the
 * count checks are SKIPped (KVM_VENDOR_MODULE from kvmrun) and the deny
 * checks still run.
 *
 * The lists (arch/x86/kvm, 6.1 to 7.3):
 * VMX, vmx_possible_passthrough_msrs (vmx_recalc_msr_intercepts from 6.18):
 *   TSC (read), FS_BASE, GS_BASE, KERNEL_GS_BASE, SYSENTER_CS/ESP/EIP:
 *   always; SPEC_CTRL: after the guest's first non-zero write;
 *   PRED_CMD (write): after the first non-zero write in 6.1, when the
 *   guest's CPUID has IBPB (and the host has it) in 6.12 and later;
 *   FLUSH_CMD (write): when the guest's CPUID has FLUSH_L1D, not on
 *   6.1's list.  SPEC_CTRL and PRED_CMD/FLUSH_CMD are written once first
 *   (a bit the vCPU accepts; IBPB; L1D_FLUSH) to meet the condition.
 *   Not probed: XFD/XFD_ERR (AMX), the C-state residency and APERF/MPERF
 *   MSRs (only with KVM_CAP_X86_DISABLE_EXITS, which kvmrun does not
 *   enable), Intel PT (pt_mode host-guest), LBR, PMU and CET MSRs.
 * SVM, direct_access_msrs (svm_recalc_msr_intercepts from 6.18):
 *   STAR, LSTAR, CSTAR, SFMASK, FS_BASE, GS_BASE, KERNEL_GS_BASE,
 *   SYSENTER_CS: always; SYSENTER_EIP/ESP: unless the guest's CPUID
 *   vendor is Intel-compatible (this test runs them only with an AMD or
 *   Hygon vendor, so: always); SPEC_CTRL: from the start with
 *   V_SPEC_CTRL, else after the first non-zero write; PRED_CMD, FLUSH_CMD
 *   (write): as for VMX; LASTBRANCHFROMIP/TOIP, LASTINTFROMIP/TOIP: only
 *   with LBR virtualization (kvm_amd.lbrv and the guest's DEBUGCTL.LBR);
 *   TSC_AUX: SEV-ES guests only.  Not probed: EFER, PAT, XSS, GHCB
 *   (SEV-ES), the x2APIC registers (x2AVIC; never filtered, §9), PMU, CET.
 */
#include "libcflat.h"
#include "desc.h"
#include "msr.h"
#include "msrtest.h"
#include "processor.h"

#define N_ACC		64
#define PASS_MAX	(N_ACC / 4)
#define TRIES		3

/* When KVM passes the MSR through (see the top of this file). */
enum cond {
	COND_ALWAYS,
	COND_SPEC_CTRL,
	COND_CMD,
	COND_LBRV,
	COND_SEV_ES,
};

static const char *const cond_text[] = {
	[COND_ALWAYS] = "always",
	[COND_SPEC_CTRL] = "only after the guest's first non-zero write (or with SVM's "
			   "V_SPEC_CTRL), and only if its CPUID offers SPEC_CTRL",
	[COND_CMD] = "only if the guest's CPUID offers it and the host has it "
		     "(6.1: PRED_CMD after the first non-zero write, no FLUSH_CMD)",
	[COND_LBRV] = "only with LBR virtualization (kvm_amd.lbrv and the guest's "
		      "DEBUGCTL.LBR)",
	[COND_SEV_ES] = "only to SEV-ES guests",
};

enum icpt { ICPT_PASS, ICPT_INTERCEPTED, ICPT_UNCLEAR };

static const char *const icpt_name[] = { "passed through", "intercepted", "unclear" };

struct probe {
	u32 index;
	const char *name;
	u32 dirs;		/* MSRF_READ / MSRF_WRITE: what KVM may pass through */
	enum cond cond;
	u64 wval;		/* value written: the value read, or wval for write-only MSRs */
	/* measured with no filter */
	enum msrf_kvm_class cls[2];	/* [write] */
	enum icpt base[2];
	bool restore;
	u64 orig;
};

#define RW	(MSRF_READ | MSRF_WRITE)
#define P(i, n, d, c, w) { .index = (i), .name = (n), .dirs = (d), .cond = (c), .wval = (w) }

static struct probe vmx_list[] = {
	P(MSR_IA32_TSC, "TSC", MSRF_READ, COND_ALWAYS, 0),
	P(MSR_FS_BASE, "FS_BASE", RW, COND_ALWAYS, 0),
	P(MSR_GS_BASE, "GS_BASE", RW, COND_ALWAYS, 0),
	P(MSR_KERNEL_GS_BASE, "KERNEL_GS_BASE", RW, COND_ALWAYS, 0),
	P(MSR_IA32_SYSENTER_CS, "SYSENTER_CS", RW, COND_ALWAYS, 0),
	P(MSR_IA32_SYSENTER_ESP, "SYSENTER_ESP", RW, COND_ALWAYS, 0),
	P(MSR_IA32_SYSENTER_EIP, "SYSENTER_EIP", RW, COND_ALWAYS, 0),
	P(MSR_IA32_SPEC_CTRL, "SPEC_CTRL", RW, COND_SPEC_CTRL, 0),
	P(MSR_IA32_PRED_CMD, "PRED_CMD", MSRF_WRITE, COND_CMD, 1),	/* IBPB */
	P(MSR_IA32_FLUSH_CMD, "FLUSH_CMD", MSRF_WRITE, COND_CMD, 1),	/* L1D_FLUSH */
};

static struct probe svm_list[] = {
	P(MSR_STAR, "STAR", RW, COND_ALWAYS, 0),
	P(MSR_LSTAR, "LSTAR", RW, COND_ALWAYS, 0),
	P(MSR_CSTAR, "CSTAR", RW, COND_ALWAYS, 0),
	P(MSR_SYSCALL_MASK, "SFMASK", RW, COND_ALWAYS, 0),
	P(MSR_FS_BASE, "FS_BASE", RW, COND_ALWAYS, 0),
	P(MSR_GS_BASE, "GS_BASE", RW, COND_ALWAYS, 0),
	P(MSR_KERNEL_GS_BASE, "KERNEL_GS_BASE", RW, COND_ALWAYS, 0),
	P(MSR_IA32_SYSENTER_CS, "SYSENTER_CS", RW, COND_ALWAYS, 0),
	P(MSR_IA32_SYSENTER_ESP, "SYSENTER_ESP", RW, COND_ALWAYS, 0),
	P(MSR_IA32_SYSENTER_EIP, "SYSENTER_EIP", RW, COND_ALWAYS, 0),
	P(MSR_IA32_SPEC_CTRL, "SPEC_CTRL", RW, COND_SPEC_CTRL, 0),
	P(MSR_IA32_PRED_CMD, "PRED_CMD", MSRF_WRITE, COND_CMD, 1),
	P(MSR_IA32_FLUSH_CMD, "FLUSH_CMD", MSRF_WRITE, COND_CMD, 1),
	P(MSR_IA32_LASTBRANCHFROMIP, "LASTBRANCHFROMIP", MSRF_READ, COND_LBRV, 0),
	P(MSR_IA32_LASTBRANCHTOIP, "LASTBRANCHTOIP", MSRF_READ, COND_LBRV, 0),
	P(MSR_IA32_LASTINTFROMIP, "LASTINTFROMIP", MSRF_READ, COND_LBRV, 0),
	P(MSR_IA32_LASTINTTOIP, "LASTINTTOIP", MSRF_READ, COND_LBRV, 0),
	P(MSR_TSC_AUX, "TSC_AUX", RW, COND_SEV_ES, 0),
};

static struct probe *probes;
static unsigned int nprobes;
static bool counted;		/* KVM's exit count can show a pass-through */
static struct msrf_filter filt;
static struct kvmrun_stats st_a, st_b;

static const char *dir_name(bool write)
{
	return write ? "write" : "read";
}

static int msr_access(const struct probe *p, bool write, u64 *val)
{
	return write ? wrmsr_safe(p->index, p->wval) : rdmsr_safe(p->index, val);
}

/* ---- Counting KVM's exits ------------------------------------------------- */

static u64 kvm_exits(void)
{
	struct kvmrun_exits e;
	int st = kvmrun_get_exits(&e);

	if (st != KVMRUN_ST_OK)
		report_abort("GET_EXITS: %s", kvmrun_status_name(st));
	return e.kernel;
}

/* Fewest KVM exits over up to TRIES runs of N_ACC accesses. */
static u64 count_exits(const struct probe *p, bool write)
{
	u64 best = ~0ull, a, b, v;
	unsigned int t, i;

	for (t = 0; t < TRIES && best > PASS_MAX; t++) {
		a = kvm_exits();
		for (i = 0; i < N_ACC; i++)
			msr_access(p, write, &v);
		b = kvm_exits();
		/* b's own request is one exit; a's happened before 'a'. */
		if (b - a - 1 < best)
			best = b - a - 1;
	}
	msrtest_sync();
	return best;
}

static enum icpt classify(u64 n)
{
	if (n >= N_ACC)
		return ICPT_INTERCEPTED;
	return n <= PASS_MAX ? ICPT_PASS : ICPT_UNCLEAR;
}

/* ---- Setup: vendor list, priming, KVM's class of each access ------------- */

static bool vendor_is(const struct cpuid *c, const char *v)
{
	u32 w[3] = { c->b, c->d, c->c };

	return !memcmp(w, v, 12);
}

static bool pick_list(void)
{
	struct cpuid c = cpuid(0);

	if (vendor_is(&c, "GenuineIntel")) {
		probes = vmx_list;
		nprobes = ARRAY_SIZE(vmx_list);
		report_info("CPUID vendor GenuineIntel: VMX list (%u MSRs)", nprobes);
		return true;
	}
	if (vendor_is(&c, "AuthenticAMD") || vendor_is(&c, "HygonGenuine")) {
		probes = svm_list;
		nprobes = ARRAY_SIZE(svm_list);
		report_info("CPUID vendor AMD/Hygon: SVM list (%u MSRs)", nprobes);
		return true;
	}
	report_skip("CPUID vendor neither Intel nor AMD/Hygon: no pass-through list");
	return false;
}

static void prime_spec_ctrl(struct probe *p)
{
	/* IBRS, STIBP, SSBD: the first bit the vCPU accepts. */
	static const u64 bits[] = { 1, 2, 4 };
	unsigned int i;

	if (rdmsr_safe(p->index, &p->orig))
		return;
	p->restore = true;
	for (i = 0; i < ARRAY_SIZE(bits); i++) {
		if (!wrmsr_safe(p->index, p->orig | bits[i])) {
			report_info("SPEC_CTRL: wrote 0x%lx first (KVM passes it through "
				    "after a non-zero write)", (unsigned long)(p->orig | bits[i]));
			return;
		}
	}
}

static u64 debugctl_orig;
static bool debugctl_set;

/* What KVM waits for before passing the MSR through, when the guest can do it. */
static void prime(struct probe *p)
{
	u64 v;

	switch (p->cond) {
	case COND_SPEC_CTRL:
		prime_spec_ctrl(p);
		break;
	case COND_CMD:
		wrmsr_safe(p->index, p->wval);
		break;
	case COND_LBRV:
		if (!debugctl_set && !rdmsr_safe(MSR_IA32_DEBUGCTL, &debugctl_orig) &&
		    !wrmsr_safe(MSR_IA32_DEBUGCTL, debugctl_orig | DEBUGCTL_LBR))
			debugctl_set = true;
		break;
	default:
		break;
	}
	/* Read-write MSRs are written with what they hold. */
	if (p->dirs == RW && !rdmsr_safe(p->index, &v)) {
		p->wval = v;
		if (!p->restore) {
			p->orig = v;
			p->restore = true;
		}
	}
}

static enum msrf_kvm_class class_of(const struct probe *p, bool write)
{
	struct msr_obs o;
	int cls;

	if (write)
		msr_observe_write(p->index, p->wval, &o);
	else
		msr_observe_read(p->index, &o);
	cls = msrf_class_of_baseline(o.outcome);
	if (cls >= 0)
		return cls;
	report_info("%s %s without a filter: %s, taken as INVAL", p->name, dir_name(write),
		    msr_obs_name(&o));
	return MSRF_KVM_INVAL;
}

static void baseline(struct probe *p)
{
	int w;

	prime(p);
	if (msrtest_set_mask(MSRF_EXIT_INVAL | MSRF_EXIT_UNKNOWN))
		report_abort("cannot enable INVAL|UNKNOWN exits");
	for (w = 0; w < 2; w++)
		if (p->dirs & (w ? MSRF_WRITE : MSRF_READ))
			p->cls[w] = class_of(p, w);
	if (msrtest_set_mask(0))
		report_abort("cannot set exit mask 0");
	for (w = 0; w < 2; w++) {
		u64 n;

		if (!(p->dirs & (w ? MSRF_WRITE : MSRF_READ)))
			continue;
		n = count_exits(p, w);
		p->base[w] = classify(n);
		report_info("%s %s (class %s): %lu KVM exits for %u accesses: %s", p->name,
			    dir_name(w), msrf_kvm_class_name(p->cls[w]), (unsigned long)n,
			    N_ACC, counted ? icpt_name[p->base[w]] : "not a sign of anything here");
		if (!counted)
			continue;
		if (p->base[w] == ICPT_PASS || p->base[w] == ICPT_UNCLEAR || p->cond == COND_ALWAYS)
			report(p->base[w] == ICPT_PASS, "%s without a filter: passed through",
			       dir_name(w));
		else
			report_info("%s %s intercepted without a filter: KVM passes it through %s",
				    p->name, dir_name(w), cond_text[p->cond]);
	}
}

/* ---- The checks --------------------------------------------------------------- */

/* N accesses of a denied direction, each as the model says, exits counted by kvmrun. */
static void check_denied(const struct probe *p, bool write)
{
	struct msrf_ctx ctx;
	enum msrf_outcome e;
	unsigned int i, bad = 0, row, dir, badrow = 0;
	int want_vec;
	u64 v, answer = KVMRUN_MSR_DERIVED(p->index);

	msrtest_ctx(&ctx);
	e = write ? msrf_outcome_write(&ctx, p->index, p->wval, p->cls[1]) :
		    msrf_outcome(&ctx, p->index, MSRF_ACCESS_READ, p->cls[0]);
	want_vec = e == MSRF_GP ? GP_VECTOR : 0;
	if (kvmrun_get_stats(&st_a) != KVMRUN_ST_OK)
		report_abort("GET_STATS failed");
	for (i = 0; i < N_ACC; i++) {
		v = 0;
		if (msr_access(p, write, &v) != want_vec)
			bad++;
		else if (!write && msrtest_is_exit(e) && v != answer)
			bad++;
	}
	if (kvmrun_get_stats(&st_b) != KVMRUN_ST_OK)
		report_abort("GET_STATS failed");
	msrtest_sync();
	for (row = 0; row < KVMRUN_NREASONS; row++) {
		for (dir = 0; dir < 2; dir++) {
			u32 want = msrtest_is_exit(e) && row == msrtest_reason_row(e) &&
				   dir == (unsigned int)write ? N_ACC : 0;
			u32 seen = st_b.counts[row][dir] - st_a.counts[row][dir];

			if (seen != want && !badrow++)
				report_info("%s %s: %u exits in row %u/%s, model %u", p->name,
					    dir_name(write), seen, row, dir_name(dir), want);
		}
	}
	if (msrtest_is_exit(e) && st_b.have_last &&
	    (st_b.last.index != p->index || st_b.last.write != write ||
	     (write && st_b.last.data != p->wval)))
		badrow++;
	if (!report(!bad && !badrow, "%s denied: %u accesses, each %s", dir_name(write),
		    N_ACC, msrf_outcome_name(e)))
		report_info("%u of %u accesses not %s (vector %d expected)", bad, N_ACC,
			    msrf_outcome_name(e), want_vec);
}

/* An allowed direction: back in its baseline class, counted. */
static void check_allowed(const struct probe *p, bool write, const char *what)
{
	u64 n;
	enum icpt c;

	if (!counted)
		return;
	n = count_exits(p, write);
	c = classify(n);
	if (!report(c == p->base[write], "%s %s: %s as without a filter", dir_name(write),
		    what, icpt_name[p->base[write]]))
		report_info("%s %s: %lu KVM exits for %u accesses (%s), without a filter %s",
			    p->name, dir_name(write), (unsigned long)n, N_ACC, icpt_name[c],
			    icpt_name[p->base[write]]);
}

static void check_step(const struct probe *p, const char *what)
{
	int w;

	for (w = 0; w < 2; w++) {
		u32 type = w ? MSRF_WRITE : MSRF_READ;

		if (!(p->dirs & type))
			continue;
		if (msrf_allowed(msrtest_filter(), p->index, type))
			check_allowed(p, w, what);
		else
			check_denied(p, w);
	}
}

/* A READ range and a WRITE range over the one MSR, allow bits as given. */
static void install(const struct probe *p, bool read_ok, bool write_ok)
{
	msrf_filter_init(&filt, 0);
	msrf_add_range(&filt, p->index, 1, MSRF_READ, read_ok);
	msrf_add_range(&filt, p->index, 1, MSRF_WRITE, write_ok);
	if (msrtest_install(&filt))
		report_abort("%s: KVM refused a valid filter", p->name);
}

static void run_mask(const struct probe *p, u32 mask)
{
	if (!msrtest_enter_mask(mask))
		return;
	install(p, false, true);
	report_prefix_push("reads denied");
	check_step(p, "still");
	report_prefix_pop();
	install(p, true, false);
	report_prefix_push("writes denied");
	check_step(p, "allowed again");
	report_prefix_pop();
	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
	report_prefix_push("filter off");
	check_step(p, "allowed again");
	report_prefix_pop();
	report_prefix_pop();
}

static void test_probe(struct probe *p)
{
	report_prefix_pushf("%s", p->name);
	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
	baseline(p);
	run_mask(p, 0);
	run_mask(p, MSRF_EXIT_FILTER);
	if (p->restore)
		wrmsr_safe(p->index, p->orig);
	report_prefix_pop();
}

static void check_counting(void)
{
	const char *mod = getenv("KVM_VENDOR_MODULE");

	counted = true;
	if (mod && !strcmp(mod, "kvm_pvm")) {
		counted = false;
		report_skip("pass-through counts: kvm_pvm has no MSR bitmaps, it sees every "
			    "MSR access (the deny checks show it), and its exit count does "
			    "not tell which: deny checks only");
	} else if (kvm_exits() == KVMRUN_EXITS_UNKNOWN) {
		counted = false;
		report_skip("pass-through counts: KVM's exit count is unknown "
			    "(no KVM_GET_STATS_FD); deny checks only");
	}
}

int main(int argc, char **argv, char **envp)
{
	unsigned int i;

	report_prefix_push("msr_intercept");
	if (!msrtest_init())
		return report_summary();
	if (!pick_list())
		return report_summary();
	check_counting();
	for (i = 0; i < nprobes; i++)
		test_probe(&probes[i]);
	if (debugctl_set)
		wrmsr_safe(MSR_IA32_DEBUGCTL, debugctl_orig);
	msrtest_filter_off();
	return report_summary();
}
