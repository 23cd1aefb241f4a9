// SPDX-License-Identifier: GPL-2.0-only
/*
 * The seed: x2APIC MSRs 0x800-0x8ff are never filtered.
 *
 * For each user-exit mask, the same x2APIC accesses run twice in one VM:
 * with no filter, then under a filter that denies everything in 0x0-0x1FFF
 * (explicit all-zero ranges covering 0x800-0x8ff, plus DEFAULT_DENY).  Both
 * runs must match the model (common/msrfilter.c) access by access, and stable
 * registers must read the same value in both: the exemption means the
 * filter changes nothing here.  In x2APIC mode that covers the readable
 * registers, TPR write/read-back, EOI and a SELF_IPI that is really
 * delivered, and the invalid accesses (with APIC virtualization the CPU,
 * not KVM, checks TPR, EOI and SELF_IPI writes: the harness says which, the
 * model knows the rule); in xAPIC mode and with the APIC
 * disabled, every index of the range.  Never X(F), never X(U).
 *
 * A filter kvmrun installed at start (a stanza's filter =, e.g.
 * filters/x2apic-deny-late-lapic.filter with --filter-when before-irqchip:
 * before the LAPIC existed) is taken from kvmrun (KVMRUN_OP_GET_FILTER):
 * every mode is first checked under it, and so are reads of the MSRs the
 * boot needs (APIC_BASE, EFER), whose outcome the filter's bits decide.
 */
#include "libcflat.h"
#include "apic.h"
#include "desc.h"
#include "msr.h"
#include "msrtest.h"
#include "processor.h"

#define SELF_IPI_VECTOR	0xe5

/*
 * Readable x2APIC registers (the model's table), read in both passes; none
 * can change between them (the timer never runs here: TMCCT stays 0).
 */
static u32 stable_regs[MSRTEST_X2APIC_READABLE_MAX];
static unsigned int nstable;

/* Writes in x2APIC mode: valid ones, then ones KVM must reject. */
static const struct {
	u32 index;
	u64 value;
	const char *what;
} x2apic_writes[] = {
	{ 0x808, 0x20, " (TPR)" },
	{ 0x808, 0x0, " (TPR back to 0)" },
	{ 0x80b, 0x0, " (EOI)" },
	{ 0x828, 0x0, " (ESR)" },
	{ 0x838, 0x0, " (timer initial count)" },
	{ 0x83e, 0x0, " (timer divide)" },
	{ 0x802, 0x0, " (ID, read-only)" },
	{ 0x803, 0x0, " (version, read-only)" },
	{ 0x80d, 0x0, " (LDR, read-only)" },
	{ 0x839, 0x0, " (current count, read-only)" },
	{ 0x808, 1ull << 32, " (TPR, bits 63:32 set)" },
	/* KVM takes these; a CPU that virtualizes the write #GPs (msrfilter.h) */
	{ 0x808, 0x100, " (TPR, bits 31:8 set)" },
	{ 0x80b, 0x1, " (EOI, non-zero)" },
	{ 0x83f, 0x100, " (SELF_IPI, bit 8 set)" },
	{ 0x8ff, 0x0, " (no register)" },
};

/* x2APIC mode: invalid reads that must behave as INVAL, filter or not. */
static const u32 x2apic_bad_reads[] = { 0x80b, 0x83f, 0x8ff, 0x831, 0x80e, 0x840 };

static u64 values[2][MSRTEST_X2APIC_READABLE_MAX];
static volatile unsigned int self_ipis;

static void self_ipi_handler(struct ex_regs *regs)
{
	self_ipis++;
	x2apic_write(APIC_EOI, 0);
}

static struct msrf_filter deny_all;
static void run_mode(int pass);

static void build_deny_all(void)
{
	msrf_filter_init(&deny_all, MSRF_DEFAULT_DENY);
	/* 0x0-0x1FFF, all bits 0: the x2APIC range is explicitly covered. */
	msrf_add_range(&deny_all, 0x0, 0x2000, MSRF_READ | MSRF_WRITE, false);
}

/*
 * Every mode under the filter kvmrun installed at start (possibly before
 * the LAPIC existed): the exemption cannot depend on when the LAPIC
 * appeared.  APIC_BASE and EFER are handled by KVM in every mode (class
 * OK), so their reads show whether the filter's bits for them are the
 * ones kvmrun described.
 */
static void run_under_start_filter(void)
{
	static const enum apic_mode order[] = {
		APIC_MODE_XAPIC, APIC_MODE_X2APIC, APIC_MODE_DISABLED, APIC_MODE_XAPIC,
	};
	unsigned int i;

	report_prefix_push("start filter");
	msr_check_read(MSR_IA32_APICBASE, MSRF_KVM_OK, " (APIC_BASE)");
	msr_check_read(MSR_EFER, MSRF_KVM_OK, " (EFER)");
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (order[i] == APIC_MODE_X2APIC && !cpu_has_x2apic())
			continue;
		report_prefix_push(apic_mode_name(order[i]));
		if (apic_mode() != order[i] && apic_set_mode(order[i]))
			report_fail("cannot switch the APIC to %s mode", apic_mode_name(order[i]));
		msrtest_refresh_apic_mode();
		run_mode(0);
		report_prefix_pop();
	}
	report_prefix_pop();
}

/* Self-IPI through MSR 0x83F, delivered while interrupts are open. */
static void check_self_ipi(void)
{
	struct msrf_ctx ctx;
	unsigned int before = self_ipis;

	msrtest_ctx(&ctx);
	if (msrf_outcome_write(&ctx, 0x83f, SELF_IPI_VECTOR, MSRF_KVM_OK) != MSRF_V) {
		report_skip("SELF_IPI: the model says it is not applied here");
		return;
	}
	handle_exception(SELF_IPI_VECTOR, self_ipi_handler);
	x2apic_write(APIC_SPIV, APIC_SPIV_ENABLE | 0xff);
	msr_check_write(0x83f, SELF_IPI_VECTOR, MSRF_KVM_OK, " (SELF_IPI)");
	safe_halt_window();
	if (!report(self_ipis == before + 1, "self-IPI vector 0x%x delivered once",
		    SELF_IPI_VECTOR)) {
		report_info("delivered %u times", self_ipis - before);
		apic_report_vector(SELF_IPI_VECTOR, true);
	}
	handle_exception(SELF_IPI_VECTOR, NULL);
}

static void run_x2apic(int pass)
{
	unsigned int i;
	struct msr_obs o;

	/* Software-enable the APIC first, so SVR reads the same in both runs. */
	x2apic_write(APIC_SPIV, APIC_SPIV_ENABLE | 0xff);
	for (i = 0; i < nstable; i++) {
		msr_check_read(stable_regs[i], MSRF_KVM_OK, "");
		msr_observe_read(stable_regs[i], &o);
		values[pass][i] = o.value;
	}
	for (i = 0; i < ARRAY_SIZE(x2apic_bad_reads); i++)
		msr_check_read(x2apic_bad_reads[i], MSRF_KVM_OK, " (invalid read)");
	for (i = 0; i < ARRAY_SIZE(x2apic_writes); i++) {
		if (msrtest_cpu_unknown(x2apic_writes[i].index, x2apic_writes[i].value)) {
			report_skip("wrmsr 0x%x%s: the harness cannot tell whether the CPU "
				    "or KVM checks it", x2apic_writes[i].index,
				    x2apic_writes[i].what);
			continue;
		}
		msr_check_write(x2apic_writes[i].index, x2apic_writes[i].value,
				MSRF_KVM_OK, x2apic_writes[i].what);
	}
	/* TPR: written through the MSR, read back through the MSR. */
	if (msr_check_write(0x808, 0x50, MSRF_KVM_OK, " (TPR)")) {
		msr_observe_read(0x808, &o);
		report(!o.vector && (o.value & 0xff) == 0x50, "TPR reads back 0x50");
		x2apic_write(APIC_TPR, 0);
	}
	check_self_ipi();
}

/* xAPIC or disabled: every index of the range, read and write of 0. */
static void run_range(void)
{
	struct msrf_ctx ctx;
	struct msr_obs o;
	unsigned int bad = 0, filter_exits = 0;
	u32 idx;

	msrtest_ctx(&ctx);
	for (idx = MSRF_X2APIC_FIRST; idx <= MSRF_X2APIC_LAST; idx++) {
		enum msrf_outcome r = msrf_outcome(&ctx, idx, MSRF_ACCESS_READ, MSRF_KVM_OK);
		enum msrf_outcome w = msrf_outcome_write(&ctx, idx, 0, MSRF_KVM_OK);
		u64 answer = KVMRUN_MSR_DERIVED(idx);

		msr_observe_read(idx, &o);
		filter_exits += o.exits && o.outcome != MSRF_X_INVAL;
		if (!msr_obs_matches(r, idx, false, &answer, &o) && !bad++)
			report_info("rdmsr 0x%x: expected %s, seen %s", idx,
				    msrf_outcome_name(r), msr_obs_name(&o));
		msr_observe_write(idx, 0, &o);
		filter_exits += o.exits && o.outcome != MSRF_X_INVAL;
		if (!msr_obs_matches(w, idx, true, NULL, &o) && !bad++)
			report_info("wrmsr 0x%x: expected %s, seen %s", idx,
				    msrf_outcome_name(w), msr_obs_name(&o));
	}
	report(!bad, "512 accesses to 0x800-0x8ff: %s or %s as the model says (%u differ)",
	       msrf_outcome_name(msrf_outcome_of_class(&ctx, MSRF_KVM_INVAL)),
	       msrf_outcome_name(MSRF_GP), bad);
	report(!filter_exits, "no exit other than INVAL (%u)", filter_exits);
}

/* The APIC mode the model has: APIC_BASE may be denied by the filter. */
static bool in_x2apic_mode(void)
{
	struct msrf_ctx ctx;

	msrtest_ctx(&ctx);
	return ctx.apic_mode == MSRF_APIC_X2APIC &&
	       msrtest_host.info.irqchip != KVMRUN_IRQCHIP_NONE;
}

static void run_mode(int pass)
{
	if (in_x2apic_mode())
		run_x2apic(pass);
	else
		run_range();
}

static void compare_values(void)
{
	unsigned int i, diff = 0;

	if (!in_x2apic_mode())
		return;
	for (i = 0; i < nstable; i++) {
		if (values[0][i] == values[1][i])
			continue;
		if (!diff++)
			report_info("0x%x: 0x%lx without filter, 0x%lx with", stable_regs[i],
				    (unsigned long)values[0][i], (unsigned long)values[1][i]);
	}
	report(!diff, "%u registers read the same with and without the filter (%u differ)",
	       nstable, diff);
}

static void one_mask(u32 mask)
{
	if (!msrtest_enter_mask(mask))
		return;
	msrtest_counts_begin();
	report_prefix_push("no filter");
	report(msrtest_filter_off() == 0, "filter off");
	run_mode(0);
	report_prefix_pop();

	report_prefix_push("deny-all");
	report(msrtest_install(&deny_all) == 0, "deny-all filter installed");
	run_mode(1);
	compare_values();
	report_prefix_pop();
	msrtest_filter_off();
	msrtest_counts_check("exit counters");
	report_prefix_pop();
}

static const u32 masks[] = {
	0, MSRF_EXIT_FILTER, MSRF_EXIT_INVAL,
	MSRF_EXIT_FILTER | MSRF_EXIT_UNKNOWN | MSRF_EXIT_INVAL,
};

static void one_mode(enum apic_mode mode)
{
	unsigned int i;

	report_prefix_push(apic_mode_name(mode));
	if (apic_mode() != mode && apic_set_mode(mode)) {
		report_fail("cannot switch the APIC to %s mode", apic_mode_name(mode));
		report_prefix_pop();
		return;
	}
	msrtest_refresh_apic_mode();
	for (i = 0; i < ARRAY_SIZE(masks); i++)
		one_mask(masks[i]);
	report_prefix_pop();
}

int main(int argc, char **argv, char **envp)
{
	report_prefix_push("msr_x2apic");
	if (!msrtest_init())
		return report_summary();
	report_prefix_pushf("irqchip %s", getenv("KVMRUN_IRQCHIP") ?: "?");
	build_deny_all();
	nstable = msrtest_x2apic_readable(stable_regs, true);
	if (msrtest_filter())
		run_under_start_filter();

	if (cpu_has_x2apic()) {
		one_mode(APIC_MODE_X2APIC);
		one_mode(APIC_MODE_DISABLED);
	} else {
		report_skip("CPUID.1:ECX.x2APIC clear: x2APIC mode not tested");
		one_mode(APIC_MODE_DISABLED);
	}
	/* disabled -> xAPIC is always a valid transition. */
	one_mode(APIC_MODE_XAPIC);
	return report_summary();
}
