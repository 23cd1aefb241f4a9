/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Local APIC helpers: APIC_BASE mode changes, xAPIC MMIO and x2APIC MSRs.
 * Mode names follow the SDM: disabled (EN=0, EXTD=0), xAPIC (EN=1, EXTD=0),
 * x2APIC (EN=1, EXTD=1); EN=0 with EXTD=1 is invalid.
 */
#ifndef X86_APIC_H
#define X86_APIC_H

#include "libcflat.h"
#include "msr.h"

#define APIC_DEFAULT_BASE	0xfee00000ul

/* xAPIC MMIO offsets; the x2APIC MSR is 0x800 + (offset >> 4). */
#define APIC_ID		0x020
#define APIC_LVR	0x030
#define APIC_TPR	0x080
#define APIC_APR	0x090
#define APIC_PPR	0x0a0
#define APIC_EOI	0x0b0
#define APIC_RRD	0x0c0
#define APIC_LDR	0x0d0
#define APIC_DFR	0x0e0
#define APIC_SPIV	0x0f0
#define   APIC_SPIV_ENABLE	BIT(8)
#define APIC_ISR	0x100
#define APIC_TMR	0x180
#define APIC_IRR	0x200
#define APIC_ESR	0x280
#define APIC_LVT_CMCI	0x2f0
#define APIC_ICR	0x300
#define APIC_ICR2	0x310
#define APIC_LVTT	0x320
#define APIC_LVTTHMR	0x330
#define APIC_LVTPC	0x340
#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_LVTERR	0x370
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define APIC_SELF_IPI	0x3f0

#define APIC_REG_TO_MSR(reg)	(MSR_X2APIC_FIRST + ((reg) >> 4))

enum apic_mode {
	APIC_MODE_DISABLED,
	APIC_MODE_INVALID,	/* EN=0, EXTD=1: never accepted */
	APIC_MODE_XAPIC,
	APIC_MODE_X2APIC,
};

u64 apic_base(void);
enum apic_mode apic_mode(void);
enum apic_mode apic_mode_of(u64 base);
const char *apic_mode_name(enum apic_mode mode);
/* Writes APIC_BASE with the mode bits for 'mode'; returns the vector (0 = none). */
int apic_set_mode(enum apic_mode mode);
/* Raw APIC_BASE write; returns the vector (0 = none). */
int apic_base_write(u64 val);

/* xAPIC registers through MMIO at the APIC_BASE address. */
u32 xapic_read(u32 reg);
void xapic_write(u32 reg, u32 val);

/* x2APIC registers through MSRs; these fault outside x2APIC mode. */
u64 x2apic_read(u32 reg);
void x2apic_write(u32 reg, u64 val);

/* Mode-independent access, for tests that run in either mode. */
u32 apic_read(u32 reg);
void apic_write(u32 reg, u32 val);
u32 apic_id(void);
void apic_report_vector(u8 vector, bool x2apic);

#endif
