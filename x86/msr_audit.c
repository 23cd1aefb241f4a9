// SPDX-License-Identifier: GPL-2.0-only
/*
 * Filter audit (./run_tests.sh --audit FILTER): what a guest really reaches
 * under a VMM's filter on this kernel.
 *
 * kvmrun installs FILTER before the vCPUs run, with the exit mask given
 * (default 0: no user exits, denials are #GP), as a VMM does.  The guest
 * takes the filter from kvmrun itself (KVMRUN_OP_GET_FILTER) and prints its
 * digest (msrf_digest()), which the runner compares with the file's: a VMM
 * that installs something else than the file says is caught there.
 *
 * Phases, all in one VM:
 *   A. as installed: the fastpath probes (TSC_DEADLINE write with a
 *      deadline PROBE_DELAY ahead: did the deadline get armed (host read of
 *      the MSR, which no filter affects), did the timer fire; x2APIC TPR
 *      write and read-back and an ICR self-IPI), then a read of every
 *      audited index, observations kept.
 *   B. the baseline, unfiltered (mask INVAL|UNKNOWN, an empty DEFAULT_ALLOW
 *      filter): each index's class and value, the sweep's write rule
 *      (lib/x86/msrsweep.c: the unsafe list, counters, write-back), the
 *      writes' classes, and the TSC_DEADLINE control (the timer fires when
 *      nothing denies the write).
 *   C. phase A's reads compared with the model (FILTER, the mask).
 *   D. FILTER installed again, byte for byte what kvmrun reported, and
 *      every safe write made and compared.  (Writes need the baseline's
 *      values, so they cannot run before B; the fastpath probes did run
 *      under the filter as the VMM installed it.)
 *
 * Audited indices: the sweep windows (0x0-0x1FFF with the x2APIC range,
 * 0x40000000-0x40001FFF, 0xC0000000-0xC0001FFF) and every index of
 * FILTER's ranges (MAX_EXTRA of them beyond the windows).
 *
 * Output, for the runner (host/runner/audit.c): "AUDIT: key=value ..."
 * lines: one "filter" line (source, digest, flags, ranges, mask), one line
 * per finding, and one "done" line with the counts.  A finding covers a
 * run of consecutive indices with the same access, filter verdict, kind,
 * seen and expected outcome:
 *   bypass       the filter denies, the access took effect (V, or the
 *                probe's side effect), where the model says GP or X(F)
 *   exempt       x2APIC MSRs the filter's bits deny: never filtered, by
 *                design (doc/abi.md §3 rule 1), listed once per access
 *   kvm-refuses  the filter's ranges allow it, KVM itself rejects it (GP,
 *                X(U), X(I) as the model says): informational
 *   differs      anything else the model did not predict
 * PASS/FAIL lines are about the audit's own machinery (baseline sane,
 * filter re-installed), not about the findings.
 */
#include "libcflat.h"
#include "apic.h"
#include "desc.h"
#include "msr.h"
#include "msrsweep.h"
#include "msrtest.h"
#include "processor.h"

#define NWIN		MSRF_GEN_NWINDOWS
#define WSIZE		MSRF_GEN_WINDOW_SIZE
#define MAX_EXTRA	0x4000u
#define MAX_IDX		(NWIN * WSIZE + MAX_EXTRA)

#define B_VOLATILE	1u
#define B_NOWRITE	2u

struct slot {
	u64 rvalue, wvalue;
	u8 rclass, wclass, flags;
};

static u32 idx[MAX_IDX];
static unsigned int nidx;
static struct slot base[MAX_IDX];
static struct msrsweep_obs reads[MAX_IDX];	/* phase A */
static struct msrf_filter filter;
static u32 mask;

/* ---- which indices -------------------------------------------------------- */

static bool in_windows(u32 index)
{
	unsigned int w;

	for (w = 0; w < NWIN; w++)
		if (index - msrf_gen_window(w) < WSIZE)
			return true;
	return false;
}

/* Index i of slot r, already listed by an earlier slot? */
static bool in_earlier_range(unsigned int r, u32 index)
{
	unsigned int k;

	for (k = 0; k < r; k++) {
		const struct msrf_range *q = &filter.ranges[k];

		if (q->nmsrs && index - q->base < q->nmsrs)
			return true;
	}
	return false;
}

static void build_index_list(void)
{
	unsigned int w, r, skipped = 0;
	u32 i;

	for (w = 0; w < NWIN; w++)
		for (i = 0; i < WSIZE; i++)
			idx[nidx++] = msrf_gen_window(w) + i;
	for (r = 0; r < MSRF_MAX_RANGES; r++) {
		const struct msrf_range *q = &filter.ranges[r];

		for (i = 0; i < q->nmsrs && i < MSRF_MAX_NMSRS; i++) {
			u32 index = q->base + i;

			if (in_windows(index) || in_earlier_range(r, index))
				continue;
			if (nidx == MAX_IDX) {
				skipped++;
				continue;
			}
			idx[nidx++] = index;
		}
	}
	report_info("auditing %u indices (%u beyond the sweep windows%s)", nidx,
		    nidx - NWIN * WSIZE, skipped ? ", some range indices left out" : "");
	if (skipped)
		report_info("%u indices of the filter's ranges not audited (limit %u)",
			    skipped, MAX_EXTRA);
}

/* ---- the filter's own verdict, x2APIC exemption left out ---------------- */

/*
 * What the filter's flags and bits say (doc/abi.md §3 rules 2-4), even for
 * x2APIC indices, which KVM exempts: used to name an exemption.
 */
static bool bits_allow(u32 index, u32 type)
{
	unsigned int r;

	for (r = 0; r < MSRF_MAX_RANGES; r++) {
		const struct msrf_range *q = &filter.ranges[r];

		if ((q->flags & type) && q->nmsrs && index - q->base < q->nmsrs)
			return msrf_test_bit(q, index);
	}
	return !(filter.flags & MSRF_DEFAULT_DENY);
}

/* Explicitly allowed by a range (not by the default). */
static bool range_allows(u32 index, u32 type)
{
	unsigned int r;

	for (r = 0; r < MSRF_MAX_RANGES; r++) {
		const struct msrf_range *q = &filter.ranges[r];

		if ((q->flags & type) && q->nmsrs && index - q->base < q->nmsrs)
			return msrf_test_bit(q, index);
	}
	return false;
}

/* ---- findings ------------------------------------------------------------- */

enum kind { K_NONE, K_BYPASS, K_EXEMPT, K_REFUSES, K_DIFFERS };
static const char *const kind_names[] = {
	[K_BYPASS] = "bypass", [K_EXEMPT] = "exempt", [K_REFUSES] = "kvm-refuses",
	[K_DIFFERS] = "differs",
};

struct finding {
	enum kind kind;
	bool write, allow;
	u32 first, last;
	char seen[64], expected[64];
};

static struct finding open_f;
static unsigned int counts[K_DIFFERS + 1];

static void flush_finding(void)
{
	struct finding *f = &open_f;

	if (f->kind == K_NONE)
		return;
	printf("AUDIT: finding index=0x%x last=0x%x access=%s filter=%s kind=%s "
	       "seen=%s expected=%s\n", f->first, f->last, f->write ? "write" : "read",
	       f->allow ? "allow" : "deny", kind_names[f->kind], f->seen, f->expected);
	f->kind = K_NONE;
}

/* Add one index; merged with the open finding when it continues it. */
static void add_finding(enum kind k, u32 index, bool write, bool allow,
			const char *seen, const char *expected)
{
	struct finding *f = &open_f;

	counts[k]++;
	if (f->kind == k && f->write == write && f->allow == allow && f->last + 1 == index &&
	    !strcmp(f->seen, seen) && !strcmp(f->expected, expected)) {
		f->last = index;
		return;
	}
	flush_finding();
	f->kind = k;
	f->write = write;
	f->allow = allow;
	f->first = f->last = index;
	snprintf(f->seen, sizeof(f->seen), "%s", seen);
	snprintf(f->expected, sizeof(f->expected), "%s", expected);
}

/* A seen outcome as one word for the AUDIT line (no blanks). */
static const char *seen_word(const struct msrsweep_obs *o)
{
	int s = msrsweep_outcome(o);

	return s < 0 ? "other" : msrf_outcome_name(s);
}

static bool is_denial(enum msrf_outcome e)
{
	return e == MSRF_GP || e == MSRF_X_FILTER;
}

/* One access under the filter, classified. */
static void classify(unsigned int n, bool write, const struct msrsweep_obs *o)
{
	const struct slot *s = &base[n];
	u32 index = idx[n], type = write ? MSRF_ACCESS_WRITE : MSRF_ACCESS_READ;
	struct msrf_ctx ctx;
	enum msrf_outcome e;
	const u64 *want = NULL;
	bool allow = msrf_allowed(&filter, index, type), ok;

	msrtest_ctx(&ctx);
	if (write) {
		e = msrf_outcome_write(&ctx, index, s->wvalue, s->wclass);
	} else {
		e = msrf_outcome(&ctx, index, MSRF_ACCESS_READ, s->rclass);
		if (!(s->flags & B_VOLATILE))
			want = &s->rvalue;
	}
	ok = msrsweep_matches(e, write, index, want, s->wvalue, o);
	if (msrf_is_x2apic(index) && !bits_allow(index, type))
		return;	/* one "exempt" line per access, after the sweep */
	if (ok) {
		if (allow && range_allows(index, type) && e != MSRF_V && e != MSRF_IGNORED)
			add_finding(K_REFUSES, index, write, true, seen_word(o),
				    msrf_outcome_name(e));
		return;
	}
	if (!allow && is_denial(e) && msrsweep_outcome(o) == MSRF_V)
		add_finding(K_BYPASS, index, write, false, "V", msrf_outcome_name(e));
	else
		add_finding(K_DIFFERS, index, write, allow, seen_word(o), msrf_outcome_name(e));
}

/* ---- batches ---------------------------------------------------------------- */

static struct msrsweep_batch b;

/* Every index (reads) or every writable one (writes) through fn, in batches. */
static void sweep(bool write, void (*fn)(unsigned int n, const struct msrsweep_obs *o),
		  unsigned int *skipped)
{
	unsigned int slot[MSRSWEEP_BATCH], n = 0, i;

	while (n < nidx) {
		b.write = write;
		b.n = 0;
		for (; n < nidx && b.n < MSRSWEEP_BATCH; n++) {
			if (write && (base[n].flags & B_NOWRITE)) {
				if (skipped)
					(*skipped)++;
				continue;
			}
			slot[b.n] = n;
			b.index[b.n] = idx[n];
			b.value[b.n++] = base[n].wvalue;
		}
		msrsweep_run(&b);
		for (i = 0; i < b.n; i++)
			fn(slot[i], &b.obs[i]);
	}
}

static void keep_read(unsigned int n, const struct msrsweep_obs *o)
{
	reads[n] = *o;
}

static u8 class_of(const struct msrsweep_obs *o)
{
	int cls = msrf_class_of_baseline(msrsweep_outcome(o));

	return cls < 0 ? MSRF_KVM_INVAL : cls;
}

static unsigned int bad_baseline;

static void learn_read(unsigned int n, const struct msrsweep_obs *o)
{
	if (msrf_class_of_baseline(msrsweep_outcome(o)) < 0 && bad_baseline++ < 8)
		report_info("baseline: read 0x%x: %s fits no class", idx[n],
			    msrsweep_describe(o, false));
	base[n].rclass = class_of(o);
	base[n].rvalue = o->value;
}

static void recheck_read(unsigned int n, const struct msrsweep_obs *o)
{
	if (base[n].rclass == MSRF_KVM_OK &&
	    (msrsweep_outcome(o) != MSRF_V || o->value != base[n].rvalue))
		base[n].flags |= B_VOLATILE;
}

static void learn_write(unsigned int n, const struct msrsweep_obs *o)
{
	if (msrf_class_of_baseline(msrsweep_outcome(o)) < 0 && bad_baseline++ < 8)
		report_info("baseline: write 0x%x: %s fits no class", idx[n],
			    msrsweep_describe(o, true));
	base[n].wclass = class_of(o);
}

static void classify_write(unsigned int n, const struct msrsweep_obs *o)
{
	classify(n, true, o);
}

/* The sweep's write rule (x86/msr_sweep.c, top comment). */
static void choose_writes(void)
{
	unsigned int n, nowrite = 0;

	for (n = 0; n < nidx; n++) {
		struct slot *s = &base[n];
		u32 index = idx[n];
		bool ok = s->rclass == MSRF_KVM_OK;

		s->wvalue = ok ? s->rvalue : 0;
		if (msrsweep_write_rule(index, ok, s->flags & B_VOLATILE) != MSRSWEEP_WRITE) {
			s->flags |= B_NOWRITE;
			nowrite++;
		}
	}
	report_info("baseline: %u indices not written (unsafe: %s; counters; Hyper-V MSRs "
		    "that do not read OK)", nowrite, msrsweep_unsafe_names());
}

/* ---- fastpath probes ------------------------------------------------------ */

#define TIMER_VECTOR		0xec
#define IPI_VECTOR		0xe6
#define LVT_TIMER_TSCDEADLINE	(2u << 17)
#define LVT_TIMER_MODE_MASK	(3u << 17)
#define PROBE_DELAY		(1ull << 28)
#define PATIENCE		(1ull << 31)

static volatile unsigned int timer_irqs, ipi_irqs;
static bool x2apic_on;

/*
 * The LAPIC's registers without the library's apic_read()/xapic_write(),
 * which read APIC_BASE for the mode and the MMIO address: a filter that
 * denies APIC_BASE (a DEFAULT_DENY allow-list, filters/vmm/
 * hyperlight-deny.filter) would make each of them a #GP.  x2APIC MSRs are
 * never filtered; the xAPIC page is where APIC_BASE says, if the filter
 * lets us read it, else at the reset value.
 */
static volatile u32 *lapic_page(u32 reg)
{
	u64 base;

	if (rdmsr_safe(MSR_IA32_APICBASE, &base))
		base = APIC_DEFAULT_BASE;
	return (volatile u32 *)((base & APIC_BASE_ADDR_MASK) + reg);
}

static u32 lapic_read(u32 reg)
{
	return x2apic_on ? x2apic_read(reg) : *lapic_page(reg);
}

static void lapic_write(u32 reg, u32 val)
{
	if (x2apic_on)
		x2apic_write(reg, val);
	else
		*lapic_page(reg) = val;
}

static void eoi(void)
{
	lapic_write(APIC_EOI, 0);
}

static void timer_handler(struct ex_regs *regs)
{
	timer_irqs++;
	eoi();
}

static void ipi_handler(struct ex_regs *regs)
{
	ipi_irqs++;
	eoi();
}

static bool wait_irq(volatile unsigned int *count, unsigned int before, u64 until)
{
	while (*count == before && rdtsc() < until)
		safe_halt_window();
	return *count != before;
}

struct tscd_probe {
	bool run;
	const char *why;	/* why not run */
	struct msr_obs o;	/* the guest's WRMSR */
	bool armed, fired;
	u64 deadline, host_value;
};

static struct tscd_probe tscd_filtered, tscd_control;

static bool host_tscd(u64 *v)
{
	struct kvmrun_result res;

	return kvmrun_host_rdmsr(0, MSR_IA32_TSC_DEADLINE, v, &res) == KVMRUN_ST_OK &&
	       res.ret == 1;
}

static void host_tscd_clear(void)
{
	struct kvmrun_result res;

	kvmrun_host_wrmsr(0, MSR_IA32_TSC_DEADLINE, 0, &res);
}

/*
 * LVT timer in TSC-deadline mode (xAPIC MMIO or x2APIC MSRs: neither is
 * filtered), a guest WRMSR of a deadline PROBE_DELAY ahead, then the
 * effects: the MSR as the host reads it, and the interrupt.
 */
static void probe_tsc_deadline(struct tscd_probe *p)
{
	unsigned int before;
	u64 v;

	memset(p, 0, sizeof(*p));
	if (!(cpuid(1).c & CPUID_1_ECX_TSC_DEADLINE)) {
		p->why = "CPUID.1:ECX.TSC_DEADLINE is clear";
		return;
	}
	if (msrtest_host.info.irqchip == KVMRUN_IRQCHIP_NONE) {
		p->why = "no in-kernel LAPIC (irqchip none): no timer to arm";
		return;
	}
	handle_exception(TIMER_VECTOR, timer_handler);
	lapic_write(APIC_SPIV, APIC_SPIV_ENABLE | 0xff);
	lapic_write(APIC_LVTT, TIMER_VECTOR | LVT_TIMER_TSCDEADLINE);
	if ((lapic_read(APIC_LVTT) & LVT_TIMER_MODE_MASK) != LVT_TIMER_TSCDEADLINE) {
		p->why = "the LVT timer refused TSC-deadline mode";
		return;
	}
	host_tscd_clear();
	p->run = true;
	before = timer_irqs;
	p->deadline = rdtsc() + PROBE_DELAY;
	msr_observe_write(MSR_IA32_TSC_DEADLINE, p->deadline, &p->o);
	p->armed = host_tscd(&v) && v == p->deadline;
	p->host_value = v;
	p->fired = wait_irq(&timer_irqs, before, p->deadline + PATIENCE);
	host_tscd_clear();
}

struct x2apic_probe {
	bool run;
	const char *why;
	struct msr_obs tpr_w, tpr_r, icr;
	unsigned int ipis;
};

static struct x2apic_probe x2p;

/* TPR write and read-back, ICR self-IPI (the fastpath form). */
static void probe_x2apic(struct x2apic_probe *p)
{
	unsigned int before;
	u64 icr;

	memset(p, 0, sizeof(*p));
	if (!x2apic_on) {
		p->why = "not in x2APIC mode (x2APIC not in CPUID, no in-kernel LAPIC, "
			 "or APIC_BASE denied by the filter)";
		return;
	}
	p->run = true;
	handle_exception(IPI_VECTOR, ipi_handler);
	x2apic_write(APIC_SPIV, APIC_SPIV_ENABLE | 0xff);
	msr_observe_write(APIC_REG_TO_MSR(APIC_TPR), 0x20, &p->tpr_w);
	msr_observe_read(APIC_REG_TO_MSR(APIC_TPR), &p->tpr_r);
	wrmsr(APIC_REG_TO_MSR(APIC_TPR), 0);
	icr = (u64)x2apic_read(APIC_ID) << 32 | IPI_VECTOR;
	before = ipi_irqs;
	msr_observe_write(APIC_REG_TO_MSR(APIC_ICR), icr, &p->icr);
	safe_halt_window();
	p->ipis = ipi_irqs - before;
	msrtest_sync();
}

static void report_probes(void)
{
	const struct tscd_probe *p = &tscd_filtered, *c = &tscd_control;
	bool allow = msrf_allowed(&filter, MSR_IA32_TSC_DEADLINE, MSRF_ACCESS_WRITE);
	enum msrf_kvm_class cls;
	struct msrf_ctx ctx;
	enum msrf_outcome e;
	char seen[64];

	if (!p->run) {
		report_skip("TSC_DEADLINE probe: %s", p->why);
	} else {
		cls = c->run && c->o.outcome == MSRF_V ? MSRF_KVM_OK : MSRF_KVM_INVAL;
		msrtest_ctx(&ctx);
		ctx.filter = &filter;
		ctx.exit_mask = mask;
		e = msrf_outcome_write(&ctx, MSR_IA32_TSC_DEADLINE, p->deadline, cls);
		/* One word: the AUDIT line is blank-separated key=value. */
		snprintf(seen, sizeof(seen), "%s;armed:%s;fired:%s",
			 msrf_outcome_name(p->o.outcome),
			 p->armed ? "yes" : "no", p->fired ? "yes" : "no");
		report_info("TSC_DEADLINE probe: under the filter %s; unfiltered control: %s, "
			    "armed %s, fired %s; model: %s", seen,
			    c->run ? msr_obs_name(&c->o) : "not run", c->armed ? "yes" : "no",
			    c->fired ? "yes" : "no", msrf_outcome_name(e));
		/* Denied, yet the write was taken or armed the timer. */
		if (!allow && is_denial(e) && (p->o.outcome == MSRF_V || p->armed || p->fired)) {
			printf("AUDIT: finding index=0x6e0 last=0x6e0 access=write filter=deny "
			       "kind=bypass seen=%s expected=%s probe=tsc-deadline\n",
			       seen, msrf_outcome_name(e));
			counts[K_BYPASS]++;
		}
	}
	if (!x2p.run)
		report_skip("x2APIC TPR/ICR probe: %s", x2p.why);
	else
		report_info("x2APIC probe under the filter: TPR write %s, read %s (0x%llx), "
			    "ICR self-IPI %s, %u interrupt%s", msr_obs_name(&x2p.tpr_w),
			    msr_obs_name(&x2p.tpr_r), (unsigned long long)x2p.tpr_r.value,
			    msr_obs_name(&x2p.icr), x2p.ipis, x2p.ipis == 1 ? "" : "s");
}

/* One "exempt" line per access when the filter's bits deny x2APIC MSRs. */
static void report_exempt(void)
{
	int w;
	u32 i, type;
	unsigned int denied;

	for (w = 0; w < 2; w++) {
		type = w ? MSRF_ACCESS_WRITE : MSRF_ACCESS_READ;
		denied = 0;
		for (i = MSRF_X2APIC_FIRST; i <= MSRF_X2APIC_LAST; i++)
			denied += !bits_allow(i, type);
		if (!denied)
			continue;
		counts[K_EXEMPT]++;
		printf("AUDIT: finding index=0x800 last=0x8ff access=%s filter=deny kind=exempt "
		       "seen=%s expected=as-unfiltered denied=%u\n", w ? "write" : "read",
		       w ? (x2p.run ? msrf_outcome_name(x2p.icr.outcome) : "not-probed") :
		       "as-unfiltered",
		       denied);
	}
}

/* ---- main ----------------------------------------------------------------- */

static void phase_a(void)
{
	u64 base_msr;

	report_prefix_push("as installed");
	x2apic_on = false;
	/* The mode switch needs APIC_BASE, which the filter may deny. */
	if (cpu_has_x2apic() && msrtest_host.info.irqchip != KVMRUN_IRQCHIP_NONE &&
	    msrf_allowed(&filter, MSR_IA32_APICBASE, MSRF_ACCESS_READ) &&
	    msrf_allowed(&filter, MSR_IA32_APICBASE, MSRF_ACCESS_WRITE) &&
	    !rdmsr_safe(MSR_IA32_APICBASE, &base_msr) && !apic_set_mode(APIC_MODE_X2APIC))
		x2apic_on = apic_mode() == APIC_MODE_X2APIC;
	if (msrf_allowed(&filter, MSR_IA32_APICBASE, MSRF_ACCESS_READ))
		msrtest_refresh_apic_mode();
	msrtest_sync();
	probe_tsc_deadline(&tscd_filtered);
	probe_x2apic(&x2p);
	msrsweep_sync();
	sweep(false, keep_read, NULL);
	report_pass("%u reads made under the filter as kvmrun installed it", nidx);
	report_prefix_pop();
}

static void phase_b(void)
{
	int err;

	report_prefix_push("baseline");
	err = msrtest_set_mask(MSRF_EXIT_INVAL | MSRF_EXIT_UNKNOWN);
	if (err)
		report_abort("KVM_ENABLE_CAP(USER_SPACE_MSR, INVAL|UNKNOWN): errno %d", err);
	err = msrtest_filter_off();
	if (err)
		report_abort("empty DEFAULT_ALLOW filter: errno %d", err);
	msrtest_refresh_apic_mode();
	msrtest_sync();
	probe_tsc_deadline(&tscd_control);
	msrsweep_sync();
	sweep(false, learn_read, NULL);
	sweep(false, recheck_read, NULL);
	choose_writes();
	sweep(true, learn_write, NULL);
	report(!bad_baseline, "unfiltered: every access fits a class (%u do not)", bad_baseline);
	report_prefix_pop();
}

static void phase_cd(void)
{
	unsigned int n, skipped = 0;
	int err;

	/* C: the reads of phase A, against the model under the filter and mask. */
	err = msrtest_set_mask(mask);
	if (err)
		report_abort("KVM_ENABLE_CAP(USER_SPACE_MSR, %u): errno %d", mask, err);
	err = msrtest_install(&filter);
	report(!err, "the filter kvmrun reported installs again (errno %d)", err);
	if (err)
		return;
	for (n = 0; n < nidx; n++)
		classify(n, false, &reads[n]);
	flush_finding();
	/* D: the writes. */
	msrsweep_sync();
	sweep(true, classify_write, &skipped);
	flush_finding();
	printf("AUDIT: done reads=%u writes=%u not-written=%u bypass=%u exempt=%u "
	       "kvm-refuses=%u differs=%u\n", nidx, nidx - skipped, skipped, counts[K_BYPASS],
	       counts[K_EXEMPT], counts[K_REFUSES], counts[K_DIFFERS]);
	msrtest_filter_off();
}

int main(int argc, char **argv, char **envp)
{
	u32 src;
	int st;

	report_prefix_push("msr_audit");
	if (!msrtest_init())
		return report_summary();
	st = kvmrun_get_filter(&filter, &src);
	if (st != KVMRUN_ST_OK)
		report_abort("GET_FILTER: %s (a kvmrun that cannot describe its filter)",
			     kvmrun_status_name(st));
	if (src != KVMRUN_FILTER_SRC_START)
		report_abort("no filter installed at start (kvmrun --filter FILE)");
	mask = msrtest_host.info.exit_mask;
	printf("AUDIT: filter source=start digest=0x%llx flags=0x%x mask=%u irqchip=%s\n",
	       (unsigned long long)msrf_digest(&filter), filter.flags, mask,
	       getenv("KVMRUN_IRQCHIP") ?: "?");
	build_index_list();

	phase_a();
	phase_b();
	report_probes();
	report_exempt();
	phase_cd();
	return report_summary();
}
