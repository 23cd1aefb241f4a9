// SPDX-License-Identifier: GPL-2.0-only
/*
 * Filter updates while the vCPU runs (doc/abi.md §2, §6).
 *
 * The guest installs filter A, checks every probe access against the
 * model, then installs B, which the model says decides the opposite of A
 * for every probe access, and checks again: each access must follow B
 * now.  The probes include MSRs that KVM normally passes through to the
 * guest (FS_BASE, GS_BASE, KERNEL_GS_BASE, SYSENTER_*, and on SVM
 * STAR/LSTAR/CSTAR/SFMASK and PAT), whose hardware intercept bitmaps have
 * to be refreshed on the update; A denies FS_BASE/GS_BASE reads and B
 * allows them, the case the 6.17 selftest added (reads must stop
 * exiting).  Writes store one of two test values, chosen to differ from
 * what the MSR holds, and the next allowed read must see exactly the last
 * write the model says took effect: a denied write that leaks through the
 * bitmaps shows up as a changed value even if it raised nothing.
 *
 * Then every kind of rejected call (bad flags, empty + DEFAULT_DENY,
 * oversize, NULL / unmapped / edge bitmaps, bad struct pointers) must
 * return the errno msrf_validate() gives (doc/abi.md §2.1 for the struct
 * pointer: EFAULT) and leave B in force, checked by all probe accesses.
 * The rejected filters carry A's ranges before the bad one, so a kernel
 * that half-installs a failed filter (before b318e8decf6b) is caught.
 * KVM_ENABLE_CAP validation follows (doc/abi.md §2, USER_SPACE_MSR / MSR_FILTER
 * caps), then each of the 64 bits of the exit mask and of the 32 bits of
 * the filter's and a range's flags alone (as the KVM selftest), each call
 * followed by two reads that only B under mask FILTER explains (the
 * "bits" lines, one per field).  Then empty + DEFAULT_ALLOW must turn
 * filtering off: every access as in the unfiltered pass.  All of it runs with exit mask FILTER and 0.
 *
 * The library does not use FS, GS or the SYSENTER/SYSCALL MSRs (fixups
 * find the per-CPU area from RSP), so the test may change them; it puts
 * the original values back at the end.
 */
#include "libcflat.h"
#include "desc.h"
#include "msr.h"
#include "msrtest.h"

struct probe {
	u32 index;
	const char *name;
	u64 vals[2];			/* test values, written alternately */
	/* measured with no filter (calibrate()) */
	u64 orig;
	enum msrf_kvm_class rbase;
	enum msrf_kvm_class wbase[2];
	bool tracked;			/* a read returns what a write stored */
	u64 cur;			/* what the MSR holds (when tracked) */
};

/* Test values derived from the original one are filled in by calibrate(). */
#define FROM_ORIG	0

static struct probe probes[] = {
	{ .index = MSR_IA32_SYSENTER_CS, .name = "SYSENTER_CS", .vals = { 0x10, 0x18 } },
	{ .index = MSR_IA32_SYSENTER_ESP, .name = "SYSENTER_ESP", .vals = { 0x111000, 0x222000 } },
	{ .index = MSR_IA32_SYSENTER_EIP, .name = "SYSENTER_EIP", .vals = { 0x333000, 0x444000 } },
	{ .index = MSR_IA32_MISC_ENABLE, .name = "MISC_ENABLE", .vals = { FROM_ORIG } },
	{ .index = MSR_IA32_POWER_CTL, .name = "POWER_CTL", .vals = { FROM_ORIG } },
	{ .index = MSR_IA32_CR_PAT, .name = "PAT", .vals = { FROM_ORIG } },
	{ .index = MSR_STAR, .name = "STAR",
	  .vals = { 0x0013000800000000ull, 0x001b001000000000ull } },
	{ .index = MSR_LSTAR, .name = "LSTAR", .vals = { 0xbbb0000, 0xccc0000 } },
	{ .index = MSR_CSTAR, .name = "CSTAR", .vals = { 0xddd0000, 0xeee0000 } },
	{ .index = MSR_SYSCALL_MASK, .name = "SFMASK", .vals = { 0x700, 0x4700 } },
	{ .index = MSR_FS_BASE, .name = "FS_BASE", .vals = { 0x5550000, 0x6660000 } },
	{ .index = MSR_GS_BASE, .name = "GS_BASE", .vals = { 0x7770000, 0x8880000 } },
	{ .index = MSR_KERNEL_GS_BASE, .name = "KERNEL_GS_BASE", .vals = { 0x9990000, 0xaaa0000 } },
	{ .index = MSR_FABRICATED, .name = "fabricated", .vals = { 0, 0 } },
};

#define NPROBES ARRAY_SIZE(probes)

/* Outcomes of the unfiltered pass, to compare with "filtering off". */
static enum msrf_outcome unfiltered[NPROBES][2];

static struct msrf_filter filter_a, filter_b, scratch;
static struct kvmrun_msr_filter kf;

/* ---- Calibration: what KVM does with each probe without a filter -------- */

static enum msrf_kvm_class class_of(const struct msr_obs *o, const struct probe *p)
{
	int cls = msrf_class_of_baseline(o->outcome);

	if (cls >= 0)
		return cls;
	report_info("%s (0x%x) without a filter: %s, taken as INVAL", p->name,
		    p->index, msr_obs_name(o));
	return MSRF_KVM_INVAL;
}

/* Values a guest may write without disturbing the test. */
static void derive_values(struct probe *p)
{
	switch (p->index) {
	case MSR_IA32_MISC_ENABLE:
		/* Fast-strings enable: KVM keeps it, nothing depends on it. */
		p->vals[0] = p->orig ^ 1;
		p->vals[1] = p->orig;
		break;
	case MSR_IA32_POWER_CTL:
		p->vals[0] = p->orig ^ 2;
		p->vals[1] = p->orig ^ 4;
		break;
	case MSR_IA32_CR_PAT:
		/* Entry 0 (all our mappings) stays; entry 1 becomes WC, then WP. */
		p->vals[0] = (p->orig & ~0xff00ull) | 0x0100;
		p->vals[1] = (p->orig & ~0xff00ull) | 0x0500;
		break;
	}
}

/*
 * With exits for UNKNOWN and INVAL and no filter, the exit reason tells
 * KVM's class of each access: the model's baseline, measured rather than
 * assumed.  Every write is undone.
 */
static void calibrate_one(struct probe *p)
{
	struct msr_obs o;
	bool back[2] = { false, false };
	int k;

	msr_observe_read(p->index, &o);
	p->rbase = class_of(&o, p);
	p->orig = p->rbase == MSRF_KVM_OK ? o.value : 0;
	derive_values(p);
	for (k = 0; k < 2; k++) {
		msr_observe_write(p->index, p->vals[k], &o);
		p->wbase[k] = class_of(&o, p);
		if (p->wbase[k] != MSRF_KVM_OK || p->rbase != MSRF_KVM_OK)
			continue;
		msr_observe_read(p->index, &o);
		back[k] = o.outcome == MSRF_V && o.value == p->vals[k];
	}
	p->tracked = back[0] && back[1];
	if (p->rbase == MSRF_KVM_OK)
		wrmsr_safe(p->index, p->orig);
	p->cur = p->orig;
	report_info("%s (0x%x): read %s, writes %s/%s, %s", p->name, p->index,
		    msrf_kvm_class_name(p->rbase), msrf_kvm_class_name(p->wbase[0]),
		    msrf_kvm_class_name(p->wbase[1]),
		    p->tracked ? "reads back what is written" : "value not tracked");
}

static void calibrate(void)
{
	unsigned int i;

	if (msrtest_set_mask(MSRF_EXIT_INVAL | MSRF_EXIT_UNKNOWN))
		report_abort("cannot enable INVAL|UNKNOWN exits to calibrate");
	if (msrtest_filter_off())
		report_abort("cannot turn filtering off to calibrate");
	for (i = 0; i < NPROBES; i++)
		calibrate_one(&probes[i]);
}

static void restore_values(void)
{
	unsigned int i;

	if (msrtest_filter_off())
		report_abort("cannot turn filtering off to restore the MSRs");
	for (i = 0; i < NPROBES; i++)
		if (probes[i].rbase == MSRF_KVM_OK && probes[i].wbase[0] == MSRF_KVM_OK)
			wrmsr_safe(probes[i].index, probes[i].orig);
}

/* ---- Filters A and B ------------------------------------------------------ */

/*
 * A: DEFAULT_ALLOW with read/write, read-only and write-only ranges.  It
 * denies POWER_CTL, LSTAR and SFMASK both ways, FS/GS/KERNEL_GS_BASE and
 * PAT reads, SYSENTER_* writes; MISC_ENABLE and the fabricated MSR are
 * uncovered.
 */
static void build_a(struct msrf_filter *f)
{
	int r;

	msrf_filter_init(f, 0);
	msrf_add_range(f, MSR_IA32_POWER_CTL, 1, MSRF_READ | MSRF_WRITE, false);
	msrf_add_range(f, MSR_FS_BASE, 3, MSRF_READ, false);
	msrf_add_range(f, MSR_IA32_SYSENTER_CS, 3, MSRF_WRITE, false);
	r = msrf_add_range(f, MSR_STAR, 4, MSRF_READ | MSRF_WRITE, true);
	msrf_set_bit(&f->ranges[r], MSR_LSTAR, false);
	msrf_set_bit(&f->ranges[r], MSR_SYSCALL_MASK, false);
	msrf_add_range(f, MSR_IA32_CR_PAT, 1, MSRF_READ, false);
}

/* One READ-only and one WRITE-only range over [first, last]. */
static void add_complement(struct msrf_filter *b, const struct msrf_filter *a,
			   u32 first, u32 last)
{
	static const u32 types[] = { MSRF_READ, MSRF_WRITE };
	unsigned int t, i;
	int r;

	for (t = 0; t < ARRAY_SIZE(types); t++) {
		r = msrf_add_range(b, first, last - first + 1, types[t], false);
		for (i = 0; i < NPROBES; i++)
			msrf_set_bit(&b->ranges[r], probes[i].index,
				     !msrf_allowed(a, probes[i].index, types[t]));
	}
}

/*
 * B: DEFAULT_DENY with separate read and write ranges whose bits are the
 * negation of A's decision for each probe: a different shape reaching the
 * opposite verdict everywhere.
 */
static void build_b(struct msrf_filter *b, const struct msrf_filter *a)
{
	msrf_filter_init(b, MSRF_DEFAULT_DENY);
	add_complement(b, a, MSR_IA32_SYSENTER_CS, MSR_IA32_CR_PAT);
	add_complement(b, a, MSR_STAR, MSR_KERNEL_GS_BASE);
	add_complement(b, a, MSR_FABRICATED, MSR_FABRICATED);
}

/* The premise of the A -> B checks, from the model. */
static void check_b_opposes_a(void)
{
	unsigned int i, same = 0, denied[2] = { 0, 0 }, allowed[2] = { 0, 0 };
	int t;

	for (i = 0; i < NPROBES; i++) {
		for (t = 0; t < 2; t++) {
			u32 type = t ? MSRF_ACCESS_WRITE : MSRF_ACCESS_READ;
			bool b = msrf_allowed(&filter_b, probes[i].index, type);

			same += b == msrf_allowed(&filter_a, probes[i].index, type);
			b ? allowed[t]++ : denied[t]++;
		}
	}
	if (!report(!same && denied[0] && denied[1] && allowed[0] && allowed[1],
		    "model: B decides the opposite of A for every probe access"))
		report_info("%u of %u decisions the same; B denies %u/%u and allows %u/%u "
			    "(read/write)", same, (unsigned int)NPROBES * 2, denied[0],
			    denied[1], allowed[0], allowed[1]);
}

/* ---- Checking accesses ------------------------------------------------------ */

/* The test value to write next: never the one the MSR already holds. */
static int next_val(const struct probe *p)
{
	return p->cur == p->vals[0] ? 1 : 0;
}

struct access {
	enum msrf_outcome expect;
	struct msr_obs o;
	u64 val;		/* written */
	bool ok;
};

static void do_write(struct probe *p, struct access *a)
{
	struct msrf_ctx ctx;
	int k = next_val(p);

	msrtest_ctx(&ctx);
	a->val = p->vals[k];
	a->expect = msrf_outcome_write(&ctx, p->index, a->val, p->wbase[k]);
	msr_observe_write(p->index, a->val, &a->o);
	a->ok = msr_obs_matches(a->expect, p->index, true, NULL, &a->o);
	/* Only a write the model lets through reaches the MSR. */
	if (a->expect == MSRF_V && p->wbase[k] == MSRF_KVM_OK)
		p->cur = a->val;
}

static void do_read(struct probe *p, struct access *a)
{
	struct msrf_ctx ctx;
	u64 answer = KVMRUN_MSR_DERIVED(p->index);

	msrtest_ctx(&ctx);
	a->expect = msrf_outcome(&ctx, p->index, MSRF_ACCESS_READ, p->rbase);
	msr_observe_read(p->index, &a->o);
	a->ok = msr_obs_matches(a->expect, p->index, false, &answer, &a->o);
	if (a->ok && a->expect == MSRF_V && p->tracked && a->o.value != p->cur)
		a->ok = false;
}

static void explain(const struct probe *p, bool write, const struct access *a)
{
	if (write)
		report_info("wrmsr 0x%x (%s) = 0x%lx: expected %s, seen %s", p->index,
			    p->name, (unsigned long)a->val, msrf_outcome_name(a->expect),
			    msr_obs_name(&a->o));
	else
		report_info("rdmsr 0x%x (%s): expected %s%s, seen %s (MSR should hold 0x%lx)",
			    p->index, p->name, msrf_outcome_name(a->expect),
			    p->tracked ? " with the last value written" : "",
			    msr_obs_name(&a->o), (unsigned long)p->cur);
}

/* Write, then read back: one report line each. */
static void check_probe(unsigned int i, bool record)
{
	struct probe *p = &probes[i];
	struct access w, r;

	do_write(p, &w);
	report(w.ok, "wrmsr 0x%x (%s): %s", p->index, p->name, msrf_outcome_name(w.expect));
	if (!w.ok)
		explain(p, true, &w);
	do_read(p, &r);
	report(r.ok, "rdmsr 0x%x (%s): %s%s", p->index, p->name,
	       msrf_outcome_name(r.expect),
	       r.expect == MSRF_V && p->tracked ? ", last value written" : "");
	if (!r.ok)
		explain(p, false, &r);
	if (record) {
		unfiltered[i][0] = r.o.outcome;
		unfiltered[i][1] = w.o.outcome;
	}
}

static void check_pass(const char *name, bool record)
{
	unsigned int i;

	report_prefix_push(name);
	for (i = 0; i < NPROBES; i++)
		check_probe(i, record);
	report_prefix_pop();
}

/* All probe accesses, summarised in one line: is the filter still 'what'? */
static void check_in_force(const char *what)
{
	unsigned int i, bad = 0;
	struct access w, r;

	for (i = 0; i < NPROBES; i++) {
		do_write(&probes[i], &w);
		if (!w.ok && bad++ < 3)
			explain(&probes[i], true, &w);
		do_read(&probes[i], &r);
		if (!r.ok && bad++ < 3)
			explain(&probes[i], false, &r);
	}
	if (!report(!bad, "%s still in force: every probe access as the model says", what))
		report_info("%u of %u accesses differ", bad, (unsigned int)NPROBES * 2);
}

/* "Filtering off": the same outcome as in the unfiltered pass, access by access. */
static void check_as_unfiltered(void)
{
	struct access w, r;
	unsigned int i, bad = 0;

	for (i = 0; i < NPROBES; i++) {
		do_write(&probes[i], &w);
		do_read(&probes[i], &r);
		if (w.o.outcome == unfiltered[i][1] && r.o.outcome == unfiltered[i][0])
			continue;
		if (!bad++)
			report_info("0x%x (%s): read %s write %s, unfiltered %s / %s",
				    probes[i].index, probes[i].name,
				    msrf_outcome_name(r.o.outcome), msrf_outcome_name(w.o.outcome),
				    msrf_outcome_name(unfiltered[i][0]),
				    msrf_outcome_name(unfiltered[i][1]));
	}
	if (!report(!bad, "every probe access as without any filter"))
		report_info("%u of %u accesses differ", bad, (unsigned int)NPROBES * 2);
}

/* ---- Rejected calls ------------------------------------------------------------ */

static void add_bad(struct msrf_filter *f, u32 nmsrs, u32 flags, enum msrf_bitmap_kind kind)
{
	int r = msrf_add_range(f, 0x10, nmsrs, flags, true);

	f->ranges[r].bitmap_kind = kind;
}

/* Every rejected filter except the empty ones starts as a copy of A. */
static void copy_a(struct msrf_filter *f)
{
	memcpy(f, &filter_a, sizeof(*f));
}

static void build_empty_deny(struct msrf_filter *f)
{
	msrf_filter_init(f, MSRF_DEFAULT_DENY);
}

/* Zero-length ranges are never looked at, so this is still "empty". */
static void build_junk_empty_deny(struct msrf_filter *f)
{
	int i, r;

	msrf_filter_init(f, MSRF_DEFAULT_DENY);
	for (i = 0; i < MSRF_MAX_RANGES; i++) {
		r = msrf_add_range(f, 0x100 * i, 0, 0xffffffffu, true);
		f->ranges[r].bitmap_kind = MSRF_BITMAP_NULL;
	}
}

static void build_flag_bit1(struct msrf_filter *f)
{
	copy_a(f);
	f->flags |= 1u << 1;
}

static void build_flag_bit31(struct msrf_filter *f)
{
	copy_a(f);
	f->flags |= 1u << 31;
}

static void build_range_flags_0(struct msrf_filter *f)
{
	copy_a(f);
	add_bad(f, 8, 0, MSRF_BITMAP_DATA);
}

static void build_range_flags_4(struct msrf_filter *f)
{
	copy_a(f);
	add_bad(f, 8, 0x4, MSRF_BITMAP_DATA);
}

static void build_oversize(struct msrf_filter *f)
{
	copy_a(f);
	add_bad(f, MSRF_MAX_NMSRS + 1, MSRF_READ | MSRF_WRITE, MSRF_BITMAP_DATA);
}

static void build_oversize_max(struct msrf_filter *f)
{
	copy_a(f);
	add_bad(f, 0xffffffffu, MSRF_READ | MSRF_WRITE, MSRF_BITMAP_DATA);
}

static void build_null_bitmap(struct msrf_filter *f)
{
	copy_a(f);
	add_bad(f, 8, MSRF_READ | MSRF_WRITE, MSRF_BITMAP_NULL);
}

static void build_unmapped_bitmap(struct msrf_filter *f)
{
	copy_a(f);
	add_bad(f, 8, MSRF_READ | MSRF_WRITE, MSRF_BITMAP_UNMAPPED);
}

/* KVM copies 8 bytes for 1 MSR, 16 for 65: both run into the guard page. */
static void build_edge_1(struct msrf_filter *f)
{
	copy_a(f);
	add_bad(f, 1, MSRF_READ | MSRF_WRITE, MSRF_BITMAP_EDGE);
}

static void build_edge_65(struct msrf_filter *f)
{
	copy_a(f);
	add_bad(f, 65, MSRF_READ | MSRF_WRITE, MSRF_BITMAP_EDGE);
}

/* The first failing range decides the errno (doc/abi.md §2.5). */
static void build_null_then_bad_flags(struct msrf_filter *f)
{
	copy_a(f);
	add_bad(f, 8, MSRF_READ, MSRF_BITMAP_NULL);
	add_bad(f, 8, 0, MSRF_BITMAP_DATA);
}

static void build_bad_flags_then_null(struct msrf_filter *f)
{
	copy_a(f);
	add_bad(f, 8, 0, MSRF_BITMAP_DATA);
	add_bad(f, 8, MSRF_READ, MSRF_BITMAP_NULL);
}

static const struct rejection {
	const char *name;
	void (*build)(struct msrf_filter *f);
	u32 struct_mode;		/* KVMRUN_FILTER_STRUCT_* */
} rejections[] = {
	{ .name = "empty+DEFAULT_DENY", .build = build_empty_deny },
	{ .name = "16 zero-length junk ranges+DEFAULT_DENY", .build = build_junk_empty_deny },
	{ .name = "filter flag bit 1", .build = build_flag_bit1 },
	{ .name = "filter flag bit 31", .build = build_flag_bit31 },
	{ .name = "range flags 0", .build = build_range_flags_0 },
	{ .name = "range flags 0x4", .build = build_range_flags_4 },
	{ .name = "nmsrs 12289", .build = build_oversize },
	{ .name = "nmsrs 0xffffffff", .build = build_oversize_max },
	{ .name = "NULL bitmap", .build = build_null_bitmap },
	{ .name = "unmapped bitmap", .build = build_unmapped_bitmap },
	{ .name = "edge bitmap nmsrs 1", .build = build_edge_1 },
	{ .name = "edge bitmap nmsrs 65", .build = build_edge_65 },
	{ .name = "NULL bitmap then range flags 0", .build = build_null_then_bad_flags },
	{ .name = "range flags 0 then NULL bitmap", .build = build_bad_flags_then_null },
	{ .name = "struct pointer NULL", .build = copy_a,
	  .struct_mode = KVMRUN_FILTER_STRUCT_NULL },
	{ .name = "struct pointer unmapped", .build = copy_a,
	  .struct_mode = KVMRUN_FILTER_STRUCT_UNMAPPED },
	{ .name = "struct pointer kernel", .build = copy_a,
	  .struct_mode = KVMRUN_FILTER_STRUCT_KERNEL },
};

/* The struct itself cannot be read: outside the model, doc/abi.md §2.1 says EFAULT. */
static int set_filter_bad_struct(const struct msrf_filter *f, u32 mode)
{
	struct kvmrun_result res;
	int st;

	if (kvmrun_build_filter(f, &kf))
		report_abort("cannot build the ioctl layout");
	st = kvmrun_set_filter_mode(&kf, mode, &res);
	if (st != KVMRUN_ST_OK)
		report_abort("SET_FILTER: %s", kvmrun_status_name(st));
	return res.ret ? res.err : 0;
}

static void check_rejection(const struct rejection *rj)
{
	int expect, err;

	report_prefix_pushf("rejected: %s", rj->name);
	rj->build(&scratch);
	if (rj->struct_mode != KVMRUN_FILTER_STRUCT_GUEST) {
		expect = MSRF_EFAULT;
		err = set_filter_bad_struct(&scratch, rj->struct_mode);
	} else {
		expect = msrf_validate(&scratch);
		err = msrtest_install(&scratch);
	}
	if (!report(err == expect && err, "KVM_X86_SET_MSR_FILTER: %s", msrf_errno_name(expect)))
		report_info("got %s (errno %d)", msrf_errno_name(err), err);
	if (!err) {
		/* Installed after all (or the model was wrong): start from B again. */
		report_info("the call succeeded: reinstalling B");
		if (msrtest_install(&filter_b))
			report_abort("cannot reinstall B");
	}
	check_in_force("B");
	report_prefix_pop();
}

/* ---- KVM_ENABLE_CAP / KVM_CHECK_EXTENSION (doc/abi.md §2, caps) ------------------- */

/* One access B denies: its outcome shows the mask KVM really uses. */
static void check_mask_in_use(const char *what)
{
	struct probe *p = &probes[0];
	struct access r;

	do_read(p, &r);
	report(r.ok, "%s: rdmsr 0x%x (%s) %s", what, p->index, p->name,
	       msrf_outcome_name(r.expect));
	if (!r.ok)
		explain(p, false, &r);
}

static void check_ext(u32 cap, const char *name)
{
	struct kvmrun_check_ext ce;
	int st = kvmrun_check_extension(cap, &ce);

	if (st != KVMRUN_ST_OK)
		report_abort("CHECK_EXT: %s", kvmrun_status_name(st));
	/* doc/abi.md §2: both caps report 1 on the system and the VM fd. */
	if (!report(ce.sys_ret == 1, "KVM_CHECK_EXTENSION(%s) on /dev/kvm: 1", name))
		report_info("got %d, errno %d", ce.sys_ret, ce.sys_err);
	if (!report(ce.vm_ret == 1, "KVM_CHECK_EXTENSION(%s) on the VM: 1", name))
		report_info("got %d, errno %d", ce.vm_ret, ce.vm_err);
}

/*
 * args[0] is 64 bits wide: the raw request passes it whole (msrtest's
 * helper takes a u32).  The model's mask follows only accepted values.
 */
static void check_set_mask(u64 mask, u32 restore)
{
	struct kvmrun_result res;
	int expect = msrf_exit_mask_errno(mask), err, st;
	char what[48];

	st = kvmrun_set_exit_mask(mask, &res);
	if (st != KVMRUN_ST_OK)
		report_abort("ENABLE_CAP: %s", kvmrun_status_name(st));
	err = res.ret ? res.err : 0;
	if (!report(err == expect, "ENABLE_CAP(USER_SPACE_MSR, 0x%lx): %s", (unsigned long)mask,
		    msrf_errno_name(expect)))
		report_info("got %s", msrf_errno_name(err));
	if (!err && !expect && msrtest_set_mask((u32)mask))
		report_abort("ENABLE_CAP(USER_SPACE_MSR, 0x%lx) failed the second time",
			     (unsigned long)mask);
	snprintf(what, sizeof(what), "mask after 0x%lx", (unsigned long)mask);
	check_mask_in_use(what);
	if (msrtest_set_mask(restore))
		report_abort("cannot set exit mask %u back", restore);
}

static void check_raw_cap(u32 cap, u32 flags, u64 arg, const char *what)
{
	struct kvmrun_result res;
	int st = kvmrun_enable_cap(cap, flags, arg, &res);

	if (st != KVMRUN_ST_OK)
		report_abort("ENABLE_CAP: %s", kvmrun_status_name(st));
	/* doc/abi.md §2: non-zero flags, or the informational MSR_FILTER cap: EINVAL. */
	if (!report(res.ret && res.err == MSRF_EINVAL, "ENABLE_CAP(%s): EINVAL", what))
		report_info("got %d, errno %d", res.ret, res.err);
	check_mask_in_use(what);
}

/*
 * With B installed.  A rejected mask must leave the old one in use, so the
 * masks tried are chosen to drop FILTER from a mask that has it, or add it
 * to one that lacks it (kernels before 5.19-rc8 stored any value).
 */
static void check_caps(void)
{
	static const u64 bad_masks[] = { 0x8, 0x80000000ull, 1ull << 32 };
	unsigned int i;
	u32 m;

	report_prefix_push("caps");
	check_ext(KVMRUN_CAP_X86_USER_SPACE_MSR, "USER_SPACE_MSR");
	check_ext(KVMRUN_CAP_X86_MSR_FILTER, "MSR_FILTER");
	for (m = 0; m <= MSRF_EXIT_VALID_MASK; m++)
		check_set_mask(m, m);
	if (msrtest_set_mask(MSRF_EXIT_FILTER))
		report_abort("cannot set the exit mask back");
	for (i = 0; i < ARRAY_SIZE(bad_masks); i++)
		check_set_mask(bad_masks[i], MSRF_EXIT_FILTER);
	if (msrtest_set_mask(0))
		report_abort("cannot set the exit mask to 0");
	check_raw_cap(KVMRUN_CAP_X86_USER_SPACE_MSR, 1, MSRF_EXIT_FILTER,
		      "USER_SPACE_MSR, flags 1, mask FILTER");
	check_raw_cap(KVMRUN_CAP_X86_MSR_FILTER, 0, 0, "MSR_FILTER, 0");
	check_raw_cap(KVMRUN_CAP_X86_MSR_FILTER, 0, 1, "MSR_FILTER, 1");
	if (msrtest_set_mask(MSRF_EXIT_FILTER))
		report_abort("cannot set the exit mask back");
	report_prefix_pop();
}

/* ---- Every flag bit alone (the KVM selftest's loops) ----------------------- */

enum bit_family { BITS_EXIT_MASK, BITS_FILTER_FLAGS, BITS_RANGE_FLAGS };

static const char *const bit_family_name[] = {
	[BITS_EXIT_MASK] = "ENABLE_CAP(USER_SPACE_MSR) args[0]",
	[BITS_FILTER_FLAGS] = "kvm_msr_filter.flags",
	[BITS_RANGE_FLAGS] = "range flags",
};

/*
 * Two reads that tell B under mask FILTER from anything else: one B denies
 * (X(F); #GP under a mask without FILTER, V under A or no filter) and one B
 * allows (V; A denies it).  Returns how many differ from the model.
 */
static unsigned int reads_off_model(void)
{
	unsigned int i, bad = 0, done = 0;
	struct access r;
	int allowed;

	for (allowed = 0; allowed < 2; allowed++) {
		for (i = 0; i < NPROBES; i++) {
			if (msrf_allowed(&filter_b, probes[i].index, MSRF_ACCESS_READ) != allowed)
				continue;
			do_read(&probes[i], &r);
			bad += !r.ok;
			done++;
			break;
		}
	}
	return bad + (2 - done);
}

/*
 * The call with only 'bit' set in the family's field; *expect gets the
 * model's errno.  The filters are A plus the bit, so one installed after
 * all shows in the probe accesses (A opposes B on every one of them).
 */
static int try_bit(enum bit_family family, unsigned int bit, int *expect)
{
	struct kvmrun_result res;
	int st;

	switch (family) {
	case BITS_EXIT_MASK:
		*expect = msrf_exit_mask_errno(1ull << bit);
		st = kvmrun_set_exit_mask(1ull << bit, &res);
		if (st != KVMRUN_ST_OK)
			report_abort("ENABLE_CAP: %s", kvmrun_status_name(st));
		return res.ret ? res.err : 0;
	case BITS_FILTER_FLAGS:
		copy_a(&scratch);
		scratch.flags = 1u << bit;
		break;
	case BITS_RANGE_FLAGS:
		copy_a(&scratch);
		add_bad(&scratch, 8, 1u << bit, MSRF_BITMAP_DATA);
		break;
	}
	*expect = msrf_validate(&scratch);
	return msrtest_install(&scratch);
}

/*
 * With B installed and mask FILTER: each bit of the field alone must give
 * the model's errno, and afterwards (an accepted call undone first) the
 * reads of reads_off_model() must still be B's under mask FILTER.
 * One line per family; a failure names the bits.
 */
static void check_every_bit(enum bit_family family)
{
	unsigned int bit, nbits = family == BITS_EXIT_MASK ? 64 : 32;
	unsigned int bad_errno = 0, bad_after = 0, rejected = 0, off, first_bad = nbits;
	int expect, err;

	for (bit = 0; bit < nbits; bit++) {
		err = try_bit(family, bit, &expect);
		if (err != expect && first_bad == nbits)
			first_bad = bit;
		if (err != expect && bad_errno++ < 4)
			report_info("%s bit %u: expected %s, got %s", bit_family_name[family],
				    bit, msrf_errno_name(expect), msrf_errno_name(err));
		if (err) {
			rejected++;
		} else if (family == BITS_EXIT_MASK) {
			/* The helper takes u32: only bits 0-31 can be accepted. */
			if (bit < 32 && msrtest_set_mask(1u << bit))
				report_abort("ENABLE_CAP(USER_SPACE_MSR, bit %u) failed again", bit);
		}
		/* Back to B and FILTER: a no-op after a rejected call. */
		if (!err && (msrtest_install(&filter_b) || msrtest_set_mask(MSRF_EXIT_FILTER)))
			report_abort("cannot go back to B and mask FILTER after bit %u", bit);
		off = reads_off_model();
		if (off && first_bad == nbits)
			first_bad = bit;
		if (off && bad_after++ < 4)
			report_info("after %s bit %u (%s): %u of the 2 reads differ from B "
				    "under mask FILTER", bit_family_name[family], bit,
				    err ? "rejected" : "accepted", off);
	}
	if (first_bad < nbits)
		report_fail("%s: each of the %u bits alone: the model's errno, then B and mask "
			    "FILTER in force: %u errnos and %u states wrong, the first at bit %u",
			    bit_family_name[family], nbits, bad_errno, bad_after, first_bad);
	else
		report_pass("%s: each of the %u bits alone: the model's errno (%u rejected), "
			    "then B and mask FILTER in force", bit_family_name[family], nbits,
			    rejected);
	report_add_checks(2 * nbits - 1);
}

static void check_every_bits(void)
{
	report_prefix_push("bits");
	if (msrtest_set_mask(MSRF_EXIT_FILTER) || msrtest_install(&filter_b))
		report_abort("cannot install B with mask FILTER");
	check_every_bit(BITS_EXIT_MASK);
	check_every_bit(BITS_FILTER_FLAGS);
	check_every_bit(BITS_RANGE_FLAGS);
	report_prefix_pop();
}

/* ---- The sequence --------------------------------------------------------------- */

static void install(const struct msrf_filter *f, const char *name)
{
	int err = msrtest_install(f);

	if (!report(!err, "install %s: 0", name))
		report_abort("cannot go on without filter %s: %s", name, msrf_errno_name(err));
}

static void run_mask(u32 mask)
{
	unsigned int i;
	int err;

	report_prefix_pushf("mask %u", mask);
	if (msrtest_set_mask(mask))
		report_abort("cannot set exit mask %u", mask);
	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
	msrtest_counts_begin();
	check_pass("no filter", true);
	install(&filter_a, "A");
	check_pass("A", false);
	install(&filter_b, "B");
	check_pass("B", false);
	for (i = 0; i < ARRAY_SIZE(rejections); i++)
		check_rejection(&rejections[i]);
	if (mask == MSRF_EXIT_FILTER) {
		check_caps();
		check_every_bits();
	}
	report_prefix_push("empty+DEFAULT_ALLOW");
	err = msrtest_filter_off();
	if (!report(!err, "install: 0"))
		report_info("got %s", msrf_errno_name(err));
	check_pass("off", false);
	check_as_unfiltered();
	report_prefix_pop();
	msrtest_counts_check("exit counters");
	report_prefix_pop();
}

int main(int argc, char **argv, char **envp)
{
	report_prefix_push("msr_update");
	if (!msrtest_init())
		return report_summary();
	calibrate();
	build_a(&filter_a);
	build_b(&filter_b, &filter_a);
	check_b_opposes_a();
	run_mask(MSRF_EXIT_FILTER);
	run_mask(0);
	restore_values();
	return report_summary();
}
