// SPDX-License-Identifier: GPL-2.0-only
/*
 * User-space MSR exits (doc/abi.md §5 and §8a).
 *
 * For every exit mask 0-7, under no filter and three filters, the three
 * exit reasons are provoked and every access must #GP or exit exactly as
 * msrf_outcome() says:
 *   FILTER   a denied MSR: POWER_CTL (FD) with bit 0, and the doc/abi.md §5 rule
 *            that a denied MSR reports FILTER even when KVM does not know
 *            it (0x474F4F00 with bit 0, APIC_BASE's bad write denied);
 *   UNKNOWN  an allowed MSR KVM does not know: 0x474F4F00 covered with
 *            bit 1, 0x474F4F01 uncovered under DEFAULT_ALLOW;
 *   INVAL    an allowed access KVM rejects: WRMSR APIC_BASE with reserved
 *            bit 9 set (built from APIC_BASE read with no filter), and the
 *            x2APIC TPR (0x808) while the APIC is not in x2APIC mode, even
 *            with a range denying 0x800-0x8ff (never FILTER).
 * Each exit must be the only one, with the right direction, index, reason
 * and, for writes, the written value; per mask, the host's counters per
 * reason and direction must grow by exactly what the model predicts.
 *
 * Then the answers (mask 7): a read answered with D gives EDX:EAX = D and
 * clears RAX/RDX bits 63:32 (as RDMSR does); error 1, 0x80 or 0xff gives
 * #GP(0) with RAX/RDX untouched, for reads and writes; a write answered
 * with error 0 completes and leaves RAX/RDX alone (KVM ignores run->msr.data
 * on WRMSR); a denied write of a new value that the host accepted leaves
 * KVM's value alone; the host's ring holds a burst of exits in order.
 *
 * With kvm.ignore_msrs=1 (KVM_IGNORE_MSRS=1 from the harness) allowed
 * accesses to unknown MSRs never exit: those checks SKIP with that reason.
 *
 * Arguments: "masks" and/or "answers" run only those parts (default both).
 * The test sets its own exit masks and filters; the stanza's are ignored.
 */
#include "libcflat.h"
#include "apic.h"
#include "desc.h"
#include "msr.h"
#include "msrtest.h"

#define MSR_FABRICATED2		(MSR_FABRICATED + 1)
#define X2APIC_TPR_MSR		APIC_REG_TO_MSR(APIC_TPR)
#define APIC_BASE_RSVD9		BIT_ULL(9)

/* A value with both halves non-zero, for data that must travel intact. */
#define K_WRITE_VALUE		0x0123456789abcdefull

/* Junk that RDMSR must clear from RAX/RDX bits 63:32 and WRMSR ignores. */
#define JUNK_RAX		0xa5a5a5a500000000ull
#define JUNK_RDX		0x5a5a5a5a00000000ull

static u64 apic_base_orig;	/* APIC_BASE read with no filter */
static u64 power_ctl_orig;	/* POWER_CTL read with no filter */

/* ---- Accesses -------------------------------------------------------------- */

struct access {
	const char *name;
	u32 index;
	bool write;
	enum msrf_kvm_class cls;	/* KVM's class without a filter */
	u64 value;			/* written value (set at start) */
};

enum {
	A_FD_READ, A_FD_WRITE, A_K_READ, A_K_WRITE, A_K2_READ, A_K2_WRITE,
	A_IV_WRITE, A_X2_READ, A_X2_WRITE, NR_ACCESSES,
};

#define ACC(n, i, w, c, v) { .name = n, .index = i, .write = w, .cls = c, .value = v }

static struct access accesses[NR_ACCESSES] = {
	[A_FD_READ] = ACC("FD read", MSR_IA32_POWER_CTL, false, MSRF_KVM_OK, 0),
	/* value: the unfiltered read, set by init_values() */
	[A_FD_WRITE] = ACC("FD write-back", MSR_IA32_POWER_CTL, true, MSRF_KVM_OK, 0),
	[A_K_READ] = ACC("K read", MSR_FABRICATED, false, MSRF_KVM_UNKNOWN, 0),
	[A_K_WRITE] = ACC("K write", MSR_FABRICATED, true, MSRF_KVM_UNKNOWN, K_WRITE_VALUE),
	[A_K2_READ] = ACC("K2 read", MSR_FABRICATED2, false, MSRF_KVM_UNKNOWN, 0),
	[A_K2_WRITE] = ACC("K2 write", MSR_FABRICATED2, true, MSRF_KVM_UNKNOWN, K_WRITE_VALUE),
	/* value: APIC_BASE | bit 9, set by init_values() */
	[A_IV_WRITE] = ACC("IV write (APIC_BASE bit 9)", MSR_IA32_APICBASE, true,
			   MSRF_KVM_INVAL, 0),
	/* The model computes the x2APIC class itself; cls is ignored. */
	[A_X2_READ] = ACC("x2APIC TPR read", X2APIC_TPR_MSR, false, MSRF_KVM_OK, 0),
	[A_X2_WRITE] = ACC("x2APIC TPR write", X2APIC_TPR_MSR, true, MSRF_KVM_OK, 0),
};

static void init_values(void)
{
	if (rdmsr_safe(MSR_IA32_APICBASE, &apic_base_orig) ||
	    rdmsr_safe(MSR_IA32_POWER_CTL, &power_ctl_orig))
		report_abort("APIC_BASE / POWER_CTL unreadable without a filter");
	accesses[A_FD_WRITE].value = power_ctl_orig;
	accesses[A_IV_WRITE].value = apic_base_orig | APIC_BASE_RSVD9;
}

/* ---- Filters --------------------------------------------------------------- */

struct xfilter {
	const char *name;
	void (*build)(struct msrf_filter *f);	/* NULL: no filter */
};

static struct msrf_range *add_range(struct msrf_filter *f, u32 base, u32 nmsrs,
				    u32 flags, bool allow_all)
{
	int slot = msrf_add_range(f, base, nmsrs, flags, allow_all);

	assert(slot >= 0);
	return &f->ranges[slot];
}

/* FD denied; K allowed by bit 1; K2, APIC_BASE uncovered; x2APIC "denied". */
static void build_fd_deny(struct msrf_filter *f)
{
	msrf_filter_init(f, 0);
	add_range(f, MSR_IA32_POWER_CTL, 1, MSRF_READ | MSRF_WRITE, false);
	add_range(f, MSR_FABRICATED, 1, MSRF_READ | MSRF_WRITE, true);
	add_range(f, MSRF_X2APIC_FIRST, 0x100, MSRF_READ | MSRF_WRITE, false);
}

/* DEFAULT_DENY: K denied by bit 0, K2 and FD allowed, APIC_BASE by default. */
static void build_default_deny(struct msrf_filter *f)
{
	struct msrf_range *r;

	msrf_filter_init(f, MSRF_DEFAULT_DENY);
	r = add_range(f, MSR_FABRICATED, 2, MSRF_READ | MSRF_WRITE, false);
	msrf_set_bit(r, MSR_FABRICATED2, true);
	add_range(f, MSR_IA32_POWER_CTL, 1, MSRF_READ | MSRF_WRITE, true);
}

/* DEFAULT_ALLOW, but K and APIC_BASE denied by their bit 0. */
static void build_unknown_deny(struct msrf_filter *f)
{
	msrf_filter_init(f, 0);
	add_range(f, MSR_FABRICATED, 1, MSRF_READ | MSRF_WRITE, false);
	add_range(f, MSR_IA32_APICBASE, 1, MSRF_READ | MSRF_WRITE, false);
}

static const struct xfilter xfilters[] = {
	{ "no filter", NULL },
	{ "FD denied", build_fd_deny },
	{ "default deny", build_default_deny },
	{ "K and APIC_BASE denied", build_unknown_deny },
};

static struct msrf_filter filter;

/* ---- Checks ---------------------------------------------------------------- */

static struct kvmrun_stats stats;

static void get_stats(void)
{
	int st = kvmrun_get_stats(&stats);

	if (st != KVMRUN_ST_OK)
		report_abort("GET_STATS: %s", kvmrun_status_name(st));
}

/* ignore_msrs only hides UNKNOWN: the model says IGNORED exactly then. */
static bool skip_ignored(const struct access *a, enum msrf_outcome expect)
{
	if (expect != MSRF_IGNORED)
		return false;
	report_skip("%s 0x%x: kvm.ignore_msrs=1 on the host: no UNKNOWN exit", a->name,
		    a->index);
	return true;
}

static enum msrf_outcome expected(const struct access *a)
{
	struct msrf_ctx ctx;

	msrtest_ctx(&ctx);
	if (a->write)
		return msrf_outcome_write(&ctx, a->index, a->value, a->cls);
	return msrf_outcome(&ctx, a->index, MSRF_ACCESS_READ, a->cls);
}

/*
 * One access: outcome per the model, and what the host saw: for exits the
 * written value too; a V read of FD returns the unfiltered value.
 */
static void check_access(const struct access *a)
{
	enum msrf_outcome expect = expected(a);
	u64 answer = KVMRUN_MSR_DERIVED(a->index);
	struct msr_obs o;
	bool ok;

	if (skip_ignored(a, expect))
		return;
	if (a->write)
		msr_observe_write(a->index, a->value, &o);
	else
		msr_observe_read(a->index, &o);
	ok = msr_obs_matches(expect, a->index, a->write, &answer, &o);
	if (ok && expect == MSRF_V && !a->write && a->index == MSR_IA32_POWER_CTL)
		ok = o.value == power_ctl_orig;
	report(ok, "%s 0x%x: %s", a->name, a->index, msrf_outcome_name(expect));
	if (!ok)
		report_info("expected %s%s, seen %s (exit data 0x%lx)",
			    msrf_outcome_name(expect),
			    a->write ? " with the written data" : "", msr_obs_name(&o),
			    (unsigned long)o.exit.data);
}

/* A rejected APIC_BASE write must not have changed it. */
static void check_apic_base(void)
{
	u64 now;
	int vec = rdmsr_safe(MSR_IA32_APICBASE, &now);

	report(!vec && now == apic_base_orig, "APIC_BASE unchanged");
	if (!vec && now != apic_base_orig) {
		report_info("APIC_BASE 0x%lx, was 0x%lx", (unsigned long)now,
			    (unsigned long)apic_base_orig);
		wrmsr_safe(MSR_IA32_APICBASE, apic_base_orig);
	}
}

static bool install(const struct xfilter *xf)
{
	int err, expect;

	if (!xf->build)
		return true;
	xf->build(&filter);
	expect = msrf_validate(&filter);
	err = msrtest_install(&filter);
	report(err == expect, "installed: %s", msrf_errno_name(expect));
	return !err;
}

static void run_filter(const struct xfilter *xf)
{
	unsigned int i;

	report_prefix_push(xf->name);
	if (install(xf)) {
		for (i = 0; i < ARRAY_SIZE(accesses); i++)
			check_access(&accesses[i]);
	}
	if (msrtest_filter_off())
		report_abort("cannot turn the filter off");
	check_apic_base();
	report_prefix_pop();
}

static void run_mask(u32 mask)
{
	unsigned int i;

	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
	if (!msrtest_enter_mask(mask))
		return;
	msrtest_counts_begin();
	for (i = 0; i < ARRAY_SIZE(xfilters); i++)
		run_filter(&xfilters[i]);
	msrtest_counts_check("exit counters");
	report_prefix_pop();
}

/* ---- Answers ----------------------------------------------------------------- */

struct regs_obs {
	int vector;
	u32 error_code;
	u64 rax, rdx;
	u32 exits;			/* exits the host saw meanwhile */
	struct kvmrun_msr_exit exit;	/* the last one */
};

static u32 total_before(void)
{
	get_stats();
	return stats.total;
}

static void regs_done(struct regs_obs *r, u32 before)
{
	struct ex_record rec = ex_record_get();

	r->vector = ex_vector(rec);
	r->error_code = rec.error_code;
	get_stats();
	r->exits = stats.total - before;
	r->exit = stats.last;
}

/* RDMSR with junk in RAX/RDX bits 63:32 (RDMSR must clear them). */
static void rdmsr_regs(u32 index, struct regs_obs *r)
{
	u64 rax = JUNK_RAX, rdx = JUNK_RDX;
	u32 before = total_before();

	ex_record_clear();
	asm volatile("1: rdmsr\n2:\n\t" ASM_EXTABLE(1b, 2b)
		     : "+a"(rax), "+d"(rdx) : "c"(index) : "memory");
	r->rax = rax;
	r->rdx = rdx;
	regs_done(r, before);
}

/* WRMSR of val, with junk in RAX/RDX bits 63:32 (WRMSR ignores them). */
static void wrmsr_regs(u32 index, u64 val, struct regs_obs *r)
{
	u64 rax = JUNK_RAX | (u32)val, rdx = JUNK_RDX | (val >> 32);
	u32 before = total_before();

	ex_record_clear();
	asm volatile("1: wrmsr\n2:\n\t" ASM_EXTABLE(1b, 2b)
		     : "+a"(rax), "+d"(rdx) : "c"(index) : "memory");
	r->rax = rax;
	r->rdx = rdx;
	regs_done(r, before);
}

static bool one_exit(const struct regs_obs *r, enum msrf_outcome expect, u32 index,
		     bool write)
{
	return r->exits == 1 && r->exit.index == index && r->exit.write == write &&
	       msrtest_reason_row(expect) == msrtest_row_of_reason(r->exit.reason);
}

static void regs_info(const char *what, const struct regs_obs *r)
{
	report_info("%s: vector %d (error code 0x%x), rax 0x%lx, rdx 0x%lx, %u exits, "
		    "last index 0x%x reason %u %s data 0x%lx", what, r->vector, r->error_code,
		    (unsigned long)r->rax, (unsigned long)r->rdx, r->exits,
		    r->exit.index, r->exit.reason, r->exit.write ? "write" : "read",
		    (unsigned long)r->exit.data);
}

/* A read answered with data D: EDX:EAX = D, bits 63:32 of both cleared. */
static void answer_read_data(const struct access *a, u64 d)
{
	enum msrf_outcome expect = expected(a);
	struct regs_obs r;
	bool ok;

	if (skip_ignored(a, expect))
		return;
	if (!msrtest_is_exit(expect)) {
		report_skip("%s 0x%x answered 0x%lx: the model says %s, no exit", a->name,
			    a->index, (unsigned long)d, msrf_outcome_name(expect));
		return;
	}
	msrtest_set_policy_one(a->index, KVMRUN_DIR_READ, 0, 0, d);
	rdmsr_regs(a->index, &r);
	ok = !r.vector && one_exit(&r, expect, a->index, false) &&
	     r.rax == (u32)d && r.rdx == d >> 32;
	report(ok, "%s 0x%x (%s) answered 0x%lx: EDX:EAX = answer, RAX/RDX 63:32 clear",
	       a->name, a->index, msrf_outcome_name(expect), (unsigned long)d);
	if (!ok)
		regs_info("seen", &r);
}

/* An answer with error set: #GP(0), RAX/RDX untouched. */
static void answer_error(const struct access *a, u8 error)
{
	enum msrf_outcome expect = expected(a);
	u64 rax_in = JUNK_RAX | (u32)a->value, rdx_in = JUNK_RDX | (a->value >> 32);
	struct regs_obs r;
	bool ok;

	if (skip_ignored(a, expect))
		return;
	if (!msrtest_is_exit(expect)) {
		report_skip("%s 0x%x error %u: the model says %s, no exit", a->name, a->index,
			    error, msrf_outcome_name(expect));
		return;
	}
	msrtest_set_policy_one(a->index, a->write ? KVMRUN_DIR_WRITE : KVMRUN_DIR_READ, error, 0,
			       0);
	if (a->write) {
		wrmsr_regs(a->index, a->value, &r);
	} else {
		rdmsr_regs(a->index, &r);
		rax_in = JUNK_RAX;
		rdx_in = JUNK_RDX;
	}
	ok = r.vector == GP_VECTOR && !r.error_code && one_exit(&r, expect, a->index, a->write) &&
	     r.exit.error == error && r.rax == rax_in && r.rdx == rdx_in &&
	     (!a->write || r.exit.data == a->value);
	report(ok, "%s 0x%x (%s) answered error 0x%x: #GP(0), registers untouched",
	       a->name, a->index, msrf_outcome_name(expect), error);
	if (!ok)
		regs_info("seen", &r);
}

/*
 * A write answered with error 0 completes; run->msr.data is not loaded
 * anywhere (a KVM that completed WRMSR like RDMSR would clear RAX/RDX bits
 * 63:32, and would load the policy's data if the harness wrote it back).
 */
static void answer_write_ok(const struct access *a)
{
	enum msrf_outcome expect = expected(a);
	struct regs_obs r;
	bool ok;

	if (skip_ignored(a, expect))
		return;
	if (!msrtest_is_exit(expect)) {
		report_skip("%s 0x%x: the model says %s, no exit", a->name, a->index,
			    msrf_outcome_name(expect));
		return;
	}
	msrtest_set_policy_one(a->index, KVMRUN_DIR_WRITE, 0, 0, 0x8badf00d12345678ull);
	wrmsr_regs(a->index, a->value, &r);
	ok = !r.vector && one_exit(&r, expect, a->index, true) && r.exit.data == a->value &&
	     r.rax == (JUNK_RAX | (u32)a->value) && r.rdx == (JUNK_RDX | (a->value >> 32));
	report(ok, "%s 0x%x (%s) accepted: completes, data write-back ignored",
	       a->name, a->index, msrf_outcome_name(expect));
	if (!ok)
		regs_info("seen", &r);
}

/*
 * A burst of exits without looking in between: the ring has them in order
 * with direction, index, reason and data (written value, or the answer).
 */
static void check_ring(void)
{
	static const unsigned int burst[] = {
		A_K_READ, A_FD_WRITE, A_IV_WRITE, A_X2_READ, A_K_WRITE, A_X2_WRITE, A_K2_READ,
	};
	struct kvmrun_msr_exit want[ARRAY_SIZE(burst)];
	unsigned int i, n = 0, bad = 0;
	u32 before = total_before();

	for (i = 0; i < ARRAY_SIZE(burst); i++) {
		const struct access *a = &accesses[burst[i]];
		enum msrf_outcome expect = expected(a);
		u64 v;

		if (msrtest_is_exit(expect))
			want[n++] = (struct kvmrun_msr_exit){
				.index = a->index, .write = a->write,
				.reason = 1u << msrtest_reason_row(expect),
				.data = a->write ? a->value : KVMRUN_MSR_DERIVED(a->index),
			};
		if (a->write)
			wrmsr_safe(a->index, a->value);
		else
			rdmsr_safe(a->index, &v);
	}
	get_stats();
	if (stats.total - before != n || stats.ring_count < n) {
		report_fail("ring: %u exits as the model says (host saw %u)", n,
			    stats.total - before);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct kvmrun_msr_exit *e = &stats.ring[stats.ring_count - n + i];

		if (e->index == want[i].index && e->write == want[i].write &&
		    e->reason == want[i].reason && e->data == want[i].data && !e->error)
			continue;
		if (!bad++)
			report_info("ring[%u]: index 0x%x %s reason %u data 0x%lx, model 0x%x %s "
				    "reason %u data 0x%lx", i, e->index, e->write ? "write" : "read",
				    e->reason, (unsigned long)e->data, want[i].index,
				    want[i].write ? "write" : "read", want[i].reason,
				    (unsigned long)want[i].data);
	}
	report(!bad, "ring: %u exits in order with direction, index, reason and data", n);
}

/*
 * A denied WRMSR of a new value that the host accepted was the host's to
 * handle: KVM's own POWER_CTL must still hold the old value.  The filter
 * is off when this returns.
 */
static void check_denied_write_kept_out(void)
{
	struct access a = accesses[A_FD_WRITE];
	enum msrf_outcome expect;
	struct msr_obs o;
	u64 now = ~0ull;
	bool ok;

	a.value = power_ctl_orig ^ 2;	/* C1E enable: KVM only stores it */
	expect = expected(&a);
	msr_observe_write(a.index, a.value, &o);
	ok = msr_obs_matches(expect, a.index, true, NULL, &o) && expect != MSRF_V;
	msrtest_filter_off();
	ok = !rdmsr_safe(a.index, &now) && now == power_ctl_orig && ok;
	report(ok, "FD write of a new value 0x%x (%s, accepted): POWER_CTL unchanged",
	       a.index, msrf_outcome_name(expect));
	if (!ok) {
		report_info("seen %s, POWER_CTL now 0x%lx (was 0x%lx)", msr_obs_name(&o),
			    (unsigned long)now, (unsigned long)power_ctl_orig);
		wrmsr_safe(a.index, power_ctl_orig);
	}
}

static void run_answers(void)
{
	static const u8 errors[] = { 1, 0x80, 0xff };
	unsigned int i;

	report_prefix_push("answers");
	if (msrtest_filter_off() || msrtest_set_mask(MSRF_EXIT_VALID_MASK) ||
	    !install(&xfilters[1])) {
		report_fail("cannot set mask 7 and the FD-denied filter");
		report_prefix_pop();
		return;
	}
	answer_read_data(&accesses[A_FD_READ], 0x8badf00d12345678ull);
	answer_read_data(&accesses[A_K_READ], 0xfedcba9876543210ull);
	answer_read_data(&accesses[A_X2_READ], 0x8000000180000001ull);
	for (i = 0; i < ARRAY_SIZE(errors); i++) {
		answer_error(&accesses[A_FD_READ], errors[i]);
		answer_error(&accesses[A_FD_WRITE], errors[i]);
		answer_error(&accesses[A_K_WRITE], errors[i]);
		answer_error(&accesses[A_IV_WRITE], errors[i]);
	}
	answer_write_ok(&accesses[A_FD_WRITE]);
	answer_write_ok(&accesses[A_K_WRITE]);
	answer_write_ok(&accesses[A_IV_WRITE]);
	answer_write_ok(&accesses[A_X2_WRITE]);
	if (kvmrun_reset_policy() != KVMRUN_ST_OK)
		report_abort("RESET_POLICY failed");
	check_ring();
	msrtest_sync();	/* after raw accesses that exited */
	check_denied_write_kept_out();
	check_apic_base();
	report_prefix_pop();
}

int main(int argc, char **argv, char **envp)
{
	u32 mask;

	report_prefix_push("msr_exits");
	if (!msrtest_init())
		return report_summary();
	report_prefix_pushf("irqchip %s", getenv("KVMRUN_IRQCHIP") ?: "?");
	if (msrtest_filter_off())
		report_abort("cannot turn the filter off");
	init_values();
	report_info("APIC mode %s, APIC_BASE 0x%lx, kvm.ignore_msrs %s",
		    apic_mode_name(apic_mode_of(apic_base_orig)),
		    (unsigned long)apic_base_orig,
		    !msrtest_host.ignore_msrs_known ? "unknown (taken as 0)" :
		    msrtest_host.ignore_msrs ? "1" : "0");
	if (arg_selected(argc, argv, "masks")) {
		for (mask = 0; mask <= MSRF_EXIT_VALID_MASK; mask++)
			run_mask(mask);
	}
	if (arg_selected(argc, argv, "answers"))
		run_answers();
	msrtest_filter_off();
	msrtest_set_mask(0);
	return report_summary();
}
