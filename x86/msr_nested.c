// SPDX-License-Identifier: GPL-2.0-only
/*
 * The filter when the guest is itself a hypervisor (doc/abi.md §11).
 *
 * This image is L1, on SVM or VMX, whichever the CPU offers (nested.h):
 * it runs an L2 function that does one RDMSR or WRMSR and reports back
 * with VMMCALL / VMCALL.  For each probe MSR, under
 * exit masks 0 and FILTER|UNKNOWN|INVAL, with L0's filter (ours, installed
 * through kvmrun) allowing and denying it by an explicit range bit, and
 * with L1's permission-map bits set (intercept) and clear (pass through),
 * L2 reads and writes it.  The model (msrf_l2_outcome()) says what must
 * happen: a VM exit to L1 with the right index and direction (and our VMM
 * sees nothing), or what L0 does for an L1 access: the value, #GP into L2
 * (L1 intercepts #GP, so it comes back as an exception exit) or one exit
 * to our VMM with the right reason.  Our VMM's exits are counted exactly
 * per mask.
 *
 * Probes: MSRs KVM may pass through to L2 when L1 does (merged from L1's
 * map into L0's: FS_BASE, KERNEL_GS_BASE on both vendors, LSTAR and
 * SYSENTER_CS on SVM; on VMX those two always exit to L0), an
 * ordinary MSR KVM always intercepts (POWER_CTL), one outside the map
 * (which always exits to L1) and x2APIC registers (never filtered: L0
 * answers from L1's LAPIC when L1 passes them through).
 *
 * Then L1 without an MSR bitmap (VMX: everything exits to L1; SVM:
 * nothing does, L0 handles it all).  Then a filter change while L2 runs: L1 changes the filter between two
 * runs of the same VMCB / VMCS (VMRESUME), and L2 changes it itself in the middle of its
 * run (through the control port, which L1 does not intercept): the next
 * L2 access follows the new filter.
 *
 * Where the host cannot nest (no SVM or VMX in our CPUID: kvm_pvm, or
 * nested=0) everything SKIPs with that reason.
 */
#include "libcflat.h"
#include "apic.h"
#include "desc.h"
#include "msr.h"
#include "msrtest.h"
#include "processor.h"
#include "nested.h"

struct probe {
	u32 index;
	const char *name;
	bool x2apic;
	enum msrf_kvm_class cls[2];	/* KVM's class with no filter, [write] */
	u64 wval;			/* written: L1's current value */
};

static struct probe probes[] = {
	{ .index = MSR_FS_BASE, .name = "FS_BASE" },
	{ .index = MSR_KERNEL_GS_BASE, .name = "KERNEL_GS_BASE" },
	{ .index = MSR_LSTAR, .name = "LSTAR" },
	{ .index = MSR_IA32_SYSENTER_CS, .name = "SYSENTER_CS" },
	{ .index = MSR_IA32_POWER_CTL, .name = "POWER_CTL" },
	{ .index = MSR_FABRICATED, .name = "unknown 0x474f4f00 (no map bit)" },
	{ .index = 0x808, .name = "x2APIC TPR", .x2apic = true },
	{ .index = 0x802, .name = "x2APIC ID", .x2apic = true },
};

static struct msrf_filter filt;
static const struct nested_ops *ops;
static bool x2apic_ok;

static const char *dir_name(bool write)
{
	return write ? "write" : "read";
}

/* KVM's class of an L1 access with no filter, exits INVAL|UNKNOWN. */
static enum msrf_kvm_class baseline(u32 index, bool write, u64 wval)
{
	struct msr_obs o;
	int c;

	if (write)
		msr_observe_write(index, wval, &o);
	else
		msr_observe_read(index, &o);
	c = msrf_class_of_baseline(o.outcome);
	return c < 0 ? MSRF_KVM_UNKNOWN : (enum msrf_kvm_class)c;
}

static void measure_baselines(void)
{
	unsigned int i;
	u64 v;

	msrtest_filter_off();
	msrtest_set_mask(MSRF_EXIT_INVAL | MSRF_EXIT_UNKNOWN);
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		struct probe *p = &probes[i];

		if (p->x2apic)
			continue;
		p->wval = rdmsr_safe(p->index, &v) ? 0 : v;
		p->cls[0] = baseline(p->index, false, 0);
		p->cls[1] = baseline(p->index, true, p->wval);
		report_info("%s: KVM's class without a filter: read %s, write %s", p->name,
			    msrf_kvm_class_name(p->cls[0]), msrf_kvm_class_name(p->cls[1]));
	}
}

/* DEFAULT_ALLOW plus one range over the probe whose bit says allow or deny. */
static void install(const struct probe *p, bool allow)
{
	int slot;

	msrf_filter_init(&filt, 0);
	if (p->x2apic)
		slot = msrf_add_range(&filt, MSRF_X2APIC_FIRST, 0x100,
				      MSRF_READ | MSRF_WRITE, allow);
	else
		slot = msrf_add_range(&filt, p->index, 1, MSRF_READ | MSRF_WRITE, allow);
	if (slot < 0 || msrtest_install(&filt))
		report_abort("cannot install the filter for %s", p->name);
}

/* Turn one L2 run into an observation the model can be compared with. */
static void observe(const struct probe *p, bool write, const struct l2_run *r,
		    struct msr_obs *o, bool *l1_ok)
{
	memset(o, 0, sizeof(*o));
	o->written = p->wval;
	*l1_ok = true;
	if (r->end == L2_END_MSR) {
		/* the direction the CPU reported, the index in L2's ECX */
		*l1_ok = r->msr_write == write && (u32)r->rcx == p->index &&
			 (!write || ((u32)r->rax | (u64)(u32)r->rdx << 32) == p->wval);
		o->vector = 0;
	} else if (r->end == L2_END_EXCEPTION) {
		o->vector = r->vector;
	} else if (r->end != L2_END_CALL || !r->req.done) {
		o->vector = -1;	/* anything else: never what the model says */
	}
	o->value = r->req.value;
	msr_observe_classify(o);
	if (r->end == L2_END_MSR)
		o->outcome = MSRF_L1_EXIT;
}

static const char *const l1_names[] = {
	"passes through", "intercepts reads only", "intercepts writes only", "intercepts",
	"uses no MSR bitmap"
};
#define L1_NO_BITMAP	4

static bool check_one(const struct probe *p, bool write, bool allow, unsigned int l1_icpt)
{
	struct msrf_ctx ctx;
	struct msrf_l1 l1;
	struct l2_run r;
	struct msr_obs o;
	enum msrf_outcome expect;
	u64 answer = KVMRUN_MSR_DERIVED(p->index);
	bool l1_ok, ok;

	msrtest_ctx(&ctx);
	nested_l1_view(ops, &l1);
	expect = msrf_l2_outcome(&ctx, &l1, p->index,
				 write ? MSRF_ACCESS_WRITE : MSRF_ACCESS_READ,
				 p->wval, p->cls[write]);
	nested_run_msr(ops, p->index, write, p->wval, &r);
	observe(p, write, &r, &o, &l1_ok);
	ok = msr_obs_matches(expect, p->index, write, &answer, &o) && l1_ok;
	report(ok, "%s %s, L0 %s, L1 %s: %s", p->name, dir_name(write),
	       allow ? "allows" : "denies", l1_names[l1_icpt],
	       msrf_outcome_name(expect));
	if (!ok)
		report_info("expected %s; L1 saw %s (qualification 0x%lx, rcx 0x%lx), "
			    "our VMM: %s", msrf_outcome_name(expect), r.name,
			    (unsigned long)r.qual, (unsigned long)r.rcx, msr_obs_name(&o));
	return ok;
}

/*
 * For each probe, L0's filter allowing it, then denying it: L1 with its
 * read and write bits apart (KVM merges L1's map into L2's 32 bits at a
 * time, and one direction intercepted must not leak into the other), or
 * (no_bitmap) with no MSR bitmap at all.
 */
static void probe_rows(const struct probe *p, unsigned int allow, bool no_bitmap)
{
	unsigned int b, w;

	if (no_bitmap) {
		for (w = 0; w < 2; w++)
			check_one(p, w, allow, L1_NO_BITMAP);
		return;
	}
	for (b = 0; b < 4; b++) {
		nested_intercept_msr(ops, p->index, MSRF_ACCESS_READ, b & 1);
		nested_intercept_msr(ops, p->index, MSRF_ACCESS_WRITE, b & 2);
		for (w = 0; w < 2; w++)
			check_one(p, w, allow, b);
	}
	nested_intercept_msr(ops, p->index, MSRF_ACCESS_READ, true);
	nested_intercept_msr(ops, p->index, MSRF_ACCESS_WRITE, true);
}

/*
 * no_bitmap: L1 without an MSR bitmap (VMX "use MSR bitmaps" clear, SVM
 * MSR_PROT clear): on VMX every access exits to L1, on SVM none does and
 * L0 handles them all under its filter (KVM's nested_svm_exit_handled_msr()
 * returns to the host; vmcb02 keeps L0's own map).  Its bits, all set,
 * must not matter.
 */
static void matrix(u32 mask, bool no_bitmap)
{
	unsigned int i, a;

	if (!msrtest_enter_mask(mask))
		return;
	msrtest_counts_begin();
	ops->use_bitmap(!no_bitmap);
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		const struct probe *p = &probes[i];

		if (p->x2apic && !x2apic_ok)
			continue;
		for (a = 0; a < 2; a++) {
			install(p, a);
			probe_rows(p, a, no_bitmap);
		}
	}
	ops->use_bitmap(true);
	msrtest_filter_off();
	msrtest_counts_check(no_bitmap ? "L2 accesses, no bitmap" : "L2 accesses");
	report_prefix_pop();
}

/* ---- A filter change while L2 runs ---------------------------------------- */

static struct probe *live_probe;
static struct msr_obs live_before;

/* L2: read, deny reads of the probe from L2 itself, then read again. */
static void l2_read_change_read(void)
{
	install(live_probe, true);
	msrtest_sync();
	l2_req = (struct l2_req){ .index = live_probe->index };
	live_before.vector = rdmsr_safe(live_probe->index, &live_before.value);
	install(live_probe, false);
	msrtest_sync();
	/* this read's #GP, if any, is an exception exit to L1 */
	l2_req.value = rdmsr(live_probe->index);
	l2_req.done = 1;
}

static void live_change(u32 mask)
{
	struct probe *p = &probes[0];	/* FS_BASE: L0 may pass it through */
	struct l2_run r;
	struct msr_obs o;
	struct msrf_ctx ctx;
	struct msrf_l1 l1;
	enum msrf_outcome expect;
	u64 answer = KVMRUN_MSR_DERIVED(p->index);
	bool l1_ok;

	if (!msrtest_enter_mask(mask))
		return;
	nested_intercept_msr(ops, p->index, MSRF_ACCESS_READ, false);
	nested_l1_view(ops, &l1);

	/* L1 changes the filter between two runs of the same VMCB. */
	install(p, true);
	nested_run_msr(ops, p->index, false, 0, &r);
	report(r.end == L2_END_CALL && r.req.done,
	       "L1 loop: FS_BASE read allowed: L2 completes (exit %s)", r.name);
	msrtest_counts_begin();
	install(p, false);
	msrtest_ctx(&ctx);
	expect = msrf_l2_outcome(&ctx, &l1, p->index, MSRF_ACCESS_READ, 0, p->cls[0]);
	nested_run_msr(ops, p->index, false, 0, &r);
	observe(p, false, &r, &o, &l1_ok);
	report(msr_obs_matches(expect, p->index, false, &answer, &o),
	       "L1 loop: after L1 denied it, L2's next read: %s", msrf_outcome_name(expect));
	msrtest_counts_check("L1 loop");

	/*
	 * L2 changes the filter itself (L1 never runs in between): L0 must
	 * not keep L2's merged map from before the change.
	 */
	live_probe = p;
	msrtest_counts_begin();
	ops->run(l2_read_change_read, &r);
	report(!live_before.vector, "L2 changes the filter: read before it: no fault");
	msrtest_ctx(&ctx);
	expect = msrf_l2_outcome(&ctx, &l1, p->index, MSRF_ACCESS_READ, 0, p->cls[0]);
	observe(p, false, &r, &o, &l1_ok);
	if (!report(msr_obs_matches(expect, p->index, false, &answer, &o),
		    "L2 changes the filter: its next read: %s", msrf_outcome_name(expect)))
		report_info("L1 saw %s, our VMM: %s", r.name, msr_obs_name(&o));
	msrtest_counts_check("L2 changes the filter");

	nested_intercept_msr(ops, p->index, MSRF_ACCESS_READ, true);
	msrtest_filter_off();
	report_prefix_pop();
}

int main(int argc, char **argv, char **envp)
{
	const char *why;
	unsigned int i;

	if (!msrtest_init())
		return report_summary();
	ops = nested_probe(&why);
	if (!ops) {
		report_skip("%s", why);
		return report_summary();
	}
	if (!ops->init(&why)) {
		report_skip("%s: %s", ops->name, why);
		return report_summary();
	}
	report_prefix_push(ops->name);
	measure_baselines();
	x2apic_ok = cpu_has_x2apic() && !apic_set_mode(APIC_MODE_X2APIC);
	if (x2apic_ok)
		msrtest_refresh_apic_mode();
	else
		report_skip("x2APIC probes: no x2APIC mode for L1");
	for (i = 0; i < 4; i++)
		matrix(i & 1 ? MSRF_EXIT_VALID_MASK : 0, i >= 2);
	live_change(0);
	live_change(MSRF_EXIT_VALID_MASK);
	report_prefix_pop();
	return report_summary();
}
