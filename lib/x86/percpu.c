// SPDX-License-Identifier: GPL-2.0-only
#include "percpu.h"

struct percpu *this_cpu(void)
{
	unsigned long sp;

	asm volatile("mov %%rsp, %0" : "=r"(sp));
	return percpu_of_stack(sp);
}

void percpu_init(struct percpu *pc, u32 cpu)
{
	pc->magic = PERCPU_MAGIC;
	pc->cpu = cpu;
	pc->ex_vector = EX_NONE;
	pc->ex_error_code = 0;
	pc->ex_rip = 0;
}

unsigned int smp_id(void)
{
	return this_cpu()->cpu;
}
