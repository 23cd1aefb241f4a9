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
