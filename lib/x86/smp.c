// SPDX-License-Identifier: GPL-2.0-only
#include "libcflat.h"
#include "desc.h"
#include "ctrl.h"
#include "percpu.h"
#include "smp.h"

/* The multiboot entry in x86/cstart64.S: APs come in there too. */
extern char start[];

static u8 ap_stacks[MAX_CPUS][STACK_SIZE] __attribute__((aligned(STACK_SIZE)));

/* Prepares the stack block of 'cpu'; returns its top for the AP's EBX. */
static u32 smp_prepare_ap(unsigned int cpu, void (*fn)(void *arg), void *arg)
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

int smp_start_ap(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
	u32 stack_top = smp_prepare_ap(cpu, fn, arg);
	int st;

	if (!stack_top)
		return -1;
	st = kvmrun_start_ap(cpu, (u32)(unsigned long)start, stack_top);
	return st == KVMRUN_ST_OK ? 0 : -1;
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
