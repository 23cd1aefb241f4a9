// SPDX-License-Identifier: GPL-2.0-only
/*
 * Filter rules (doc/abi.md §3 and §2.5-2.7): which range decides
 * an access, and what its bitmap bit means.
 *
 * Each rule is one filter, installed through the kvmrun control port,
 * followed by RDMSR and WRMSR of the probe MSRs around its ranges: inside,
 * at base-1 and base+nmsrs, past a range's last bit.  Every expectation is
 * msrf_outcome() (common/msrfilter.c) given the probe's unfiltered class,
 * which this test measures itself first: with no filter and the INVAL and
 * UNKNOWN exits on, a probe either reads fine (class OK, and that value is
 * what a V read must return later), or the host sees an INVAL or UNKNOWN
 * exit.  The same is done for the write the rules later make.
 *
 * Writes only ever write back the value the unfiltered read returned (0
 * when the read faulted): an allowed write then changes nothing, so the
 * probes may be MSRs the guest keeps using (SYSENTER_*, EFER, STAR...).
 * Probes are MSRs KVM emulates (both vendors) whose value is stable, and
 * unknown indices next to them: with the FILTER exit on, an allowed
 * unknown MSR (#GP or UNKNOWN exit) and a denied one (FILTER exit) differ,
 * so the rule is checked at those indices too.
 *
 * The rules run once per user-exit mask (default 0 and FILTER, i.e. the
 * FILTER exit off and on; "--masks=0,4,7" picks others).  The mask is set
 * while no filter is installed, as api.rst asks.  Rules can be picked by
 * name (arguments as for arg_selected(), "first-match*" style).
 */
#include "libcflat.h"
#include "desc.h"
#include "msr.h"
#include "msrtest.h"

struct probe {
	u32 index;
	const char *role;	/* where it sits relative to the rule's ranges */
};

struct rule {
	const char *name;
	void (*build)(struct msrf_filter *f);
	const struct probe *probes;
	unsigned int nprobes;
};

/* ---- Filter construction ------------------------------------------------- */

static struct msrf_range *add_range(struct msrf_filter *f, u32 base, u32 nmsrs,
				    u32 flags, bool allow_all)
{
	int slot = msrf_add_range(f, base, nmsrs, flags, allow_all);

	assert(slot >= 0);
	return &f->ranges[slot];
}

/* A zero-length range with junk fields: KVM must skip it unread (doc/abi.md §2.5). */
static void add_junk(struct msrf_filter *f, u32 base, u32 flags,
		     enum msrf_bitmap_kind kind)
{
	add_range(f, base, 0, flags, false)->bitmap_kind = kind;
}

/*
 * Rules 1-6: one range over STAR and LSTAR, so EFER is base-1 and CSTAR is
 * base+nmsrs.  Under DEFAULT_ALLOW the range denies STAR (bit 0 overrides
 * the default) and allows LSTAR; under DEFAULT_DENY the reverse (bit 1
 * overrides it).  The range's flags say which accesses it decides at all.
 */
static void build_pair(struct msrf_filter *f, u32 flags, bool deny_default)
{
	struct msrf_range *r;

	msrf_filter_init(f, deny_default ? MSRF_DEFAULT_DENY : 0);
	r = add_range(f, MSR_STAR, 2, flags, deny_default);
	msrf_set_bit(r, MSR_STAR, deny_default);
	msrf_set_bit(r, MSR_LSTAR, !deny_default);
}

static void build_read_allow(struct msrf_filter *f) { build_pair(f, MSRF_READ, false); }
static void build_read_deny(struct msrf_filter *f) { build_pair(f, MSRF_READ, true); }
static void build_write_allow(struct msrf_filter *f) { build_pair(f, MSRF_WRITE, false); }
static void build_write_deny(struct msrf_filter *f) { build_pair(f, MSRF_WRITE, true); }
static void build_rw_allow(struct msrf_filter *f) { build_pair(f, MSRF_READ | MSRF_WRITE, false); }
static void build_rw_deny(struct msrf_filter *f) { build_pair(f, MSRF_READ | MSRF_WRITE, true); }

static const struct probe pair_probes[] = {
	{ MSR_EFER, "EFER, base-1" },
	{ MSR_STAR, "STAR, base" },
	{ MSR_LSTAR, "LSTAR, last" },
	{ MSR_CSTAR, "CSTAR, base+nmsrs" },
};

/*
 * Two ranges over the same five MSRs with different flags: the first one
 * must not shadow the second for the access type it lacks.
 */
static void build_read_then_write(struct msrf_filter *f)
{
	msrf_filter_init(f, 0);
	add_range(f, MSR_EFER, 5, MSRF_READ, true);
	add_range(f, MSR_EFER, 5, MSRF_WRITE, false);
}

static void build_write_then_read(struct msrf_filter *f)
{
	struct msrf_range *r;

	msrf_filter_init(f, MSRF_DEFAULT_DENY);
	add_range(f, MSR_EFER, 5, MSRF_WRITE, true);
	r = add_range(f, MSR_EFER, 5, MSRF_READ, false);
	msrf_set_bit(r, MSR_STAR, true);
}

static const struct probe five_probes[] = {
	{ MSR_EFER - 1, "base-1" },
	{ MSR_EFER, "EFER, base" },
	{ MSR_STAR, "STAR" },
	{ MSR_LSTAR, "LSTAR" },
	{ MSR_CSTAR, "CSTAR" },
	{ MSR_SYSCALL_MASK, "SFMASK, last" },
	{ MSR_SYSCALL_MASK + 1, "base+nmsrs" },
};

/*
 * Overlapping ranges around SYSENTER_CS/ESP/EIP (0x174-0x176): the first
 * range containing the index (with the access type) decides, even when a
 * later one says the opposite.
 */
static void build_first_deny_wins(struct msrf_filter *f)
{
	struct msrf_range *r;

	msrf_filter_init(f, 0);
	r = add_range(f, MSR_IA32_SYSENTER_CS, 3, MSRF_READ | MSRF_WRITE, true);
	msrf_set_bit(r, MSR_IA32_SYSENTER_ESP, false);
	add_range(f, MSR_IA32_SYSENTER_CS - 1, 5, MSRF_READ | MSRF_WRITE, false);
}

static void build_first_allow_wins(struct msrf_filter *f)
{
	msrf_filter_init(f, MSRF_DEFAULT_DENY);
	add_range(f, MSR_IA32_SYSENTER_ESP, 2, MSRF_READ | MSRF_WRITE, true);
	add_range(f, MSR_IA32_SYSENTER_CS, 3, MSRF_READ | MSRF_WRITE, false);
	add_range(f, MSR_IA32_SYSENTER_CS - 1, 5, MSRF_READ | MSRF_WRITE, true);
}

/*
 * First match per access type: the READ range decides reads (allow), is
 * skipped for writes, which the READ|WRITE range decides (deny) before the
 * WRITE range that would allow them is reached.
 */
static void build_first_per_type(struct msrf_filter *f)
{
	msrf_filter_init(f, 0);
	add_range(f, MSR_IA32_SYSENTER_CS, 3, MSRF_READ, true);
	add_range(f, MSR_IA32_SYSENTER_CS, 3, MSRF_READ | MSRF_WRITE, false);
	add_range(f, MSR_IA32_SYSENTER_CS, 3, MSRF_WRITE, true);
}

static const struct probe sysenter_probes[] = {
	{ MSR_IA32_SYSENTER_CS - 2, "outside all" },
	{ MSR_IA32_SYSENTER_CS - 1, "second range only" },
	{ MSR_IA32_SYSENTER_CS, "SYSENTER_CS" },
	{ MSR_IA32_SYSENTER_ESP, "SYSENTER_ESP" },
	{ MSR_IA32_SYSENTER_EIP, "SYSENTER_EIP" },
	{ MSR_IA32_SYSENTER_EIP + 1, "second range only" },
	{ MSR_IA32_SYSENTER_EIP + 2, "outside all" },
};

/*
 * The doc/abi.md §8 probes: FA = MISC_ENABLE in a range with bit 1, FD =
 * POWER_CTL in a range with bit 0, U = PAT in no range, under each default.
 */
static void build_abi8(struct msrf_filter *f, bool deny_default)
{
	msrf_filter_init(f, deny_default ? MSRF_DEFAULT_DENY : 0);
	add_range(f, MSR_IA32_MISC_ENABLE, 1, MSRF_READ | MSRF_WRITE, true);
	add_range(f, MSR_IA32_POWER_CTL, 1, MSRF_READ | MSRF_WRITE, false);
}

static void build_abi8_allow(struct msrf_filter *f) { build_abi8(f, false); }
static void build_abi8_deny(struct msrf_filter *f) { build_abi8(f, true); }

static const struct probe abi8_probes[] = {
	{ MSR_IA32_MISC_ENABLE - 1, "FA base-1" },
	{ MSR_IA32_MISC_ENABLE, "FA, bit 1" },
	{ MSR_IA32_MISC_ENABLE + 1, "FA base+nmsrs" },
	{ MSR_IA32_POWER_CTL - 1, "FD base-1" },
	{ MSR_IA32_POWER_CTL, "FD, bit 0" },
	{ MSR_IA32_POWER_CTL + 1, "FD base+nmsrs" },
	{ MSR_IA32_CR_PAT, "U, PAT" },
};

/*
 * A 12288-MSR range (the largest bitmap, 0x600 bytes) whose last bit is
 * EFER and whose base+nmsrs is STAR.  Only the last bit differs from the
 * rest of the bitmap.
 */
#define BIG_BASE	(MSR_EFER - (MSRF_MAX_NMSRS - 1))

static void build_big(struct msrf_filter *f, bool deny_default)
{
	struct msrf_range *r;

	msrf_filter_init(f, deny_default ? MSRF_DEFAULT_DENY : 0);
	r = add_range(f, BIG_BASE, MSRF_MAX_NMSRS, MSRF_READ | MSRF_WRITE, !deny_default);
	msrf_set_bit(r, MSR_EFER, deny_default);
}

static void build_big_last_deny(struct msrf_filter *f) { build_big(f, false); }
static void build_big_last_allow(struct msrf_filter *f) { build_big(f, true); }

static const struct probe big_probes[] = {
	{ BIG_BASE - 1, "base-1" },
	{ BIG_BASE, "bit 0" },
	{ MSR_EFER - 1, "bit 12286" },
	{ MSR_EFER, "EFER, bit 12287 (last)" },
	{ MSR_STAR, "STAR, base+nmsrs" },
};

/*
 * Ranges whose base + nmsrs wraps past 0xffffffff: accepted, and they
 * match nothing (doc/abi.md §2.6).  A second, ordinary range shows the filter is
 * in force.  With a deny bitmap under DEFAULT_ALLOW every index the range
 * would cover behaves as unfiltered; with an allow bitmap under
 * DEFAULT_DENY every one is denied.
 */
static void build_wrap(struct msrf_filter *f, u32 base, u32 nmsrs, bool deny_default)
{
	msrf_filter_init(f, deny_default ? MSRF_DEFAULT_DENY : 0);
	add_range(f, base, nmsrs, MSRF_READ | MSRF_WRITE, deny_default);
	if (deny_default)
		add_range(f, MSR_IA32_MISC_ENABLE, 1, MSRF_READ | MSRF_WRITE, true);
	else
		add_range(f, MSR_IA32_POWER_CTL, 1, MSRF_READ | MSRF_WRITE, false);
}

static void build_wrap2_deny_bits(struct msrf_filter *f) { build_wrap(f, 0xffffffff, 2, false); }
static void build_wrap2_allow_bits(struct msrf_filter *f) { build_wrap(f, 0xffffffff, 2, true); }
static void build_wrap512_deny_bits(struct msrf_filter *f) { build_wrap(f, 0xffffff00, 0x200, false); }
static void build_wrap512_allow_bits(struct msrf_filter *f) { build_wrap(f, 0xffffff00, 0x200, true); }

static const struct probe wrap2_probes[] = {
	{ 0xfffffffe, "base-1" },
	{ 0xffffffff, "base" },
	{ 0x0, "bit 1 if wrapped" },
	{ 0x1, "end if wrapped" },
	{ MSR_IA32_MISC_ENABLE, "FA, other range or default" },
	{ MSR_IA32_POWER_CTL, "FD, other range or default" },
};

static const struct probe wrap512_probes[] = {
	{ 0xfffffeff, "base-1" },
	{ 0xffffff00, "base" },
	{ 0xffffffff, "bit 0xff" },
	{ 0x0, "bit 0x100 if wrapped" },
	{ MSR_IA32_APICBASE, "APIC_BASE, inside if wrapped" },
	{ 0xff, "last bit if wrapped" },
	{ 0x100, "end if wrapped" },
	{ MSR_IA32_MISC_ENABLE, "FA, other range or default" },
	{ MSR_IA32_POWER_CTL, "FD, other range or default" },
};

/*
 * Zero-length ranges with junk flags and NULL or unmapped bitmaps between
 * real ones: accepted, and the real ranges keep their order (the overlap
 * of first-deny-wins plus FD denied).
 */
static void build_zero_middle(struct msrf_filter *f)
{
	struct msrf_range *r;

	msrf_filter_init(f, 0);
	add_junk(f, MSR_IA32_SYSENTER_CS, 0xffffffff, MSRF_BITMAP_NULL);
	r = add_range(f, MSR_IA32_SYSENTER_CS, 3, MSRF_READ | MSRF_WRITE, true);
	msrf_set_bit(r, MSR_IA32_SYSENTER_ESP, false);
	add_junk(f, MSR_IA32_SYSENTER_CS, 0xffffffff, MSRF_BITMAP_NULL);
	add_junk(f, MSR_IA32_SYSENTER_CS - 1, 0, MSRF_BITMAP_UNMAPPED);
	add_range(f, MSR_IA32_SYSENTER_CS - 1, 5, MSRF_READ | MSRF_WRITE, false);
	add_junk(f, MSR_IA32_POWER_CTL, 4, MSRF_BITMAP_EDGE);
	add_range(f, MSR_IA32_POWER_CTL, 1, MSRF_READ | MSRF_WRITE, false);
	add_junk(f, MSR_IA32_POWER_CTL, MSRF_READ, MSRF_BITMAP_NULL);
}

static const struct probe zero_middle_probes[] = {
	{ MSR_IA32_SYSENTER_CS - 2, "outside all" },
	{ MSR_IA32_SYSENTER_CS - 1, "second range only" },
	{ MSR_IA32_SYSENTER_CS, "SYSENTER_CS" },
	{ MSR_IA32_SYSENTER_ESP, "SYSENTER_ESP" },
	{ MSR_IA32_SYSENTER_EIP, "SYSENTER_EIP" },
	{ MSR_IA32_SYSENTER_EIP + 1, "second range only" },
	{ MSR_IA32_POWER_CTL, "FD, third range" },
	{ MSR_IA32_MISC_ENABLE, "FA, default" },
};

/* Fifteen zero-length ranges, then the only real one in the last slot. */
static void build_zero_slot15(struct msrf_filter *f)
{
	static const u32 junk_flags[] = { 0xffffffff, 0, 4, MSRF_READ };
	static const enum msrf_bitmap_kind kinds[] = {
		MSRF_BITMAP_NULL, MSRF_BITMAP_UNMAPPED,
	};
	unsigned int i;

	msrf_filter_init(f, MSRF_DEFAULT_DENY);
	for (i = 0; i < MSRF_MAX_RANGES - 1; i++)
		add_junk(f, MSR_IA32_POWER_CTL, junk_flags[i % ARRAY_SIZE(junk_flags)],
			 kinds[i % ARRAY_SIZE(kinds)]);
	assert(add_range(f, MSR_IA32_MISC_ENABLE, 1, MSRF_READ | MSRF_WRITE, true) ==
	       &f->ranges[MSRF_MAX_RANGES - 1]);
}

static const struct probe zero_slot15_probes[] = {
	{ MSR_IA32_MISC_ENABLE - 1, "base-1" },
	{ MSR_IA32_MISC_ENABLE, "FA, slot 15 bit 1" },
	{ MSR_IA32_MISC_ENABLE + 1, "base+nmsrs" },
	{ MSR_IA32_POWER_CTL, "FD, junk base, default" },
};

#define RULE(n, b, p) { n, b, p, ARRAY_SIZE(p) }

static const struct rule rules[] = {
	RULE("read-only/default-allow", build_read_allow, pair_probes),
	RULE("read-only/default-deny", build_read_deny, pair_probes),
	RULE("write-only/default-allow", build_write_allow, pair_probes),
	RULE("write-only/default-deny", build_write_deny, pair_probes),
	RULE("read-write/default-allow", build_rw_allow, pair_probes),
	RULE("read-write/default-deny", build_rw_deny, pair_probes),
	RULE("read-range-then-write-range", build_read_then_write, five_probes),
	RULE("write-range-then-read-range", build_write_then_read, five_probes),
	RULE("first-match/deny-wins", build_first_deny_wins, sysenter_probes),
	RULE("first-match/allow-wins", build_first_allow_wins, sysenter_probes),
	RULE("first-match/per-type", build_first_per_type, sysenter_probes),
	RULE("abi8/default-allow", build_abi8_allow, abi8_probes),
	RULE("abi8/default-deny", build_abi8_deny, abi8_probes),
	RULE("12288/last-bit-deny", build_big_last_deny, big_probes),
	RULE("12288/last-bit-allow", build_big_last_allow, big_probes),
	RULE("wrap-ffffffff+2/deny-bits", build_wrap2_deny_bits, wrap2_probes),
	RULE("wrap-ffffffff+2/allow-bits", build_wrap2_allow_bits, wrap2_probes),
	RULE("wrap-ffffff00+200/deny-bits", build_wrap512_deny_bits, wrap512_probes),
	RULE("wrap-ffffff00+200/allow-bits", build_wrap512_allow_bits, wrap512_probes),
	RULE("zero-length/middle", build_zero_middle, zero_middle_probes),
	RULE("zero-length/slot15", build_zero_slot15, zero_slot15_probes),
};

/* ---- Unfiltered baseline ------------------------------------------------- */

struct baseline {
	u32 index;
	enum msrf_kvm_class rclass, wclass;
	u64 value;	/* the unfiltered read (class OK); written back later */
	bool tried;	/* measure_one() ran */
	bool measured;	/* and found a class for both directions */
};

#define MAX_BASELINES	64
static struct baseline baselines[MAX_BASELINES];
static unsigned int nbaselines;

static struct baseline *baseline_of(u32 index)
{
	unsigned int i;

	for (i = 0; i < nbaselines; i++)
		if (baselines[i].index == index)
			return &baselines[i];
	assert(nbaselines < MAX_BASELINES);
	baselines[nbaselines].index = index;
	return &baselines[nbaselines++];
}

/*
 * The class of an access measured with no filter and mask INVAL|UNKNOWN:
 * no exit and no fault is OK, an exit names the class.  Anything else (a
 * #GP with both reasons enabled) means no class fits: the caller fails.
 */
static bool class_of(const struct msr_obs *o, enum msrf_kvm_class *cls)
{
	int c = msrf_class_of_baseline(o->outcome);

	if (o->exits > 1 || c < 0)
		return false;
	*cls = c;
	return true;
}

static void measure_one(struct baseline *b)
{
	struct msr_obs o;
	bool ok;

	b->tried = true;
	msr_observe_read(b->index, &o);
	ok = class_of(&o, &b->rclass);
	b->value = b->rclass == MSRF_KVM_OK ? o.value : 0;
	if (!ok)
		report_info("rdmsr 0x%x without filter: %s", b->index, msr_obs_name(&o));
	msr_observe_write(b->index, b->value, &o);
	if (!class_of(&o, &b->wclass)) {
		report_info("wrmsr 0x%x without filter: %s", b->index, msr_obs_name(&o));
		ok = false;
	}
	b->measured = ok;
	/* With INVAL and UNKNOWN enabled and no filter nothing may #GP. */
	report(ok, "baseline 0x%x: read and write-back classified", b->index);
	if (ok)
		report_info("0x%x: read %s (0x%lx), write-back %s", b->index,
			    msrf_kvm_class_name(b->rclass), (unsigned long)b->value,
			    msrf_kvm_class_name(b->wclass));
}

/* Every probe of every selected rule, once. */
static void measure_baselines(const bool *selected)
{
	unsigned int i, j;

	report_prefix_push("no filter");
	if (msrtest_filter_off() || msrtest_set_mask(MSRF_EXIT_INVAL | MSRF_EXIT_UNKNOWN))
		report_abort("cannot turn the filter off / set mask INVAL|UNKNOWN");
	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		if (!selected[i])
			continue;
		for (j = 0; j < rules[i].nprobes; j++) {
			struct baseline *b = baseline_of(rules[i].probes[j].index);

			if (!b->tried)
				measure_one(b);
		}
	}
	report_prefix_pop();
}

/* ---- Checks ---------------------------------------------------------------- */

static void check_probe(const struct probe *p, bool write)
{
	const struct baseline *b = baseline_of(p->index);
	u64 answer = KVMRUN_MSR_DERIVED(p->index);
	enum msrf_outcome expect;
	struct msrf_ctx ctx;
	struct msr_obs o;
	bool ok;

	if (!b->measured) {
		report_skip("%s 0x%x (%s): no unfiltered baseline",
			    write ? "wrmsr" : "rdmsr", p->index, p->role);
		return;
	}
	msrtest_ctx(&ctx);
	if (write) {
		expect = msrf_outcome_write(&ctx, p->index, b->value, b->wclass);
		msr_observe_write(p->index, b->value, &o);
	} else {
		expect = msrf_outcome(&ctx, p->index, MSRF_ACCESS_READ, b->rclass);
		msr_observe_read(p->index, &o);
	}
	ok = msr_obs_matches(expect, p->index, write, &answer, &o);
	/* V: the same value as without a filter (doc/abi.md §8). */
	if (ok && expect == MSRF_V && !write)
		ok = o.value == b->value;
	report(ok, "%s 0x%x (%s): %s", write ? "wrmsr" : "rdmsr", p->index, p->role,
	       msrf_outcome_name(expect));
	if (!ok)
		report_info("expected %s (unfiltered value 0x%lx), seen %s",
			    msrf_outcome_name(expect), (unsigned long)b->value,
			    msr_obs_name(&o));
}

static struct msrf_filter filter;

static void run_rule(const struct rule *r)
{
	unsigned int i;
	int err, expect;

	report_prefix_push(r->name);
	r->build(&filter);
	expect = msrf_validate(&filter);
	err = msrtest_install(&filter);
	report(err == expect, "installed: %s", msrf_errno_name(expect));
	if (err) {
		if (err != expect)
			report_info("KVM_X86_SET_MSR_FILTER gave errno %d", err);
		report_prefix_pop();
		return;
	}
	for (i = 0; i < r->nprobes; i++) {
		check_probe(&r->probes[i], false);
		check_probe(&r->probes[i], true);
	}
	if (msrtest_filter_off())
		report_abort("cannot turn the filter off after %s", r->name);
	report_prefix_pop();
}

static void run_mask(u32 mask, const bool *selected)
{
	unsigned int i;

	if (!msrtest_enter_mask(mask))
		return;
	msrtest_counts_begin();
	for (i = 0; i < ARRAY_SIZE(rules); i++)
		if (selected[i])
			run_rule(&rules[i]);
	msrtest_counts_check("exit counters");
	report_prefix_pop();
}

/* "--masks=0,4,7": the masks to run; default 0 and FILTER. */
static unsigned int parse_masks(int argc, char **argv, u32 *masks, unsigned int max)
{
	unsigned int n = 0;
	int i;

	for (i = 1; i < argc; i++) {
		char buf[64], *s, *comma;

		if (strncmp(argv[i], "--masks=", 8))
			continue;
		strlcpy(buf, argv[i] + 8, sizeof(buf));
		for (s = buf, n = 0; s && n < max; s = comma) {
			u64 v;

			comma = strchr(s, ',');
			if (comma)
				*comma++ = 0;
			if (parse_u64(s, &v) || v > MSRF_EXIT_VALID_MASK)
				report_abort("bad mask '%s' in %s", s, argv[i]);
			masks[n++] = (u32)v;
		}
	}
	if (!n) {
		masks[n++] = 0;
		masks[n++] = MSRF_EXIT_FILTER;
	}
	return n;
}

int main(int argc, char **argv, char **envp)
{
	static bool selected[ARRAY_SIZE(rules)];
	u32 masks[8];
	unsigned int i, n, nsel = 0;

	report_prefix_push("msr_rules");
	if (!msrtest_init())
		return report_summary();
	n = parse_masks(argc, argv, masks, ARRAY_SIZE(masks));
	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		selected[i] = arg_selected(argc, argv, rules[i].name);
		nsel += selected[i];
	}
	if (!nsel)
		report_abort("no rule matches the arguments");
	measure_baselines(selected);
	for (i = 0; i < n; i++)
		run_mask(masks[i], selected);
	msrtest_set_mask(0);
	return report_summary();
}
