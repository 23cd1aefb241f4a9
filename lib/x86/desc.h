/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IDT, exception handlers and exception fixups.
 *
 * A fixup lets an instruction that may fault (RDMSR, WRMSR, a test's UD2...)
 * resume at a chosen address instead of killing the test.  The vector and
 * error code of the last fixed-up exception are kept in the per-CPU area,
 * which is found from the stack pointer, not through GS: tests change
 * GS_BASE and KERNEL_GS_BASE, and kvm-unit-tests' GS-relative bookkeeping
 * breaks exactly then.
 */
#ifndef X86_DESC_H
#define X86_DESC_H

#include "libcflat.h"

#define DE_VECTOR	0
#define DB_VECTOR	1
#define NMI_VECTOR	2
#define BP_VECTOR	3
#define UD_VECTOR	6
#define NM_VECTOR	7
#define DF_VECTOR	8
#define TS_VECTOR	10
#define NP_VECTOR	11
#define SS_VECTOR	12
#define GP_VECTOR	13
#define PF_VECTOR	14
#define AC_VECTOR	17
#define MC_VECTOR	18

#define KERNEL_CS	0x08
#define KERNEL_DS	0x10

/* Layout pushed by the stubs in lib/x86/isr.S (keep in sync). */
struct ex_regs {
	u64 rax, rcx, rdx, rbx;
	u64 rbp, rsi, rdi;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 vector;
	u64 error_code;
	u64 rip, cs, rflags, rsp, ss;
};

typedef void (*ex_handler_t)(struct ex_regs *regs);

/* Install (or with NULL remove) a handler for any vector 0-255. */
void handle_exception(u8 vector, ex_handler_t handler);
void setup_idt(void);
void load_idt(void);	/* on an AP: reuse the BSP's IDT */
const char *exception_name(unsigned int vector);

/*
 * Exception-table entry: a fault at 'from' resumes at 'to'.  Entries live in
 * the __ex_table section collected by x86/flat.lds.
 */
#define ASM_EXTABLE(from, to)				\
	".pushsection __ex_table, \"a\"\n\t"		\
	".balign 8\n\t"					\
	".quad " #from ", " #to "\n\t"			\
	".popsection\n\t"

/* Result of the last fixed-up exception on this CPU. */
struct ex_record {
	u32 vector;	/* 0 would be #DE, so 'none' is EX_NONE */
	u32 error_code;
	u64 rip;	/* where it was raised (the fixup's 'from') */
};
#define EX_NONE		0xffffffffu

struct percpu;
struct percpu *this_cpu(void);
void ex_record_clear(void);
struct ex_record ex_record_get(void);

/*
 * The vector an instruction raised, or 0 for none.  #DE (vector 0) is
 * reported as 0 too, but none of the _safe helpers can raise #DE.
 */
static inline int ex_vector(struct ex_record r)
{
	return r.vector == EX_NONE ? 0 : (int)r.vector;
}

/*
 * RDMSR/WRMSR that return the vector (0 = none) instead of faulting; the
 * error code is stored through 'err' when not NULL.
 */
int rdmsr_safe_err(u32 index, u64 *val, u32 *err);
int wrmsr_safe_err(u32 index, u64 val, u32 *err);

static inline int rdmsr_safe(u32 index, u64 *val)
{
	return rdmsr_safe_err(index, val, NULL);
}

static inline int wrmsr_safe(u32 index, u64 val)
{
	return wrmsr_safe_err(index, val, NULL);
}

/* Executes UD2 under a fixup: returns the vector seen (UD_VECTOR). */
int ud2_safe(void);
/* Reads 8 bytes at 'addr' under a fixup; returns the vector (0 = none). */
int read_safe_err(const void *addr, u64 *val, u32 *err);

#endif
