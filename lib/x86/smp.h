/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Secondary CPUs.  Under kvmrun an AP is started through the control port
 * (harness-specific start, common/kvmrun_proto.h): it enters x86/cstart64.S in
 * 32-bit protected mode with EBX = the top of the stack block prepared
 * here, switches to long mode on the BSP's page tables and calls fn(arg).
 */
#ifndef X86_SMP_H
#define X86_SMP_H

#include "libcflat.h"

/* Returns 0, or a negative number when the VMM cannot start CPU 'cpu'. */
int smp_start_ap(unsigned int cpu, void (*fn)(void *arg), void *arg);

#endif
