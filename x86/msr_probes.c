// SPDX-License-Identifier: GPL-2.0-only
/*
 * Probes for paths that might bypass the filter (doc/abi.md §4: the
 * TSC_DEADLINE fastpath and forced emulation, which §8a says must give the
 * same outcomes).
 * Each is its own group of named checks and SKIPs with the reason when
 * the host cannot run it.
 *
 * tsc-deadline: the WRMSR fastpath (__handle_fastpath_wrmsr, formerly
 *   handle_fastpath_set_msr_irqoff) handles TSC_DEADLINE writes straight
 *   from the VM-exit without consulting the filter.  With the LVT timer in
 *   TSC-deadline mode and a filter denying writes of 0x6E0, a write must
 *   #GP or exit FILTER as the model says, leave the MSR unchanged and arm
 *   nothing: no timer interrupt may follow.  An unfiltered write first
 *   shows that the timer does fire here (positive control).  Needs an
 *   in-kernel LAPIC and CPUID.1:ECX.TSC_DEADLINE (without that bit KVM
 *   refuses TSC-deadline mode in the LVT).
 *   With no in-kernel LAPIC (irqchip none) and the CPUID bit offered by
 *   the VMM (its own LAPIC claims the timer): KVM takes an unfiltered
 *   write and drops it, so the write is V, and a denied one must still
 *   #GP or exit FILTER.  The fastpath skips the instruction without an
 *   exit whenever it runs, LAPIC or not (6.18+: always on kvm_intel, and
 *   on kvm_amd with NRIP save; before: kvm_intel with the VMX preemption
 *   timer), so the denial would vanish.
 *
 * fep: RDMSR/WRMSR behind KVM's forced-emulation prefix run through the
 *   instruction emulator (kvm_emulator_get/set_msr_with_filter): under no
 *   filter, a DEFAULT_ALLOW and a DEFAULT_DENY filter and exit masks 0,
 *   FILTER and FILTER|UNKNOWN|INVAL, both forms must match the model, and
 *   an emulated read that succeeds must return what the plain one did.
 *   Needs kvm.force_emulation_prefix=1 (KVM_FORCE_EMULATION_PREFIX in the
 *   environment, and the prefix must not #UD).
 *
 * icr: the same fastpath takes x2APIC ICR writes (fixed, physical, no
 *   shorthand, not broadcast: handle_fastpath_set_x2apic_icr_irqoff in 6.1,
 *   __handle_fastpath_wrmsr later) straight from the VM-exit.  The
 *   x2APIC range is exempt from filtering, so under a deny-all filter
 *   (0x800-0x8ff covered explicitly) a self-IPI sent that way must do
 *   exactly what it does without a filter and what the slow path (the
 *   "self" shorthand) does: V and one interrupt; an ICR write with a
 *   reserved bit must be rejected as the model says (GP or X(I)) and
 *   deliver nothing.  Needs an in-kernel LAPIC and x2APIC.
 *
 * answers: the host answers a RDMSR/WRMSR user exit (FILTER: POWER_CTL
 *   denied; UNKNOWN: an MSR KVM does not know), on the plain path and,
 *   when the prefix works, through the emulator: error 1 must become #GP
 *   at the instruction itself (the fault's RIP is the RDMSR/WRMSR's
 *   address, not the next one, not the prefix), and with the host storing
 *   values (KVMRUN_POLICY_STORE) a WRMSR of D then a RDMSR must read D.
 *
 * The FEP forms cannot go through msr_observe_*(): they classify what
 * they did with msr_observe_classify().
 *
 * Arguments: tsc-deadline, fep, icr, answers (default: all).
 */
#include "libcflat.h"
#include "apic.h"
#include "desc.h"
#include "fep.h"
#include "msr.h"
#include "msrtest.h"
#include "processor.h"

/* ---- Observing one access, plain or through the prefix ---------------- */

static void observe(bool fep, bool write, u32 index, u64 val, struct msr_obs *o)
{
	memset(o, 0, sizeof(*o));
	o->written = write ? val : 0;
	if (write)
		o->vector = fep ? wrmsr_fep_safe(index, val) : wrmsr_safe(index, val);
	else
		o->vector = fep ? rdmsr_fep_safe(index, &o->value) : rdmsr_safe(index, &o->value);
	msr_observe_classify(o);
}

/* ---- tsc-deadline ----------------------------------------------------------- */

#define TIMER_VECTOR		0xec
#define LVT_TIMER_TSCDEADLINE	(2u << 17)
#define LVT_TIMER_MODE_MASK	(3u << 17)
#define LVT_MASKED		(1u << 16)
/* TSC cycles: arm the control this far ahead, give up on it after PATIENCE. */
#define CONTROL_DELAY		(1ull << 20)
#define PATIENCE		(1ull << 33)
/* Far enough ahead that the read-back happens first even if the write leaked. */
#define PROBE_DELAY		(1ull << 28)

static volatile unsigned int timer_irqs;
static volatile u64 timer_tsc;
static bool x2apic_on;

static void timer_handler(struct ex_regs *regs)
{
	timer_tsc = rdtsc();
	timer_irqs++;
	/* EOI is an x2APIC MSR in x2APIC mode: never filtered. */
	if (x2apic_on)
		wrmsr(APIC_REG_TO_MSR(APIC_EOI), 0);
	else
		xapic_write(APIC_EOI, 0);
}

/* Interrupts open until one arrives or the TSC passes 'until'. */
static bool wait_irq(unsigned int before, u64 until)
{
	while (timer_irqs == before && rdtsc() < until)
		safe_halt_window();
	return timer_irqs != before;
}

static const char *tsc_deadline_unusable(void)
{
	if (!(cpuid(1).c & CPUID_1_ECX_TSC_DEADLINE))
		return "CPUID.1:ECX.TSC_DEADLINE is clear (the VMM must set it)";
	return NULL;
}

/* No filter: LVT timer in TSC-deadline mode, unmasked. */
static bool arm_lvt(void)
{
	u32 lvtt;

	handle_exception(TIMER_VECTOR, timer_handler);
	apic_write(APIC_SPIV, APIC_SPIV_ENABLE | 0xff);
	apic_write(APIC_LVTT, TIMER_VECTOR | LVT_TIMER_TSCDEADLINE);
	lvtt = apic_read(APIC_LVTT);
	if (!report(!(lvtt & LVT_MASKED) &&
		    (lvtt & LVT_TIMER_MODE_MASK) == LVT_TIMER_TSCDEADLINE,
		    "LVT timer unmasked in TSC-deadline mode"))
		report_info("LVTT reads 0x%x", lvtt);
	return (lvtt & LVT_TIMER_MODE_MASK) == LVT_TIMER_TSCDEADLINE;
}

/*
 * Positive control, no filter: the write is V and the interrupt comes.
 * Returns the write's class for the model and sets *fired.
 */
static enum msrf_kvm_class control(bool *fired, u64 *latency)
{
	unsigned int before = timer_irqs;
	struct msr_obs o;
	u64 d = rdtsc() + CONTROL_DELAY;

	observe(false, true, MSR_IA32_TSC_DEADLINE, d, &o);
	*fired = wait_irq(before, d + PATIENCE);
	*latency = *fired && timer_tsc > d ? timer_tsc - d : 0;
	report(o.outcome == MSRF_V && *fired,
	       "no filter: wrmsr 0x6e0 (TSC_DEADLINE) fires vector 0x%x", TIMER_VECTOR);
	if (o.outcome != MSRF_V || !*fired)
		report_info("write: %s; interrupt %s", msr_obs_name(&o),
			    *fired ? "came" : "did not come");
	return o.outcome == MSRF_V ? MSRF_KVM_OK : MSRF_KVM_INVAL;
}

static void build_deny_write(struct msrf_filter *f)
{
	msrf_filter_init(f, 0);
	msrf_add_range(f, MSR_IA32_TSC_DEADLINE, 1, MSRF_WRITE, false);
}

static void probe_denied_write(enum msrf_kvm_class wbase, bool fired, u64 latency)
{
	static struct msrf_filter f;
	struct msrf_ctx ctx;
	enum msrf_outcome expect;
	struct msr_obs o, rb;
	unsigned int before;
	u64 old, d, answer = KVMRUN_MSR_DERIVED(MSR_IA32_TSC_DEADLINE);
	bool ok;

	build_deny_write(&f);
	if (msrtest_install(&f))
		report_abort("cannot install the TSC_DEADLINE write-deny filter");
	msrtest_ctx(&ctx);
	observe(false, false, MSR_IA32_TSC_DEADLINE, 0, &o);
	expect = msrf_outcome(&ctx, MSR_IA32_TSC_DEADLINE, MSRF_ACCESS_READ, MSRF_KVM_OK);
	report(msr_obs_matches(expect, MSR_IA32_TSC_DEADLINE, false, &answer, &o),
	       "rdmsr 0x6e0 (TSC_DEADLINE) under write-deny: %s", msrf_outcome_name(expect));
	old = o.value;

	before = timer_irqs;
	d = rdtsc() + PROBE_DELAY;
	expect = msrf_outcome_write(&ctx, MSR_IA32_TSC_DEADLINE, d, wbase);
	observe(false, true, MSR_IA32_TSC_DEADLINE, d, &o);
	ok = msr_obs_matches(expect, MSR_IA32_TSC_DEADLINE, true, NULL, &o);
	report(ok, "wrmsr 0x6e0 (TSC_DEADLINE) under write-deny, timer in TSC-deadline "
	       "mode: %s", msrf_outcome_name(expect));
	if (!ok)
		report_info("expected %s, seen %s", msrf_outcome_name(expect), msr_obs_name(&o));

	observe(false, false, MSR_IA32_TSC_DEADLINE, 0, &rb);
	report(rb.outcome == MSRF_V && rb.value == old,
	       "TSC_DEADLINE unchanged by the denied write");
	if (rb.outcome != MSRF_V || rb.value != old)
		report_info("read %s; before 0x%lx, denied write 0x%lx", msr_obs_name(&rb),
			    (unsigned long)old, (unsigned long)d);

	if (fired)
		report(!wait_irq(before, d + PROBE_DELAY + 16 * latency),
		       "no timer interrupt after the denied write");
	else
		report_skip("no timer interrupt after the denied write: the timer never "
			    "fired without a filter either");

	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
	observe(false, false, MSR_IA32_TSC_DEADLINE, 0, &rb);
	report(rb.outcome == MSRF_V && rb.value == old,
	       "TSC_DEADLINE unchanged with the filter removed");
	wrmsr_safe(MSR_IA32_TSC_DEADLINE, 0);
}

/*
 * No in-kernel LAPIC: nothing can fire and the MSR reads 0, so the write's
 * outcome and the exit count are all there is to see.
 */
static void probe_denied_write_nolapic(enum msrf_kvm_class wbase)
{
	static struct msrf_filter f;
	struct msrf_ctx ctx;
	enum msrf_outcome expect;
	struct msr_obs o;
	u64 d = rdtsc() + PROBE_DELAY;
	bool ok;

	build_deny_write(&f);
	if (msrtest_install(&f))
		report_abort("cannot install the TSC_DEADLINE write-deny filter");
	msrtest_ctx(&ctx);
	expect = msrf_outcome_write(&ctx, MSR_IA32_TSC_DEADLINE, d, wbase);
	observe(false, true, MSR_IA32_TSC_DEADLINE, d, &o);
	ok = msr_obs_matches(expect, MSR_IA32_TSC_DEADLINE, true, NULL, &o);
	report(ok, "wrmsr 0x6e0 (TSC_DEADLINE) under write-deny, no in-kernel LAPIC: %s",
	       msrf_outcome_name(expect));
	if (!ok)
		report_info("expected %s, seen %s", msrf_outcome_name(expect), msr_obs_name(&o));
	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
}

static void test_tsc_deadline_nolapic(const u32 *masks, unsigned int nmasks)
{
	struct msr_obs o;
	unsigned int i;

	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
	observe(false, true, MSR_IA32_TSC_DEADLINE, rdtsc() + PROBE_DELAY, &o);
	/* The baseline is what this KVM does unfiltered; V is what the ABI expects. */
	report(o.outcome == MSRF_V, "no filter, no in-kernel LAPIC: wrmsr 0x6e0 (TSC_DEADLINE) "
	       "is taken (and dropped)");
	if (o.outcome != MSRF_V)
		report_info("write: %s", msr_obs_name(&o));
	for (i = 0; i < nmasks; i++) {
		if (!msrtest_enter_mask(masks[i]))
			continue;
		msrtest_counts_begin();
		probe_denied_write_nolapic(o.outcome == MSRF_V ? MSRF_KVM_OK : MSRF_KVM_INVAL);
		msrtest_counts_check("exit counters");
		report_prefix_pop();
	}
}

static void test_tsc_deadline(void)
{
	static const u32 masks[] = { 0, MSRF_EXIT_FILTER };
	const char *why = tsc_deadline_unusable();
	enum msrf_kvm_class wbase;
	bool fired;
	u64 latency;
	unsigned int i;

	report_prefix_push("tsc-deadline");
	if (why) {
		report_skip("TSC_DEADLINE write-deny probe: %s", why);
		report_prefix_pop();
		return;
	}
	if (msrtest_host.info.irqchip == KVMRUN_IRQCHIP_NONE) {
		test_tsc_deadline_nolapic(masks, ARRAY_SIZE(masks));
		report_prefix_pop();
		return;
	}
	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
	if (!arm_lvt()) {
		report_skip("TSC_DEADLINE write-deny probe: the LVT timer refused "
			    "TSC-deadline mode");
		report_prefix_pop();
		return;
	}
	wbase = control(&fired, &latency);
	for (i = 0; i < ARRAY_SIZE(masks); i++) {
		if (!msrtest_enter_mask(masks[i]))
			continue;
		msrtest_counts_begin();
		probe_denied_write(wbase, fired, latency);
		msrtest_counts_check("exit counters");
		report_prefix_pop();
	}
	apic_write(APIC_LVTT, LVT_MASKED | TIMER_VECTOR);
	handle_exception(TIMER_VECTOR, NULL);
	report_prefix_pop();
}

/* ---- passes: one probe under several filters, in several exit masks ---------- */

struct probe_pass {
	const char *name;
	const struct msrf_filter *filter;	/* NULL: filtering off */
};

/*
 * For each exit mask: run 'probe' once per pass, with that pass's filter
 * installed, then turn filtering off again.  With 'counts', the user exits
 * of each mask's passes are checked against the model's count.
 */
static void mask_passes(const u32 *masks, unsigned int nmasks, const struct probe_pass *passes,
			unsigned int npasses, void (*probe)(const char *name), bool counts)
{
	unsigned int m, p;

	for (m = 0; m < nmasks; m++) {
		if (!msrtest_enter_mask(masks[m]))
			continue;
		if (counts)
			msrtest_counts_begin();
		for (p = 0; p < npasses; p++) {
			if (passes[p].filter ? msrtest_install(passes[p].filter) : msrtest_filter_off())
				report_abort("cannot install the filter of pass '%s'", passes[p].name);
			probe(passes[p].name);
		}
		if (msrtest_filter_off())
			report_abort("cannot turn filtering off");
		if (counts)
			msrtest_counts_check("exit counters");
		report_prefix_pop();
	}
}

/* ---- fep ------------------------------------------------------------------------ */

struct fep_case {
	u32 index;
	const char *name;
	/* measured with no filter */
	u64 wval;			/* written: the value read, or 0 */
	enum msrf_kvm_class rbase, wbase;
};

static struct fep_case fep_cases[] = {
	{ .index = MSR_IA32_POWER_CTL, .name = "POWER_CTL" },
	{ .index = MSR_IA32_MISC_ENABLE, .name = "MISC_ENABLE" },
	{ .index = MSR_IA32_CR_PAT, .name = "PAT" },
	{ .index = MSR_IA32_SYSENTER_CS, .name = "SYSENTER_CS" },
	{ .index = MSR_FABRICATED, .name = "fabricated" },
	{ .index = APIC_REG_TO_MSR(APIC_TPR), .name = "x2APIC TPR" },
	{ .index = MSR_X2APIC_LAST, .name = "x2APIC 0x8ff" },
};

static struct msrf_filter fep_allow, fep_deny;

/*
 * DEFAULT_ALLOW: POWER_CTL denied both ways, PAT reads, SYSENTER_CS
 * writes, the fabricated MSR explicitly allowed, the x2APIC range
 * "denied" (exempt).  DEFAULT_DENY: MISC_ENABLE allowed both ways, PAT
 * writes, fabricated reads.
 */
static void build_fep_filters(void)
{
	msrf_filter_init(&fep_allow, 0);
	msrf_add_range(&fep_allow, MSR_IA32_POWER_CTL, 1, MSRF_READ | MSRF_WRITE, false);
	msrf_add_range(&fep_allow, MSR_IA32_CR_PAT, 1, MSRF_READ, false);
	msrf_add_range(&fep_allow, MSR_IA32_SYSENTER_CS, 1, MSRF_WRITE, false);
	msrf_add_range(&fep_allow, MSR_FABRICATED, 1, MSRF_READ | MSRF_WRITE, true);
	msrf_add_range(&fep_allow, MSR_X2APIC_FIRST, 0x100, MSRF_READ | MSRF_WRITE, false);

	msrf_filter_init(&fep_deny, MSRF_DEFAULT_DENY);
	msrf_add_range(&fep_deny, MSR_IA32_MISC_ENABLE, 1, MSRF_READ | MSRF_WRITE, true);
	msrf_add_range(&fep_deny, MSR_IA32_CR_PAT, 1, MSRF_WRITE, true);
	msrf_add_range(&fep_deny, MSR_FABRICATED, 1, MSRF_READ, true);
}

static enum msrf_kvm_class class_of(const struct msr_obs *o)
{
	int cls = msrf_class_of_baseline(o->outcome);

	return cls < 0 ? MSRF_KVM_INVAL : (enum msrf_kvm_class)cls;
}

/* No filter, UNKNOWN and INVAL exits on: KVM's class of each plain access. */
static void fep_calibrate(void)
{
	struct msr_obs o;
	unsigned int i;

	if (msrtest_set_mask(MSRF_EXIT_INVAL | MSRF_EXIT_UNKNOWN))
		report_abort("cannot enable INVAL|UNKNOWN exits to calibrate");
	for (i = 0; i < ARRAY_SIZE(fep_cases); i++) {
		struct fep_case *c = &fep_cases[i];

		observe(false, false, c->index, 0, &o);
		c->rbase = class_of(&o);
		c->wval = c->rbase == MSRF_KVM_OK ? o.value : 0;
		observe(false, true, c->index, c->wval, &o);
		c->wbase = class_of(&o);
	}
}

/* One access in one form against the model; returns the observation. */
static void fep_check(const struct fep_case *c, bool write, bool fep, const u64 *plain_val,
		      struct msr_obs *o)
{
	u64 answer = KVMRUN_MSR_DERIVED(c->index);
	enum msrf_outcome expect;
	struct msrf_ctx ctx;
	bool ok;

	msrtest_ctx(&ctx);
	if (write)
		expect = msrf_outcome_write(&ctx, c->index, c->wval, c->wbase);
	else
		expect = msrf_outcome(&ctx, c->index, MSRF_ACCESS_READ, c->rbase);
	observe(fep, write, c->index, c->wval, o);
	ok = msr_obs_matches(expect, c->index, write, &answer, o);
	if (fep && o->vector && fep_fault_at_prefix())
		ok = false;
	/* The emulator must read what the hardware path read. */
	if (ok && plain_val && expect == MSRF_V && o->value != *plain_val)
		ok = false;
	report(ok, "%s 0x%x (%s)%s: %s", write ? "wrmsr" : "rdmsr", c->index, c->name,
	       fep ? " via FEP" : "", msrf_outcome_name(expect));
	if (!ok)
		report_info("expected %s%s, seen %s%s", msrf_outcome_name(expect),
			    plain_val && expect == MSRF_V ? " and the plain read's value" : "",
			    msr_obs_name(o),
			    fep && o->vector && fep_fault_at_prefix() ? " at the prefix" : "");
}

static void fep_pass(const char *name)
{
	struct msr_obs plain, o;
	unsigned int i;

	report_prefix_push(name);
	for (i = 0; i < ARRAY_SIZE(fep_cases); i++) {
		const struct fep_case *c = &fep_cases[i];

		fep_check(c, false, false, NULL, &plain);
		fep_check(c, false, true, plain.outcome == MSRF_V ? &plain.value : NULL, &o);
		fep_check(c, true, false, NULL, &o);
		fep_check(c, true, true, NULL, &o);
	}
	report_prefix_pop();
}

/* Probed once: the fep and answers parts both need it. */
static bool fep_usable(void)
{
	static int usable = -1;
	const char *env = getenv("KVM_FORCE_EMULATION_PREFIX");
	int vec;

	if (usable >= 0)
		return usable;
	usable = 0;
	vec = fep_probe();

	if (!vec) {
		if (env && !env_enabled("KVM_FORCE_EMULATION_PREFIX"))
			report_info("the prefix works although KVM_FORCE_EMULATION_PREFIX=%s", env);
		usable = 1;
		return true;
	}
	if (env && env_enabled("KVM_FORCE_EMULATION_PREFIX")) {
		report_fail("forced-emulation prefix honoured (KVM_FORCE_EMULATION_PREFIX=%s)",
			    env);
		report_info("the prefix raised %s%s", exception_name(vec),
			    fep_fault_at_prefix() ? " at the UD2" : "");
		return false;
	}
	report_skip("forced emulation: kvm.force_emulation_prefix is %s (the prefix raised %s)",
		    env ? "off" : "unknown (no KVM_FORCE_EMULATION_PREFIX)",
		    exception_name(vec));
	return false;
}

static void test_fep(void)
{
	static const u32 masks[] = {
		0, MSRF_EXIT_FILTER, MSRF_EXIT_FILTER | MSRF_EXIT_UNKNOWN | MSRF_EXIT_INVAL,
	};
	static const struct probe_pass passes[] = {
		{ "no filter", NULL }, { "default-allow", &fep_allow }, { "default-deny", &fep_deny },
	};

	report_prefix_push("fep");
	if (!fep_usable()) {
		report_prefix_pop();
		return;
	}
	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
	fep_calibrate();
	build_fep_filters();
	mask_passes(masks, ARRAY_SIZE(masks), passes, ARRAY_SIZE(passes), fep_pass, true);
	report_prefix_pop();
}

/* ---- icr ----------------------------------------------------------------------- */

#define ICR_VECTOR		0xe6
#define ICR_DEST_SELF		(1u << 18)	/* shorthand "self": not the fastpath */
#define ICR_RESERVED_BIT13	(1u << 13)

static volatile unsigned int icr_irqs;

static void icr_handler(struct ex_regs *regs)
{
	icr_irqs++;
	wrmsr(APIC_REG_TO_MSR(APIC_EOI), 0);
}

/* One ICR write checked against the model, then the interrupts it sent. */
static void icr_send(u64 icr, const char *what)
{
	unsigned int before = icr_irqs;
	struct msrf_ctx ctx;
	bool applied;

	msrtest_ctx(&ctx);
	applied = msrf_outcome_write(&ctx, APIC_REG_TO_MSR(APIC_ICR), icr, MSRF_KVM_OK) == MSRF_V;
	msr_check_write(APIC_REG_TO_MSR(APIC_ICR), icr, MSRF_KVM_OK, what);
	safe_halt_window();
	report(icr_irqs == before + applied, "wrmsr 0x830%s sends %u interrupt%s", what,
	       applied, applied == 1 ? "" : "s");
	if (icr_irqs != before + applied) {
		report_info("%u interrupts came", icr_irqs - before);
		apic_report_vector(ICR_VECTOR, true);
	}
}

static void icr_pass(const char *name)
{
	u64 self = (u64)x2apic_read(APIC_ID) << 32 | ICR_VECTOR;

	report_prefix_push(name);
	icr_send(self, " (self-IPI, physical, no shorthand: fastpath)");
	icr_send(ICR_DEST_SELF | ICR_VECTOR, " (self-IPI, shorthand self)");
	icr_send(self | ICR_RESERVED_BIT13, " (self-IPI, reserved bit 13)");
	report_prefix_pop();
}

static void test_icr(void)
{
	static const u32 masks[] = {
		0, MSRF_EXIT_FILTER | MSRF_EXIT_UNKNOWN | MSRF_EXIT_INVAL,
	};
	static struct msrf_filter deny;
	static const struct probe_pass passes[] = { { "no filter", NULL }, { "deny-all", &deny } };

	report_prefix_push("icr");
	if (!x2apic_on) {
		report_skip("x2APIC ICR fastpath probe: needs x2APIC mode (x2APIC in CPUID "
			    "and an in-kernel LAPIC)");
		report_prefix_pop();
		return;
	}
	msrf_filter_init(&deny, MSRF_DEFAULT_DENY);
	msrf_add_range(&deny, 0, 0x2000, MSRF_READ | MSRF_WRITE, false);
	handle_exception(ICR_VECTOR, icr_handler);
	x2apic_write(APIC_SPIV, APIC_SPIV_ENABLE | 0xff);
	mask_passes(masks, ARRAY_SIZE(masks), passes, ARRAY_SIZE(passes), icr_pass, false);
	handle_exception(ICR_VECTOR, NULL);
	report_prefix_pop();
}

/* ---- answers ------------------------------------------------------------------ */

/*
 * RDMSR / WRMSR, behind 'pfx' (KVM_FEP or nothing), with fixups at the
 * prefix (1), the instruction (3) and the instruction after it (4): a #GP
 * that KVM raised with RIP already past the instruction is caught too, and
 * ex_record.rip says where it was raised; [insn] is the instruction's own
 * address.  With no prefix, labels 1 and 3 are the same address.
 */
#define RAW_MSR_ASM(pfx, op)						\
	"lea 3f(%%rip), %[insn]\n\t"					\
	"1: " pfx							\
	"3: " op "\n\t"							\
	"4: nop\n\t"							\
	"2:\n\t"							\
	ASM_EXTABLE(1b, 2b) ASM_EXTABLE(3b, 2b) ASM_EXTABLE(4b, 2b)

struct raw_obs {
	struct msr_obs o;
	u64 insn;		/* address of the RDMSR/WRMSR */
	u64 rip;		/* where the fault was raised, if any */
};

static void raw_access(bool fep, bool write, u32 index, u64 val, struct raw_obs *r)
{
	u32 lo = (u32)val, hi = (u32)(val >> 32);
	struct ex_record rec;

	memset(r, 0, sizeof(*r));
	r->o.written = write ? val : 0;
	ex_record_clear();
	if (fep && write)
		asm volatile(RAW_MSR_ASM(KVM_FEP, "wrmsr") : [insn] "=&r"(r->insn)
			     : "a"(lo), "d"(hi), "c"(index) : "memory");
	else if (write)
		asm volatile(RAW_MSR_ASM("", "wrmsr") : [insn] "=&r"(r->insn)
			     : "a"(lo), "d"(hi), "c"(index) : "memory");
	else if (fep)
		asm volatile(RAW_MSR_ASM(KVM_FEP, "rdmsr")
			     : "+a"(lo), "+d"(hi), [insn] "=&r"(r->insn) : "c"(index) : "memory");
	else
		asm volatile(RAW_MSR_ASM("", "rdmsr")
			     : "+a"(lo), "+d"(hi), [insn] "=&r"(r->insn) : "c"(index) : "memory");
	rec = ex_record_get();
	r->o.vector = ex_vector(rec);
	r->rip = rec.rip;
	if (!write && !r->o.vector)
		r->o.value = lo | ((u64)hi << 32);
	msr_observe_classify(&r->o);
}

/* The model's outcome of c's access in *expect; false (after a SKIP) when not an exit. */
static bool answer_expect(const struct fep_case *c, bool write, const char *what,
			  enum msrf_outcome *expect)
{
	struct msrf_ctx ctx;

	msrtest_ctx(&ctx);
	*expect = write ? msrf_outcome_write(&ctx, c->index, c->wval, c->wbase) :
		  msrf_outcome(&ctx, c->index, MSRF_ACCESS_READ, c->rbase);
	if (msrtest_is_exit(*expect))
		return true;
	report_skip("%s 0x%x (%s) %s: the model says %s here, no user exit to answer",
		    write ? "wrmsr" : "rdmsr", c->index, c->name, what,
		    msrf_outcome_name(*expect));
	return false;
}

/*
 * The host answers with error 1: #GP(0) raised at the RDMSR/WRMSR itself
 * (RIP not advanced, not at the prefix), after exactly one exit carrying
 * the written value.
 */
static void answer_error(const struct fep_case *c, bool fep, bool write)
{
	const char *path = fep ? "via FEP" : "plain";
	enum msrf_outcome expect;
	struct raw_obs r;
	bool ok;

	if (!answer_expect(c, write, "answered with error 1", &expect))
		return;
	msrtest_set_policy_one(c->index, KVMRUN_DIR_READ | KVMRUN_DIR_WRITE, 1, 0, 0);
	/* Both halves non-zero, so the exit's data shows it travelled intact. */
	raw_access(fep, write, c->index, 0x8765432112345678ull ^ c->index, &r);
	ok = msr_obs_matches(expect, c->index, write, NULL, &r.o) && r.o.exit.error == 1 &&
	     r.o.vector == GP_VECTOR && r.rip == r.insn;
	report(ok, "%s 0x%x (%s) %s, %s answered with error 1: #GP at the instruction",
	       write ? "wrmsr" : "rdmsr", c->index, c->name, path, msrf_outcome_name(expect));
	if (!ok)
		report_info("seen %s, fault at 0x%lx, instruction at 0x%lx", msr_obs_name(&r.o),
			    (unsigned long)r.rip, (unsigned long)r.insn);
}

/* Write D, read D back: the host keeps the value (KVMRUN_POLICY_STORE). */
static void round_trip(const struct fep_case *c, bool fep)
{
	const char *path = fep ? "via FEP" : "plain";
	u64 d = 0x0123456789abcdefull ^ c->index ^ (fep ? 0xf0f0f0f000000000ull : 0);
	enum msrf_outcome wexp, rexp;
	struct raw_obs w, r;
	bool wok, rok;

	if (!answer_expect(c, true, "stored by the host", &wexp) ||
	    !answer_expect(c, false, "stored by the host", &rexp))
		return;
	msrtest_set_policy_one(c->index, KVMRUN_DIR_READ | KVMRUN_DIR_WRITE, 0,
			       KVMRUN_POLICY_STORE, ~d);
	raw_access(fep, true, c->index, d, &w);
	raw_access(fep, false, c->index, 0, &r);
	wok = msr_obs_matches(wexp, c->index, true, NULL, &w.o);
	rok = msr_obs_matches(rexp, c->index, false, &d, &r.o);
	report(wok && rok, "0x%x (%s) %s: wrmsr 0x%lx (%s) then rdmsr (%s) reads it back",
	       c->index, c->name, path, (unsigned long)d, msrf_outcome_name(wexp),
	       msrf_outcome_name(rexp));
	if (!wok)
		report_info("write: seen %s", msr_obs_name(&w.o));
	if (!rok)
		report_info("read: seen %s", msr_obs_name(&r.o));
}

static const struct fep_case *fep_case_of(u32 index)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fep_cases); i++)
		if (fep_cases[i].index == index)
			return &fep_cases[i];
	report_abort("no fep case for 0x%x", index);
}

/*
 * Mask FILTER|UNKNOWN, POWER_CTL denied (a FILTER exit) and the fabricated
 * MSR unknown to KVM (an UNKNOWN exit): on the plain path and, when the
 * prefix works, through the emulator, the host's error answer and a
 * stateful round trip.
 */
static void test_answers(void)
{
	static const u32 indices[] = { MSR_IA32_POWER_CTL, MSR_FABRICATED };
	static struct msrf_filter f;
	unsigned int i;
	int fep;

	report_prefix_push("answers");
	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
	fep_calibrate();
	msrf_filter_init(&f, 0);
	msrf_add_range(&f, MSR_IA32_POWER_CTL, 1, MSRF_READ | MSRF_WRITE, false);
	if (msrtest_set_mask(MSRF_EXIT_FILTER | MSRF_EXIT_UNKNOWN) || msrtest_install(&f))
		report_abort("cannot set mask FILTER|UNKNOWN and the POWER_CTL filter");
	msrtest_counts_begin();
	for (fep = 0; fep < 2; fep++) {
		if (fep && !fep_usable())
			break;
		for (i = 0; i < ARRAY_SIZE(indices); i++) {
			const struct fep_case *c = fep_case_of(indices[i]);

			answer_error(c, fep, false);
			answer_error(c, fep, true);
			if (msrtest_host.info.features & KVMRUN_FEAT_POLICY_STORE)
				round_trip(c, fep);
			else
				report_skip("0x%x (%s) round trip: this kvmrun cannot store "
					    "values (no KVMRUN_FEAT_POLICY_STORE)", c->index,
					    c->name);
		}
	}
	if (kvmrun_reset_policy() != KVMRUN_ST_OK)
		report_abort("RESET_POLICY failed");
	msrtest_counts_check("exit counters");
	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
	report_prefix_pop();
}

/* x2APIC when the vCPU has it and an in-kernel LAPIC serves it. */
static void pick_apic_mode(void)
{
	if (cpu_has_x2apic() && msrtest_host.info.irqchip != KVMRUN_IRQCHIP_NONE &&
	    apic_mode() != APIC_MODE_X2APIC && apic_set_mode(APIC_MODE_X2APIC))
		report_info("could not switch to x2APIC mode");
	x2apic_on = apic_mode() == APIC_MODE_X2APIC;
	msrtest_refresh_apic_mode();
	report_info("APIC mode %s", apic_mode_name(apic_mode()));
}

int main(int argc, char **argv, char **envp)
{
	report_prefix_push("msr_probes");
	if (!msrtest_init())
		return report_summary();
	msrtest_sync();
	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
	pick_apic_mode();
	if (arg_selected(argc, argv, "tsc-deadline"))
		test_tsc_deadline();
	if (arg_selected(argc, argv, "fep"))
		test_fep();
	if (arg_selected(argc, argv, "icr"))
		test_icr();
	if (arg_selected(argc, argv, "answers"))
		test_answers();
	return report_summary();
}
