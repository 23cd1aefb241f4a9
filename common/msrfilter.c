// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reference model of KVM's userspace MSR filter (see msrfilter.h and
 * doc/abi.md, cited below as "doc/abi.md §n").
 *
 * Freestanding on purpose: it is linked into the guest images and into the
 * host programs, so it includes nothing beyond the compiler's own headers.
 */
#include <stddef.h>

#include "msrfilter.h"

bool msrf_is_x2apic(uint32_t index)
{
	return index >= MSRF_X2APIC_FIRST && index <= MSRF_X2APIC_LAST;
}

/* ---- The decision ---------------------------------------------------------- */

/* Bit 'bit' of the bitmap: byte bit / 8, bit bit % 8 (little-endian longs). */
static bool bitmap_bit(const struct msrf_range *r, uint32_t bit)
{
	if (bit >= MSRF_MAX_NMSRS)
		return false;
	return (r->bitmap[bit / 8] >> (bit % 8)) & 1;
}

bool msrf_test_bit(const struct msrf_range *r, uint32_t index)
{
	uint32_t bit = index - r->base;

	if (bit >= r->nmsrs)
		return false;
	return bitmap_bit(r, bit);
}

/*
 * The end is computed in u32 like KVM does: a range whose base + nmsrs
 * wraps has end < base, so "base <= index < end" never holds and the range
 * matches nothing (doc/abi.md §2.6).
 */
static bool range_matches(const struct msrf_range *r, uint32_t index,
			  uint32_t type)
{
	uint32_t end = r->base + r->nmsrs;

	return index >= r->base && index < end && (r->flags & type);
}

bool msrf_allowed(const struct msrf_filter *f, uint32_t index, uint32_t type)
{
	int i;

	if (msrf_is_x2apic(index))
		return true;
	if (!f)
		return true;

	/* Zero-length ranges were never installed: skip them. */
	for (i = 0; i < MSRF_MAX_RANGES; i++) {
		const struct msrf_range *r = &f->ranges[i];

		if (r->nmsrs && range_matches(r, index, type))
			return bitmap_bit(r, index - r->base);
	}
	return !(f->flags & MSRF_DEFAULT_DENY);
}

/* ---- The ioctl's validation ------------------------------------------------ */

bool msrf_is_empty(const struct msrf_filter *f)
{
	int i;

	for (i = 0; i < MSRF_MAX_RANGES; i++)
		if (f->ranges[i].nmsrs)
			return false;
	return true;
}

uint32_t msrf_bitmap_bytes(uint32_t nmsrs)
{
	return (uint32_t)(((uint64_t)nmsrs + 7) / 8);
}

/* In 64 bits: nmsrs + 63 overflows u32 for nmsrs near 0xffffffff. */
uint32_t msrf_copy_bytes(uint32_t nmsrs)
{
	return (uint32_t)(((uint64_t)nmsrs + 63) / 64 * 8);
}

/* kvm_add_msr_filter(): flags, then size, then the bitmap copy. */
static int validate_range(const struct msrf_range *r)
{
	if (r->flags & ~MSRF_RANGE_VALID_MASK)
		return MSRF_EINVAL;
	if (!r->flags)
		return MSRF_EINVAL;
	if (msrf_copy_bytes(r->nmsrs) > MSRF_MAX_BITMAP_BYTES)
		return MSRF_EINVAL;

	switch (r->bitmap_kind) {
	case MSRF_BITMAP_DATA:
		return 0;
	case MSRF_BITMAP_EDGE:
		/* memdup_user() of the rounded size runs into the hole */
		if (msrf_copy_bytes(r->nmsrs) > msrf_bitmap_bytes(r->nmsrs))
			return MSRF_EFAULT;
		return 0;
	case MSRF_BITMAP_NULL:
	case MSRF_BITMAP_UNMAPPED:
	default:
		return MSRF_EFAULT;
	}
}

/* kvm_vm_ioctl_set_msr_filter(), after the struct was copied in. */
int msrf_validate(const struct msrf_filter *f)
{
	int i, err;

	if (f->flags & ~MSRF_VALID_MASK)
		return MSRF_EINVAL;
	if (msrf_is_empty(f) && (f->flags & MSRF_DEFAULT_DENY))
		return MSRF_EINVAL;

	/* A zero-length range is skipped before any of its fields is read. */
	for (i = 0; i < MSRF_MAX_RANGES; i++) {
		if (!f->ranges[i].nmsrs)
			continue;
		err = validate_range(&f->ranges[i]);
		if (err)
			return err;
	}
	return 0;
}

/* kvm_vm_ioctl_enable_cap(), case KVM_CAP_X86_USER_SPACE_MSR. */
int msrf_exit_mask_errno(uint64_t mask)
{
	return (mask & ~(uint64_t)MSRF_EXIT_VALID_MASK) ? MSRF_EINVAL : 0;
}

/* ---- x2APIC registers ------------------------------------------------------ */

/*
 * Source: arch/x86/kvm/lapic.c (torvalds/linux, 2026), register offset =
 * (msr - 0x800) << 4.  Everything below is what those functions do in x2APIC
 * mode with an in-kernel LAPIC; in any other state kvm_x2apic_msr_read() /
 * kvm_x2apic_msr_write() return 1 before looking at the register.
 *
 * Reads, kvm_lapic_msr_read() + kvm_lapic_reg_read() +
 * kvm_lapic_readable_reg_mask():
 *   ICR (0x830) is always readable (64-bit); otherwise only the registers of
 *   the readable mask; ARBPRI/APR (0x809), DFR (0x80E) and ICR2 (0x831) are
 *   dropped from it in x2APIC mode; EOI, RRD, SELF_IPI and the reserved
 *   slots were never in it; offsets above 0x3F0 (MSRs 0x840-0x8FF) fail;
 *   LVT_CMCI only when kvm_lapic_lvt_supported(LVT_CMCI), i.e. MCG_CMCI_P.
 * Writes, kvm_lapic_msr_write() + kvm_lapic_reg_write():
 *   ICR goes to __kvm_x2apic_icr_write(), which fails on
 *   X2APIC_ICR_RESERVED_BITS (bits 31:20, 17:16, 13); every other register
 *   fails when bits 63:32 are set; then the register switch: ID, LDR, DFR,
 *   ICR2 fail in x2APIC mode; registers without a case (VERSION, APR, PPR,
 *   RRD, ISR/TMR/IRR, TMCCT, reserved, 0x840+) fail; ESR fails for a
 *   non-zero value in x2APIC mode; SELF_IPI fails when bits above 7:0 are
 *   set; LVT_CMCI fails unless supported; TPR, EOI (any value), SVR, LVTs,
 *   TMICT and TDCR accept any 32-bit value.
 * Version notes: the 63:32 rule and the SELF_IPI reserved-bit check come
 * from Sean Christopherson's January 2023 series (lore
 * 20230107011025.565472-*), the ICR reserved-bit check from his July 2024
 * series (lore 20240719235107.3023592-*); both went to stable.  Kernels
 * without them accept those values (V instead of GP / X(I)).
 */
#define APIC_MSR(msr)		(1ull << ((msr) - MSRF_X2APIC_FIRST))
#define APIC_MSRS(first, n)	(APIC_MSR(first) * ((1ull << (n)) - 1))

#define X2APIC_ID		0x802u
#define X2APIC_VERSION		0x803u
#define X2APIC_TPR		0x808u
#define X2APIC_PPR		0x80Au
#define X2APIC_EOI		0x80Bu
#define X2APIC_LDR		0x80Du
#define X2APIC_SVR		0x80Fu
#define X2APIC_ISR		0x810u
#define X2APIC_TMR		0x818u
#define X2APIC_IRR		0x820u
#define X2APIC_ESR		0x828u
#define X2APIC_LVT_CMCI		0x82Fu
#define X2APIC_ICR		0x830u
#define X2APIC_LVT_TIMER	0x832u	/* ...0x837 LVT_ERROR */
#define X2APIC_TMICT		0x838u
#define X2APIC_TMCCT		0x839u
#define X2APIC_TDCR		0x83Eu
#define X2APIC_SELF_IPI		0x83Fu

#define X2APIC_ICR_RESERVED	(0xFFF00000ull | 0x30000ull | 0x2000ull)

static const uint64_t x2apic_readable =
	APIC_MSR(X2APIC_ID) | APIC_MSR(X2APIC_VERSION) | APIC_MSR(X2APIC_TPR) |
	APIC_MSR(X2APIC_PPR) | APIC_MSR(X2APIC_LDR) | APIC_MSR(X2APIC_SVR) |
	APIC_MSRS(X2APIC_ISR, 8) | APIC_MSRS(X2APIC_TMR, 8) |
	APIC_MSRS(X2APIC_IRR, 8) | APIC_MSR(X2APIC_ESR) |
	APIC_MSR(X2APIC_ICR) | APIC_MSRS(X2APIC_LVT_TIMER, 6) |
	APIC_MSR(X2APIC_TMICT) | APIC_MSR(X2APIC_TMCCT) |
	APIC_MSR(X2APIC_TDCR);

static const uint64_t x2apic_writable =
	APIC_MSR(X2APIC_TPR) | APIC_MSR(X2APIC_EOI) | APIC_MSR(X2APIC_SVR) |
	APIC_MSR(X2APIC_ESR) | APIC_MSR(X2APIC_ICR) |
	APIC_MSRS(X2APIC_LVT_TIMER, 6) | APIC_MSR(X2APIC_TMICT) |
	APIC_MSR(X2APIC_TDCR) | APIC_MSR(X2APIC_SELF_IPI);

/* Registers 0x800-0x83F as a bit mask, features applied. */
static bool x2apic_in(uint64_t mask, uint32_t index, uint32_t features)
{
	if (features & MSRF_X2APIC_CMCI)
		mask |= APIC_MSR(X2APIC_LVT_CMCI);
	if (index < MSRF_X2APIC_FIRST || index >= MSRF_X2APIC_FIRST + 64)
		return false;
	return (mask >> (index - MSRF_X2APIC_FIRST)) & 1;
}

static bool x2apic_write_value_ok(uint32_t index, uint64_t value)
{
	if (index == X2APIC_ICR)
		return !(value & X2APIC_ICR_RESERVED);
	if (value >> 32)
		return false;
	if (index == X2APIC_ESR)
		return value == 0;
	if (index == X2APIC_SELF_IPI)
		return !(value & ~0xFFull);
	return true;
}

enum msrf_kvm_class msrf_x2apic_class_ex(uint32_t index, uint32_t type,
					 uint64_t value,
					 enum msrf_apic_mode mode,
					 enum msrf_irqchip irqchip,
					 uint32_t features)
{
	if (irqchip == MSRF_IRQCHIP_NONE || mode != MSRF_APIC_X2APIC)
		return MSRF_KVM_INVAL;
	if (!msrf_is_x2apic(index))
		return MSRF_KVM_INVAL;

	if (type != MSRF_ACCESS_WRITE)
		return x2apic_in(x2apic_readable, index, features) ?
		       MSRF_KVM_OK : MSRF_KVM_INVAL;

	if (!x2apic_in(x2apic_writable, index, features))
		return MSRF_KVM_INVAL;
	return x2apic_write_value_ok(index, value) ? MSRF_KVM_OK : MSRF_KVM_INVAL;
}

enum msrf_kvm_class msrf_x2apic_class(uint32_t index, uint32_t type,
				      enum msrf_apic_mode mode,
				      enum msrf_irqchip irqchip)
{
	return msrf_x2apic_class_ex(index, type, 0, mode, irqchip, 0);
}

enum msrf_kvm_class msrf_x2apic_write_class(uint32_t index, uint64_t value,
					    enum msrf_apic_mode mode,
					    enum msrf_irqchip irqchip)
{
	return msrf_x2apic_class_ex(index, MSRF_ACCESS_WRITE, value, mode,
				    irqchip, 0);
}

/* ---- Outcome ---------------------------------------------------------------- */

/*
 * doc/abi.md §5: ignore_msrs acts on "unsupported" only and before the exit
 * decision; INVAL and UNKNOWN exit when their reason bit is enabled,
 * otherwise the vendor code injects #GP.
 */
enum msrf_outcome msrf_outcome_of_class(const struct msrf_ctx *ctx,
					enum msrf_kvm_class cls)
{
	switch (cls) {
	case MSRF_KVM_OK:
		return MSRF_V;
	case MSRF_KVM_INVAL:
		return (ctx->exit_mask & MSRF_EXIT_INVAL) ? MSRF_X_INVAL : MSRF_GP;
	case MSRF_KVM_UNKNOWN:
	default:
		if (ctx->ignore_msrs)
			return MSRF_IGNORED;
		return (ctx->exit_mask & MSRF_EXIT_UNKNOWN) ?
		       MSRF_X_UNKNOWN : MSRF_GP;
	}
}

/* The filter runs first, so a denied MSR reports FILTER even if unknown. */
static enum msrf_outcome outcome(const struct msrf_ctx *ctx, uint32_t index,
				 uint32_t type, enum msrf_kvm_class baseline)
{
	if (!msrf_allowed(ctx->filter, index, type))
		return (ctx->exit_mask & MSRF_EXIT_FILTER) ? MSRF_X_FILTER : MSRF_GP;
	return msrf_outcome_of_class(ctx, baseline);
}

enum msrf_outcome msrf_outcome(const struct msrf_ctx *ctx, uint32_t index,
			       uint32_t type, enum msrf_kvm_class baseline)
{
	if (msrf_is_x2apic(index) && type == MSRF_ACCESS_WRITE)
		return msrf_outcome_write(ctx, index, 0, baseline);
	if (msrf_is_x2apic(index))
		baseline = msrf_x2apic_class(index, type, ctx->apic_mode,
					     ctx->irqchip);
	return outcome(ctx, index, type, baseline);
}

/*
 * kvm_intel sets "virtualize x2APIC mode" only for an in-kernel LAPIC in
 * x2APIC mode (vmx_set_virtual_apic_mode()); see MSRF_CPU_X2APIC_* for the
 * rest.
 */
bool msrf_cpu_handles_write(const struct msrf_ctx *ctx, uint32_t index)
{
	if (ctx->irqchip == MSRF_IRQCHIP_NONE || ctx->apic_mode != MSRF_APIC_X2APIC)
		return false;
	switch (index) {
	case X2APIC_TPR:
		return ctx->cpu_x2apic & MSRF_CPU_X2APIC_TPR;
	case X2APIC_EOI:
	case X2APIC_SELF_IPI:
		return ctx->cpu_x2apic & MSRF_CPU_X2APIC_VID;
	}
	return false;
}

/* The CPU's own check of a write it virtualizes (SDM, see msrfilter.h). */
static enum msrf_outcome cpu_x2apic_write(uint32_t index, uint64_t value)
{
	if (index == X2APIC_EOI)
		return value ? MSRF_GP : MSRF_V;
	return value >> 8 ? MSRF_GP : MSRF_V;
}

enum msrf_outcome msrf_outcome_write(const struct msrf_ctx *ctx,
				     uint32_t index, uint64_t value,
				     enum msrf_kvm_class baseline)
{
	if (msrf_cpu_handles_write(ctx, index))
		return cpu_x2apic_write(index, value);
	if (msrf_is_x2apic(index))
		baseline = msrf_x2apic_write_class(index, value, ctx->apic_mode,
						   ctx->irqchip);
	return outcome(ctx, index, MSRF_ACCESS_WRITE, baseline);
}

/* ---- Nested (doc/abi.md §11) --------------------------------------------------- */

/*
 * VMX (SDM Vol. 3C "VM-Execution Controls", MSR bitmaps): four 1 KiB
 * quarters, read low 0x000, read high 0x400, write low 0x800, write high
 * 0xc00; one bit per MSR.  SVM (APM Vol. 2 "MSR Intercepts"): three 2 KiB
 * vectors at 0x000, 0x800, 0x1000, two bits per MSR, read then write.
 */
bool msrf_l1_bitmap_pos(enum msrf_vendor v, uint32_t index, uint32_t type,
			uint32_t *byte, uint32_t *bit)
{
	bool write = type == MSRF_ACCESS_WRITE;
	uint32_t off, n = index & 0x1fff;

	if (v == MSRF_VENDOR_VMX) {
		if (index <= 0x1fff)
			off = 0;
		else if (index - 0xc0000000u <= 0x1fff)
			off = 0x400;
		else
			return false;
		*byte = off + (write ? 0x800 : 0) + n / 8;
		*bit = n % 8;
		return true;
	}
	if (index <= 0x1fff)
		off = 0;
	else if (index - 0xc0000000u <= 0x1fff)
		off = 0x800;
	else if (index - 0xc0010000u <= 0x1fff)
		off = 0x1000;
	else
		return false;
	*byte = off + n / 4;
	*bit = (n % 4) * 2 + write;
	return true;
}

bool msrf_l1_bitmap_set(enum msrf_vendor v, uint8_t *bitmap, uint32_t index,
			uint32_t type, bool intercept)
{
	uint32_t byte, bit;

	if (!msrf_l1_bitmap_pos(v, index, type, &byte, &bit))
		return false;
	if (intercept)
		bitmap[byte] |= 1u << bit;
	else
		bitmap[byte] &= ~(1u << bit);
	return true;
}

bool msrf_l1_intercepts(const struct msrf_l1 *l1, uint32_t index, uint32_t type)
{
	uint32_t byte, bit;

	/*
	 * Without a bitmap, VMX exits on every RDMSR/WRMSR (SDM "Instructions
	 * That Cause VM Exits Conditionally"), while SVM without MSR_PROT
	 * intercepts none (APM "MSR Intercepts"): KVM's
	 * nested_svm_exit_handled_msr() then hands the exit to L0.
	 */
	if (!l1->use_bitmap)
		return l1->vendor == MSRF_VENDOR_VMX;
	if (!msrf_l1_bitmap_pos(l1->vendor, index, type, &byte, &bit))
		return true;
	return l1->bitmap[byte] >> bit & 1;
}

/*
 * KVM: nested_svm_exit_handled_msr() and nested_vmx_exit_handled_msr()
 * reflect the exit to L1 when L1's bit (or the lack of one) says so;
 * otherwise L0's ordinary MSR handling runs, filter first.  L0 builds
 * L2's bitmap as L1's OR its own (nested_svm_merge_msrpm() /
 * nested_vmx_prepare_msr_bitmap(), "to honor userspace MSR filters"),
 * so a pass-through by both never bypasses a deny.
 */
enum msrf_outcome msrf_l2_outcome(const struct msrf_ctx *ctx,
				  const struct msrf_l1 *l1, uint32_t index,
				  uint32_t type, uint64_t value,
				  enum msrf_kvm_class baseline)
{
	struct msrf_ctx l0 = *ctx;

	if (msrf_l1_intercepts(l1, index, type))
		return MSRF_L1_EXIT;
	l0.cpu_x2apic = 0;
	if (type == MSRF_ACCESS_WRITE)
		return msrf_outcome_write(&l0, index, value, baseline);
	return msrf_outcome(&l0, index, type, baseline);
}

static const struct {
	uint32_t from;
	int filtered;
	const char *commit;
} vmx_lists_history[] = {
	{ MSRF_KVER(5, 18), 0, "ac8d6cad3c7b" },
	{ MSRF_KVER(6, 12), 1, "653ea4489e69" },
};

int msrf_vmx_lists_filtered(uint32_t kver, const char **commit)
{
	int i, n = sizeof(vmx_lists_history) / sizeof(vmx_lists_history[0]);

	for (i = n - 1; i >= 0; i--) {
		if (kver >= vmx_lists_history[i].from) {
			if (commit)
				*commit = vmx_lists_history[i].commit;
			return vmx_lists_history[i].filtered;
		}
	}
	if (commit)
		*commit = NULL;
	return -1;
}

bool msrf_parse_kver(const char *release, uint32_t *kver)
{
	uint32_t v[2] = { 0, 0 };
	const char *p = release;
	int i;

	for (i = 0; i < 2; i++) {
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9') {
			v[i] = v[i] * 10 + (uint32_t)(*p++ - '0');
			if (v[i] > 0xffff)
				return false;
		}
		if (i == 0 && *p++ != '.')
			return false;
	}
	*kver = MSRF_KVER(v[0], v[1]);
	return true;
}

int msrf_vmx_list_stop(const struct msrf_filter *f, uint32_t kver,
		       enum msrf_vmx_list l, const uint32_t *index, unsigned int n)
{
	uint32_t type = l == MSRF_VMX_EXIT_STORE ? MSRF_ACCESS_READ : MSRF_ACCESS_WRITE;
	int filtered = msrf_vmx_lists_filtered(kver, NULL);
	unsigned int i;

	if (filtered <= 0)
		return filtered;
	if (!f)
		return 0;
	for (i = 0; i < n; i++)
		if (!msrf_allowed(f, index[i], type))
			return (int)i + 1;
	return 0;
}

/* ---- Building filters --------------------------------------------------------- */

static void range_clear_bitmap(struct msrf_range *r)
{
	uint32_t i;

	for (i = 0; i < MSRF_MAX_BITMAP_BYTES; i++)
		r->bitmap[i] = 0;
}

void msrf_filter_init(struct msrf_filter *f, uint32_t flags)
{
	int i;

	f->flags = flags;
	for (i = 0; i < MSRF_MAX_RANGES; i++) {
		struct msrf_range *r = &f->ranges[i];

		r->flags = 0;
		r->nmsrs = 0;
		r->base = 0;
		r->bitmap_kind = MSRF_BITMAP_DATA;
		range_clear_bitmap(r);
	}
}

static bool slot_used(const struct msrf_range *r)
{
	return r->flags || r->nmsrs || r->base || r->bitmap_kind != MSRF_BITMAP_DATA;
}

static void range_fill(struct msrf_range *r, bool allow)
{
	uint32_t n = r->nmsrs < MSRF_MAX_NMSRS ? r->nmsrs : MSRF_MAX_NMSRS;
	uint32_t bit;

	range_clear_bitmap(r);
	if (!allow)
		return;
	for (bit = 0; bit < n; bit++)
		r->bitmap[bit / 8] |= 1u << (bit % 8);
}

int msrf_add_range(struct msrf_filter *f, uint32_t base, uint32_t nmsrs,
		   uint32_t flags, bool allow_all)
{
	struct msrf_range *r;
	int slot = MSRF_MAX_RANGES;

	while (slot > 0 && !slot_used(&f->ranges[slot - 1]))
		slot--;
	if (slot == MSRF_MAX_RANGES)
		return -1;

	r = &f->ranges[slot];
	r->flags = flags;
	r->nmsrs = nmsrs;
	r->base = base;
	r->bitmap_kind = MSRF_BITMAP_DATA;
	range_fill(r, allow_all);
	return slot;
}

void msrf_set_bit(struct msrf_range *r, uint32_t index, bool allow)
{
	uint32_t bit = index - r->base;

	if (bit >= r->nmsrs || bit >= MSRF_MAX_NMSRS)
		return;
	if (allow)
		r->bitmap[bit / 8] |= 1u << (bit % 8);
	else
		r->bitmap[bit / 8] &= ~(1u << (bit % 8));
}

/* ---- The generator ---------------------------------------------------------- */

static const uint32_t gen_windows[MSRF_GEN_NWINDOWS] = {
	0x00000000u, 0x40000000u, 0xC0000000u, 0xC0010000u,
};

uint32_t msrf_gen_window(unsigned int n)
{
	return n < MSRF_GEN_NWINDOWS ? gen_windows[n] : 0;
}

/* splitmix64: tiny, stateless apart from one u64, good enough for tests. */
static uint64_t gen_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint32_t gen_below(uint64_t *state, uint32_t n)
{
	return (uint32_t)(gen_next(state) % n);
}

/* Pick base and nmsrs inside one window, sometimes inside 'prev'. */
static void gen_extent(struct msrf_range *r, uint64_t *s,
		       const struct msrf_range *prev)
{
	static const uint32_t max_len[4] = { 8, 64, 1024, MSRF_GEN_WINDOW_SIZE };
	uint32_t window, room, len;

	if (prev && gen_below(s, 3) == 0) {
		r->base = prev->base + gen_below(s, prev->nmsrs);
	} else {
		window = gen_windows[gen_below(s, MSRF_GEN_NWINDOWS)];
		r->base = window + gen_below(s, MSRF_GEN_WINDOW_SIZE);
	}
	window = r->base & ~(MSRF_GEN_WINDOW_SIZE - 1);
	room = window + MSRF_GEN_WINDOW_SIZE - r->base;
	len = 1 + gen_below(s, max_len[gen_below(s, 4)]);
	r->nmsrs = len < room ? len : room;
}

static void gen_bits(struct msrf_range *r, uint64_t *s)
{
	uint32_t pattern = gen_below(s, 4), bit;

	if (pattern < 2) {
		range_fill(r, pattern == 0);
		return;
	}
	range_clear_bitmap(r);
	for (bit = 0; bit < r->nmsrs; bit++)
		if (gen_below(s, 2))
			r->bitmap[bit / 8] |= 1u << (bit % 8);
}

static const uint32_t gen_kinds[3] = {
	MSRF_READ, MSRF_WRITE, MSRF_READ | MSRF_WRITE,
};

static void gen_range(struct msrf_range *r, uint64_t *s,
		      const struct msrf_range *prev)
{
	r->bitmap_kind = MSRF_BITMAP_DATA;
	if (gen_below(s, 8) == 0) {
		/* KVM never reads these fields of a zero-length range. */
		r->nmsrs = 0;
		r->flags = (uint32_t)gen_next(s);
		r->base = (uint32_t)gen_next(s);
		range_clear_bitmap(r);
		return;
	}
	r->flags = gen_kinds[gen_below(s, 3)];
	gen_extent(r, s, prev);
	gen_bits(r, s);
}

void msrf_generate(struct msrf_filter *f, uint64_t seed)
{
	const struct msrf_range *prev = NULL;
	uint64_t s = seed;
	uint32_t n, i;

	msrf_filter_init(f, gen_below(&s, 2) ? MSRF_DEFAULT_DENY : 0);
	n = 1 + gen_below(&s, MSRF_MAX_RANGES);
	for (i = 0; i < n; i++) {
		gen_range(&f->ranges[i], &s, prev);
		if (f->ranges[i].nmsrs)
			prev = &f->ranges[i];
	}

	/* An empty filter with DEFAULT_DENY would be EINVAL: give it a range. */
	if (msrf_is_empty(f) && (f->flags & MSRF_DEFAULT_DENY)) {
		f->ranges[0].flags = gen_kinds[gen_below(&s, 3)];
		gen_extent(&f->ranges[0], &s, NULL);
		gen_bits(&f->ranges[0], &s);
	}
}

/* ---- Names -------------------------------------------------------------------- */

const char *msrf_outcome_name(enum msrf_outcome o)
{
	switch (o) {
	case MSRF_V:		return "V";
	case MSRF_GP:		return "GP";
	case MSRF_X_FILTER:	return "X(F)";
	case MSRF_X_UNKNOWN:	return "X(U)";
	case MSRF_X_INVAL:	return "X(I)";
	case MSRF_IGNORED:	return "IGNORED";
	case MSRF_L1_EXIT:	return "L1-EXIT";
	}
	return "?";
}

const char *msrf_kvm_class_name(enum msrf_kvm_class c)
{
	switch (c) {
	case MSRF_KVM_OK:	return "OK";
	case MSRF_KVM_INVAL:	return "INVAL";
	case MSRF_KVM_UNKNOWN:	return "UNKNOWN";
	}
	return "?";
}

const char *msrf_errno_name(int err)
{
	switch (err) {
	case 0:			return "0";
	case MSRF_EINVAL:	return "EINVAL";
	case MSRF_EFAULT:	return "EFAULT";
	}
	return "?";
}

int msrf_exit_outcome(uint32_t reason)
{
	switch (reason) {
	case MSRF_EXIT_FILTER:
		return MSRF_X_FILTER;
	case MSRF_EXIT_UNKNOWN:
		return MSRF_X_UNKNOWN;
	case MSRF_EXIT_INVAL:
		return MSRF_X_INVAL;
	}
	return -1;
}

int msrf_class_of_baseline(enum msrf_outcome o)
{
	switch (o) {
	case MSRF_V:
		return MSRF_KVM_OK;
	case MSRF_X_UNKNOWN:
		return MSRF_KVM_UNKNOWN;
	case MSRF_X_INVAL:
		return MSRF_KVM_INVAL;
	default:
		return -1;
	}
}

static uint64_t fnv_bytes(uint64_t h, const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint32_t i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t fnv_u32(uint64_t h, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	return fnv_bytes(h, b, 4);
}

uint64_t msrf_digest(const struct msrf_filter *f)
{
	uint64_t h = fnv_u32(0xcbf29ce484222325ull, f->flags);
	unsigned int i;

	for (i = 0; i < MSRF_MAX_RANGES; i++) {
		const struct msrf_range *r = &f->ranges[i];
		uint32_t len = msrf_bitmap_bytes(r->nmsrs);

		h = fnv_u32(h, r->flags);
		h = fnv_u32(h, r->nmsrs);
		h = fnv_u32(h, r->base);
		if (len > MSRF_MAX_BITMAP_BYTES)
			len = MSRF_MAX_BITMAP_BYTES;
		h = fnv_bytes(h, r->bitmap, len);
	}
	return h;
}
