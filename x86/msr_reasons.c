// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exit reasons of unfiltered MSRs.
 *
 * The sweep learns each index's unfiltered class from a baseline, so it
 * cannot tell INVAL from UNKNOWN being wrong.  Here a short list of
 * documented cases is probed with no filter, under exit masks that enable
 * both INVAL and UNKNOWN, and the reason seen is held against the ABI:
 *
 *  - fixed by the ABI (PASS/FAIL): a known MSR whose CPUID bit is present
 *    reads without an exit; an index no KVM has ever implemented (the
 *    selftests' fabricated 0x474f4f00, outside every block KVM reserves)
 *    exits UNKNOWN on reads and writes; a
 *    known MSR written with a reserved bit (EFER bit 63) exits INVAL; the
 *    KVM PV MSRs work whatever the PV CPUID says unless userspace enabled
 *    KVM_CAP_ENFORCE_PV_FEATURE_CPUID (api.rst).
 *  - left to the kernel (INFO, plus a check that it is one of the two): a
 *    known MSR absent from the vCPU's CPUID exited INVAL before the 2024
 *    "unsupported instead of invalid" changes and UNKNOWN after them, and
 *    stable kernels took only some of them (6.1.y: PV MSRs UNKNOWN,
 *    ARCH_CAPABILITIES INVAL).  Cases: ARCH_CAPABILITIES (CPUID.7.0:EDX[29]),
 *    the PV MSRs 0x4b564d00-07 with enforcement and their feature bit
 *    clear, PERF_CAPABILITIES (CPUID.1:ECX.PDCM) and XSS
 *    (CPUID.0xD.1:EAX.XSAVES).  Also 0x4b564dff, the top of KVM's PV MSR
 *    block: no guest MSR, so UNKNOWN up to 6.17, but since 6.18 (commit
 *    9d6812d41535 "KVM: x86: Enable guest SSP read/write interface with
 *    new uAPIs") it is MSR_KVM_INTERNAL_GUEST_SSP, KVM's private index for
 *    KVM_{GET,SET}_ONE_REG of the guest's SSP, and __kvm_get_msr() and
 *    __kvm_set_msr() fail guest accesses to it with 1, i.e. INVAL.  KVM
 *    takes further internal indices from the top of that block, so no
 *    index in it has a class the ABI fixes.
 *
 * What the vCPU has is read from CPUID by the guest itself; only PV
 * enforcement, invisible to the guest, comes from the harness
 * (KVMRUN_CPUID contains +pv_enforce).  kvmrun's --cpuid (cfg key cpuid)
 * sets the bits: -arch_capabilities, -kvm_pv, +pv_enforce.
 */
#include "libcflat.h"
#include "desc.h"
#include "msr.h"
#include "msrtest.h"
#include "processor.h"

#define MSR_ARCH_CAPABILITIES	0x10au
#define MSR_PERF_CAPABILITIES	0x345u
#define MSR_XSS			0xda0u
#define MSR_KVM_PV_FIRST	0x4b564d00u
#define MSR_KVM_PV_LAST		0x4b564dffu	/* KVM-internal since 6.18 */

/* KVM_FEATURE_* bit (CPUID 0x40000001 EAX) guarding each PV MSR. */
static const struct {
	u32 index;
	unsigned int feature;
	const char *name;
} pv_msrs[] = {
	{ 0x4b564d00, 3, "WALL_CLOCK_NEW" },	/* CLOCKSOURCE2 */
	{ 0x4b564d01, 3, "SYSTEM_TIME_NEW" },	/* CLOCKSOURCE2 */
	{ 0x4b564d02, 4, "ASYNC_PF_EN" },
	{ 0x4b564d03, 5, "STEAL_TIME" },
	{ 0x4b564d04, 6, "PV_EOI_EN" },
	{ 0x4b564d05, 12, "POLL_CONTROL" },
	{ 0x4b564d06, 14, "ASYNC_PF_INT" },
	{ 0x4b564d07, 14, "ASYNC_PF_ACK" },	/* ASYNC_PF_INT */
};

struct vcpu_caps {
	bool arch_caps, pdcm, xsaves;
	bool kvm_leaf;		/* "KVMKVMKVM" at 0x40000000 */
	u32 pv_features;	/* 0x40000001 EAX, 0 without the leaf */
	bool pv_enforce;
};

static void read_caps(struct vcpu_caps *c)
{
	u32 max = cpuid(0).a;
	struct cpuid kvm = cpuid(0x40000000);
	const char *spec = getenv("KVMRUN_CPUID");

	memset(c, 0, sizeof(*c));
	c->pdcm = cpuid(1).c & (1u << 15);
	c->arch_caps = max >= 7 && (cpuid_indexed(7, 0).d & (1u << 29));
	c->xsaves = max >= 0xd && (cpuid_indexed(0xd, 1).a & (1u << 3));
	c->kvm_leaf = kvm.b == 0x4b4d564b && kvm.c == 0x564b4d56 && kvm.d == 0x4d;
	if (c->kvm_leaf && kvm.a >= 0x40000001)
		c->pv_features = cpuid(0x40000001).a;
	c->pv_enforce = spec && strstr(spec, "+pv_enforce");
	report_info("CPUID: ARCH_CAPABILITIES %d, PDCM %d, XSAVES %d, KVM PV leaf %d "
		    "(features 0x%x), PV enforcement %d", c->arch_caps, c->pdcm, c->xsaves,
		    c->kvm_leaf, c->pv_features, c->pv_enforce);
}

/* One access whose class the ABI fixes. */
static void fixed(u32 index, bool write, u64 val, enum msrf_kvm_class cls, const char *what)
{
	struct msrf_ctx ctx;
	enum msrf_outcome want;
	u64 answer = KVMRUN_MSR_DERIVED(index);
	struct msr_obs o;

	msrtest_ctx(&ctx);
	want = msrf_outcome_of_class(&ctx, cls);
	if (write)
		msr_observe_write(index, val, &o);
	else
		msr_observe_read(index, &o);
	report(msr_obs_matches(want, index, write, &answer, &o),
	       "%s 0x%x%s: %s (%s by the ABI), seen %s", write ? "wrmsr" : "rdmsr", index,
	       what, msrf_outcome_name(want), msrf_kvm_class_name(cls), msr_obs_name(&o));
}

/* An access the kernel may class INVAL or UNKNOWN: check one, say which. */
static void either(u32 index, bool write, const char *what)
{
	struct msrf_ctx ctx;
	enum msrf_outcome inval, unknown;
	u64 answer = KVMRUN_MSR_DERIVED(index);
	struct msr_obs o;
	bool is_inval, is_unknown;

	msrtest_ctx(&ctx);
	inval = msrf_outcome_of_class(&ctx, MSRF_KVM_INVAL);
	unknown = msrf_outcome_of_class(&ctx, MSRF_KVM_UNKNOWN);
	if (write)
		msr_observe_write(index, 0, &o);
	else
		msr_observe_read(index, &o);
	is_inval = msr_obs_matches(inval, index, write, &answer, &o);
	is_unknown = msr_obs_matches(unknown, index, write, &answer, &o);
	report(is_inval || is_unknown, "%s 0x%x%s: %s or %s (kernel's choice), seen %s",
	       write ? "wrmsr" : "rdmsr", index, what, msrf_outcome_name(inval),
	       msrf_outcome_name(unknown), msr_obs_name(&o));
	if (is_inval != is_unknown)
		report_info("%s 0x%x%s: this kernel classes it %s",
			    write ? "wrmsr" : "rdmsr", index, what,
			    is_inval ? "INVAL" : "UNKNOWN");
}

/* Present in CPUID: fixed OK; absent: INVAL or UNKNOWN. */
static void cpuid_gated(u32 index, bool present, const char *what)
{
	if (present)
		fixed(index, false, 0, MSRF_KVM_OK, what);
	else
		either(index, false, what);
}

static void one_mask(u32 mask, const struct vcpu_caps *c)
{
	unsigned int i;
	char what[48];

	if (!msrtest_enter_mask(mask))
		return;
	cpuid_gated(MSR_ARCH_CAPABILITIES, c->arch_caps,
		    c->arch_caps ? " (ARCH_CAPABILITIES, in CPUID)" :
				   " (ARCH_CAPABILITIES, not in CPUID)");
	cpuid_gated(MSR_PERF_CAPABILITIES, c->pdcm,
		    c->pdcm ? " (PERF_CAPABILITIES, PDCM)" : " (PERF_CAPABILITIES, no PDCM)");
	cpuid_gated(MSR_XSS, c->xsaves, c->xsaves ? " (XSS, XSAVES)" : " (XSS, no XSAVES)");
	for (i = 0; i < ARRAY_SIZE(pv_msrs); i++) {
		bool usable = !c->pv_enforce || (c->pv_features & (1u << pv_msrs[i].feature));

		snprintf(what, sizeof(what), " (%s, %s)", pv_msrs[i].name,
			 !c->pv_enforce ? "not enforced" :
			 usable ? "feature bit set" : "feature bit clear");
		cpuid_gated(pv_msrs[i].index, usable, what);
	}
	fixed(MSR_FABRICATED, false, 0, MSRF_KVM_UNKNOWN, " (unassigned)");
	fixed(MSR_FABRICATED, true, 0, MSRF_KVM_UNKNOWN, " (unassigned)");
	either(MSR_KVM_PV_LAST, false, " (PV block top: UNKNOWN before 6.18, INVAL since)");
	either(MSR_KVM_PV_LAST, true, " (PV block top: UNKNOWN before 6.18, INVAL since)");
	fixed(MSR_EFER, true, rdmsr(MSR_EFER) | (1ull << 63), MSRF_KVM_INVAL,
	      " (EFER, reserved bit 63)");
	report_prefix_pop();
}

int main(int argc, char **argv, char **envp)
{
	static const u32 masks[] = {
		MSRF_EXIT_INVAL | MSRF_EXIT_UNKNOWN,
		MSRF_EXIT_INVAL | MSRF_EXIT_UNKNOWN | MSRF_EXIT_FILTER,
	};
	struct vcpu_caps caps;
	unsigned int i;

	report_prefix_push("msr_reasons");
	if (!msrtest_init())
		return report_summary();
	read_caps(&caps);
	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
	for (i = 0; i < ARRAY_SIZE(masks); i++)
		one_mask(masks[i], &caps);
	msrtest_set_mask(0);
	return report_summary();
}
