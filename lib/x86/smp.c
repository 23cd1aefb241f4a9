// SPDX-License-Identifier: GPL-2.0-only
#include "libcflat.h"
#include "desc.h"
#include "percpu.h"
#include "smp.h"

static u8 ap_stacks[MAX_CPUS][STACK_SIZE] __attribute__((aligned(STACK_SIZE)));

/* Prepares the stack block of 'cpu'; returns its top for the AP's EBX. */
u32 smp_prepare_ap(unsigned int cpu, void (*fn)(void *arg), void *arg);
u32 smp_prepare_ap(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
	struct percpu *pc;

	if (cpu == 0 || cpu >= MAX_CPUS)
		return 0;
	pc = (struct percpu *)ap_stacks[cpu];
	percpu_init(pc, cpu);
	pc->ap_fn = fn;
	pc->ap_arg = arg;
	return (u32)(unsigned long)(ap_stacks[cpu] + STACK_SIZE);
}

void ap_main(void);
void __noreturn ap_main(void)
{
	struct percpu *pc = this_cpu();

	load_idt();
	pc->ap_fn(pc->ap_arg);
	for (;;)
		asm volatile("cli; hlt");
}
