// SPDX-License-Identifier: GPL-2.0-only
/*
 * Differential sweep: every index of the MSR windows (msrf_gen_window():
 * 0x0-0x1FFF, 0x40000000-0x40001FFF, 0xC0000000-0xC0001FFF and
 * 0xC0010000-0xC0011FFF), read and written, under no filter, deny-all,
 * allow-all and generated filters, each with several user-exit masks.
 *
 * The unfiltered baseline is measured first, in the same VM, with the exit
 * mask INVAL|UNKNOWN and no filter: the host answers those exits and
 * records their reason, which gives each index and direction its class
 * (msrf_kvm_class: OK, INVAL or UNKNOWN) and, for readable MSRs, the value.
 * Every later access is then compared with msrf_outcome() of the model
 * given that class: allowed and OK means the same value as unfiltered (or,
 * for a write, no fault and no exit), allowed and rejected means #GP or the
 * INVAL/UNKNOWN exit per the mask, denied means #GP or the FILTER exit.  No
 * expectation is written here.  A baseline access that fits no class (a
 * #GP although INVAL and UNKNOWN exit, a FILTER exit with no filter) is a
 * FAIL of the baseline; the index then counts as INVAL, the class whose
 * #GP it showed.
 *
 * Write rule (why the writes are safe).  Every write of a given index uses
 * one value, chosen in the baseline, so repeating it changes nothing:
 *   - an MSR that reads OK unfiltered gets the value just read written back;
 *   - an MSR whose read #GPs or exits gets 0: an MSR KVM rejects or does not
 *     know does nothing with it, and the write-only MSRs that do act on 0
 *     are on the unsafe list;
 *   - never written ("not written (unsafe)", counted in the report lines):
 *     the unsafe list (lib/x86/msrsweep.c, msrsweep_unsafe()), i.e. state
 *     this test or its library relies on
 *     (EFER, APIC_BASE, the segment bases, SYSCALL/SYSENTER, PAT, MTRRs,
 *     debug control), time (TSC, TSC_ADJUST, TSC_DEADLINE: a write-back of
 *     a value read earlier moves time), speculation-control commands, the
 *     x2APIC registers (written by x86/msr_x2apic.c only: EOI, ICR and
 *     SELF_IPI act on any value) and KVM's PV MSRs (kvmclock, async PF: a
 *     written value enables them);
 *   - an MSR whose value changed between two unfiltered reads (a counter):
 *     writing an older value back would move it;
 *   - in 0x40000000-0x40001FFF (Hyper-V's MSRs in KVM): if the guest's CPUID
 *     exposes Hyper-V (0x40000001.EAX = "Hv#1"), only MSRs that read OK are
 *     written (back), since write-only ones (EOI, ICR) act on 0; without
 *     Hyper-V in CPUID KVM rejects every one of them, reads and writes.
 *     (A VMM that configures the Xen hypercall MSR, often 0x40000000, would
 *     make a write of 0 fill guest page 0; kvmrun does not.)
 *   - MISC_ENABLE (0x1A0) is written back: KVM accepts the value it returns
 *     and changes nothing for an unchanged value (its MWAIT bit only acts
 *     when it flips).
 *   - in 0xC0010000-0xC0011FFF (AMD's MSRs): the MSRs that configure the
 *     CPU itself or its guest/host interface are written only as a
 *     write-back of a stable read, never 0 after a failed read (the
 *     write-back list below): SYSCFG (memory encryption, MTRR enables),
 *     HWCR (cache/SMM/TSC controls), VM_CR (SVMDIS, and LOCK, which cannot
 *     be undone), VM_HSAVE_PA (where nested VMRUN saves the host) and the
 *     GHCB MSR.  What the sweep writes anywhere in this window is thus
 *     either what was just read or 0 to an MSR whose read was intercepted
 *     and rejected.  Under kvm_amd before 6.17 the GHCB MSR (0xC0010130)
 *     is passed through to every guest (direct_access_msrs[], .always),
 *     so unfiltered it is the CPU's register, not KVM's: a read gives the
 *     CPU's value (QEMU TCG: 0) and the write-back leaves it unchanged.
 *     The only other pass-through here is the mediated PMU of 7.x
 *     (kvm.enable_mediated_pmu=1, off by default): the counters
 *     0xC0010004-7 and 0xC0010201-0xC001020B, which read OK and keep still
 *     while no event select enables them (the sweep writes the selects
 *     back as read), so they are written back too; a counting one is a
 *     counter above.  kvm_intel has no bitmap for the window.  Of the MSRs
 *     KVM intercepts, none acts on a 0 written after a failed read:
 *     PATCH_LOADER and VM_IGNNE writes are dropped, the rest are unknown
 *     (UNKNOWN: nothing happens) or their reads work.  On kvm_intel the
 *     AMD MSRs KVM implements in common code (HWCR, SYSCFG, VM_HSAVE_PA,
 *     TSEG...) read OK and the rest (VM_CR, GHCB...) are unknown.
 *
 * Filters: "none" (an empty DEFAULT_ALLOW filter), "deny-all" (DEFAULT_DENY
 * and one all-zero READ|WRITE range per window), "allow-all" (DEFAULT_DENY
 * and all-one ranges: the bits decide) and msrf_generate(seed).  Each runs
 * under every mask given; the mask is set before the filter goes in.  The
 * x2APIC range is swept like the rest (reads only, see the write rule): the
 * model uses its own x2APIC class there, so the exemption is checked under
 * every filter, in whatever APIC mode the sweep runs.
 *
 * Report: one line per (filter, mask, window, direction), e.g.
 *   PASS: msr_sweep: seed 2: mask 4: window 0xc0000000: read: 8192 indices as the model says
 * and on a mismatch one FAIL line per index (at most MAX_FAIL_LINES per
 * group) with the expected and the seen outcome.
 *
 * Accesses are batched (lib/x86/msrsweep.c): 64 back to back, then one
 * control-port request returns the host's record of their exits.
 *
 * Arguments (all optional):
 *   seeds=S1,S2,...   msrf_generate() seeds (default 1,2,3; up to 16)
 *   masks=M1,M2,...   user-exit masks 0-7 run for every filter (default 0,4)
 *   filters=LIST      of none, deny-all, allow-all, generated (default all)
 *   apic=x2apic|xapic|keep   APIC mode for the sweep (default keep)
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
#define NIDX		(NWIN * WSIZE)
#define MAX_FAIL_LINES	20	/* per (filter, mask, window, direction) */
#define MAX_SEEDS	16
#define MAX_MASKS	8

/* The baseline: one entry per swept index, window by window. */
#define B_VOLATILE	1u	/* two unfiltered reads differed: no value check */
#define B_NOWRITE	2u	/* never written (the write rule above) */

struct baseline {
	u64 rvalue;		/* unfiltered read (class OK) */
	u64 wvalue;		/* the one value every write of it uses */
	u8 rclass, wclass;	/* enum msrf_kvm_class */
	u8 flags;
};

static struct baseline base[NIDX];


static struct msrf_filter deny_all, allow_all, generated;

static u64 seeds[MAX_SEEDS] = { 1, 2, 3 };
static unsigned int nseeds = 3;
static u32 masks[MAX_MASKS] = { 0, MSRF_EXIT_FILTER };
static unsigned int nmasks = 2;
static bool run_none = true, run_deny = true, run_allow = true, run_gen = true;
static enum apic_mode want_apic = APIC_MODE_INVALID;	/* = keep */

static u32 idx_of(unsigned int n)
{
	return msrf_gen_window(n / WSIZE) + n % WSIZE;
}

/* ---- arguments ------------------------------------------------------------ */

/*
 * Next comma-separated word of *s into buf; false at the end of the list
 * or on an empty or overlong word (*s is then set to NULL: a bad list).
 */
static bool next_word(const char **s, char *buf, size_t size)
{
	const char *comma;
	size_t len;

	if (!*s || !**s)
		return false;
	comma = strchr(*s, ',');
	len = comma ? (size_t)(comma - *s) : strlen(*s);
	if (!len || len >= size || (comma && !comma[1])) {
		*s = NULL;
		return false;
	}
	memcpy(buf, *s, len);
	buf[len] = 0;
	*s = comma ? comma + 1 : *s + len;
	return true;
}

/* Seeds or masks: numbers, no duplicate (report lines must stay unique). */
static bool parse_numbers(const char *s, u64 *vals, unsigned int max,
			  unsigned int *n, u64 limit)
{
	char word[24];
	unsigned int i;
	u64 v;

	*n = 0;
	while (next_word(&s, word, sizeof(word))) {
		if (*n == max || parse_u64(word, &v) || v > limit)
			return false;
		for (i = 0; i < *n; i++)
			if (vals[i] == v)
				return false;
		vals[(*n)++] = v;
	}
	return s && *n;
}

static bool parse_filters(const char *s)
{
	char word[16];

	run_none = run_deny = run_allow = run_gen = false;
	while (next_word(&s, word, sizeof(word))) {
		if (!strcmp(word, "none"))
			run_none = true;
		else if (!strcmp(word, "deny-all"))
			run_deny = true;
		else if (!strcmp(word, "allow-all"))
			run_allow = true;
		else if (!strcmp(word, "generated"))
			run_gen = true;
		else
			return false;
	}
	return s != NULL;
}

static bool parse_apic(const char *s)
{
	if (!strcmp(s, "x2apic"))
		want_apic = APIC_MODE_X2APIC;
	else if (!strcmp(s, "xapic"))
		want_apic = APIC_MODE_XAPIC;
	else if (!strcmp(s, "keep"))
		want_apic = APIC_MODE_INVALID;
	else
		return false;
	return true;
}

static void parse_args(int argc, char **argv)
{
	u64 m[MAX_MASKS];
	unsigned int i;
	int n;

	for (n = 1; n < argc; n++) {
		const char *a = argv[n];
		bool ok = false;

		if (!strncmp(a, "seeds=", 6)) {
			ok = parse_numbers(a + 6, seeds, MAX_SEEDS, &nseeds, ~0ull);
		} else if (!strncmp(a, "masks=", 6)) {
			ok = parse_numbers(a + 6, m, MAX_MASKS, &nmasks, MSRF_EXIT_VALID_MASK);
			for (i = 0; ok && i < nmasks; i++)
				masks[i] = (u32)m[i];
		} else if (!strncmp(a, "filters=", 8)) {
			ok = parse_filters(a + 8);
		} else if (!strncmp(a, "apic=", 5)) {
			ok = parse_apic(a + 5);
		}
		if (!ok)
			report_abort("bad argument '%s' (seeds=N,..., masks=0-7,..., "
				     "filters=none,deny-all,allow-all,generated, "
				     "apic=x2apic|xapic|keep; no duplicates)", a);
	}
}

/* ---- checking one access -------------------------------------------------- */

struct group {
	unsigned int checked, skipped, bad;
};

/* Expected outcomes of the current sweep, by enum msrf_outcome. */
static unsigned int expected[MSRF_IGNORED + 1];

static const char *expect_name(enum msrf_outcome e, const u64 *want)
{
	static char buf[48];

	if (e != MSRF_V || !want)
		return msrf_outcome_name(e);
	snprintf(buf, sizeof(buf), "V (value 0x%llx)", (unsigned long long)*want);
	return buf;
}

static void check_one(struct group *g, const struct msrf_ctx *ctx, unsigned int n,
		      bool write, const struct msrsweep_obs *o)
{
	const struct baseline *bl = &base[n];
	u32 index = idx_of(n);
	enum msrf_outcome e;
	const u64 *want = NULL;

	if (write) {
		e = msrf_outcome_write(ctx, index, bl->wvalue, bl->wclass);
	} else {
		e = msrf_outcome(ctx, index, MSRF_ACCESS_READ, bl->rclass);
		if (!(bl->flags & B_VOLATILE))
			want = &bl->rvalue;
	}
	g->checked++;
	expected[e]++;
	if (msrsweep_matches(e, write, index, want, bl->wvalue, o))
		return;
	if (g->bad++ < MAX_FAIL_LINES)
		report_fail("%s 0x%x: expected %s, seen %s", write ? "write" : "read",
			    index, expect_name(e, want), msrsweep_describe(o, write));
}

/*
 * Baseline (no filter, mask INVAL|UNKNOWN): the class of what was seen.
 * Anything else fits no class; INVAL is the class that #GPs without an
 * INVAL exit, and the check that follows reports the access as a FAIL.
 */
static u8 class_of(const struct msrsweep_obs *o)
{
	int cls = msrf_class_of_baseline(msrsweep_outcome(o));

	return cls < 0 ? MSRF_KVM_INVAL : cls;
}

static void learn(unsigned int n, bool write, const struct msrsweep_obs *o)
{
	if (write) {
		base[n].wclass = class_of(o);
	} else {
		base[n].rclass = class_of(o);
		base[n].rvalue = o->value;
	}
}

static void report_group(const struct group *g, bool write)
{
	const char *dir = write ? "write" : "read";
	char extra[48] = "";

	if (g->skipped)
		snprintf(extra, sizeof(extra), ", %u not written (unsafe)", g->skipped);
	/* This line and the FAIL lines listed stand for g->checked comparisons. */
	if (g->checked > 1 + MIN(g->bad, MAX_FAIL_LINES))
		report_add_checks(g->checked - 1 - MIN(g->bad, MAX_FAIL_LINES));
	if (!g->bad)
		report_pass("%s: %u indices as the model says%s", dir, g->checked, extra);
	else
		report_fail("%s: %u of %u indices differ from the model%s%s", dir,
			    g->bad, g->checked, extra,
			    g->bad > MAX_FAIL_LINES ? " (first ones listed)" : "");
}

/* One window, one direction: batches of consecutive indices. */
static void sweep_group(unsigned int w, bool write, bool measure)
{
	static struct msrsweep_batch b;
	unsigned int slot[MSRSWEEP_BATCH];
	unsigned int n = w * WSIZE, end = n + WSIZE, i;
	struct group g = { 0 };
	struct msrf_ctx ctx;

	msrtest_ctx(&ctx);
	report_prefix_pushf("window 0x%x", msrf_gen_window(w));
	while (n < end) {
		b.write = write;
		b.n = 0;
		for (; n < end && b.n < MSRSWEEP_BATCH; n++) {
			if (write && (base[n].flags & B_NOWRITE)) {
				g.skipped++;
				continue;
			}
			slot[b.n] = n;
			b.index[b.n] = idx_of(n);
			b.value[b.n++] = base[n].wvalue;
		}
		msrsweep_run(&b);
		for (i = 0; i < b.n; i++) {
			if (measure)
				learn(slot[i], write, &b.obs[i]);
			check_one(&g, &ctx, slot[i], write, &b.obs[i]);
		}
	}
	report_group(&g, write);
	report_prefix_pop();
}

static void sweep(bool write, bool measure)
{
	unsigned int w;

	for (w = 0; w < NWIN; w++)
		sweep_group(w, write, measure);
}

/* ---- the baseline ----------------------------------------------------------- */

/*
 * Read every OK index again: one that changed is a counter (TSC...), whose
 * value is not compared later and which is never written back.
 */
static void find_volatile(void)
{
	static struct msrsweep_batch b;
	unsigned int slot[MSRSWEEP_BATCH];
	unsigned int n = 0, i, nok = 0, nvol = 0;

	while (n < NIDX) {
		b.write = false;
		b.n = 0;
		for (; n < NIDX && b.n < MSRSWEEP_BATCH; n++) {
			if (base[n].rclass != MSRF_KVM_OK)
				continue;
			slot[b.n] = n;
			b.index[b.n++] = idx_of(n);
		}
		msrsweep_run(&b);
		nok += b.n;
		for (i = 0; i < b.n; i++) {
			struct baseline *bl = &base[slot[i]];
			const struct msrsweep_obs *o = &b.obs[i];

			if (msrsweep_outcome(o) == MSRF_V && o->value == bl->rvalue)
				continue;
			bl->flags |= B_VOLATILE;
			if (nvol++ < 16)
				report_info("0x%x changes between unfiltered reads (0x%llx, then %s)",
					    b.index[i], (unsigned long long)bl->rvalue,
					    msrsweep_describe(o, false));
		}
	}
	report_info("%u MSRs read OK unfiltered, %u of them change between reads",
		    nok, nvol);
}

/*
 * What each write-back-only MSR gave unfiltered, for the log: an MSR KVM
 * passes through reads as OK although KVM has no code for it (the GHCB
 * MSR under kvm_amd before 6.17: the CPU's value, 0 under QEMU TCG).
 */
static void report_writeback_only(void)
{
	unsigned int i, n;
	const char *what;
	u32 index;

	for (i = 0; (what = msrsweep_writeback_entry(i, &index)); i++) {

		for (n = 0; n < NIDX && idx_of(n) != index; n++)
			;
		if (n == NIDX)
			continue;
		if (base[n].rclass == MSRF_KVM_OK)
			report_info("%s 0x%x: unfiltered read OK, value 0x%llx: %s",
				    what, index,
				    (unsigned long long)base[n].rvalue,
				    base[n].flags & B_NOWRITE ? "not written" : "written back");
		else
			report_info("%s 0x%x: unfiltered read %s: not written",
				    what, index,
				    msrf_kvm_class_name(base[n].rclass));
	}
}

/* The write rule at the top of this file. */
static void choose_writes(void)
{
	unsigned int n, why[MSRSWEEP_UNREAD + 1] = { 0 };

	for (n = 0; n < NIDX; n++) {
		struct baseline *bl = &base[n];
		bool ok = bl->rclass == MSRF_KVM_OK;
		enum msrsweep_nowrite w = msrsweep_write_rule(idx_of(n), ok,
							      bl->flags & B_VOLATILE);

		bl->wvalue = ok ? bl->rvalue : 0;
		why[w]++;
		if (w != MSRSWEEP_WRITE)
			bl->flags |= B_NOWRITE;
	}
	report_info("not written (unsafe): %u counters, %u Hyper-V MSRs that do not read OK, "
		    "%u listed: %s", why[MSRSWEEP_COUNTER], why[MSRSWEEP_HYPERV],
		    why[MSRSWEEP_LISTED], msrsweep_unsafe_names());
	report_info("written only back, as read: %s; %u of them do not read OK (not written)",
		    msrsweep_writeback_names(), why[MSRSWEEP_UNREAD]);
	report_writeback_only();
}

/*
 * Reads of every window, then writes.  The baseline also learns the classes
 * from what it sees, and picks what to write once the reads are known.
 */
static void sweep_all(bool measure)
{
	u64 t0 = rdtsc();
	unsigned int i, len = 0;
	char buf[160] = "";	/* 6 x ", IGNORED 4294967295" fits */

	memset(expected, 0, sizeof(expected));
	sweep(false, measure);
	if (measure) {
		find_volatile();
		choose_writes();
	}
	sweep(true, measure);
	for (i = 0; i <= MSRF_IGNORED; i++)
		if (expected[i])
			len += snprintf(buf + len, sizeof(buf) - len, "%s%s %u",
					len ? ", " : "", msrf_outcome_name(i), expected[i]);
	report_info("%llu M TSC cycles; the model expected %s",
		    (unsigned long long)(rdtsc() - t0) >> 20, buf);
}

static void baseline(void)
{
	u32 mask = MSRF_EXIT_INVAL | MSRF_EXIT_UNKNOWN;
	int err;

	report_prefix_push("baseline");
	report_prefix_pushf("mask %u", mask);
	err = msrtest_set_mask(mask);
	if (err)
		report_abort("KVM_ENABLE_CAP(USER_SPACE_MSR, %u): errno %d", mask, err);
	err = msrtest_filter_off();
	if (err)
		report_abort("empty DEFAULT_ALLOW filter: errno %d", err);
	sweep_all(true);
	report_prefix_pop();
	report_prefix_pop();
}

/* ---- the filters ------------------------------------------------------------ */

static void build_window_filter(struct msrf_filter *f, bool allow)
{
	unsigned int w;

	msrf_filter_init(f, MSRF_DEFAULT_DENY);
	for (w = 0; w < NWIN; w++)
		msrf_add_range(f, msrf_gen_window(w), WSIZE, MSRF_READ | MSRF_WRITE, allow);
}

/*
 * One filter (NULL = none) under one mask.  The mask is set before the
 * filter goes in: api.rst wants the FILTER reason enabled when a filter is
 * installed if FILTER exits are expected.
 */
static void run_filter_mask(const struct msrf_filter *f, u32 mask)
{
	int err;

	if (!msrtest_enter_mask(mask))
		return;
	err = f ? msrtest_install(f) : msrtest_filter_off();
	if (f)
		report(!err, "filter installed (errno %d)", err);
	else if (err)
		report_fail("empty DEFAULT_ALLOW filter: errno %d", err);
	if (!err)
		sweep_all(false);
	msrtest_filter_off();
	report_prefix_pop();
}

static void run_filter(const char *name, const struct msrf_filter *f)
{
	unsigned int i;

	report_prefix_push(name);
	for (i = 0; i < nmasks; i++)
		run_filter_mask(f, masks[i]);
	report_prefix_pop();
}

static void run_generated(void)
{
	char name[32];
	unsigned int i;

	for (i = 0; i < nseeds; i++) {
		snprintf(name, sizeof(name), "seed %llu", (unsigned long long)seeds[i]);
		msrf_generate(&generated, seeds[i]);
		/* The generator promises a filter KVM accepts. */
		if (msrf_validate(&generated)) {
			report_fail("%s: generated filter is invalid (%s)", name,
				    msrf_errno_name(msrf_validate(&generated)));
			continue;
		}
		run_filter(name, &generated);
	}
}

static void set_apic_mode(void)
{
	if (want_apic == APIC_MODE_INVALID)
		return;
	if (want_apic == APIC_MODE_X2APIC && !cpu_has_x2apic())
		report_abort("apic=x2apic: CPUID.1:ECX.x2APIC is clear (use cpuid=+x2apic)");
	if (apic_mode() != want_apic && apic_set_mode(want_apic))
		report_abort("cannot switch the APIC to %s mode", apic_mode_name(want_apic));
}

int main(int argc, char **argv, char **envp)
{
	const struct msrsweep_stats *st;
	u64 t0;

	report_prefix_push("msr_sweep");
	parse_args(argc, argv);
	if (!msrtest_init())
		return report_summary();
	set_apic_mode();
	report_info("APIC mode %s, irqchip %s", apic_mode_name(apic_mode()),
		    getenv("KVMRUN_IRQCHIP") ?: "?");
	msrtest_refresh_apic_mode();
	build_window_filter(&deny_all, false);
	build_window_filter(&allow_all, true);

	msrsweep_sync();
	t0 = rdtsc();
	baseline();
	if (run_none)
		run_filter("none", NULL);
	if (run_deny)
		run_filter("deny-all", &deny_all);
	if (run_allow)
		run_filter("allow-all", &allow_all);
	if (run_gen)
		run_generated();

	st = msrsweep_get_stats();
	report_info("%lu accesses in %lu batches, %lu user exits, %lu batches re-run one by one",
		    st->accesses, st->batches, st->exits, st->reruns);
	/* The figure `make bench` (host/bench/bench.c) compares with the exit floor. */
	if (st->accesses)
		report_info("%lu cycles per access",
			    (unsigned long)((rdtsc() - t0) / st->accesses));
	return report_summary();
}
