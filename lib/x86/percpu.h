/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU data lives at the lowest address of each CPU's stack block, so
 * this_cpu() is one AND of the stack pointer: no segment base involved.
 */
#ifndef X86_PERCPU_H
#define X86_PERCPU_H

#include "libcflat.h"
#include "desc.h"

#define STACK_SHIFT	14
#define STACK_SIZE	(1ul << STACK_SHIFT)	/* 16 KiB, also the alignment */
#define MAX_CPUS	64
#define PERCPU_MAGIC	0x55504350u		/* "PCPU" */

struct percpu {
	u32 magic;
	u32 cpu;		/* 0 = BSP, then in start order */
	volatile u32 ex_vector;
	volatile u32 ex_error_code;
	volatile u64 ex_rip;
	/* Set by the BSP before it starts this AP (lib/x86/smp.c). */
	void (*ap_fn)(void *arg);
	void *ap_arg;
};

static inline struct percpu *percpu_of_stack(unsigned long sp)
{
	return (struct percpu *)(sp & ~(STACK_SIZE - 1));
}

void percpu_init(struct percpu *pc, u32 cpu);
unsigned int smp_id(void);

#endif
