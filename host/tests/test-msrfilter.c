// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the reference model common/msrfilter.c.
 *
 * Every expectation below is transcribed from the ABI document
 * (doc/abi.md §n) or, for the x2APIC
 * register set, from arch/x86/kvm/lapic.c as summarised in msrfilter.c --
 * never from running the model.  One PASS:/FAIL: line per check; exit 1 if
 * any check failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msrfilter.h"

#define R	MSRF_ACCESS_READ
#define W	MSRF_ACCESS_WRITE
#define RW	(MSRF_READ | MSRF_WRITE)

#define OK	MSRF_KVM_OK
#define INVAL	MSRF_KVM_INVAL
#define UNKNOWN	MSRF_KVM_UNKNOWN

#define V	MSRF_V
#define GP	MSRF_GP
#define XF	MSRF_X_FILTER
#define XU	MSRF_X_UNKNOWN
#define XI	MSRF_X_INVAL
#define IGN	MSRF_IGNORED

/* Probe MSRs of doc/abi.md §8. */
#define MSR_FD		0x1FCu		/* IA32_POWER_CTL */
#define MSR_FA		0x1A0u		/* IA32_MISC_ENABLE */
#define MSR_U		0x277u		/* IA32_CR_PAT, never covered */
#define MSR_K		0x474F4F00u	/* the selftest's fabricated MSR */
#define MSR_IV		0x1Bu		/* IA32_APICBASE */
#define MSR_OTHER	0x10u		/* somewhere to put "another" range */

static int n_checks, n_failed;
static char **names;
static int n_names, cap_names;

static void remember(const char *name)
{
	if (n_names == cap_names) {
		cap_names = cap_names ? 2 * cap_names : 1024;
		names = realloc(names, cap_names * sizeof(*names));
		if (!names) {
			perror("realloc");
			exit(2);
		}
	}
	names[n_names] = strdup(name);
	if (!names[n_names]) {
		perror("strdup");
		exit(2);
	}
	n_names++;
}

static bool check_str(const char *name, const char *expected, const char *got)
{
	bool ok = !strcmp(expected, got);

	remember(name);
	n_checks++;
	if (ok) {
		printf("PASS: %s\n", name);
	} else {
		n_failed++;
		printf("FAIL: %s (expected %s, got %s)\n", name, expected, got);
	}
	return ok;
}

static bool check_outcome(const char *name, enum msrf_outcome e,
			  enum msrf_outcome g)
{
	return check_str(name, msrf_outcome_name(e), msrf_outcome_name(g));
}

static bool check_class(const char *name, enum msrf_kvm_class e,
			enum msrf_kvm_class g)
{
	return check_str(name, msrf_kvm_class_name(e), msrf_kvm_class_name(g));
}

static const char *allow_name(bool allow)
{
	return allow ? "allow" : "deny";
}

static bool check_allow(const char *name, bool e, bool g)
{
	return check_str(name, allow_name(e), allow_name(g));
}

static bool check_errno(const char *name, int e, int g)
{
	char eb[16], gb[16];

	snprintf(eb, sizeof(eb), "%s(%d)", msrf_errno_name(e), e);
	snprintf(gb, sizeof(gb), "%s(%d)", msrf_errno_name(g), g);
	return check_str(name, eb, gb);
}

static bool check_int(const char *name, long e, long g)
{
	char eb[32], gb[32];

	snprintf(eb, sizeof(eb), "%ld", e);
	snprintf(gb, sizeof(gb), "%ld", g);
	return check_str(name, eb, gb);
}

/* An aggregate check: 'detail' says what went wrong first. */
static bool check_true(const char *name, bool ok, const char *detail)
{
	return check_str(name, "ok", ok ? "ok" : detail);
}

/* Big structs live here, not on the stack. */
static struct msrf_filter fa, fb;

static const char *acc_name(uint32_t type)
{
	return type == R ? "R" : "W";
}

/* ---- doc/abi.md §8a -------------------------------------------------------------- */

static const uint32_t masks[5] = {
	0, MSRF_EXIT_FILTER, MSRF_EXIT_UNKNOWN, MSRF_EXIT_INVAL,
	MSRF_EXIT_FILTER | MSRF_EXIT_UNKNOWN | MSRF_EXIT_INVAL,
};
static const char *const mask_names[5] = { "0", "F", "U", "I", "FUI" };

/* Table rows of §8a. */
#define ROW_DENIED	{ GP, XF, GP, GP, XF }
#define ROW_V		{ V, V, V, V, V }
#define ROW_UNKNOWN	{ GP, GP, XU, GP, XU }
#define ROW_INVAL	{ GP, GP, GP, XI, XI }
#define ROW_IGNORED	{ IGN, IGN, IGN, IGN, IGN }

/* Filter with one RW range over 0x1F0-0x20F (holding FD) and a default. */
static void setup_fd(struct msrf_filter *f, uint32_t dflt)
{
	int s;

	msrf_filter_init(f, dflt);
	s = msrf_add_range(f, 0x1F0, 0x20, RW, true);
	msrf_set_bit(&f->ranges[s], MSR_FD, false);
}

static void setup_fd_allow(struct msrf_filter *f) { setup_fd(f, 0); }
static void setup_fd_deny(struct msrf_filter *f) { setup_fd(f, MSRF_DEFAULT_DENY); }

static void setup_fa(struct msrf_filter *f, uint32_t dflt)
{
	int s;

	msrf_filter_init(f, dflt);
	s = msrf_add_range(f, 0x1A0, 8, RW, false);
	msrf_set_bit(&f->ranges[s], MSR_FA, true);
}

static void setup_fa_allow(struct msrf_filter *f) { setup_fa(f, 0); }
static void setup_fa_deny(struct msrf_filter *f) { setup_fa(f, MSRF_DEFAULT_DENY); }

/* A default plus an unrelated range, so the filter is not empty. */
static void setup_default_deny(struct msrf_filter *f)
{
	msrf_filter_init(f, MSRF_DEFAULT_DENY);
	msrf_add_range(f, MSR_OTHER, 4, RW, true);
}

static void setup_default_allow(struct msrf_filter *f)
{
	msrf_filter_init(f, 0);
	msrf_add_range(f, MSR_OTHER, 4, RW, false);
}

static void setup_k_bit1(struct msrf_filter *f)
{
	msrf_filter_init(f, MSRF_DEFAULT_DENY);
	msrf_add_range(f, MSR_K, 1, RW, true);
}

static void setup_k_bit0(struct msrf_filter *f)
{
	msrf_filter_init(f, 0);
	msrf_add_range(f, MSR_K, 1, RW, false);
}

static void setup_iv_bit1(struct msrf_filter *f)
{
	msrf_filter_init(f, MSRF_DEFAULT_DENY);
	msrf_add_range(f, MSR_IV, 1, W, true);
}

static void setup_iv_bit0(struct msrf_filter *f)
{
	msrf_filter_init(f, 0);
	msrf_add_range(f, MSR_IV, 1, W, false);
}

/* base + nmsrs wraps to 0x100: the range must be ignored (doc/abi.md §2.6). */
static void setup_wrap_deny_bits(struct msrf_filter *f)
{
	msrf_filter_init(f, 0);
	msrf_add_range(f, 0xFFFFFF00u, 0x200, RW, false);
}

static void setup_wrap_allow_bits(struct msrf_filter *f)
{
	msrf_filter_init(f, MSRF_DEFAULT_DENY);
	msrf_add_range(f, 0xFFFFFF00u, 0x200, RW, true);
}

struct row8a {
	const char *name;
	void (*setup)(struct msrf_filter *f);
	uint32_t index;
	enum msrf_kvm_class baseline;
	bool read;		/* the row applies to reads too (else W only) */
	bool ignore_msrs;
	enum msrf_outcome expect[5];
};

static const struct row8a rows8a[] = {
	{ "FD(default allow)", setup_fd_allow, MSR_FD, OK, true, false, ROW_DENIED },
	{ "FD(default deny)", setup_fd_deny, MSR_FD, OK, true, false, ROW_DENIED },
	{ "U with DEFAULT_DENY", setup_default_deny, MSR_U, OK, true, false, ROW_DENIED },
	{ "FA(default allow)", setup_fa_allow, MSR_FA, OK, true, false, ROW_V },
	{ "FA(default deny)", setup_fa_deny, MSR_FA, OK, true, false, ROW_V },
	{ "U with DEFAULT_ALLOW", setup_default_allow, MSR_U, OK, true, false, ROW_V },
	{ "K allowed(bit 1)", setup_k_bit1, MSR_K, UNKNOWN, true, false, ROW_UNKNOWN },
	{ "K allowed(default allow)", setup_default_allow,
	  MSR_K, UNKNOWN, true, false, ROW_UNKNOWN },
	{ "K allowed(bit 1) ignore_msrs", setup_k_bit1, MSR_K, UNKNOWN, true, true, ROW_IGNORED },
	{ "K allowed(default allow) ignore_msrs", setup_default_allow,
	  MSR_K, UNKNOWN, true, true, ROW_IGNORED },
	{ "K denied(bit 0)", setup_k_bit0, MSR_K, UNKNOWN, true, false, ROW_DENIED },
	{ "K denied(default deny)", setup_default_deny, MSR_K, UNKNOWN, true, false, ROW_DENIED },
	/* doc/abi.md §5: ignore_msrs never affects FILTER or INVAL */
	{ "K denied(bit 0) ignore_msrs", setup_k_bit0, MSR_K, UNKNOWN, true, true, ROW_DENIED },
	{ "IV allowed(bit 1)", setup_iv_bit1, MSR_IV, INVAL, false, false, ROW_INVAL },
	{ "IV allowed(default allow)", setup_default_allow,
	  MSR_IV, INVAL, false, false, ROW_INVAL },
	{ "IV allowed(bit 1) ignore_msrs", setup_iv_bit1, MSR_IV, INVAL, false, true, ROW_INVAL },
	{ "IV denied(bit 0)", setup_iv_bit0, MSR_IV, INVAL, false, false, ROW_DENIED },
	{ "IV denied(default deny)", setup_default_deny, MSR_IV, INVAL, false, false, ROW_DENIED },
	/* "as U": the wrapping range is ignored, the default decides */
	{ "wrap(deny bits, default allow) idx 0x10",
	  setup_wrap_deny_bits, 0x10, OK, true, false, ROW_V },
	{ "wrap(deny bits, default allow) idx 0xFFFFFF10",
	  setup_wrap_deny_bits, 0xFFFFFF10u, OK, true, false, ROW_V },
	{ "wrap(allow bits, default deny) idx 0x10",
	  setup_wrap_allow_bits, 0x10, OK, true, false, ROW_DENIED },
	{ "wrap(allow bits, default deny) idx 0xFFFFFF10",
	  setup_wrap_allow_bits, 0xFFFFFF10u, OK, true, false, ROW_DENIED },
};

static void run_row8a(const struct row8a *row, uint32_t type)
{
	struct msrf_ctx ctx = {
		.filter = &fa,
		.apic_mode = MSRF_APIC_X2APIC,
		.irqchip = MSRF_IRQCHIP_FULL,
		.ignore_msrs = row->ignore_msrs,
	};
	char name[160];
	int m;

	row->setup(&fa);
	for (m = 0; m < 5; m++) {
		ctx.exit_mask = masks[m];
		snprintf(name, sizeof(name), "8a %s %s mask=%s -> %s", row->name,
			 acc_name(type), mask_names[m],
			 msrf_outcome_name(row->expect[m]));
		check_outcome(name, row->expect[m],
			      msrf_outcome(&ctx, row->index, type, row->baseline));
	}
}

static void test_8a(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows8a) / sizeof(rows8a[0]); i++) {
		if (rows8a[i].read)
			run_row8a(&rows8a[i], R);
		run_row8a(&rows8a[i], W);
	}
}

/* ---- doc/abi.md §8b -------------------------------------------------------------- */

/* DEFAULT_DENY plus a range over 0x800-0x8FF with every bit 0. */
static void setup_x2apic_deny(struct msrf_filter *f)
{
	msrf_filter_init(f, MSRF_DEFAULT_DENY);
	msrf_add_range(f, 0x800, 0x100, RW, false);
}

struct access8b {
	const char *name;
	uint32_t index;
	uint32_t type;
	bool has_value;		/* a write with this exact value */
	uint64_t value;
	bool valid;		/* valid in x2APIC mode with an in-kernel APIC */
};

static const struct access8b accesses8b[] = {
	{ "TPR R", 0x808, R, false, 0, true },
	{ "TPR W", 0x808, W, false, 0, true },
	{ "TPR W 0x20", 0x808, W, true, 0x20, true },
	{ "EOI R", 0x80B, R, false, 0, false },
	{ "0x8FF R", 0x8FF, R, false, 0, false },
	{ "0x8FF W", 0x8FF, W, false, 0, false },
	{ "RO VERSION W", 0x803, W, false, 0, false },
	{ "RO ID W", 0x802, W, false, 0, false },
	{ "TPR W bit32", 0x808, W, true, 1ull << 32, false },
};

struct config8b {
	const char *name;
	enum msrf_irqchip irqchip;
	enum msrf_apic_mode mode;
	bool x2apic_ok;		/* in-kernel LAPIC in x2APIC mode */
};

static const struct config8b configs8b[] = {
	{ "full x2APIC", MSRF_IRQCHIP_FULL, MSRF_APIC_X2APIC, true },
	{ "split x2APIC", MSRF_IRQCHIP_SPLIT, MSRF_APIC_X2APIC, true },
	{ "full xAPIC", MSRF_IRQCHIP_FULL, MSRF_APIC_XAPIC, false },
	{ "split xAPIC", MSRF_IRQCHIP_SPLIT, MSRF_APIC_XAPIC, false },
	{ "full disabled", MSRF_IRQCHIP_FULL, MSRF_APIC_DISABLED, false },
	{ "split disabled", MSRF_IRQCHIP_SPLIT, MSRF_APIC_DISABLED, false },
	{ "none x2APIC", MSRF_IRQCHIP_NONE, MSRF_APIC_X2APIC, false },
	{ "none xAPIC", MSRF_IRQCHIP_NONE, MSRF_APIC_XAPIC, false },
	{ "none disabled", MSRF_IRQCHIP_NONE, MSRF_APIC_DISABLED, false },
};

static enum msrf_outcome outcome8b(const struct msrf_ctx *ctx,
				   const struct access8b *a,
				   enum msrf_kvm_class baseline)
{
	if (a->has_value)
		return msrf_outcome_write(ctx, a->index, a->value, baseline);
	return msrf_outcome(ctx, a->index, a->type, baseline);
}

static void run_8b(const struct config8b *c, const struct access8b *a,
		   bool with_filter, enum msrf_kvm_class baseline)
{
	static const enum msrf_outcome valid[5] = ROW_V;
	static const enum msrf_outcome invalid[5] = ROW_INVAL;
	const enum msrf_outcome *expect;
	struct msrf_ctx ctx = {
		.filter = with_filter ? &fa : NULL,
		.apic_mode = c->mode,
		.irqchip = c->irqchip,
	};
	char name[200];
	int m;

	expect = (c->x2apic_ok && a->valid) ? valid : invalid;
	for (m = 0; m < 5; m++) {
		ctx.exit_mask = masks[m];
		snprintf(name, sizeof(name),
			 "8b %s %s %s caller-baseline=%s mask=%s -> %s",
			 c->name, a->name, with_filter ? "deny-filter" : "no-filter",
			 msrf_kvm_class_name(baseline), mask_names[m],
			 msrf_outcome_name(expect[m]));
		check_outcome(name, expect[m], outcome8b(&ctx, a, baseline));
	}
}

static void test_8b(void)
{
	static const enum msrf_kvm_class baselines[3] = { OK, UNKNOWN, INVAL };
	size_t c, a;
	int f, b;

	setup_x2apic_deny(&fa);
	for (c = 0; c < sizeof(configs8b) / sizeof(configs8b[0]); c++)
		for (a = 0; a < sizeof(accesses8b) / sizeof(accesses8b[0]); a++)
			for (f = 0; f < 2; f++)
				for (b = 0; b < 3; b++)
					run_8b(&configs8b[c], &accesses8b[a],
					       f == 0, baselines[b]);
}

/* ---- doc/abi.md §3: the decision rule ---------------------------------------------- */

static void test_first_match(void)
{
	msrf_filter_init(&fa, 0);
	msrf_add_range(&fa, 0x100, 0x10, RW, false);
	msrf_add_range(&fa, 0x100, 0x10, RW, true);
	check_allow("3 first match wins: deny range before allow range",
		    false, msrf_allowed(&fa, 0x105, R));

	msrf_filter_init(&fa, MSRF_DEFAULT_DENY);
	msrf_add_range(&fa, 0x100, 0x10, RW, true);
	msrf_add_range(&fa, 0x100, 0x10, RW, false);
	check_allow("3 first match wins: allow range before deny range",
		    true, msrf_allowed(&fa, 0x105, W));

	/* partial overlap: the second range decides where the first ends */
	msrf_filter_init(&fa, 0);
	msrf_add_range(&fa, 0x100, 0x10, RW, true);
	msrf_add_range(&fa, 0x108, 0x10, RW, false);
	check_allow("3 overlap: index in both takes the first",
		    true, msrf_allowed(&fa, 0x10F, R));
	check_allow("3 overlap: index only in the second takes the second",
		    false, msrf_allowed(&fa, 0x110, R));
}

static void test_read_write_independent(void)
{
	msrf_filter_init(&fa, 0);
	msrf_add_range(&fa, 0x100, 0x10, R, false);
	msrf_add_range(&fa, 0x100, 0x10, W, true);
	check_allow("3 READ deny range then WRITE allow range: read",
		    false, msrf_allowed(&fa, 0x100, R));
	check_allow("3 READ deny range then WRITE allow range: write not shadowed",
		    true, msrf_allowed(&fa, 0x100, W));

	msrf_filter_init(&fa, MSRF_DEFAULT_DENY);
	msrf_add_range(&fa, 0x100, 0x10, R, true);
	msrf_add_range(&fa, 0x100, 0x10, W, false);
	msrf_add_range(&fa, 0x100, 0x10, RW, true);
	check_allow("3 READ allow then WRITE deny then RW allow: read",
		    true, msrf_allowed(&fa, 0x10F, R));
	check_allow("3 READ allow then WRITE deny then RW allow: write",
		    false, msrf_allowed(&fa, 0x10F, W));

	msrf_filter_init(&fa, MSRF_DEFAULT_DENY);
	msrf_add_range(&fa, 0x100, 0x10, R, true);
	check_allow("3 READ-only range is transparent to writes (default deny)",
		    false, msrf_allowed(&fa, 0x100, W));
	msrf_filter_init(&fa, 0);
	msrf_add_range(&fa, 0x100, 0x10, W, false);
	check_allow("3 WRITE-only range is transparent to reads (default allow)",
		    true, msrf_allowed(&fa, 0x100, R));
	check_allow("3 WRITE-only deny range denies writes",
		    false, msrf_allowed(&fa, 0x100, W));
}

static void test_overrides_default(void)
{
	msrf_filter_init(&fa, MSRF_DEFAULT_DENY);
	msrf_add_range(&fa, 0x100, 1, RW, true);
	check_allow("3 bit 1 overrides DEFAULT_DENY", true,
		    msrf_allowed(&fa, 0x100, R));
	check_allow("3 DEFAULT_DENY applies outside ranges", false,
		    msrf_allowed(&fa, 0x200, R));
	msrf_filter_init(&fa, 0);
	msrf_add_range(&fa, 0x100, 1, RW, false);
	check_allow("3 bit 0 overrides DEFAULT_ALLOW", false,
		    msrf_allowed(&fa, 0x100, W));
	check_allow("3 DEFAULT_ALLOW applies outside ranges", true,
		    msrf_allowed(&fa, 0x200, W));
}

static void test_neighbours(void)
{
	static const struct { uint32_t dflt; bool bits; const char *name; } v[2] = {
		{ 0, false, "default allow, deny range" },
		{ MSRF_DEFAULT_DENY, true, "default deny, allow range" },
	};
	char name[128];
	int i;

	for (i = 0; i < 2; i++) {
		bool dflt = !v[i].dflt;

		msrf_filter_init(&fa, v[i].dflt);
		msrf_add_range(&fa, 0x100, 0x10, RW, v[i].bits);
		snprintf(name, sizeof(name), "3 %s: base-1 takes the default", v[i].name);
		check_allow(name, dflt, msrf_allowed(&fa, 0xFF, R));
		snprintf(name, sizeof(name), "3 %s: base takes the bit", v[i].name);
		check_allow(name, v[i].bits, msrf_allowed(&fa, 0x100, R));
		snprintf(name, sizeof(name), "3 %s: base+nmsrs-1 takes the bit", v[i].name);
		check_allow(name, v[i].bits, msrf_allowed(&fa, 0x10F, W));
		snprintf(name, sizeof(name), "3 %s: base+nmsrs takes the default", v[i].name);
		check_allow(name, dflt, msrf_allowed(&fa, 0x110, W));
	}
}

static void test_bit_order(void)
{
	int s;

	/* Written byte-wise on purpose: byte n/8, bit n%8, 1 = allow. */
	msrf_filter_init(&fa, 0);
	s = msrf_add_range(&fa, 0x300, 64, RW, false);
	fa.ranges[s].bitmap[1] = 0x04;		/* bit 10 */
	fa.ranges[s].bitmap[7] = 0x80;		/* bit 63 */
	check_allow("3 bit order: byte 1 bit 2 is MSR base+10", true,
		    msrf_allowed(&fa, 0x300 + 10, R));
	check_allow("3 bit order: base+9 stays denied", false,
		    msrf_allowed(&fa, 0x300 + 9, R));
	check_allow("3 bit order: base+11 stays denied", false,
		    msrf_allowed(&fa, 0x300 + 11, R));
	check_allow("3 bit order: base+2 (bit 2 of byte 0) stays denied", false,
		    msrf_allowed(&fa, 0x300 + 2, R));
	check_allow("3 bit order: byte 7 bit 7 is MSR base+63", true,
		    msrf_allowed(&fa, 0x300 + 63, W));
	check_allow("3 bit order: base+56 stays denied", false,
		    msrf_allowed(&fa, 0x300 + 56, W));
}

static void test_big_range(void)
{
	const uint32_t base = 0x40000000u;
	int s;

	msrf_filter_init(&fa, 0);
	msrf_add_range(&fa, base, MSRF_MAX_NMSRS, RW, false);
	check_errno("3 12288-MSR range is valid", 0, msrf_validate(&fa));
	check_allow("3 12288-MSR deny range: last bit (base+12287) denied", false,
		    msrf_allowed(&fa, base + 12287, R));
	check_allow("3 12288-MSR deny range: base+12288 takes the default", true,
		    msrf_allowed(&fa, base + 12288, R));

	msrf_filter_init(&fa, MSRF_DEFAULT_DENY);
	s = msrf_add_range(&fa, base, MSRF_MAX_NMSRS, RW, false);
	msrf_set_bit(&fa.ranges[s], base + 12287, true);
	check_allow("3 12288-MSR range: only the last bit set, last allowed", true,
		    msrf_allowed(&fa, base + 12287, W));
	check_allow("3 12288-MSR range: only the last bit set, base+12286 denied",
		    false, msrf_allowed(&fa, base + 12286, W));
	check_int("3 12288-MSR range: last bit lives in bitmap byte 0x5FF bit 7",
		  0x80, fa.ranges[s].bitmap[0x5FF]);
}

static void test_wrap(void)
{
	msrf_filter_init(&fa, 0);
	msrf_add_range(&fa, 0xFFFFFFFFu, 2, RW, false);
	check_errno("2.6 base=0xffffffff nmsrs=2 accepted", 0, msrf_validate(&fa));
	check_allow("3 wrap base=0xffffffff nmsrs=2: 0xffffffff not matched", true,
		    msrf_allowed(&fa, 0xFFFFFFFFu, R));
	check_allow("3 wrap base=0xffffffff nmsrs=2: 0x0 not matched", true,
		    msrf_allowed(&fa, 0, R));

	msrf_filter_init(&fa, 0);
	msrf_add_range(&fa, 0xFFFFFF00u, 0x200, RW, false);
	check_errno("2.6 base=0xffffff00 nmsrs=0x200 accepted", 0, msrf_validate(&fa));
	check_allow("3 wrap base=0xffffff00 nmsrs=0x200: base not matched", true,
		    msrf_allowed(&fa, 0xFFFFFF00u, W));
	check_allow("3 wrap base=0xffffff00 nmsrs=0x200: 0xff not matched", true,
		    msrf_allowed(&fa, 0xFF, W));

	/* end = 0xffffffff does not wrap; end = 0 (exactly 2^32) does */
	msrf_filter_init(&fa, 0);
	msrf_add_range(&fa, 0xFFFFFFF0u, 0xF, RW, false);
	check_allow("3 base=0xfffffff0 nmsrs=0xf: base matched", false,
		    msrf_allowed(&fa, 0xFFFFFFF0u, R));
	check_allow("3 base=0xfffffff0 nmsrs=0xf: 0xfffffffe matched", false,
		    msrf_allowed(&fa, 0xFFFFFFFEu, R));
	check_allow("3 base=0xfffffff0 nmsrs=0xf: 0xffffffff outside", true,
		    msrf_allowed(&fa, 0xFFFFFFFFu, R));
	msrf_filter_init(&fa, 0);
	msrf_add_range(&fa, 0xFFFFFFF0u, 0x10, RW, false);
	check_allow("3 base=0xfffffff0 nmsrs=0x10 (end wraps to 0): base not matched",
		    true, msrf_allowed(&fa, 0xFFFFFFF0u, R));
}

static void test_zero_length(void)
{
	int i;

	/* junk in a zero-length slot in front of the deciding range */
	msrf_filter_init(&fa, 0);
	fa.ranges[0].flags = 0xFFFFFFFFu;
	fa.ranges[0].base = 0x100;
	fa.ranges[0].bitmap_kind = MSRF_BITMAP_NULL;
	fa.ranges[1].flags = RW;
	fa.ranges[1].base = 0x100;
	fa.ranges[1].nmsrs = 1;
	fa.ranges[1].bitmap[0] = 0;
	check_allow("3 zero-length range ignored, next range decides (deny)", false,
		    msrf_allowed(&fa, 0x100, R));

	msrf_filter_init(&fa, MSRF_DEFAULT_DENY);
	for (i = 0; i < MSRF_MAX_RANGES - 1; i++) {
		fa.ranges[i].flags = RW;
		fa.ranges[i].base = 0x100;
		fa.ranges[i].bitmap[0] = 0xFF;	/* would allow if it counted */
	}
	fa.ranges[15].flags = RW;
	fa.ranges[15].base = 0x200;
	fa.ranges[15].nmsrs = 1;
	check_allow("3 15 zero-length allow ranges ignored, default deny", false,
		    msrf_allowed(&fa, 0x100, R));

	msrf_filter_init(&fa, 0);
	for (i = 0; i < MSRF_MAX_RANGES; i++)
		fa.ranges[i].flags = 0xFFFFFFFFu;
	check_true("2.3 all-zero-length filter is empty", msrf_is_empty(&fa), "not empty");
	check_allow("2.3 empty DEFAULT_ALLOW filter allows 0x10", true,
		    msrf_allowed(&fa, 0x10, R));
	check_allow("2.3 empty DEFAULT_ALLOW filter allows 0xC0000080", true,
		    msrf_allowed(&fa, 0xC0000080u, W));
	fa.ranges[7].nmsrs = 1;
	check_true("2.3 one non-zero nmsrs makes it non-empty", !msrf_is_empty(&fa),
		   "empty");
}

static void test_x2apic_exempt(void)
{
	char detail[64] = "";
	uint32_t i;
	bool ok = true;

	msrf_filter_init(&fa, MSRF_DEFAULT_DENY);
	msrf_add_range(&fa, 0x700, 0x300, RW, false);	/* 0x700-0x9ff */
	for (i = 0x800; i <= 0x8FF && ok; i++) {
		if (!msrf_allowed(&fa, i, R) || !msrf_allowed(&fa, i, W)) {
			snprintf(detail, sizeof(detail), "0x%x denied", i);
			ok = false;
		}
	}
	check_true("3 x2APIC 0x800-0x8ff all allowed R/W under deny range + DEFAULT_DENY",
		   ok, detail);
	check_allow("3 x2APIC exempt: 0x800 R", true, msrf_allowed(&fa, 0x800, R));
	check_allow("3 x2APIC exempt: 0x8ff W", true, msrf_allowed(&fa, 0x8FF, W));
	check_allow("3 x2APIC exempt: 0x7ff (just below) denied", false,
		    msrf_allowed(&fa, 0x7FF, R));
	check_allow("3 x2APIC exempt: 0x900 (just above) denied", false,
		    msrf_allowed(&fa, 0x900, W));

	setup_x2apic_deny(&fa);
	check_allow("3 x2APIC exempt: TPR 0x808 under exact 0x800 range", true,
		    msrf_allowed(&fa, 0x808, W));
	check_true("3 msrf_is_x2apic(0x800)", msrf_is_x2apic(0x800), "false");
	check_true("3 msrf_is_x2apic(0x8ff)", msrf_is_x2apic(0x8FF), "false");
	check_true("3 !msrf_is_x2apic(0x7ff)", !msrf_is_x2apic(0x7FF), "true");
	check_true("3 !msrf_is_x2apic(0x900)", !msrf_is_x2apic(0x900), "true");
}

static void test_no_filter(void)
{
	check_allow("3 no filter: 0x10 R allowed", true, msrf_allowed(NULL, 0x10, R));
	check_allow("3 no filter: 0xC0000080 W allowed", true,
		    msrf_allowed(NULL, 0xC0000080u, W));
}

static void test_decision(void)
{
	test_first_match();
	test_read_write_independent();
	test_overrides_default();
	test_neighbours();
	test_bit_order();
	test_big_range();
	test_wrap();
	test_zero_length();
	test_x2apic_exempt();
	test_no_filter();
}

/* ---- doc/abi.md §2: validation and errno order -------------------------------------- */

static void v_one(const char *name, uint32_t fflags, uint32_t rflags,
		  uint32_t nmsrs, enum msrf_bitmap_kind kind, int expect)
{
	char full[160];
	int s;

	msrf_filter_init(&fa, fflags);
	s = msrf_add_range(&fa, 0x1000, nmsrs, rflags, true);
	fa.ranges[s].bitmap_kind = kind;
	snprintf(full, sizeof(full), "2 %s -> %s", name, msrf_errno_name(expect));
	check_errno(full, expect, msrf_validate(&fa));
}

static void test_filter_flags(void)
{
	const int EINV = MSRF_EINVAL;

	v_one("filter flags bit1", 1u << 1, RW, 1, MSRF_BITMAP_DATA, EINV);
	v_one("filter flags bit31", 1u << 31, RW, 1, MSRF_BITMAP_DATA, EINV);
	v_one("filter flags 3", 3, RW, 1, MSRF_BITMAP_DATA, EINV);
	v_one("filter flags DEFAULT_DENY", MSRF_DEFAULT_DENY, RW, 1,
	      MSRF_BITMAP_DATA, 0);
	v_one("filter flags 0", 0, RW, 1, MSRF_BITMAP_DATA, 0);
	/* the flag check comes before the range loop */
	v_one("filter flags bit1 + NULL bitmap", 1u << 1, RW, 1, MSRF_BITMAP_NULL, EINV);

	msrf_filter_init(&fa, 1u << 1);
	check_errno("2 filter flags bit1 with empty ranges -> EINVAL", EINV,
		    msrf_validate(&fa));
	msrf_filter_init(&fa, MSRF_DEFAULT_DENY);
	check_errno("2 empty + DEFAULT_DENY -> EINVAL", EINV, msrf_validate(&fa));
	msrf_filter_init(&fa, 0);
	check_errno("2 empty + DEFAULT_ALLOW -> 0", 0, msrf_validate(&fa));
}

static void fill_zero_length_junk(struct msrf_filter *f, uint32_t fflags)
{
	int i;

	msrf_filter_init(f, fflags);
	for (i = 0; i < MSRF_MAX_RANGES; i++) {
		f->ranges[i].flags = 0xFFFFFFFFu;
		f->ranges[i].base = 0xFFFFFFF0u;
		f->ranges[i].bitmap_kind = MSRF_BITMAP_NULL;
	}
}

static void test_zero_length_validation(void)
{
	fill_zero_length_junk(&fa, 0);
	check_errno("2 16 zero-length junk ranges + DEFAULT_ALLOW -> 0", 0,
		    msrf_validate(&fa));
	fill_zero_length_junk(&fa, MSRF_DEFAULT_DENY);
	check_errno("2 16 zero-length junk ranges + DEFAULT_DENY -> EINVAL",
		    MSRF_EINVAL, msrf_validate(&fa));

	/* a junk zero-length range between two good ones */
	msrf_filter_init(&fa, MSRF_DEFAULT_DENY);
	msrf_add_range(&fa, 0x10, 8, R, true);
	fa.ranges[1].flags = 0xFFFFFFFFu;
	fa.ranges[1].bitmap_kind = MSRF_BITMAP_NULL;
	fa.ranges[2].flags = W;
	fa.ranges[2].base = 0x20;
	fa.ranges[2].nmsrs = 8;
	check_errno("2 zero-length range flags=0xffffffff NULL bitmap in the middle -> 0",
		    0, msrf_validate(&fa));
	check_allow("2 ...and the range after it still decides", false,
		    msrf_allowed(&fa, 0x20, W));
}

static void test_range_checks(void)
{
	const int EINV = MSRF_EINVAL, EFLT = MSRF_EFAULT;

	v_one("range flags 0", 0, 0, 1, MSRF_BITMAP_DATA, EINV);
	v_one("range flags 4", 0, 4, 1, MSRF_BITMAP_DATA, EINV);
	v_one("range flags READ|4", 0, R | 4, 1, MSRF_BITMAP_DATA, EINV);
	v_one("range flags 0x80000001", 0, 0x80000001u, 1, MSRF_BITMAP_DATA, EINV);
	v_one("range flags READ", 0, R, 1, MSRF_BITMAP_DATA, 0);
	v_one("range flags WRITE", 0, W, 1, MSRF_BITMAP_DATA, 0);
	v_one("range flags READ|WRITE", 0, RW, 1, MSRF_BITMAP_DATA, 0);

	v_one("nmsrs 12287", 0, RW, 12287, MSRF_BITMAP_DATA, 0);
	v_one("nmsrs 12288", 0, RW, 12288, MSRF_BITMAP_DATA, 0);
	v_one("nmsrs 12289", 0, RW, 12289, MSRF_BITMAP_DATA, EINV);
	v_one("nmsrs 12352", 0, RW, 12352, MSRF_BITMAP_DATA, EINV);
	v_one("nmsrs 0x80000000", 0, RW, 0x80000000u, MSRF_BITMAP_DATA, EINV);
	v_one("nmsrs 0xffffffc1", 0, RW, 0xFFFFFFC1u, MSRF_BITMAP_DATA, EINV);
	v_one("nmsrs 0xffffffff", 0, RW, 0xFFFFFFFFu, MSRF_BITMAP_DATA, EINV);

	v_one("bitmap NULL", 0, RW, 1, MSRF_BITMAP_NULL, EFLT);
	v_one("bitmap unmapped", 0, RW, 100, MSRF_BITMAP_UNMAPPED, EFLT);

	/* flags before size before bitmap, within one range */
	v_one("bad flags + NULL bitmap", 0, 4, 1, MSRF_BITMAP_NULL, EINV);
	v_one("flags 0 + NULL bitmap", 0, 0, 1, MSRF_BITMAP_NULL, EINV);
	v_one("nmsrs 12289 + NULL bitmap", 0, RW, 12289, MSRF_BITMAP_NULL, EINV);
	v_one("bad flags + nmsrs 12289", 0, 4, 12289, MSRF_BITMAP_DATA, EINV);
}

/*
 * KVM copies BITS_TO_LONGS(nmsrs) * 8 bytes; the EDGE bitmap has exactly
 * ceil(nmsrs / 8) bytes mapped, so it faults whenever the rounded copy is
 * longer (doc/abi.md §2.5).
 */
static void test_edge(void)
{
	const int EFLT = MSRF_EFAULT;

	v_one("EDGE nmsrs=1 (1 byte mapped, 8 copied)", 0, RW, 1, MSRF_BITMAP_EDGE, EFLT);
	v_one("EDGE nmsrs=56 (7 mapped, 8 copied)", 0, RW, 56, MSRF_BITMAP_EDGE, EFLT);
	v_one("EDGE nmsrs=57 (8 mapped, 8 copied)", 0, RW, 57, MSRF_BITMAP_EDGE, 0);
	v_one("EDGE nmsrs=64 (8 mapped, 8 copied)", 0, RW, 64, MSRF_BITMAP_EDGE, 0);
	v_one("EDGE nmsrs=65 (9 mapped, 16 copied)", 0, RW, 65, MSRF_BITMAP_EDGE, EFLT);
	v_one("EDGE nmsrs=128 (16 mapped, 16 copied)", 0, RW, 128, MSRF_BITMAP_EDGE, 0);
	v_one("EDGE nmsrs=12288 (1536 mapped, 1536 copied)", 0, RW, 12288,
	      MSRF_BITMAP_EDGE, 0);
	v_one("EDGE nmsrs=12289 (size check first)", 0, RW, 12289,
	      MSRF_BITMAP_EDGE, MSRF_EINVAL);

	check_int("2.5 copy bytes nmsrs=1", 8, msrf_copy_bytes(1));
	check_int("2.5 copy bytes nmsrs=64", 8, msrf_copy_bytes(64));
	check_int("2.5 copy bytes nmsrs=65", 16, msrf_copy_bytes(65));
	check_int("2.5 copy bytes nmsrs=12288", 0x600, msrf_copy_bytes(12288));
	check_int("2.5 copy bytes nmsrs=0xffffffff", 0x20000000L,
		  msrf_copy_bytes(0xFFFFFFFFu));
	check_int("2.5 bitmap bytes nmsrs=1", 1, msrf_bitmap_bytes(1));
	check_int("2.5 bitmap bytes nmsrs=9", 2, msrf_bitmap_bytes(9));
	check_int("2.5 bitmap bytes nmsrs=0xffffffff", 0x20000000L,
		  msrf_bitmap_bytes(0xFFFFFFFFu));
}

static void test_first_failing_range(void)
{
	msrf_filter_init(&fa, 0);
	msrf_add_range(&fa, 0x10, 1, RW, true);
	msrf_add_range(&fa, 0x20, 1, 4, true);
	fa.ranges[0].bitmap_kind = MSRF_BITMAP_NULL;
	check_errno("2 range0 NULL bitmap + range1 bad flags -> EFAULT",
		    MSRF_EFAULT, msrf_validate(&fa));

	msrf_filter_init(&fa, 0);
	msrf_add_range(&fa, 0x10, 1, 4, true);
	msrf_add_range(&fa, 0x20, 1, RW, true);
	fa.ranges[1].bitmap_kind = MSRF_BITMAP_NULL;
	check_errno("2 range0 bad flags + range1 NULL bitmap -> EINVAL",
		    MSRF_EINVAL, msrf_validate(&fa));

	msrf_filter_init(&fa, 0);
	msrf_add_range(&fa, 0x10, 1, RW, true);
	msrf_add_range(&fa, 0x20, 12289, RW, true);
	msrf_add_range(&fa, 0x30, 1, RW, true);
	fa.ranges[2].bitmap_kind = MSRF_BITMAP_UNMAPPED;
	check_errno("2 range1 too big + range2 unmapped -> EINVAL",
		    MSRF_EINVAL, msrf_validate(&fa));

	msrf_filter_init(&fa, 0);
	msrf_add_range(&fa, 0x10, 1, RW, true);
	msrf_add_range(&fa, 0x20, 1, RW, true);
	fa.ranges[15].flags = 0;		/* bad, but last */
	fa.ranges[15].nmsrs = 1;
	fa.ranges[1].bitmap_kind = MSRF_BITMAP_EDGE;
	check_errno("2 range1 EDGE nmsrs=1 + range15 flags 0 -> EFAULT",
		    MSRF_EFAULT, msrf_validate(&fa));
}

static void test_no_overlap_check(void)
{
	int i;

	msrf_filter_init(&fa, MSRF_DEFAULT_DENY);
	for (i = 0; i < MSRF_MAX_RANGES; i++)
		msrf_add_range(&fa, 0x100, 0x100, RW, true);
	check_errno("2.7 16 identical ranges -> 0", 0, msrf_validate(&fa));
}

static void test_validate(void)
{
	test_filter_flags();
	test_zero_length_validation();
	test_range_checks();
	test_edge();
	test_first_failing_range();
	test_no_overlap_check();
}

/* ---- doc/abi.md §5: the outcome function itself ----------------------------------- */

static void test_outcome_misc(void)
{
	struct msrf_ctx ctx = { .filter = NULL, .apic_mode = MSRF_APIC_XAPIC,
				.irqchip = MSRF_IRQCHIP_FULL };

	ctx.exit_mask = MSRF_EXIT_FILTER;
	check_outcome("5 no filter, OK baseline, mask=F -> V", V,
		      msrf_outcome(&ctx, MSR_U, R, OK));
	ctx.exit_mask = MSRF_EXIT_UNKNOWN;
	check_outcome("5 no filter, UNKNOWN baseline, mask=U -> X(U)", XU,
		      msrf_outcome(&ctx, MSR_K, W, UNKNOWN));
	ctx.exit_mask = MSRF_EXIT_FILTER | MSRF_EXIT_INVAL;
	check_outcome("5 no filter, UNKNOWN baseline, mask=FI -> GP", GP,
		      msrf_outcome(&ctx, MSR_K, R, UNKNOWN));

	/* a write of an out-of-range value to a non-x2APIC MSR: baseline rules */
	setup_default_allow(&fa);
	ctx.filter = &fa;
	ctx.exit_mask = MSRF_EXIT_INVAL;
	check_outcome("5 outcome_write non-x2APIC uses the caller's baseline", XI,
		      msrf_outcome_write(&ctx, MSR_IV, 1u << 9, INVAL));
	setup_iv_bit0(&fa);
	ctx.exit_mask = MSRF_EXIT_FILTER;
	check_outcome("5 outcome_write denied write -> X(F)", XF,
		      msrf_outcome_write(&ctx, MSR_IV, 0, OK));
	/* the filter is consulted per access type */
	ctx.exit_mask = MSRF_EXIT_FILTER;
	check_outcome("5 WRITE-only deny range: read of it -> V", V,
		      msrf_outcome(&ctx, MSR_IV, R, OK));

	ctx.exit_mask = 0;
	check_outcome("5 outcome_of_class OK -> V", V, msrf_outcome_of_class(&ctx, OK));
	ctx.ignore_msrs = true;
	check_outcome("5 outcome_of_class UNKNOWN ignore_msrs -> IGNORED", IGN,
		      msrf_outcome_of_class(&ctx, UNKNOWN));
	ctx.exit_mask = MSRF_EXIT_INVAL;
	check_outcome("5 outcome_of_class INVAL ignore_msrs mask=I -> X(I)", XI,
		      msrf_outcome_of_class(&ctx, INVAL));
}

/* ---- x2APIC register model (lapic.c) ------------------------------------------ */

struct x2apic_reg {
	uint32_t index;
	const char *name;
	enum msrf_kvm_class read, write;	/* write of value 0 */
};

/*
 * kvm_lapic_readable_reg_mask() in x2APIC mode and the kvm_lapic_reg_write()
 * switch (see common/msrfilter.c for the citations).
 */
static const struct x2apic_reg x2apic_regs[] = {
	{ 0x802, "ID", OK, INVAL },
	{ 0x803, "VERSION", OK, INVAL },
	{ 0x808, "TPR", OK, OK },
	{ 0x809, "APR", INVAL, INVAL },
	{ 0x80A, "PPR", OK, INVAL },
	{ 0x80B, "EOI", INVAL, OK },
	{ 0x80C, "RRD", INVAL, INVAL },
	{ 0x80D, "LDR", OK, INVAL },
	{ 0x80E, "DFR", INVAL, INVAL },
	{ 0x80F, "SVR", OK, OK },
	{ 0x810, "ISR0", OK, INVAL }, { 0x811, "ISR1", OK, INVAL },
	{ 0x812, "ISR2", OK, INVAL }, { 0x813, "ISR3", OK, INVAL },
	{ 0x814, "ISR4", OK, INVAL }, { 0x815, "ISR5", OK, INVAL },
	{ 0x816, "ISR6", OK, INVAL }, { 0x817, "ISR7", OK, INVAL },
	{ 0x818, "TMR0", OK, INVAL }, { 0x819, "TMR1", OK, INVAL },
	{ 0x81A, "TMR2", OK, INVAL }, { 0x81B, "TMR3", OK, INVAL },
	{ 0x81C, "TMR4", OK, INVAL }, { 0x81D, "TMR5", OK, INVAL },
	{ 0x81E, "TMR6", OK, INVAL }, { 0x81F, "TMR7", OK, INVAL },
	{ 0x820, "IRR0", OK, INVAL }, { 0x821, "IRR1", OK, INVAL },
	{ 0x822, "IRR2", OK, INVAL }, { 0x823, "IRR3", OK, INVAL },
	{ 0x824, "IRR4", OK, INVAL }, { 0x825, "IRR5", OK, INVAL },
	{ 0x826, "IRR6", OK, INVAL }, { 0x827, "IRR7", OK, INVAL },
	{ 0x828, "ESR", OK, OK },
	{ 0x82F, "LVT_CMCI(no MCG_CMCI_P)", INVAL, INVAL },
	{ 0x830, "ICR", OK, OK },
	{ 0x831, "ICR2", INVAL, INVAL },
	{ 0x832, "LVT_TIMER", OK, OK },
	{ 0x833, "LVT_THERMAL", OK, OK },
	{ 0x834, "LVT_PERF", OK, OK },
	{ 0x835, "LVT_LINT0", OK, OK },
	{ 0x836, "LVT_LINT1", OK, OK },
	{ 0x837, "LVT_ERROR", OK, OK },
	{ 0x838, "TMICT", OK, OK },
	{ 0x839, "TMCCT", OK, INVAL },
	{ 0x83E, "TDCR", OK, OK },
	{ 0x83F, "SELF_IPI", INVAL, OK },
};

static const struct x2apic_reg *find_reg(uint32_t index)
{
	size_t i;

	for (i = 0; i < sizeof(x2apic_regs) / sizeof(x2apic_regs[0]); i++)
		if (x2apic_regs[i].index == index)
			return &x2apic_regs[i];
	return NULL;
}

static void test_x2apic_regs(void)
{
	static const enum msrf_irqchip chips[2] = { MSRF_IRQCHIP_FULL, MSRF_IRQCHIP_SPLIT };
	char name[128];
	size_t i;
	int c;

	for (c = 0; c < 2; c++) {
		const char *chip = c ? "split" : "full";

		for (i = 0; i < sizeof(x2apic_regs) / sizeof(x2apic_regs[0]); i++) {
			const struct x2apic_reg *r = &x2apic_regs[i];

			snprintf(name, sizeof(name), "x2apic %s 0x%X %s R -> %s", chip,
				 r->index, r->name, msrf_kvm_class_name(r->read));
			check_class(name, r->read, msrf_x2apic_class(r->index, R,
					MSRF_APIC_X2APIC, chips[c]));
			snprintf(name, sizeof(name), "x2apic %s 0x%X %s W -> %s", chip,
				 r->index, r->name, msrf_kvm_class_name(r->write));
			check_class(name, r->write, msrf_x2apic_class(r->index, W,
					MSRF_APIC_X2APIC, chips[c]));
		}
	}
}

/* Every index that is not a named register is INVAL both ways. */
static void test_x2apic_unnamed(void)
{
	char detail[80] = "";
	uint32_t i;
	int count = 0;
	bool ok = true;

	for (i = 0x800; i <= 0x8FF; i++) {
		if (find_reg(i))
			continue;
		count++;
		if (ok && (msrf_x2apic_class(i, R, MSRF_APIC_X2APIC, MSRF_IRQCHIP_FULL) != INVAL ||
			   msrf_x2apic_class(i, W, MSRF_APIC_X2APIC, MSRF_IRQCHIP_FULL) != INVAL)) {
			snprintf(detail, sizeof(detail), "0x%X not INVAL", i);
			ok = false;
		}
	}
	check_true("x2apic unnamed indices (0x800,0x801,0x804-0x807,0x829-0x82E,"
		   "0x83A-0x83D,0x840-0x8FF) INVAL R/W", ok, detail);
	check_int("x2apic number of unnamed indices", 2 + 4 + 6 + 4 + 192, count);
}

/* Outside x2APIC mode or without an in-kernel LAPIC, everything is INVAL. */
static void test_x2apic_modes(void)
{
	const struct config8b *cfg = configs8b;
	char name[128], detail[80];
	size_t c;
	uint32_t i;

	for (c = 0; c < sizeof(configs8b) / sizeof(configs8b[0]); c++) {
		bool ok = true;

		if (cfg[c].x2apic_ok)
			continue;
		detail[0] = 0;
		for (i = 0x800; i <= 0x8FF && ok; i++) {
			if (msrf_x2apic_class(i, R, cfg[c].mode, cfg[c].irqchip) != INVAL ||
			    msrf_x2apic_class(i, W, cfg[c].mode, cfg[c].irqchip) != INVAL ||
			    msrf_x2apic_class_ex(i, W, 0, cfg[c].mode, cfg[c].irqchip,
						 MSRF_X2APIC_CMCI) != INVAL) {
				snprintf(detail, sizeof(detail), "0x%X not INVAL", i);
				ok = false;
			}
		}
		snprintf(name, sizeof(name), "x2apic %s: every register INVAL R/W",
			 cfg[c].name);
		check_true(name, ok, detail);
	}
}

static void test_x2apic_cmci(void)
{
	check_class("x2apic LVT_CMCI with MCG_CMCI_P R -> OK", OK,
		    msrf_x2apic_class_ex(0x82F, R, 0, MSRF_APIC_X2APIC,
					 MSRF_IRQCHIP_FULL, MSRF_X2APIC_CMCI));
	check_class("x2apic LVT_CMCI with MCG_CMCI_P W -> OK", OK,
		    msrf_x2apic_class_ex(0x82F, W, 0x10000, MSRF_APIC_X2APIC,
					 MSRF_IRQCHIP_FULL, MSRF_X2APIC_CMCI));
	check_class("x2apic LVT_CMCI with MCG_CMCI_P W bit32 -> INVAL", INVAL,
		    msrf_x2apic_class_ex(0x82F, W, 1ull << 32, MSRF_APIC_X2APIC,
					 MSRF_IRQCHIP_FULL, MSRF_X2APIC_CMCI));
	check_class("x2apic CMCI feature does not make 0x82E exist", INVAL,
		    msrf_x2apic_class_ex(0x82E, R, 0, MSRF_APIC_X2APIC,
					 MSRF_IRQCHIP_FULL, MSRF_X2APIC_CMCI));
}

struct wcase {
	uint32_t index;
	uint64_t value;
	enum msrf_kvm_class expect;
	const char *why;
};

static const struct wcase wcases[] = {
	{ 0x808, 0xFFFFFFFFull, OK, "TPR any 32-bit value" },
	{ 0x808, 1ull << 32, INVAL, "TPR bit 32 (63:32 reserved)" },
	{ 0x808, 1ull << 63, INVAL, "TPR bit 63" },
	{ 0x80F, 0x1FF, OK, "SVR enable+vector" },
	{ 0x80F, 0xFFFFFFFF00000000ull, INVAL, "SVR high half" },
	{ 0x80B, 0, OK, "EOI 0" },
	{ 0x80B, 1, OK, "EOI non-zero (KVM does not check)" },
	{ 0x80B, 1ull << 32, INVAL, "EOI bit 32" },
	{ 0x828, 0, OK, "ESR 0" },
	{ 0x828, 1, INVAL, "ESR non-zero" },
	{ 0x828, 0x80000000ull, INVAL, "ESR bit 31" },
	{ 0x83F, 0xFF, OK, "SELF_IPI vector 0xff" },
	{ 0x83F, 0x100, INVAL, "SELF_IPI bit 8" },
	{ 0x83F, 1ull << 32, INVAL, "SELF_IPI bit 32" },
	{ 0x830, 0xFFFFFFFF00000000ull, OK, "ICR destination all ones" },
	{ 0x830, 0x000C4FFFull, OK, "ICR bits 0-11,14,18,19" },
	{ 0x830, 0x8000ull, OK, "ICR bit 15 (trigger)" },
	{ 0x830, 0x1000ull, OK, "ICR bit 12 (busy, cleared not checked)" },
	{ 0x830, 0x2000ull, INVAL, "ICR bit 13 reserved" },
	{ 0x830, 0x10000ull, INVAL, "ICR bit 16 reserved" },
	{ 0x830, 0x20000ull, INVAL, "ICR bit 17 reserved" },
	{ 0x830, 0x100000ull, INVAL, "ICR bit 20 reserved" },
	{ 0x830, 0x80000000ull, INVAL, "ICR bit 31 reserved" },
	{ 0x832, 0xFFFFFFFFull, OK, "LVT_TIMER reserved bits masked" },
	{ 0x837, 0xFFFFFFFFull, OK, "LVT_ERROR reserved bits masked" },
	{ 0x835, 1ull << 40, INVAL, "LVT_LINT0 bit 40" },
	{ 0x838, 0xFFFFFFFFull, OK, "TMICT any 32-bit value" },
	{ 0x83E, 0xFFFFFFFFull, OK, "TDCR reserved bits masked" },
	{ 0x802, 0, INVAL, "ID read-only" },
	{ 0x80D, 0, INVAL, "LDR read-only" },
	{ 0x839, 0, INVAL, "TMCCT read-only" },
	{ 0x831, 0, INVAL, "ICR2 gone in x2APIC" },
	{ 0x8FF, 0, INVAL, "0x8FF nothing there" },
};

static void test_x2apic_write_values(void)
{
	char name[128];
	size_t i;

	for (i = 0; i < sizeof(wcases) / sizeof(wcases[0]); i++) {
		const struct wcase *w = &wcases[i];

		snprintf(name, sizeof(name), "x2apic write 0x%X=0x%llx (%s) -> %s",
			 w->index, (unsigned long long)w->value, w->why,
			 msrf_kvm_class_name(w->expect));
		check_class(name, w->expect, msrf_x2apic_write_class(w->index, w->value,
				MSRF_APIC_X2APIC, MSRF_IRQCHIP_SPLIT));
	}
	check_class("x2apic write TPR=0 in xAPIC mode -> INVAL", INVAL,
		    msrf_x2apic_write_class(0x808, 0, MSRF_APIC_XAPIC, MSRF_IRQCHIP_FULL));
	check_class("x2apic write TPR=0 with no irqchip -> INVAL", INVAL,
		    msrf_x2apic_write_class(0x808, 0, MSRF_APIC_X2APIC, MSRF_IRQCHIP_NONE));
	check_class("x2apic class of a non-x2APIC index -> INVAL", INVAL,
		    msrf_x2apic_class(0x900, R, MSRF_APIC_X2APIC, MSRF_IRQCHIP_FULL));
}

/*
 * Writes the CPU virtualizes (msrfilter.h, MSRF_CPU_X2APIC_*): the CPU's
 * value check replaces KVM's, whatever the exit mask and the filter say.
 * expect[0] without CPU virtualization, [1] TPR only, [2] TPR and VID;
 * mask 0 / INVAL.
 */
struct cpu_case {
	uint32_t index;
	uint64_t value;
	const char *why;
	enum msrf_outcome expect[3][2];
};

#define SAME3(m0, mi) { { m0, mi }, { m0, mi }, { m0, mi } }
static const struct cpu_case cpu_cases[] = {
	{ 0x808, 0x20, "TPR valid", SAME3(MSRF_V, MSRF_V) },
	{ 0x808, 1ull << 32, "TPR bit 32",
	  { { MSRF_GP, MSRF_X_INVAL }, { MSRF_GP, MSRF_GP }, { MSRF_GP, MSRF_GP } } },
	{ 0x808, 0x100, "TPR bit 8 (KVM takes 31:8)",
	  { { MSRF_V, MSRF_V }, { MSRF_GP, MSRF_GP }, { MSRF_GP, MSRF_GP } } },
	{ 0x80B, 0, "EOI 0", SAME3(MSRF_V, MSRF_V) },
	{ 0x80B, 1, "EOI non-zero",
	  { { MSRF_V, MSRF_V }, { MSRF_V, MSRF_V }, { MSRF_GP, MSRF_GP } } },
	{ 0x80B, 1ull << 32, "EOI bit 32",
	  { { MSRF_GP, MSRF_X_INVAL }, { MSRF_GP, MSRF_X_INVAL }, { MSRF_GP, MSRF_GP } } },
	{ 0x83F, 0xe5, "SELF_IPI vector", SAME3(MSRF_V, MSRF_V) },
	{ 0x83F, 0x100, "SELF_IPI bit 8",
	  { { MSRF_GP, MSRF_X_INVAL }, { MSRF_GP, MSRF_X_INVAL }, { MSRF_GP, MSRF_GP } } },
	/* Registers the CPU never takes stay KVM's. */
	{ 0x828, 1, "ESR non-zero", SAME3(MSRF_GP, MSRF_X_INVAL) },
	{ 0x830, 0x2000, "ICR reserved bit 13", SAME3(MSRF_GP, MSRF_X_INVAL) },
	{ 0x8FF, 0, "0x8FF", SAME3(MSRF_GP, MSRF_X_INVAL) },
};

static void test_x2apic_cpu_writes(void)
{
	static const uint32_t cpu[3] = {
		0, MSRF_CPU_X2APIC_TPR, MSRF_CPU_X2APIC_TPR | MSRF_CPU_X2APIC_VID,
	};
	static const uint32_t cmask[2] = { 0, MSRF_EXIT_INVAL };
	struct msrf_ctx ctx = {
		.filter = &fa, .apic_mode = MSRF_APIC_X2APIC, .irqchip = MSRF_IRQCHIP_SPLIT,
	};
	char name[160];
	size_t i, c, m;

	/* The x2APIC range is exempt: a deny-all filter changes nothing. */
	msrf_filter_init(&fa, MSRF_DEFAULT_DENY);
	msrf_add_range(&fa, 0, 0x2000, RW, false);
	for (i = 0; i < sizeof(cpu_cases) / sizeof(cpu_cases[0]); i++) {
		const struct cpu_case *w = &cpu_cases[i];

		for (c = 0; c < 3; c++) {
			for (m = 0; m < 2; m++) {
				ctx.cpu_x2apic = cpu[c];
				ctx.exit_mask = cmask[m] | MSRF_EXIT_FILTER;
				snprintf(name, sizeof(name), "cpu 0x%x: wrmsr 0x%X=0x%llx (%s) "
					 "mask %u -> %s", cpu[c], w->index,
					 (unsigned long long)w->value, w->why, ctx.exit_mask,
					 msrf_outcome_name(w->expect[c][m]));
				check_outcome(name, w->expect[c][m],
					      msrf_outcome_write(&ctx, w->index, w->value, OK));
			}
		}
	}
	/* Only an in-kernel LAPIC in x2APIC mode is virtualized. */
	ctx.cpu_x2apic = MSRF_CPU_X2APIC_TPR | MSRF_CPU_X2APIC_VID;
	ctx.exit_mask = MSRF_EXIT_INVAL;
	ctx.apic_mode = MSRF_APIC_XAPIC;
	check_outcome("cpu TPR+VID: wrmsr 0x808=0x20 in xAPIC mode -> X(I)", MSRF_X_INVAL,
		      msrf_outcome_write(&ctx, 0x808, 0x20, OK));
	ctx.apic_mode = MSRF_APIC_X2APIC;
	ctx.irqchip = MSRF_IRQCHIP_NONE;
	check_outcome("cpu TPR+VID: wrmsr 0x83F=0x100 without irqchip -> X(I)", MSRF_X_INVAL,
		      msrf_outcome_write(&ctx, 0x83F, 0x100, OK));
	ctx.irqchip = MSRF_IRQCHIP_FULL;
	check_outcome("cpu TPR+VID: msrf_outcome() write of 0x80B is V", MSRF_V,
		      msrf_outcome(&ctx, 0x80B, W, OK));
	check_outcome("cpu TPR+VID: reads stay KVM's (0x80B read -> X(I))", MSRF_X_INVAL,
		      msrf_outcome(&ctx, 0x80B, R, OK));
	ctx.cpu_x2apic = MSRF_CPU_X2APIC_TPR;
	check_int("cpu TPR only: SELF_IPI is KVM's", 0, msrf_cpu_handles_write(&ctx, 0x83F));
	check_int("cpu TPR only: TPR is the CPU's", 1, msrf_cpu_handles_write(&ctx, 0x808));
}

static void test_x2apic(void)
{
	test_x2apic_regs();
	test_x2apic_unnamed();
	test_x2apic_modes();
	test_x2apic_cmci();
	test_x2apic_write_values();
	test_x2apic_cpu_writes();
}

/* ---- Builders ------------------------------------------------------------------ */

static void test_builders(void)
{
	int s, i;
	bool ok;

	msrf_filter_init(&fa, MSRF_DEFAULT_DENY);
	check_int("build filter_init keeps flags", MSRF_DEFAULT_DENY, fa.flags);
	check_true("build filter_init makes an empty filter", msrf_is_empty(&fa), "not empty");
	check_int("build first add_range -> slot 0", 0, msrf_add_range(&fa, 0x10, 9, R, true));
	check_int("build second add_range -> slot 1", 1, msrf_add_range(&fa, 0x20, 0, 0, false));
	/* a zero-length range with junk still occupies its slot */
	fa.ranges[1].flags = 0xFFFFFFFFu;
	check_int("build third add_range after a zero-length slot -> slot 2", 2,
		  msrf_add_range(&fa, 0x30, 1, W, false));
	check_int("build allow_all sets bits 0-7", 0xFF, fa.ranges[0].bitmap[0]);
	check_int("build allow_all sets bit 8 (nmsrs=9)", 0x01, fa.ranges[0].bitmap[1]);
	check_int("build allow_all leaves bit 9+ clear", 0, fa.ranges[0].bitmap[2]);
	check_int("build stores base raw", 0x10, fa.ranges[0].base);
	check_int("build stores flags raw", R, fa.ranges[0].flags);

	msrf_filter_init(&fa, 0);
	fa.ranges[3].nmsrs = 1;
	fa.ranges[3].flags = RW;
	check_int("build add_range goes after the last used slot (3) -> 4", 4,
		  msrf_add_range(&fa, 0x10, 1, RW, true));

	msrf_filter_init(&fa, 0);
	ok = true;
	for (i = 0; i < MSRF_MAX_RANGES; i++)
		ok &= msrf_add_range(&fa, 0x100 * i, 1, RW, true) == i;
	check_true("build 16 add_range calls fill slots 0-15", ok, "wrong slot");
	check_int("build 17th add_range -> -1", -1, msrf_add_range(&fa, 0, 1, RW, true));

	msrf_filter_init(&fa, 0);
	s = msrf_add_range(&fa, 0x100, 16, RW, false);
	msrf_set_bit(&fa.ranges[s], 0x10F, true);
	check_int("build set_bit MSR base+15 -> byte 1 bit 7", 0x80, fa.ranges[s].bitmap[1]);
	msrf_set_bit(&fa.ranges[s], 0x110, true);
	msrf_set_bit(&fa.ranges[s], 0xFF, true);
	check_int("build set_bit outside the range is ignored (byte 2)", 0,
		  fa.ranges[s].bitmap[2]);
	check_int("build set_bit below the range is ignored (byte 0)", 0,
		  fa.ranges[s].bitmap[0]);
	msrf_set_bit(&fa.ranges[s], 0x10F, false);
	check_int("build set_bit clear", 0, fa.ranges[s].bitmap[1]);
	check_true("build test_bit outside range is false",
		   !msrf_test_bit(&fa.ranges[s], 0x110), "true");
}

/* ---- The generator -------------------------------------------------------------- */

#define GEN_SEEDS	1000
#define SWEEP_SEEDS	200

/* The window a non-empty range lies in, or -1. */
static int window_of(const struct msrf_range *r)
{
	unsigned int w;

	for (w = 0; w < MSRF_GEN_NWINDOWS; w++) {
		uint64_t lo = msrf_gen_window(w), hi = lo + MSRF_GEN_WINDOW_SIZE;

		if (r->base >= lo && (uint64_t)r->base + r->nmsrs <= hi)
			return (int)w;
	}
	return -1;
}

static int used_slots(const struct msrf_filter *f)
{
	int n = MSRF_MAX_RANGES;

	while (n > 0 && !f->ranges[n - 1].flags && !f->ranges[n - 1].nmsrs &&
	       !f->ranges[n - 1].base)
		n--;
	return n;
}

static bool overlaps(const struct msrf_range *a, const struct msrf_range *b)
{
	return a->nmsrs && b->nmsrs && a->base < b->base + b->nmsrs &&
	       b->base < a->base + a->nmsrs;
}

struct gen_stats {
	int deny, allow, read, write, both, zero, one_slot, full;
	int multi, overlapping;	/* filters with >= 2 ranges / with an overlap */
	int all_allow, all_deny, mixed;
	int per_window[MSRF_GEN_NWINDOWS];	/* non-empty ranges in each */
};

static void gen_account(const struct msrf_filter *f, struct gen_stats *st)
{
	int i, j, n = used_slots(f), ranges = 0;
	bool overlap = false;

	if (f->flags & MSRF_DEFAULT_DENY)
		st->deny++;
	else
		st->allow++;
	st->one_slot += n == 1;
	st->full += n == MSRF_MAX_RANGES;
	for (i = 0; i < MSRF_MAX_RANGES; i++) {
		const struct msrf_range *r = &f->ranges[i];
		uint32_t bit, set = 0;

		if (!r->nmsrs) {
			st->zero += i < n;
			continue;
		}
		ranges++;
		if (window_of(r) >= 0)
			st->per_window[window_of(r)]++;
		st->read += r->flags == R;
		st->write += r->flags == W;
		st->both += r->flags == RW;
		for (bit = 0; bit < r->nmsrs; bit++)
			set += (r->bitmap[bit / 8] >> (bit % 8)) & 1;
		st->all_allow += set == r->nmsrs && r->nmsrs > 8;
		st->all_deny += set == 0 && r->nmsrs > 8;
		st->mixed += set && set != r->nmsrs;
		for (j = 0; j < i; j++)
			overlap |= overlaps(r, &f->ranges[j]);
	}
	st->multi += ranges >= 2;
	st->overlapping += overlap;
}

static void test_generator_validity(void)
{
	struct gen_stats st = { 0 };
	char detail[160] = "";
	bool valid = true, windows = true;
	uint64_t seed;
	int i;

	for (seed = 0; seed < GEN_SEEDS; seed++) {
		msrf_generate(&fa, seed);
		if (valid && msrf_validate(&fa)) {
			snprintf(detail, sizeof(detail), "seed %llu -> %s",
				 (unsigned long long)seed,
				 msrf_errno_name(msrf_validate(&fa)));
			valid = false;
		}
		for (i = 0; i < MSRF_MAX_RANGES && windows; i++) {
			if (fa.ranges[i].nmsrs && window_of(&fa.ranges[i]) < 0) {
				snprintf(detail, sizeof(detail),
					 "seed %llu range %d base 0x%x n %u",
					 (unsigned long long)seed, i,
					 fa.ranges[i].base, fa.ranges[i].nmsrs);
				windows = false;
			}
		}
		gen_account(&fa, &st);
	}
	check_true("gen msrf_validate == 0 for seeds 0-999", valid, detail);
	check_true("gen non-empty ranges stay inside the windows", windows, detail);
	for (i = 0; i < MSRF_GEN_NWINDOWS; i++) {
		/* about 1/NWINDOWS of the ~8 ranges of each of 1000 filters */
		snprintf(detail, sizeof(detail), "gen puts ranges in window %d (0x%x)",
			 i, msrf_gen_window(i));
		check_true(detail, st.per_window[i] > GEN_SEEDS, "too few");
	}
	check_true("gen makes DEFAULT_DENY filters", st.deny > GEN_SEEDS / 4, "too few");
	check_true("gen makes DEFAULT_ALLOW filters", st.allow > GEN_SEEDS / 4, "too few");
	check_true("gen makes READ-only ranges", st.read > 100, "too few");
	check_true("gen makes WRITE-only ranges", st.write > 100, "too few");
	check_true("gen makes READ|WRITE ranges", st.both > 100, "too few");
	check_true("gen makes zero-length ranges", st.zero > 100, "too few");
	/* the generator aims at overlaps; independent placement gives ~2/3 */
	check_true("gen: over 3/4 of multi-range filters have overlapping ranges",
		   st.overlapping * 4 > st.multi * 3, "too few");
	check_true("gen makes 1-slot filters", st.one_slot > 10, "too few");
	check_true("gen makes 16-slot filters", st.full > 10, "too few");
	check_true("gen makes all-allow bitmaps", st.all_allow > 50, "too few");
	check_true("gen makes all-deny bitmaps", st.all_deny > 50, "too few");
	check_true("gen makes mixed bitmaps", st.mixed > 50, "too few");
}

static void test_generator_determinism(void)
{
	char detail[80] = "";
	bool same = true;
	int distinct = 0;
	uint64_t seed;

	for (seed = 0; seed < 100; seed++) {
		msrf_generate(&fa, seed);
		msrf_generate(&fb, seed);
		if (same && memcmp(&fa, &fb, sizeof(fa))) {
			snprintf(detail, sizeof(detail), "seed %llu differs",
				 (unsigned long long)seed);
			same = false;
		}
		msrf_generate(&fb, seed + 1);
		distinct += !!memcmp(&fa, &fb, sizeof(fa));
	}
	check_true("gen same seed -> identical filter (seeds 0-99)", same, detail);
	check_int("gen seed and seed+1 differ (of 100)", 100, distinct);
	msrf_generate(&fa, 0x123456789ABCDEFull);
	memset(&fb, 0xA5, sizeof(fb));
	msrf_generate(&fb, 0x123456789ABCDEFull);
	check_true("gen overwrites every byte it owns (dirty target, same result)",
		   !memcmp(&fa, &fb, sizeof(fa)), "differs");
}

/*
 * Differential sweep against a second, independent formulation of §3:
 * paint each window from the default, then apply ranges from last to first
 * so that the first matching range ends up on top.
 */
static void paint_window(const struct msrf_filter *f, uint32_t lo, uint32_t type,
			 bool *out)
{
	uint32_t i, bit;
	int k;

	for (i = 0; i < MSRF_GEN_WINDOW_SIZE; i++)
		out[i] = !(f->flags & MSRF_DEFAULT_DENY);
	for (k = MSRF_MAX_RANGES - 1; k >= 0; k--) {
		const struct msrf_range *r = &f->ranges[k];

		if (!r->nmsrs || !(r->flags & type))
			continue;
		if ((uint64_t)r->base + r->nmsrs > 0x100000000ull)
			continue;	/* wraps: matches nothing */
		for (bit = 0; bit < r->nmsrs; bit++) {
			uint64_t msr = (uint64_t)r->base + bit;

			if (msr >= lo && msr < (uint64_t)lo + MSRF_GEN_WINDOW_SIZE)
				out[msr - lo] = (r->bitmap[bit / 8] >> (bit % 8)) & 1;
		}
	}
	if (lo == 0)
		for (i = 0x800; i <= 0x8FF; i++)
			out[i] = true;
}

static void test_generator_sweep(void)
{
	static bool painted[MSRF_GEN_WINDOW_SIZE];
	static const uint32_t types[2] = { R, W };
	char detail[160] = "";
	bool ok = true;
	uint64_t seed, checked = 0;
	unsigned int w, t;
	uint32_t i;

	for (seed = 0; seed < SWEEP_SEEDS && ok; seed++) {
		msrf_generate(&fa, seed);
		for (w = 0; w < MSRF_GEN_NWINDOWS && ok; w++) {
			uint32_t lo = msrf_gen_window(w);

			for (t = 0; t < 2 && ok; t++) {
				paint_window(&fa, lo, types[t], painted);
				for (i = 0; i < MSRF_GEN_WINDOW_SIZE; i++, checked++) {
					if (msrf_allowed(&fa, lo + i, types[t]) == painted[i])
						continue;
					snprintf(detail, sizeof(detail),
						 "seed %llu MSR 0x%x %s: model %s",
						 (unsigned long long)seed, lo + i,
						 acc_name(types[t]),
						 allow_name(!painted[i]));
					ok = false;
					break;
				}
			}
		}
	}
	check_true("gen sweep: msrf_allowed == painted reference, 200 seeds x every window x R/W",
		   ok, detail);
	check_true("gen sweep covered every MSR",
		   !ok || checked == (uint64_t)SWEEP_SEEDS * MSRF_GEN_NWINDOWS * 2 *
				     MSRF_GEN_WINDOW_SIZE, "short");
}

/*
 * The window list (msrfilter.h): the MSR permission bitmap ranges plus the
 * Hyper-V block, ascending, aligned, apart.  Spelled out once more here on
 * purpose: a change to the list must be a change to this test too.
 */
static void test_windows(void)
{
	static const uint32_t want[] = {
		0x00000000u, 0x40000000u, 0xC0000000u, 0xC0010000u,
	};
	char detail[80] = "";
	bool ok = MSRF_GEN_NWINDOWS == sizeof(want) / sizeof(want[0]);
	unsigned int w;

	for (w = 0; ok && w < MSRF_GEN_NWINDOWS; w++) {
		uint32_t lo = msrf_gen_window(w);

		if (lo != want[w] || lo % MSRF_GEN_WINDOW_SIZE ||
		    (w && lo < msrf_gen_window(w - 1) + MSRF_GEN_WINDOW_SIZE)) {
			snprintf(detail, sizeof(detail), "window %u is 0x%x", w, lo);
			ok = false;
		}
	}
	check_true("windows: 0x0, 0x40000000, 0xC0000000, 0xC0010000, aligned, apart",
		   ok, detail);
	check_int("windows: msrf_gen_window(past the end) is 0", 0,
		  msrf_gen_window(MSRF_GEN_NWINDOWS));
}

static void test_generator(void)
{
	test_windows();
	test_generator_validity();
	test_generator_determinism();
	test_generator_sweep();
}

/* ---- Names -------------------------------------------------------------------- */

/* Expectations from doc/abi.md §5: the reason bit names the class; V is OK. */
static void test_class_of_baseline(void)
{
	check_int("baseline V is class OK", MSRF_KVM_OK, msrf_class_of_baseline(MSRF_V));
	check_int("baseline X(U) is class UNKNOWN", MSRF_KVM_UNKNOWN,
		  msrf_class_of_baseline(MSRF_X_UNKNOWN));
	check_int("baseline X(I) is class INVAL", MSRF_KVM_INVAL,
		  msrf_class_of_baseline(MSRF_X_INVAL));
	check_int("baseline GP fits no class", -1, msrf_class_of_baseline(MSRF_GP));
	check_int("baseline X(F) fits no class", -1, msrf_class_of_baseline(MSRF_X_FILTER));
	check_int("baseline IGNORED fits no class", -1, msrf_class_of_baseline(MSRF_IGNORED));
}

/* KVM_ENABLE_CAP(USER_SPACE_MSR) args[0]: bits 0-2 valid, the other 61 not. */
static void test_exit_mask_errno(void)
{
	unsigned int b, bad = 0;

	check_int("mask 0 accepted", 0, msrf_exit_mask_errno(0));
	check_int("mask 7 accepted", 0, msrf_exit_mask_errno(7));
	check_int("mask 0xf EINVAL", MSRF_EINVAL, msrf_exit_mask_errno(0xf));
	for (b = 0; b < 64; b++)
		bad += msrf_exit_mask_errno(1ull << b) == MSRF_EINVAL;
	check_int("61 of the 64 single-bit masks are EINVAL", 61, bad);
	check_int("bit 63 EINVAL", MSRF_EINVAL, msrf_exit_mask_errno(1ull << 63));
}

static void test_names(void)
{
	check_str("name V", "V", msrf_outcome_name(MSRF_V));
	check_str("name GP", "GP", msrf_outcome_name(MSRF_GP));
	check_str("name X(F)", "X(F)", msrf_outcome_name(MSRF_X_FILTER));
	check_str("name X(U)", "X(U)", msrf_outcome_name(MSRF_X_UNKNOWN));
	check_str("name X(I)", "X(I)", msrf_outcome_name(MSRF_X_INVAL));
	check_str("name IGNORED", "IGNORED", msrf_outcome_name(MSRF_IGNORED));
	check_str("name of a bad outcome", "?", msrf_outcome_name((enum msrf_outcome)99));
	check_str("name class OK", "OK", msrf_kvm_class_name(MSRF_KVM_OK));
	check_str("name class INVAL", "INVAL", msrf_kvm_class_name(MSRF_KVM_INVAL));
	check_str("name class UNKNOWN", "UNKNOWN", msrf_kvm_class_name(MSRF_KVM_UNKNOWN));
	check_str("name errno 0", "0", msrf_errno_name(0));
	check_str("name errno EINVAL", "EINVAL", msrf_errno_name(22));
	check_str("name errno EFAULT", "EFAULT", msrf_errno_name(14));
	check_str("name errno other", "?", msrf_errno_name(12));
}

/* ---- main ----------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every check name must be unique: the runner keys results on it. */
static void test_unique_names(void)
{
	char detail[200] = "";
	bool ok = true;
	int i, n = n_names;

	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 1; i < n && ok; i++) {
		if (!strcmp(names[i - 1], names[i])) {
			snprintf(detail, sizeof(detail), "duplicate '%.150s'", names[i]);
			ok = false;
		}
	}
	check_true("check names are unique", ok, detail);
	for (i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
}

/* ---- Nested: L1's bitmap and who handles an L2 access (doc/abi.md §11) ---- */

static uint8_t l1map[MSRF_SVM_MSRPM_BYTES];

static void check_pos(const char *name, enum msrf_vendor v, uint32_t index,
		      uint32_t type, long ebyte, long ebit)
{
	uint32_t byte = 0, bit = 0;
	bool ok = msrf_l1_bitmap_pos(v, index, type, &byte, &bit);
	char n[64];

	if (ebyte < 0) {
		check_int(name, 0, ok);
		return;
	}
	check_int(name, 1, ok);
	snprintf(n, sizeof(n), "%s: byte * 8 + bit", name);
	check_int(n, ebyte * 8 + ebit, (long)byte * 8 + bit);
}

static void test_nested(void)
{
	struct msrf_ctx ctx = { .apic_mode = MSRF_APIC_X2APIC,
				.irqchip = MSRF_IRQCHIP_FULL,
				.cpu_x2apic = MSRF_CPU_X2APIC_TPR };
	struct msrf_l1 l1 = { .vendor = MSRF_VENDOR_SVM, .use_bitmap = true,
			      .bitmap = l1map };
	uint32_t m;
	int v;

	/* SDM: read low 0, read high 0x400, write low 0x800, write high 0xc00 */
	check_pos("vmx pos 0x1fc R", MSRF_VENDOR_VMX, 0x1fc, R, 0x3f, 4);
	check_pos("vmx pos 0x1fc W", MSRF_VENDOR_VMX, 0x1fc, W, 0x83f, 4);
	check_pos("vmx pos FS_BASE R", MSRF_VENDOR_VMX, 0xc0000100, R, 0x420, 0);
	check_pos("vmx pos FS_BASE W", MSRF_VENDOR_VMX, 0xc0000100, W, 0xc20, 0);
	check_pos("vmx pos 0x1fff W", MSRF_VENDOR_VMX, 0x1fff, W, 0xbff, 7);
	check_pos("vmx pos 0x2000 none", MSRF_VENDOR_VMX, 0x2000, R, -1, 0);
	check_pos("vmx pos 0xc0010117 none", MSRF_VENDOR_VMX, 0xc0010117, R, -1, 0);
	/* APM: two bits per MSR, 0x000 / 0x800 / 0x1000 */
	check_pos("svm pos 0x1fc R", MSRF_VENDOR_SVM, 0x1fc, R, 0x7f, 0);
	check_pos("svm pos 0x1fc W", MSRF_VENDOR_SVM, 0x1fc, W, 0x7f, 1);
	check_pos("svm pos 0x808 W", MSRF_VENDOR_SVM, 0x808, W, 0x202, 1);
	check_pos("svm pos FS_BASE R", MSRF_VENDOR_SVM, 0xc0000100, R, 0x840, 0);
	check_pos("svm pos 0xc0000103 W", MSRF_VENDOR_SVM, 0xc0000103, W, 0x840, 7);
	check_pos("svm pos HSAVE R", MSRF_VENDOR_SVM, 0xc0010117, R, 0x1045, 6);
	check_pos("svm pos 0xc0012000 none", MSRF_VENDOR_SVM, 0xc0012000, R, -1, 0);
	check_pos("svm pos K none", MSRF_VENDOR_SVM, MSR_K, W, -1, 0);

	/* L1 intercepts: an exit to L1 whatever L0's filter says */
	memset(l1map, 0xff, sizeof(l1map));
	msrf_filter_init(&fa, MSRF_DEFAULT_DENY);
	msrf_add_range(&fa, MSR_FD, 1, R | W, false);
	ctx.filter = &fa;
	for (m = 0; m <= MSRF_EXIT_VALID_MASK; m++) {
		char n1[48], n2[48];

		ctx.exit_mask = m;
		snprintf(n1, sizeof(n1), "l2 L1 icpt FD R mask %u", m);
		snprintf(n2, sizeof(n2), "l2 L1 icpt K W mask %u", m);
		check_outcome(n1, MSRF_L1_EXIT, msrf_l2_outcome(&ctx, &l1, MSR_FD, R, 0, OK));
		check_outcome(n2, MSRF_L1_EXIT, msrf_l2_outcome(&ctx, &l1, MSR_K, W, 0, UNKNOWN));
	}
	/* L1 passes through: L0's filter as for an L1 access */
	check_int("svm set FD R clear", 1,
		  msrf_l1_bitmap_set(MSRF_VENDOR_SVM, l1map, MSR_FD, R, false));
	check_int("svm set K fails", 0,
		  msrf_l1_bitmap_set(MSRF_VENDOR_SVM, l1map, MSR_K, R, false));
	ctx.exit_mask = 0;
	check_outcome("l2 pass FD R deny m0", GP, msrf_l2_outcome(&ctx, &l1, MSR_FD, R, 0, OK));
	ctx.exit_mask = MSRF_EXIT_FILTER;
	check_outcome("l2 pass FD R deny mF", XF, msrf_l2_outcome(&ctx, &l1, MSR_FD, R, 0, OK));
	check_outcome("l2 pass FD W still icpt", MSRF_L1_EXIT,
		      msrf_l2_outcome(&ctx, &l1, MSR_FD, W, 0, OK));
	check_outcome("l2 no map bit: K passes nowhere", MSRF_L1_EXIT,
		      msrf_l2_outcome(&ctx, &l1, MSR_K, R, 0, UNKNOWN));
	ctx.filter = NULL;
	check_outcome("l2 pass FD R no filter", V, msrf_l2_outcome(&ctx, &l1, MSR_FD, R, 0, OK));
	/* MSR_PROT off: L1 intercepts no MSR; L0 handles them all */
	l1.use_bitmap = false;
	check_outcome("l2 no MSR_PROT: L0's V", V, msrf_l2_outcome(&ctx, &l1, MSR_FD, R, 0, OK));
	check_outcome("l2 no MSR_PROT, no map bit: L0's outcome", MSRF_GP,
		      msrf_l2_outcome(&ctx, &l1, MSR_K, R, 0, UNKNOWN));
	/* VMX without "use MSR bitmaps": every MSR exits to L1 */
	l1.vendor = MSRF_VENDOR_VMX;
	check_outcome("l2 VMX no bitmaps: L1 exit", MSRF_L1_EXIT,
		      msrf_l2_outcome(&ctx, &l1, MSR_FD, R, 0, OK));
	l1.vendor = MSRF_VENDOR_SVM;
	l1.use_bitmap = true;
	/* x2APIC: exempt; L1's LAPIC; no CPU virtualization for L2 */
	msrf_l1_bitmap_set(MSRF_VENDOR_SVM, l1map, 0x808, W, false);
	ctx.filter = &fa;
	ctx.exit_mask = MSRF_EXIT_INVAL;
	check_outcome("l2 x2apic TPR W deny-all: V", V,
		      msrf_l2_outcome(&ctx, &l1, 0x808, W, 0, OK));
	check_outcome("l2 x2apic TPR W bad value: KVM's X(I), not the CPU's #GP", XI,
		      msrf_l2_outcome(&ctx, &l1, 0x808, W, 1ull << 32, OK));
	/* the same for VMX */
	memset(l1map, 0, MSRF_VMX_BITMAP_BYTES);
	l1.vendor = MSRF_VENDOR_VMX;
	ctx.exit_mask = 0;
	check_outcome("vmx l2 pass FD R deny", GP, msrf_l2_outcome(&ctx, &l1, MSR_FD, R, 0, OK));
	msrf_l1_bitmap_set(MSRF_VENDOR_VMX, l1map, MSR_FD, W, true);
	check_outcome("vmx l2 icpt FD W", MSRF_L1_EXIT, msrf_l2_outcome(&ctx, &l1, MSR_FD, W, 0, OK));
	check_outcome("vmx l2 0xc0010117 no bit", MSRF_L1_EXIT,
		      msrf_l2_outcome(&ctx, &l1, 0xc0010117, R, 0, OK));
	v = msrf_l1_intercepts(&l1, MSR_FD, R);
	check_int("vmx FD R not intercepted", 0, v);

	/* §11.3 version table */
	check_int("vmx lists 5.17 unknown", -1, msrf_vmx_lists_filtered(MSRF_KVER(5, 17), NULL));
	check_int("vmx lists 5.18 unfiltered", 0, msrf_vmx_lists_filtered(MSRF_KVER(5, 18), NULL));
	check_int("vmx lists 6.1 unfiltered", 0, msrf_vmx_lists_filtered(MSRF_KVER(6, 1), NULL));
	check_int("vmx lists 6.11 unfiltered", 0, msrf_vmx_lists_filtered(MSRF_KVER(6, 11), NULL));
	check_int("vmx lists 6.12 filtered", 1, msrf_vmx_lists_filtered(MSRF_KVER(6, 12), NULL));
	check_int("vmx lists 7.3 filtered", 1, msrf_vmx_lists_filtered(MSRF_KVER(7, 3), NULL));

	/* kernel releases as uname -r gives them */
	{
		static const struct { const char *rel; bool ok; uint32_t kver; } rels[] = {
			{ "6.1.0-57-amd64", true, MSRF_KVER(6, 1) },
			{ "6.12.118+deb13-amd64", true, MSRF_KVER(6, 12) },
			{ "7.3.4+deb13-amd64", true, MSRF_KVER(7, 3) },
			{ "6.18.44-fc", true, MSRF_KVER(6, 18) },
			{ "10.0", true, MSRF_KVER(10, 0) },
			{ "6", false, 0 }, { "6.", false, 0 }, { "x6.1", false, 0 },
			{ "", false, 0 }, { "unknown", false, 0 }, { "99999.1", false, 0 },
		};
		unsigned int i;

		for (i = 0; i < sizeof(rels) / sizeof(rels[0]); i++) {
			uint32_t k = 0;
			bool ok = msrf_parse_kver(rels[i].rel, &k);
			char name[64];

			snprintf(name, sizeof(name), "kver '%s' parses: %d", rels[i].rel, rels[i].ok);
			check_int(name, rels[i].ok, ok);
			snprintf(name, sizeof(name), "kver '%s' is 0x%x", rels[i].rel, rels[i].kver);
			if (ok)
				check_int(name, (int)rels[i].kver, (int)k);
		}
	}

	/* §11.3: which entry of a list the filter stops */
	{
		static const uint32_t list[] = { 0xc0000102, 0xc0000082, 0x10 };
		struct msrf_filter f;

		msrf_filter_init(&f, 0);
		msrf_add_range(&f, 0xc0000082, 1, MSRF_WRITE, false);	/* deny LSTAR writes */
		check_int("entry list 6.12: LSTAR write denied at 2", 2,
			  msrf_vmx_list_stop(&f, MSRF_KVER(6, 12), MSRF_VMX_ENTRY_LOAD, list, 3));
		check_int("exit load 7.3: stop at 2", 2,
			  msrf_vmx_list_stop(&f, MSRF_KVER(7, 3), MSRF_VMX_EXIT_LOAD, list, 3));
		check_int("exit store: reads allowed", 0,
			  msrf_vmx_list_stop(&f, MSRF_KVER(7, 3), MSRF_VMX_EXIT_STORE, list, 3));
		check_int("entry list 6.1: not filtered", 0,
			  msrf_vmx_list_stop(&f, MSRF_KVER(6, 1), MSRF_VMX_ENTRY_LOAD, list, 3));
		check_int("entry list 5.10: unknown", -1,
			  msrf_vmx_list_stop(&f, MSRF_KVER(5, 10), MSRF_VMX_ENTRY_LOAD, list, 3));
		check_int("no filter", 0,
			  msrf_vmx_list_stop(NULL, MSRF_KVER(7, 3), MSRF_VMX_ENTRY_LOAD, list, 3));
		msrf_filter_init(&f, 0);
		msrf_add_range(&f, 0x10, 1, MSRF_READ, false);		/* deny TSC reads */
		check_int("exit store: TSC read denied at 3", 3,
			  msrf_vmx_list_stop(&f, MSRF_KVER(6, 12), MSRF_VMX_EXIT_STORE, list, 3));
		check_int("entry load: TSC writes allowed", 0,
			  msrf_vmx_list_stop(&f, MSRF_KVER(6, 12), MSRF_VMX_ENTRY_LOAD, list, 3));
	}
}

int main(void)
{
	test_exit_mask_errno();
	test_8a();
	test_8b();
	test_decision();
	test_validate();
	test_outcome_misc();
	test_x2apic();
	test_builders();
	test_generator();
	test_class_of_baseline();
	test_nested();
	test_names();
	test_unique_names();
	fprintf(stderr, "test-msrfilter: %d checks, %d failed\n", n_checks, n_failed);
	return n_failed ? 1 : 0;
}
