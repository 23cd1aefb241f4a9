// SPDX-License-Identifier: GPL-2.0-only
/*
 * L1's VMX MSR lists under L0's filter (doc/abi.md §11.3).
 *
 * This image is a VMX L1 (lib/x86/vmx.c).  Its VM-entry MSR-load,
 * VM-exit MSR-store and VM-exit MSR-load lists hold KERNEL_GS_BASE (never
 * denied here) and LSTAR (denied in the direction the list uses).  What
 * KVM does with them depends on the kernel: since 6.12 (653ea4489e69) a
 * denied entry fails VM entry (exit reason 34, qualification = its
 * 1-based position) or, on VM exit, is a VM abort: L1 shuts down.  From
 * 5.18 (ac8d6cad3c7b) to 6.11 the lists are not filtered at all.  The
 * model's version table (msrf_vmx_list_stop()) says which, from the
 * host kernel kvmrun reports (KVM_HOST_KERNEL); nothing here looks at the
 * version itself.  Our VMM never sees an exit for a list entry, whatever
 * the exit mask.
 *
 *   lists        (default) all lists with nothing denied; the entry list
 *                with LSTAR's write denied (and without LSTAR: the allowed
 *                entry alone must load); the dedicated PAT fields with PAT
 *                writes denied (never filtered); under exit masks 0 and 7
 *   abort-store  the VM-exit MSR-store list with LSTAR's read denied
 *   abort-load   the VM-exit MSR-load list with LSTAR's write denied
 *   abort-tsc    the VM-exit MSR-store list with IA32_TSC's read denied
 *
 * The abort-* modes first run their list with no filter (it must work,
 * so that an abort is the deny's doing), then end in a shutdown where the
 * model expects a VM abort (each has its own stanza with expected_end =
 * shutdown) and announce it first; where it expects none they check the
 * list's effect and exit.
 */
#include "libcflat.h"
#include "msr.h"
#include "msrtest.h"
#include "nested.h"
#include "processor.h"
#include "vmx.h"

#define VAL_ENTRY_KGS	0x0000111100001000ull
#define VAL_ENTRY_LSTAR	0x0000222200002000ull
#define VAL_L2_KGS	0x0000333300003000ull
#define VAL_L2_LSTAR	0x0000444400004000ull
#define VAL_EXIT_KGS	0x0000555500005000ull
#define VAL_EXIT_LSTAR	0x0000666600006000ull

static const struct nested_ops *ops;
static uint32_t kver;
static struct msrf_filter filt;
static struct vmx_msr_entry list[2];
static u64 l1_kgs, l1_lstar, l1_pat;
static u64 l2_seen[2];
/*
 * " [kernel rule COMMIT]": ends every check whose expectation came from
 * the model's kernel-version table, so that the kernel report lists the
 * lines that differ between 6.1 and 6.12 as explained differences.
 */
static char rule[48];

static const u32 list_index[2] = { MSR_KERNEL_GS_BASE, MSR_LSTAR };

static void l2_read_both(void)
{
	l2_seen[0] = rdmsr(MSR_KERNEL_GS_BASE);
	l2_seen[1] = rdmsr(MSR_LSTAR);
	l2_req.done = 1;
}

static void l2_write_both(void)
{
	wrmsr(MSR_KERNEL_GS_BASE, VAL_L2_KGS);
	wrmsr(MSR_LSTAR, VAL_L2_LSTAR);
	l2_req.done = 1;
}

static void l2_read_pat(void)
{
	l2_seen[0] = rdmsr(MSR_IA32_CR_PAT);
	l2_req.done = 1;
}

static void l2_nothing(void)
{
	l2_req.done = 1;
}

/* Deny 'index' in direction 'type' (DEFAULT_ALLOW otherwise), or no filter. */
static void deny(u32 index, u32 type)
{
	msrf_filter_init(&filt, 0);
	if (msrf_add_range(&filt, index, 1, type, false) < 0 || msrtest_install(&filt))
		report_abort("cannot install a filter denying 0x%x", index);
}

/* L1's own values back, with no filter in the way. */
static void restore_l1(void)
{
	msrtest_filter_off();
	wrmsr(MSR_KERNEL_GS_BASE, l1_kgs);
	wrmsr(MSR_LSTAR, l1_lstar);
	vmx_set_list(VMX_LIST_ENTRY_LOAD, NULL, 0);
	vmx_set_list(VMX_LIST_EXIT_STORE, NULL, 0);
	vmx_set_list(VMX_LIST_EXIT_LOAD, NULL, 0);
}

static void fill(const u64 *values, unsigned int n)
{
	unsigned int i;

	memset(list, 0, sizeof(list));
	for (i = 0; i < n; i++) {
		list[i].index = list_index[i];
		list[i].value = values ? values[i] : 0;
	}
}

/* L2 finished, or it did not: one line either way. */
static bool ran(const struct l2_run *r, const char *what)
{
	return report(r->end == L2_END_CALL && r->req.done, "%s: L2 ran to its end (%s)",
		      what, r->name);
}

/* The model's stop for list l with the current filter; -1: cannot tell. */
static int stop_of(enum msrf_vmx_list l, unsigned int n)
{
	return msrf_vmx_list_stop(msrtest_filter(), kver, l, list_index, n);
}

/* ---- lists: the entry list, the exit lists, nothing that aborts ---------- */

static void entry_list(const char *name, unsigned int n, bool denied)
{
	static const u64 v[2] = { VAL_ENTRY_KGS, VAL_ENTRY_LSTAR };
	int stop = stop_of(MSRF_VMX_ENTRY_LOAD, n);
	struct l2_run r;
	char what[160];

	snprintf(what, sizeof(what), "%s%s", name, denied ? rule : "");
	fill(v, n);
	vmx_set_list(VMX_LIST_ENTRY_LOAD, list, n);
	msrtest_counts_begin();
	ops->run(l2_read_both, &r);
	if (stop > 0) {
		if (!report((r.code & 0xffff) == VMX_EXIT_MSR_LOAD_FAIL &&
			    r.end == L2_END_ENTRY_FAIL && r.qual == (u64)stop,
			    "%s: VM entry fails on entry %d (exit reason 34)", what, stop))
			report_info("L1 saw %s", r.name);
	} else if (ran(&r, what)) {
		report(l2_seen[0] == v[0] && (n < 2 || l2_seen[1] == v[1]),
		       "%s: L2 starts with the list's values", what);
	}
	msrtest_counts_check(what);
	restore_l1();
}

/*
 * One run with VM-exit list l holding KERNEL_GS_BASE and LSTAR (or, tsc,
 * IA32_TSC alone), named 'what'.  stop > 0: the model expects a VM abort
 * at that entry, so announce the shutdown and report a FAIL if L1 comes
 * back; otherwise the list must have done its work: the store list holds
 * what L2 left (L2 writes KERNEL_GS_BASE and LSTAR), the load list's
 * values are L1's.  Our VMM sees no exit either way.
 */
static void exit_list(enum vmx_list l, bool tsc, const char *what, int stop)
{
	static const u64 v[2] = { VAL_EXIT_KGS, VAL_EXIT_LSTAR };
	struct l2_run r;
	u64 t0, t1;
	bool ok;

	fill(l == VMX_LIST_EXIT_LOAD ? v : NULL, tsc ? 1 : 2);
	if (tsc)
		list[0].index = MSR_IA32_TSC;
	vmx_set_list(l, list, tsc ? 1 : 2);
	if (stop > 0)
		report_expect_shutdown("%s: entry %d denied: KVM must VM-abort "
				       "(doc/abi.md §11.3)", what, stop);
	msrtest_counts_begin();
	t0 = rdtsc();
	ops->run(l == VMX_LIST_EXIT_STORE ? l2_write_both : l2_nothing, &r);
	t1 = rdtsc();
	/*
	 * For what the value says of the path taken: KVM takes a stored TSC
	 * from vmcs02's own store list and adds L1's offset (it expects the
	 * CPU's raw TSC there); any other path reads L1's TSC.
	 */
	if (tsc)
		report_info("L1's TSC 0x%lx before the run, 0x%lx after; stored 0x%lx",
			    (unsigned long)t0, (unsigned long)t1, (unsigned long)list[0].value);
	if (stop > 0) {
		report(false, "%s: VM abort expected, but L1 resumed after %s "
		       "(entry 1 now 0x%lx)", what, r.name, (unsigned long)list[0].value);
		return;
	}
	if (ran(&r, what)) {
		if (tsc)
			ok = list[0].value != 0;
		else if (l == VMX_LIST_EXIT_STORE)
			ok = list[0].value == VAL_L2_KGS && list[1].value == VAL_L2_LSTAR;
		else
			ok = rdmsr(MSR_KERNEL_GS_BASE) == v[0] && rdmsr(MSR_LSTAR) == v[1];
		report(ok, "%s: %s", what, tsc ? "TSC stored" :
		       l == VMX_LIST_EXIT_STORE ? "holds L2's values" : "L1 has its values");
	}
	msrtest_counts_check(what);
	restore_l1();
}

/* PAT through the dedicated VMCS fields, PAT writes denied: never filtered. */
static void pat_fields(void)
{
	/* entry 1 WT -> WC: a type L1 does not use for anything */
	u64 guest_pat = (l1_pat & ~0xff00ull) | 0x0100ull;
	struct l2_run r;

	nested_intercept_msr(ops, MSR_IA32_CR_PAT, MSRF_ACCESS_READ, false);
	if (!vmx_load_pat(true, guest_pat, l1_pat)) {
		report_skip("dedicated PAT fields: no load-PAT controls");
		return;
	}
	deny(MSR_IA32_CR_PAT, MSRF_WRITE);
	msrtest_counts_begin();
	ops->run(l2_read_pat, &r);
	if (ran(&r, "guest PAT field, PAT writes denied"))
		report(l2_seen[0] == guest_pat && rdmsr(MSR_IA32_CR_PAT) == l1_pat,
		       "PAT loaded from the VMCS at entry and exit despite the deny");
	msrtest_counts_check("PAT fields");
	vmx_load_pat(false, 0, 0);
	nested_intercept_msr(ops, MSR_IA32_CR_PAT, MSRF_ACCESS_READ, true);
	restore_l1();
}

static void lists(u32 mask)
{
	if (!msrtest_enter_mask(mask))
		return;
	entry_list("VM-entry MSR-load list", 2, false);
	exit_list(VMX_LIST_EXIT_STORE, false, "VM-exit MSR-store list", 0);
	exit_list(VMX_LIST_EXIT_LOAD, false, "VM-exit MSR-load list", 0);
	deny(MSR_LSTAR, MSRF_WRITE);
	entry_list("VM-entry MSR-load list, LSTAR write denied", 2, true);
	deny(MSR_LSTAR, MSRF_WRITE);
	entry_list("VM-entry MSR-load list without LSTAR, LSTAR write denied", 1, true);
	pat_fields();
	report_prefix_pop();
}

/* ---- abort-*: a VM exit whose list the filter stops ------------------------- */

/*
 * List l (or TSC alone) with no filter first: it works, so an abort is
 * the deny's doing.  Then with 'denied' in force, as the model says for
 * this kernel: a VM abort, or the list's work done.
 */
static void exit_abort(enum vmx_list l, bool tsc, u32 index, u32 type, const char *denied)
{
	static const u32 tsc_index = MSR_IA32_TSC;
	enum msrf_vmx_list ml = l == VMX_LIST_EXIT_STORE ? MSRF_VMX_EXIT_STORE :
			       MSRF_VMX_EXIT_LOAD;
	char what[160];
	int stop;

	snprintf(what, sizeof(what), "%s list%s, no filter", vmx_list_name(l),
		 tsc ? " with TSC" : "");
	exit_list(l, tsc, what, 0);
	deny(index, type);
	stop = tsc ? msrf_vmx_list_stop(msrtest_filter(), kver, ml, &tsc_index, 1) :
		     stop_of(ml, 2);
	snprintf(what, sizeof(what), "%s list, %s%s", vmx_list_name(l), denied, rule);
	exit_list(l, tsc, what, stop);
}

static bool know_kernel(void)
{
	const char *rel = getenv("KVM_HOST_KERNEL"), *commit;
	int f;

	if (!rel || !msrf_parse_kver(rel, &kver)) {
		report_skip("the host kernel's version is unknown (KVM_HOST_KERNEL '%s'), "
			    "and the list rule depends on it", rel ? rel : "");
		return false;
	}
	f = msrf_vmx_lists_filtered(kver, &commit);
	if (f < 0) {
		report_skip("kernel %s is older than the model's version table "
			    "(doc/abi.md §11.3)", rel);
		return false;
	}
	report_info("kernel %s: %s filters the VMX MSR lists (%s)", rel,
		    f ? "KVM" : "KVM no longer", commit);
	snprintf(rule, sizeof(rule), " [kernel rule %s]", commit);
	return true;
}

int main(int argc, char **argv, char **envp)
{
	const char *why;
	unsigned int i;

	if (!msrtest_init())
		return report_summary();
	ops = nested_probe(&why);
	if (!ops || ops->vendor != MSRF_VENDOR_VMX) {
		report_skip("VMX MSR lists: %s", ops ? "the CPU offers SVM, not VMX" : why);
		return report_summary();
	}
	if (!know_kernel())
		return report_summary();
	msrtest_filter_off();
	l1_kgs = rdmsr(MSR_KERNEL_GS_BASE);
	l1_lstar = rdmsr(MSR_LSTAR);
	l1_pat = rdmsr(MSR_IA32_CR_PAT);
	if (!ops->init(&why)) {
		report_skip("vmx: %s", why);
		return report_summary();
	}
	report_prefix_push("vmx");
	/* L2's own accesses to the list MSRs go to L0, not to L1. */
	for (i = 0; i < 2; i++) {
		nested_intercept_msr(ops, list_index[i], MSRF_ACCESS_READ, false);
		nested_intercept_msr(ops, list_index[i], MSRF_ACCESS_WRITE, false);
	}
	if (arg_selected(argc, argv, "lists")) {
		lists(0);
		lists(MSRF_EXIT_VALID_MASK);
	}
	/* The exit mask with every reason on: still no exit for a list entry. */
	if (argc > 1 && msrtest_enter_mask(MSRF_EXIT_VALID_MASK)) {
		if (arg_selected(argc, argv, "abort-store"))
			exit_abort(VMX_LIST_EXIT_STORE, false, MSR_LSTAR, MSRF_READ,
				   "LSTAR read denied");
		if (arg_selected(argc, argv, "abort-load"))
			exit_abort(VMX_LIST_EXIT_LOAD, false, MSR_LSTAR, MSRF_WRITE,
				   "LSTAR write denied");
		if (arg_selected(argc, argv, "abort-tsc"))
			exit_abort(VMX_LIST_EXIT_STORE, true, MSR_IA32_TSC, MSRF_READ,
				   "IA32_TSC read denied");
		report_prefix_pop();
	}
	report_prefix_pop();
	return report_summary();
}
