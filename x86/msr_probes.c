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
 *
 * fep: RDMSR/WRMSR behind KVM's forced-emulation prefix run through the
 *   instruction emulator (kvm_emulator_get/set_msr_with_filter): under no
 *   filter, a DEFAULT_ALLOW and a DEFAULT_DENY filter and exit masks 0,
 *   FILTER and FILTER|UNKNOWN|INVAL, both forms must match the model, and
 *   an emulated read that succeeds must return what the plain one did.
 *   Needs kvm.force_emulation_prefix=1 (KVM_FORCE_EMULATION_PREFIX in the
 *   environment, and the prefix must not #UD).
 *
 * The FEP forms cannot go through msr_observe_*(), so this test keeps its
 * own copy of the host's exit count and uses only observe() below.
 *
 * Arguments: tsc-deadline, fep (default: both).
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
	if (msrtest_host.info.irqchip == KVMRUN_IRQCHIP_NONE)
		return "needs an in-kernel LAPIC (irqchip full or split)";
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
		report_prefix_pushf("mask %u", masks[i]);
		if (msrtest_set_mask(masks[i]))
			report_abort("cannot set exit mask %u", masks[i]);
		probe_denied_write(wbase, fired, latency);
		report_prefix_pop();
	}
	apic_write(APIC_LVTT, LVT_MASKED | TIMER_VECTOR);
	handle_exception(TIMER_VECTOR, NULL);
	report_prefix_pop();
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

static bool fep_usable(void)
{
	const char *env = getenv("KVM_FORCE_EMULATION_PREFIX");
	int vec = fep_probe();

	if (!vec) {
		if (env && !env_enabled("KVM_FORCE_EMULATION_PREFIX"))
			report_info("the prefix works although KVM_FORCE_EMULATION_PREFIX=%s", env);
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
	unsigned int i;

	report_prefix_push("fep");
	if (!fep_usable()) {
		report_prefix_pop();
		return;
	}
	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
	fep_calibrate();
	build_fep_filters();
	for (i = 0; i < ARRAY_SIZE(masks); i++) {
		report_prefix_pushf("mask %u", masks[i]);
		if (msrtest_set_mask(masks[i]))
			report_abort("cannot set exit mask %u", masks[i]);
		if (msrtest_filter_off())
			report_abort("cannot turn filtering off");
		fep_pass("no filter");
		if (msrtest_install(&fep_allow))
			report_abort("cannot install the DEFAULT_ALLOW filter");
		fep_pass("default-allow");
		if (msrtest_install(&fep_deny))
			report_abort("cannot install the DEFAULT_DENY filter");
		fep_pass("default-deny");
		if (msrtest_filter_off())
			report_abort("cannot turn filtering off");
		report_prefix_pop();
	}
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
	return report_summary();
}
