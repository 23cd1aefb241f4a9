// SPDX-License-Identifier: GPL-2.0-only
/*
 * APIC mode transitions driven from the guest, with no MSR filter involved:
 * xAPIC -> x2APIC -> disabled -> xAPIC, the transitions the SDM forbids
 * (which must #GP and leave the mode unchanged), register state across
 * modes, and the x2APIC MSR range faulting outside x2APIC mode.
 *
 * The x2APIC parts need CPUID.1:ECX.x2APIC; without it they are SKIPs and
 * setting EXTD must #GP instead.
 */
#include "libcflat.h"
#include "apic.h"
#include "desc.h"
#include "msr.h"
#include "processor.h"

/* A few x2APIC MSRs that are valid in x2APIC mode: they must still #GP here. */
static const u32 x2apic_probe_writes[] = { 0x808 /* TPR */, 0x80b /* EOI */, 0x8ff };

static void check_x2apic_msrs_fault(void)
{
	unsigned int idx, bad_reads = 0, i;
	u64 val;

	for (idx = MSR_X2APIC_FIRST; idx <= MSR_X2APIC_LAST; idx++) {
		if (rdmsr_safe(idx, &val) != GP_VECTOR) {
			if (!bad_reads)
				report_info("rdmsr 0x%x did not #GP", idx);
			bad_reads++;
		}
	}
	report_add_checks(MSR_X2APIC_LAST - MSR_X2APIC_FIRST);	/* one line, 256 reads */
	report(!bad_reads, "rdmsr of all 256 MSRs 0x800-0x8ff: #GP (%u did not)", bad_reads);
	for (i = 0; i < ARRAY_SIZE(x2apic_probe_writes); i++)
		report(wrmsr_safe(x2apic_probe_writes[i], 0) == GP_VECTOR,
		       "wrmsr 0x%x: #GP", x2apic_probe_writes[i]);
}

/* Try a mode change the SDM forbids: #GP and no change. */
static void check_bad_transition(enum apic_mode to)
{
	enum apic_mode from = apic_mode();
	int vec = apic_set_mode(to);

	report(vec == GP_VECTOR && apic_mode() == from, "%s -> %s: #GP, mode unchanged",
	       apic_mode_name(from), apic_mode_name(to));
}

static void check_good_transition(enum apic_mode to)
{
	enum apic_mode from = apic_mode();
	int vec = apic_set_mode(to);

	report(vec == 0 && apic_mode() == to, "%s -> %s", apic_mode_name(from),
	       apic_mode_name(to));
}

static u32 test_xapic(void)
{
	u32 id, ver;

	report_prefix_push("xAPIC");
	report(apic_mode() == APIC_MODE_XAPIC, "the loader left the APIC in xAPIC mode");
	report((apic_base() & APIC_BASE_ADDR_MASK) == APIC_DEFAULT_BASE,
	       "APIC_BASE address is 0x%lx", APIC_DEFAULT_BASE);
	id = xapic_read(APIC_ID) >> 24;
	ver = xapic_read(APIC_LVR);
	report((ver & 0xff) >= 0x10 && (ver & 0xff) <= 0x15 && ((ver >> 16) & 0xff) >= 3,
	       "version register 0x%x: integrated APIC, at least 4 LVTs", ver);
	xapic_write(APIC_TPR, 0x20);
	report((xapic_read(APIC_TPR) & 0xff) == 0x20, "TPR written through MMIO reads back");
	xapic_write(APIC_TPR, 0);
	check_x2apic_msrs_fault();
	report_prefix_pop();
	return id;
}

static void test_no_x2apic(void)
{
	report_prefix_push("no x2APIC in CPUID");
	report_skip("CPUID.1:ECX.x2APIC is clear: x2APIC mode tests skipped");
	check_bad_transition(APIC_MODE_X2APIC);
	report_prefix_pop();
}

static void test_x2apic(u32 xapic_id)
{
	u64 id;

	report_prefix_push("x2APIC");
	xapic_write(APIC_TPR, 0x30);
	check_good_transition(APIC_MODE_X2APIC);
	if (apic_mode() != APIC_MODE_X2APIC) {
		report_prefix_pop();
		return;
	}
	id = x2apic_read(APIC_ID);
	report(id == xapic_id, "ID MSR 0x802 (%lu) equals the xAPIC MMIO ID (%u)",
	       (unsigned long)id, xapic_id);
	report((x2apic_read(APIC_TPR) & 0xff) == 0x30,
	       "TPR written in xAPIC mode reads back through MSR 0x808");
	x2apic_write(APIC_TPR, 0x40);
	report((x2apic_read(APIC_TPR) & 0xff) == 0x40, "TPR written through MSR reads back");
	x2apic_write(APIC_TPR, 0);
	check_bad_transition(APIC_MODE_XAPIC);
	check_bad_transition(APIC_MODE_INVALID);
	check_good_transition(APIC_MODE_DISABLED);
	report_prefix_pop();

	report_prefix_push("disabled");
	check_x2apic_msrs_fault();
	check_bad_transition(APIC_MODE_X2APIC);
	check_bad_transition(APIC_MODE_INVALID);
	check_good_transition(APIC_MODE_XAPIC);
	report(apic_mode() == APIC_MODE_XAPIC && (xapic_read(APIC_ID) >> 24) == xapic_id,
	       "xAPIC again: MMIO ID is %u", xapic_id);
	report_prefix_pop();
}

int main(int argc, char **argv, char **envp)
{
	u32 id;

	report_prefix_push("apic");
	if (!cpu_has_apic()) {
		report_skip("CPUID.1:EDX.APIC is clear: no local APIC");
		return report_summary();
	}
	id = test_xapic();
	if (cpu_has_x2apic())
		test_x2apic(id);
	else
		test_no_x2apic();
	return report_summary();
}
