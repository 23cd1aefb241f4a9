// SPDX-License-Identifier: GPL-2.0-only
#include "libcflat.h"
#include "apic.h"
#include "desc.h"
#include "processor.h"

u64 apic_base(void)
{
	return rdmsr(MSR_IA32_APICBASE);
}

enum apic_mode apic_mode_of(u64 base)
{
	bool en = base & APIC_BASE_EN, extd = base & APIC_BASE_EXTD;

	if (!en)
		return extd ? APIC_MODE_INVALID : APIC_MODE_DISABLED;
	return extd ? APIC_MODE_X2APIC : APIC_MODE_XAPIC;
}

enum apic_mode apic_mode(void)
{
	return apic_mode_of(apic_base());
}

const char *apic_mode_name(enum apic_mode mode)
{
	switch (mode) {
	case APIC_MODE_DISABLED:
		return "disabled";
	case APIC_MODE_INVALID:
		return "invalid";
	case APIC_MODE_XAPIC:
		return "xAPIC";
	case APIC_MODE_X2APIC:
		return "x2APIC";
	}
	return "?";
}

int apic_base_write(u64 val)
{
	return wrmsr_safe(MSR_IA32_APICBASE, val);
}

int apic_set_mode(enum apic_mode mode)
{
	u64 base = apic_base() & ~(APIC_BASE_EN | APIC_BASE_EXTD);

	switch (mode) {
	case APIC_MODE_DISABLED:
		break;
	case APIC_MODE_INVALID:
		base |= APIC_BASE_EXTD;
		break;
	case APIC_MODE_XAPIC:
		base |= APIC_BASE_EN;
		break;
	case APIC_MODE_X2APIC:
		base |= APIC_BASE_EN | APIC_BASE_EXTD;
		break;
	}
	return apic_base_write(base);
}

static volatile u32 *xapic_reg(u32 reg)
{
	return (volatile u32 *)((apic_base() & APIC_BASE_ADDR_MASK) + reg);
}

u32 xapic_read(u32 reg)
{
	return *xapic_reg(reg);
}

void xapic_write(u32 reg, u32 val)
{
	*xapic_reg(reg) = val;
}

u64 x2apic_read(u32 reg)
{
	return rdmsr(APIC_REG_TO_MSR(reg));
}

void x2apic_write(u32 reg, u64 val)
{
	wrmsr(APIC_REG_TO_MSR(reg), val);
}

static u32 x2apic_read32(u32 reg)
{
	return x2apic_read(reg);
}

u32 apic_read(u32 reg)
{
	if (apic_mode() == APIC_MODE_X2APIC)
		return x2apic_read(reg);
	return xapic_read(reg);
}

void apic_write(u32 reg, u32 val)
{
	if (apic_mode() == APIC_MODE_X2APIC)
		x2apic_write(reg, val);
	else
		xapic_write(reg, val);
}

/* The x2APIC ID is the whole register; the xAPIC ID is bits 31:24. */
u32 apic_id(void)
{
	if (apic_mode() == APIC_MODE_X2APIC)
		return x2apic_read(APIC_ID);
	return xapic_read(APIC_ID) >> 24;
}

/*
 * Where 'vector' stands in the local APIC, as an INFO line: printed when a
 * delivery count is off, it tells "never accepted" (IRR clear) from
 * "accepted, not delivered" (IRR set) from "delivered, not EOIed" (ISR).
 * The caller says the mode: apic_mode() reads IA32_APIC_BASE, which a
 * deny-all filter may turn into a #GP.
 */
void apic_report_vector(u8 vector, bool x2apic)
{
	u32 off = vector / 32 * 0x10, bit = 1u << (vector % 32);
	u32 (*rd)(u32 reg) = x2apic ? x2apic_read32 : xapic_read;

	report_info("vector 0x%x: IRR %u, ISR %u, TPR 0x%x, PPR 0x%x", vector,
		    !!(rd(APIC_IRR + off) & bit), !!(rd(APIC_ISR + off) & bit),
		    rd(APIC_TPR), rd(APIC_PPR));
}
