/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The reference model of KVM's userspace MSR filter decision.
 *
 * Pure freestanding C, built twice: into the guest library and into the host
 * programs.  Every expected outcome in this suite comes from here (or from
 * doc/abi.md, which this encodes);
 * tests never hand-code one.
 *
 * The filter description (struct msrf_filter) is also what the filter-file
 * parser (host/util/filterfile.c) produces and what the harness turns into the
 * KVM_X86_SET_MSR_FILTER argument, so it keeps raw, possibly invalid,
 * field values: invalid filters are tested too.
 */
#ifndef MSRFILTER_H
#define MSRFILTER_H

#include <stdbool.h>
#include <stdint.h>

/* uapi values, carried here because Debian's 6.1 headers lack some (doc/abi.md §1) */
#define MSRF_MAX_RANGES		16
#define MSRF_MAX_BITMAP_BYTES	0x600
#define MSRF_MAX_NMSRS		(MSRF_MAX_BITMAP_BYTES * 8)	/* 12288 */
#define MSRF_READ		(1u << 0)	/* KVM_MSR_FILTER_READ */
#define MSRF_WRITE		(1u << 1)	/* KVM_MSR_FILTER_WRITE */
#define MSRF_RANGE_VALID_MASK	(MSRF_READ | MSRF_WRITE)
#define MSRF_DEFAULT_DENY	(1u << 0)	/* KVM_MSR_FILTER_DEFAULT_DENY */
#define MSRF_VALID_MASK		MSRF_DEFAULT_DENY
#define MSRF_EXIT_INVAL		(1u << 0)	/* KVM_MSR_EXIT_REASON_INVAL */
#define MSRF_EXIT_UNKNOWN	(1u << 1)	/* KVM_MSR_EXIT_REASON_UNKNOWN */
#define MSRF_EXIT_FILTER	(1u << 2)	/* KVM_MSR_EXIT_REASON_FILTER */
#define MSRF_EXIT_VALID_MASK	0x7u

#define MSRF_X2APIC_FIRST	0x800u
#define MSRF_X2APIC_LAST	0x8ffu

/* Where a range's bitmap pointer points when handed to the ioctl. */
enum msrf_bitmap_kind {
	MSRF_BITMAP_DATA = 0,	/* the bitmap[] below */
	MSRF_BITMAP_NULL,	/* a NULL pointer (expect EFAULT if nmsrs != 0) */
	MSRF_BITMAP_UNMAPPED,	/* an address with nothing mapped (EFAULT) */
	MSRF_BITMAP_EDGE,	/* bitmap[] placed so its last byte ends right
				 * before an unmapped page (KVM over-reads to a
				 * multiple of 8 bytes: doc/abi.md §2.5) */
};

struct msrf_range {
	uint32_t flags;		/* raw: MSRF_READ | MSRF_WRITE, may be invalid */
	uint32_t nmsrs;		/* raw: may exceed MSRF_MAX_NMSRS */
	uint32_t base;		/* raw: base + nmsrs may wrap */
	enum msrf_bitmap_kind bitmap_kind;
	/* bit n (byte n / 8, bit n % 8) = MSR base + n; 1 = allow */
	uint8_t bitmap[MSRF_MAX_BITMAP_BYTES];
};

struct msrf_filter {
	uint32_t flags;		/* raw: MSRF_DEFAULT_DENY, may be invalid */
	struct msrf_range ranges[MSRF_MAX_RANGES];
};

/* The access being decided. */
#define MSRF_ACCESS_READ	MSRF_READ
#define MSRF_ACCESS_WRITE	MSRF_WRITE

enum msrf_apic_mode {
	MSRF_APIC_DISABLED,	/* APIC_BASE.EN = 0 */
	MSRF_APIC_XAPIC,
	MSRF_APIC_X2APIC,
};

enum msrf_irqchip {
	MSRF_IRQCHIP_NONE,	/* no in-kernel LAPIC */
	MSRF_IRQCHIP_SPLIT,
	MSRF_IRQCHIP_FULL,
};

/*
 * What KVM would do with the access if no filter existed, i.e. the class of
 * the unfiltered baseline (doc/abi.md §5, the table of results).
 */
enum msrf_kvm_class {
	MSRF_KVM_OK,		/* handled: value returned / write applied */
	MSRF_KVM_INVAL,		/* KVM rejects it (returns 1) */
	MSRF_KVM_UNKNOWN,	/* unknown to KVM / absent from CPUID */
};

/* The outcome a guest sees. */
enum msrf_outcome {
	MSRF_V,			/* as if no filter existed (value / write applied) */
	MSRF_GP,		/* #GP(0) injected */
	MSRF_X_FILTER,		/* user exit, reason FILTER */
	MSRF_X_UNKNOWN,		/* user exit, reason UNKNOWN */
	MSRF_X_INVAL,		/* user exit, reason INVAL */
	MSRF_IGNORED,		/* ignore_msrs=1: read gives 0, write dropped */
	MSRF_L1_EXIT,		/* nested: a VM exit from L2 to L1 (L1 intercepts) */
};

/*
 * x2APIC MSR writes the CPU handles itself, so that KVM never sees them
 * (Intel SDM Vol. 3C, "Virtualizing MSR-Based APIC Accesses", section 29.5
 * of the 2016-2023 editions, WRMSR): in x2APIC mode with an in-kernel
 * LAPIC, when KVM lets the write through the MSR bitmap.
 *   TPR: "use TPR shadow" and "virtualize x2APIC mode" are set: WRMSR 808H
 *     raises #GP(0) if bits 63:8 of EDX:EAX are not all 0, else writes
 *     VTPR (TPR virtualization).
 *   VID: "virtual-interrupt delivery" too: WRMSR 80BH (EOI) raises #GP(0)
 *     for any non-zero value, else EOI virtualization; WRMSR 83FH
 *     (SELF_IPI) raises #GP(0) if bits 63:8 are not all 0, else self-IPI
 *     virtualization.
 * Either way no INVAL exit can happen for these writes whatever the exit
 * mask says, and values KVM would accept (TPR bits 31:8, a non-zero EOI)
 * #GP.  What holds is reported by the harness (kvmrun_info.x2apic_virt).
 */
#define MSRF_CPU_X2APIC_TPR	(1u << 0)
#define MSRF_CPU_X2APIC_VID	(1u << 1)

struct msrf_ctx {
	const struct msrf_filter *filter;	/* NULL = no filter installed */
	enum msrf_apic_mode apic_mode;
	enum msrf_irqchip irqchip;
	uint32_t exit_mask;			/* KVM_CAP_X86_USER_SPACE_MSR */
	bool ignore_msrs;			/* kvm.ignore_msrs */
	uint32_t cpu_x2apic;			/* MSRF_CPU_X2APIC_* */
};

/*
 * errno values of KVM_X86_SET_MSR_FILTER as plain numbers: the guest has no
 * errno.h.  These are the Linux x86 values.
 */
#define MSRF_EFAULT		14
#define MSRF_EINVAL		22

/* ---- The decision (doc/abi.md §3, kvm_msr_allowed) ---------------------------- */

/* 0x800-0x8ff: never filtered (doc/abi.md §3 rule 1). */
bool msrf_is_x2apic(uint32_t index);

/*
 * True when KVM lets the access through to its own handling, false when it
 * is denied (KVM_MSR_RET_FILTERED).  'type' is MSRF_ACCESS_READ or
 * MSRF_ACCESS_WRITE.  'f' must be a filter KVM accepted (msrf_validate() ==
 * 0), NULL meaning "no filter installed"; bits past a range's bitmap
 * capacity read as deny so a bad filter cannot make this read out of bounds.
 */
bool msrf_allowed(const struct msrf_filter *f, uint32_t index, uint32_t type);

/* Bit of range r for MSR 'index' (false outside the range). */
bool msrf_test_bit(const struct msrf_range *r, uint32_t index);

/* ---- The ioctl's validation (doc/abi.md §2) ----------------------------------- */

/* Every range has nmsrs == 0 (the only field KVM looks at for this). */
bool msrf_is_empty(const struct msrf_filter *f);

/* ceil(nmsrs / 8): the bytes a bitmap of nmsrs bits really needs. */
uint32_t msrf_bitmap_bytes(uint32_t nmsrs);

/*
 * BITS_TO_LONGS(nmsrs) * sizeof(long) on x86-64: the bytes KVM copies from
 * the bitmap pointer (a multiple of 8).  Exact for every u32 nmsrs.
 */
uint32_t msrf_copy_bytes(uint32_t nmsrs);

/*
 * The errno KVM_X86_SET_MSR_FILTER returns for this filter: 0, MSRF_EINVAL
 * or MSRF_EFAULT, in the kernel's order (first failure wins).  The struct
 * copy (EFAULT on a bad argument pointer) and ENOMEM are outside the model.
 * MSRF_BITMAP_EDGE means: the ceil(nmsrs/8)-byte bitmap ends exactly where
 * an unmapped page starts, so KVM's 8-byte-rounded copy faults unless
 * ceil(nmsrs/8) is already a multiple of 8.
 */
int msrf_validate(const struct msrf_filter *f);

/*
 * The errno of KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR) with flags 0 and
 * args[0] = mask: MSRF_EINVAL for any bit outside MSRF_EXIT_VALID_MASK
 * (args[0] is 64 bits wide), else 0 (doc/abi.md §2).
 */
int msrf_exit_mask_errno(uint64_t mask);

/* ---- x2APIC registers (lapic.c; never filtered, see doc/abi.md §5) ------------ */

/*
 * Optional vCPU features that change the x2APIC register set.  Without
 * KVM_X86_SETUP_MCE enabling MCG_CMCI_P (KVM's default, and not offered at
 * all by some backends) LVT_CMCI (0x82F) does not exist.
 */
#define MSRF_X2APIC_CMCI	(1u << 0)

/*
 * What KVM does with an x2APIC MSR access (always OK or INVAL).  The write
 * form of msrf_x2apic_class() assumes a value the register accepts (0);
 * msrf_x2apic_write_class() applies KVM's value checks.  Both assume the
 * default vCPU (no features); _ex takes the features and, for writes, the
 * value.
 */
enum msrf_kvm_class msrf_x2apic_class(uint32_t index, uint32_t type,
				      enum msrf_apic_mode mode,
				      enum msrf_irqchip irqchip);
enum msrf_kvm_class msrf_x2apic_write_class(uint32_t index, uint64_t value,
					    enum msrf_apic_mode mode,
					    enum msrf_irqchip irqchip);
enum msrf_kvm_class msrf_x2apic_class_ex(uint32_t index, uint32_t type,
					 uint64_t value,
					 enum msrf_apic_mode mode,
					 enum msrf_irqchip irqchip,
					 uint32_t features);

/* ---- Outcome seen by the guest / VMM (doc/abi.md §5, §8) ---------------------- */

/*
 * The outcome of one access under ctx.  'baseline' is what KVM would do with
 * the MSR without a filter; for x2APIC indices it is ignored and the
 * model's own x2APIC class is used (write = a valid value, see
 * msrf_outcome_write() for value-dependent writes).
 */
enum msrf_outcome msrf_outcome(const struct msrf_ctx *ctx, uint32_t index,
			       uint32_t type, enum msrf_kvm_class baseline);
/*
 * A write of 'value': same, with the x2APIC value checks applied, by KVM or,
 * for the writes ctx->cpu_x2apic names, by the CPU.
 */
enum msrf_outcome msrf_outcome_write(const struct msrf_ctx *ctx,
				     uint32_t index, uint64_t value,
				     enum msrf_kvm_class baseline);
/* True when the CPU, not KVM, decides this x2APIC write under ctx. */
bool msrf_cpu_handles_write(const struct msrf_ctx *ctx, uint32_t index);
/*
 * The outcome a KVM_EXIT_X86_RDMSR/WRMSR with run->msr.reason 'reason'
 * stands for (exactly one MSRF_EXIT_* bit), or -1 for anything else.
 */
int msrf_exit_outcome(uint32_t reason);
/*
 * The inverse, for baselines: the class of an access observed with no
 * filter and the INVAL and UNKNOWN exits enabled (V = OK, X(U) = UNKNOWN,
 * X(I) = INVAL), or -1 when no class gives that outcome.
 */
int msrf_class_of_baseline(enum msrf_outcome o);
/* Outcome of an access the filter let through, given KVM's class. */
enum msrf_outcome msrf_outcome_of_class(const struct msrf_ctx *ctx,
					enum msrf_kvm_class cls);

/* ---- Nested: an L2 guest's RDMSR/WRMSR (doc/abi.md §11) ----------------------- */

enum msrf_vendor {
	MSRF_VENDOR_VMX,
	MSRF_VENDOR_SVM,
};

/* Bytes of L1's bitmap: VMX MSR bitmap (one page), SVM MSR permission map. */
#define MSRF_VMX_BITMAP_BYTES	4096u
#define MSRF_SVM_MSRPM_BYTES	8192u

/*
 * Where L1's bitmap holds the intercept bit of (index, type): byte offset
 * and bit number (1 = intercept).  False for an index the bitmap does not
 * cover: the CPU then always exits to L1 (SDM "MSR-Bitmap Address": only
 * 0-0x1fff and 0xc0000000-0xc0001fff; APM "MSR Intercepts": only
 * 0-0x1fff, 0xc0000000-0xc0001fff and 0xc0010000-0xc0011fff).
 */
bool msrf_l1_bitmap_pos(enum msrf_vendor v, uint32_t index, uint32_t type,
			uint32_t *byte, uint32_t *bit);
/* Set or clear that bit in 'bitmap'; false when the index has none. */
bool msrf_l1_bitmap_set(enum msrf_vendor v, uint8_t *bitmap, uint32_t index,
			uint32_t type, bool intercept);

/* What L1 tells the CPU (and so KVM) about L2's MSR accesses. */
struct msrf_l1 {
	enum msrf_vendor vendor;
	/*
	 * VMX "use MSR bitmaps", SVM INTERCEPT_MSR_PROT.  Off: on VMX every
	 * RDMSR/WRMSR exits to L1; on SVM none does (L0 handles them all).
	 */
	bool use_bitmap;
	const uint8_t *bitmap;	/* MSRF_*_BYTES bytes */
};

/* True when L2's access is a VM exit to L1. */
bool msrf_l1_intercepts(const struct msrf_l1 *l1, uint32_t index, uint32_t type);

/*
 * The outcome of L2's RDMSR (type READ) or WRMSR of 'value' (type WRITE):
 * MSRF_L1_EXIT when L1 intercepts it, whatever L0's filter says (our VMM
 * sees nothing); otherwise L0 handles it as an access of L1's under ctx
 * (filter, exit mask, x2APIC exemption against L1's LAPIC), whether or
 * not L0 let the CPU pass it through: L0 merges its own intercepts
 * (which follow the filter) into L2's bitmap.  L1 is assumed to give L2
 * no APIC virtualization, so ctx->cpu_x2apic does not apply.
 */
enum msrf_outcome msrf_l2_outcome(const struct msrf_ctx *ctx,
				  const struct msrf_l1 *l1, uint32_t index,
				  uint32_t type, uint64_t value,
				  enum msrf_kvm_class baseline);

/*
 * doc/abi.md §11.3, the suite's only kernel-version table: does KVM apply
 * the filter to L1's VMX MSR-load/store lists (VM-entry load, VM-exit
 * store, VM-exit load) in kernel major.minor?  1 yes (6.12+,
 * 653ea4489e69), 0 no (5.18-6.11, ac8d6cad3c7b), -1 not known to the
 * suite (older).  *commit, when not NULL, gets the row's commit.
 */
#define MSRF_KVER(major, minor)	((uint32_t)(major) << 16 | (uint32_t)(minor))
int msrf_vmx_lists_filtered(uint32_t kver, const char **commit);

/* "6.12.118+deb13-amd64" -> MSRF_KVER(6, 12); false if it is not one. */
bool msrf_parse_kver(const char *release, uint32_t *kver);

/* L1's three VMX MSR lists (SDM "VM-Entry Controls for MSRs" and exit). */
enum msrf_vmx_list {
	MSRF_VMX_ENTRY_LOAD,	/* written at VM entry */
	MSRF_VMX_EXIT_STORE,	/* read (L2's values) at VM exit */
	MSRF_VMX_EXIT_LOAD,	/* written (L1's values) at VM exit */
};

/*
 * doc/abi.md §11.3: the 1-based position of the first of the n entries
 * of list l that the filter stops, or 0 when the list goes through (no
 * filter, all allowed, or kernel kver does not filter the lists); -1 when
 * the table does not know kver.  A stop is a VM-entry failure (exit
 * reason 34, "MSR loading", with that position as the qualification) for
 * the entry list and a VM abort (a shutdown of L1) for the exit lists;
 * never an exit to userspace, whatever the exit mask.  x2APIC entries are
 * not the filter's business (the CPU rejects them in x2APIC mode).
 */
int msrf_vmx_list_stop(const struct msrf_filter *f, uint32_t kver,
		       enum msrf_vmx_list l, const uint32_t *index, unsigned int n);

/* ---- Building filters (tests, generators, the filter-file parser) ------ */

/* Zero every field (no ranges, all bitmaps DATA and deny) and set flags. */
void msrf_filter_init(struct msrf_filter *f, uint32_t flags);

/*
 * Append a range after the last slot in use (a slot is in use when any of
 * flags, nmsrs, base or bitmap_kind is non-zero), so that the order of
 * msrf_add_range() calls is the priority order.  Values are stored raw
 * (invalid ones too).  The bitmap is all-allow (bits 0..nmsrs-1, capped at
 * the bitmap's capacity) or all-deny.  Returns the slot, or -1 when slot 15
 * is already used.
 */
int msrf_add_range(struct msrf_filter *f, uint32_t base, uint32_t nmsrs,
		   uint32_t flags, bool allow_all);

/*
 * Set the bit of MSR 'index' (an MSR number, not a bit number) in r.
 * Ignored when index - base (u32) is not below nmsrs or the capacity.
 */
void msrf_set_bit(struct msrf_range *r, uint32_t index, bool allow);

/*
 * A valid (msrf_validate() == 0) random filter, a pure function of seed:
 * 1-16 range slots mixing READ, WRITE and READ|WRITE ranges, overlapping
 * ranges, zero-length ranges with junk fields, all-allow / all-deny /
 * random bitmaps and either default, all inside the windows below.
 */
void msrf_generate(struct msrf_filter *f, uint64_t seed);
/*
 * The MSR windows: the suite's one list of them (the generator, the sweep,
 * the deny-all/allow-all filters and their unit tests all follow it).
 * Three are the ranges the CPUs' MSR permission bitmaps cover, where KVM
 * may pass an MSR through instead of intercepting it (and must stop doing
 * so for what a filter denies); the fourth holds KVM's Hyper-V MSRs:
 *   0x00000000-0x00001FFF  architectural (VMX and SVM bitmaps)
 *   0x40000000-0x40001FFF  hypervisor MSRs (no bitmap: always intercepted)
 *   0xC0000000-0xC0001FFF  AMD64 (VMX and SVM bitmaps)
 *   0xC0010000-0xC0011FFF  AMD's own MSRs (HWCR, SYSCFG, VM_CR, VM_HSAVE_PA,
 *                          the GHCB MSR...): SVM's permission map only (AMD
 *                          APM vol. 2, "MSR Intercepts"); VMX has no bitmap
 *                          for it, kvm_intel intercepts all of it and
 *                          implements some of it (HWCR, SYSCFG...)
 * msrf_gen_window(n) for n < MSRF_GEN_NWINDOWS, ascending; 0 past the end.
 */
#define MSRF_GEN_NWINDOWS	4
#define MSRF_GEN_WINDOW_SIZE	0x2000u
uint32_t msrf_gen_window(unsigned int n);

/*
 * A 64-bit FNV-1a digest of what KVM is given: flags, then per slot flags,
 * nmsrs, base and, for a slot with nmsrs != 0, its ceil(nmsrs / 8) bitmap
 * bytes (capped at MSRF_MAX_BITMAP_BYTES; bitmap_kind ignored).  The same
 * in the guest and on the host, so a guest can tell the runner which
 * filter it saw (the audit, x86/msr_audit.c).
 */
uint64_t msrf_digest(const struct msrf_filter *f);

/* ---- Names ---------------------------------------------------------------- */

/* "V", "GP", "X(F)", "X(U)", "X(I)", "IGNORED"; "?" for anything else. */
const char *msrf_outcome_name(enum msrf_outcome o);
/* "OK", "INVAL", "UNKNOWN". */
const char *msrf_kvm_class_name(enum msrf_kvm_class c);
/* "0", "EINVAL", "EFAULT", else "?". */
const char *msrf_errno_name(int err);

#endif
