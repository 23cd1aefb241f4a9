/* SPDX-License-Identifier: GPL-2.0-only */
/* Thin wrappers around x86 instructions: CPUID, MSRs, control registers. */
#ifndef X86_PROCESSOR_H
#define X86_PROCESSOR_H

#include "libcflat.h"

#define X86_CR0_PE	BIT(0)
#define X86_CR0_PG	BIT(31)
#define X86_CR4_PAE	BIT(5)
#define X86_EFLAGS_IF	BIT(9)

struct cpuid {
	u32 a, b, c, d;
};

static inline struct cpuid cpuid_indexed(u32 leaf, u32 subleaf)
{
	struct cpuid r;

	asm volatile("cpuid"
		     : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
		     : "0"(leaf), "2"(subleaf));
	return r;
}

static inline struct cpuid cpuid(u32 leaf)
{
	return cpuid_indexed(leaf, 0);
}

/* CPUID.1:ECX bits the suite looks at */
#define CPUID_1_ECX_X2APIC	BIT(21)
#define CPUID_1_ECX_TSC_DEADLINE BIT(24)
#define CPUID_1_ECX_HYPERVISOR	BIT(31)
#define CPUID_1_EDX_APIC	BIT(9)

static inline bool cpu_has_x2apic(void)
{
	return cpuid(1).c & CPUID_1_ECX_X2APIC;
}

static inline bool cpu_has_apic(void)
{
	return cpuid(1).d & CPUID_1_EDX_APIC;
}

/* Plain RDMSR/WRMSR: fault if the access faults.  Tests use the _safe forms. */
static inline u64 rdmsr(u32 index)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index) : "memory");
	return lo | ((u64)hi << 32);
}

static inline void wrmsr(u32 index, u64 val)
{
	asm volatile("wrmsr"
		     : : "a"((u32)val), "d"((u32)(val >> 32)), "c"(index)
		     : "memory");
}

static inline u64 read_cr0(void)
{
	u64 v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline u64 read_cr3(void)
{
	u64 v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline u64 read_cr4(void)
{
	u64 v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline u64 read_rflags(void)
{
	u64 v;

	asm volatile("pushf; pop %0" : "=r"(v));
	return v;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | ((u64)hi << 32);
}

static inline void irq_enable(void)
{
	asm volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	asm volatile("cli" ::: "memory");
}

/* STI's one-instruction shadow lets a pending interrupt hit inside the NOP. */
static inline void safe_halt_window(void)
{
	asm volatile("sti; nop; cli" ::: "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

#endif
