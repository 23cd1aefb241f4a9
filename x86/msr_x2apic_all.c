// SPDX-License-Identifier: GPL-2.0-only
/*
 * x2APIC under a deny-all filter, every register.
 *
 * msr_x2apic.c samples the exemption; this image covers the rest:
 *
 * 1. ICR (0x830), the register KVM also handles in its WRMSR fastpath,
 *    straight from the VM exit: a 64-bit write that sends a fixed self-IPI,
 *    under deny-all, in every exit mask 0-7.  Three encodings, each with
 *    bits 63:32 in use: physical destination = our x2APIC ID, broadcast
 *    destination 0xffffffff (one vCPU: only us), and the SELF shorthand
 *    with junk in the ignored destination field.  The model decides the
 *    outcome; an applied write must deliver the vector exactly once and
 *    no user exit may happen.
 *
 * 2. SELF_IPI (0x83F) with reserved bits: 0x100, 0xff00, 0xff000000 and
 *    all of 31:8, under deny-all with and without the INVAL exit.  An
 *    applied write delivers once, a rejected one never.
 *
 * 3. All-ones to every x2APIC index except ICR, 0x800-0x8ff: 64-bit
 *    all-ones and 32-bit all-ones (0xffffffff, which the registers that
 *    take any 32-bit value accept).  Each write is made twice in the same
 *    guest, with no filter (the baseline) and under deny-all, with the
 *    same mask; both must match the model, and the deny-all run must
 *    behave exactly as the baseline: same fault or exit, same state of
 *    every stable register afterwards, same interrupts delivered.
 *
 * Keeping the run sane while writing all-ones everywhere:
 *  - interrupts are off during each write and opened for one instruction
 *    afterwards, so anything the write triggered is counted, per index;
 *  - every LVT is masked before each write and all-ones keeps the mask
 *    bit (16) set, so neither the timer (TMICT = 0xffffffff starts it)
 *    nor LINT0/1, error or thermal LVTs can fire;
 *  - a SELF_IPI that a kernel does accept raises vector 0xff, which has
 *    a handler that EOIs it;
 *  - after each write the APIC goes back to one known state (SVR enabled
 *    with vector 0xff, TPR 0, LVTs masked, timer stopped, TDCR 0, ESR
 *    cleared) through valid writes, which the filter never affects;
 *  - ICR is left out here (all-ones is a broadcast NMI with reserved
 *    bits: either #GP or an NMI storm, never comparable); part 1 covers
 *    ICR, and TMCCT (0x839, a live counter) is not compared.
 */
#include "libcflat.h"
#include "apic.h"
#include "desc.h"
#include "msr.h"
#include "msrtest.h"
#include "processor.h"

#define IPI_VECTOR	0xe5
#define ALL_ONES_VECTOR	0xff	/* the vector 0xffffffff carries */

#define X2APIC_ICR	0x830u
#define X2APIC_SELF_IPI	0x83fu
#define X2APIC_TMCCT	0x839u
#define X2APIC_LVT_CMCI	0x82fu
#define X2APIC_NREGS	(MSRF_X2APIC_LAST - MSRF_X2APIC_FIRST + 1)

/* Readable registers compared after each all-ones write (TMCCT: live). */
static u32 state_regs[MSRTEST_X2APIC_READABLE_MAX];
static unsigned int nstate;

static volatile unsigned int hits[256];
static struct msrf_filter deny_all;

static void count_and_eoi(struct ex_regs *regs)
{
	hits[regs->vector & 0xff]++;
	x2apic_write(APIC_EOI, 0);
}

static void deny_all_init(void)
{
	msrf_filter_init(&deny_all, MSRF_DEFAULT_DENY);
	msrf_add_range(&deny_all, 0x0, 0x2000, MSRF_READ | MSRF_WRITE, false);
}

/* No filter or deny-all under 'mask'; false (reported) if KVM refused. */
static bool setup(u32 mask, bool filtered)
{
	msrtest_filter_off();
	if (msrtest_set_mask(mask)) {
		report_fail("KVM_ENABLE_CAP(USER_SPACE_MSR, %u) refused", mask);
		return false;
	}
	if (filtered && msrtest_install(&deny_all)) {
		report_fail("deny-all filter refused");
		return false;
	}
	return true;
}

static enum msrf_outcome expect_write(u32 index, u64 value)
{
	struct msrf_ctx ctx;

	msrtest_ctx(&ctx);
	return msrf_outcome_write(&ctx, index, value, MSRF_KVM_OK);
}

/*
 * Write 'value' to 'index' with interrupts off, then open a one-instruction
 * window: returns how often 'vector' was delivered because of the write.
 */
static unsigned int write_and_count(u32 index, u64 value, u8 vector, struct msr_obs *o)
{
	unsigned int before = hits[vector];

	irq_disable();
	msr_observe_write(index, value, o);
	safe_halt_window();
	return hits[vector] - before;
}

/* One IPI-sending write: the model's outcome, no more exits, N deliveries. */
static void check_ipi_write(u32 index, u64 value, const char *what)
{
	enum msrf_outcome want = expect_write(index, value);
	unsigned int want_hits = want == MSRF_V ? 1 : 0;
	unsigned int got;
	struct msr_obs o;

	got = write_and_count(index, value, IPI_VECTOR, &o);
	report(msr_obs_matches(want, index, true, NULL, &o),
	       "wrmsr 0x%x = 0x%lx%s: %s (seen %s)", index, (unsigned long)value, what,
	       msrf_outcome_name(want), msr_obs_name(&o));
	if (!report(got == want_hits, "vector 0x%x delivered %u time(s), want %u%s",
		    IPI_VECTOR, got, want_hits, what))
		apic_report_vector(IPI_VECTOR, true);
}

static void check_icr(void)
{
	u64 id = x2apic_read(APIC_ID) & 0xffffffffull;
	const struct {
		u64 value;
		const char *what;
	} icr[] = {
		{ (id << 32) | IPI_VECTOR, " (physical, our ID)" },
		{ (0xffffffffull << 32) | IPI_VECTOR, " (broadcast destination)" },
		{ (0x5a5a5a5aull << 32) | (1u << 18) /* shorthand: self */ | IPI_VECTOR,
		  " (self shorthand)" },
	};
	unsigned int i;
	u32 mask;

	report_prefix_push("ICR");
	for (mask = 0; mask <= 7; mask++) {
		report_prefix_pushf("mask %u deny-all", mask);
		if (setup(mask, true))
			for (i = 0; i < ARRAY_SIZE(icr); i++)
				check_ipi_write(X2APIC_ICR, icr[i].value, icr[i].what);
		report_prefix_pop();
	}
	report_prefix_pop();
}

static void check_self_ipi_reserved(void)
{
	static const u64 reserved[] = { 0, 0x100, 0xff00, 0xff000000, 0xffffff00 };
	static const u32 masks[] = { 0, MSRF_EXIT_INVAL,
		MSRF_EXIT_FILTER | MSRF_EXIT_UNKNOWN | MSRF_EXIT_INVAL };
	unsigned int i, m;

	report_prefix_push("SELF_IPI");
	for (m = 0; m < ARRAY_SIZE(masks); m++) {
		report_prefix_pushf("mask %u deny-all", masks[m]);
		if (setup(masks[m], true))
			for (i = 0; i < ARRAY_SIZE(reserved); i++)
				check_ipi_write(X2APIC_SELF_IPI, reserved[i] | IPI_VECTOR,
						reserved[i] ? " (reserved bits)" : "");
		report_prefix_pop();
	}
	report_prefix_pop();
}

/* ---- all-ones everywhere ------------------------------------------------ */

struct after_write {
	enum msrf_outcome outcome;
	int vector;
	unsigned int hits;
	u64 state[MSRTEST_X2APIC_READABLE_MAX];
};

static struct after_write baseline[X2APIC_NREGS];

static bool irr_pending(void)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		if (x2apic_read(APIC_IRR + i * 0x10))
			return true;
	return false;
}

/*
 * The one state every all-ones write starts from (valid writes only).  An
 * interrupt still pending from an earlier write is state too: a KVM that
 * injects late (kvm_pvm) would otherwise deliver it at a random later
 * write, or leave it in IRR for the state comparison.  It is let in here,
 * before the next write's count starts; a KVM that delivers in the window
 * has nothing pending.
 */
static void known_state(void)
{
	static const u32 lvts[] = { 0x832, 0x833, 0x834, 0x835, 0x836, 0x837 };
	unsigned int i;

	x2apic_write(APIC_SPIV, APIC_SPIV_ENABLE | 0xff);
	x2apic_write(APIC_TPR, 0);
	x2apic_write(APIC_TMICT, 0);
	x2apic_write(APIC_TDCR, 0);
	for (i = 0; i < ARRAY_SIZE(lvts); i++)
		wrmsr(lvts[i], 0x10000);
	if (expect_write(X2APIC_LVT_CMCI, 0x10000) == MSRF_V)
		wrmsr(X2APIC_LVT_CMCI, 0x10000);
	/* ESR: a write latches the errors, the next read shows them. */
	x2apic_write(APIC_ESR, 0);
	x2apic_write(APIC_ESR, 0);
	for (i = 0; i < 1000 && irr_pending(); i++) {
		unsigned int spin;

		irq_enable();
		for (spin = 0; spin < 1000; spin++)
			cpu_relax();
		irq_disable();
	}
}

static void one_all_ones(u32 index, u64 value, struct after_write *a, struct msr_obs *o)
{
	unsigned int i;

	known_state();
	a->hits = write_and_count(index, value, ALL_ONES_VECTOR, o);
	a->outcome = o->outcome;
	a->vector = o->vector;
	for (i = 0; i < nstate; i++)
		a->state[i] = rdmsr(state_regs[i]);
}

/* First difference between two runs of one write, or NULL. */
static const char *differs(const struct after_write *a, const struct after_write *b,
			   u32 *reg)
{
	unsigned int i;

	if (a->outcome != b->outcome || a->vector != b->vector)
		return "outcome";
	if (a->hits != b->hits)
		return "interrupts delivered";
	for (i = 0; i < nstate; i++) {
		if (a->state[i] != b->state[i]) {
			*reg = state_regs[i];
			return "register state";
		}
	}
	return NULL;
}

/* One pass over 0x800-0x8ff; filtered: compare with the baseline pass. */
static void all_ones_pass(u64 value, bool filtered)
{
	unsigned int bad_model = 0, bad_same = 0;
	struct after_write now;
	struct msr_obs o;
	u32 index, reg = 0;

	for (index = MSRF_X2APIC_FIRST; index <= MSRF_X2APIC_LAST; index++) {
		struct after_write *a = filtered ? &now : &baseline[index - MSRF_X2APIC_FIRST];
		enum msrf_outcome want;
		const char *why;

		reg = 0;
		if (index == X2APIC_ICR)
			continue;
		want = expect_write(index, value);
		one_all_ones(index, value, a, &o);
		if (!msr_obs_matches(want, index, true, NULL, &o) && !bad_model++)
			report_info("wrmsr 0x%x: expected %s, seen %s", index,
				    msrf_outcome_name(want), msr_obs_name(&o));
		if (!filtered)
			continue;
		why = differs(&baseline[index - MSRF_X2APIC_FIRST], a, &reg);
		if (why && !bad_same++)
			report_info("wrmsr 0x%x: %s differs from the no-filter run%s%x",
				    index, why, reg ? " at 0x" : "", reg);
	}
	/* Each summing line stands for 255 compared writes. */
	report(!bad_model, "255 writes of 0x%lx: as the model says (%u differ)",
	       (unsigned long)value, bad_model);
	report_add_checks(X2APIC_NREGS - 2);
	if (!filtered)
		return;
	report(!bad_same, "255 writes of 0x%lx: same outcome, state and interrupts "
	       "as without a filter (%u differ)", (unsigned long)value, bad_same);
	report_add_checks(X2APIC_NREGS - 2);
}

static void check_all_ones(void)
{
	static const u64 values[] = { ~0ull, 0xffffffffull };
	static const u32 masks[] = { 0, MSRF_EXIT_FILTER | MSRF_EXIT_UNKNOWN | MSRF_EXIT_INVAL };
	unsigned int v, m;

	report_prefix_push("all-ones");
	for (m = 0; m < ARRAY_SIZE(masks); m++) {
		for (v = 0; v < ARRAY_SIZE(values); v++) {
			report_prefix_pushf("mask %u", masks[m]);
			report_prefix_push("no filter");
			if (setup(masks[m], false))
				all_ones_pass(values[v], false);
			report_prefix_pop();
			report_prefix_push("deny-all");
			if (setup(masks[m], true))
				all_ones_pass(values[v], true);
			report_prefix_pop();
			report_prefix_pop();
		}
	}
	known_state();
	report_prefix_pop();
}

int main(int argc, char **argv, char **envp)
{
	report_prefix_push("msr_x2apic_all");
	if (!msrtest_init())
		return report_summary();
	if (!cpu_has_x2apic() || msrtest_host.info.irqchip == KVMRUN_IRQCHIP_NONE) {
		report_skip("needs x2APIC in CPUID and an in-kernel LAPIC (irqchip full or split)");
		return report_summary();
	}
	if (apic_mode() != APIC_MODE_X2APIC && apic_set_mode(APIC_MODE_X2APIC))
		report_abort("cannot switch the APIC to x2APIC mode");
	msrtest_refresh_apic_mode();
	deny_all_init();
	nstate = msrtest_x2apic_readable(state_regs, false);
	handle_exception(IPI_VECTOR, count_and_eoi);
	handle_exception(ALL_ONES_VECTOR, count_and_eoi);
	x2apic_write(APIC_SPIV, APIC_SPIV_ENABLE | 0xff);

	check_icr();
	check_self_ipi_reserved();
	check_all_ones();
	msrtest_filter_off();
	return report_summary();
}
