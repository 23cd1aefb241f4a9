// SPDX-License-Identifier: GPL-2.0-only
/*
 * Forced-emulation RDMSR/WRMSR under exception fixups (see fep.h).
 *
 * Each helper has two fixups: label 1 (the UD2 of the prefix: KVM did not
 * honour it) resumes at 4, which records that; label 3 (the instruction
 * the emulator ran and faulted on) resumes at 2.
 */
#include "libcflat.h"
#include "desc.h"
#include "fep.h"

/* Written by the helpers on the CPU that ran them; tests use one CPU. */
static bool last_at_prefix;

bool fep_fault_at_prefix(void)
{
	return last_at_prefix;
}

int fep_probe(void)
{
	u32 at;

	ex_record_clear();
	asm volatile("movl $0, %k[at]\n\t"
		     "1: " KVM_FEP
		     "3: nop\n\t"
		     "jmp 2f\n\t"
		     "4: movl $1, %k[at]\n\t"
		     "2:\n\t"
		     ASM_EXTABLE(1b, 4b) ASM_EXTABLE(3b, 2b)
		     : [at] "=&r"(at) : : "memory");
	last_at_prefix = at;
	return ex_vector(ex_record_get());
}

int rdmsr_fep_safe(u32 index, u64 *val)
{
	u32 lo = 0, hi = 0, at;
	struct ex_record r;

	ex_record_clear();
	asm volatile("movl $0, %k[at]\n\t"
		     "1: " KVM_FEP
		     "3: rdmsr\n\t"
		     "jmp 2f\n\t"
		     "4: movl $1, %k[at]\n\t"
		     "2:\n\t"
		     ASM_EXTABLE(1b, 4b) ASM_EXTABLE(3b, 2b)
		     : "+a"(lo), "+d"(hi), [at] "=&r"(at) : "c"(index) : "memory");
	r = ex_record_get();
	last_at_prefix = at;
	if (r.vector == EX_NONE)
		*val = lo | ((u64)hi << 32);
	return ex_vector(r);
}

int wrmsr_fep_safe(u32 index, u64 val)
{
	u32 at;

	ex_record_clear();
	asm volatile("movl $0, %k[at]\n\t"
		     "1: " KVM_FEP
		     "3: wrmsr\n\t"
		     "jmp 2f\n\t"
		     "4: movl $1, %k[at]\n\t"
		     "2:\n\t"
		     ASM_EXTABLE(1b, 4b) ASM_EXTABLE(3b, 2b)
		     : [at] "=&r"(at)
		     : "a"((u32)val), "d"((u32)(val >> 32)), "c"(index)
		     : "memory");
	last_at_prefix = at;
	return ex_vector(ex_record_get());
}
