/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM's forced-emulation prefix (kvm.force_emulation_prefix): with that
 * module parameter set, "ud2; .byte 'k', 'v', 'm'" in front of an
 * instruction makes KVM skip the prefix and run the instruction through its
 * instruction emulator instead of the hardware (the KVM selftests' KVM_FEP).
 * With the parameter off the UD2 is an ordinary #UD.
 *
 * The _safe helpers return the vector the guest saw (0 = none), like
 * rdmsr_safe(): UD_VECTOR at the prefix means "not honoured", a fault of
 * the emulated instruction is reported at the instruction itself (KVM has
 * already moved RIP past the prefix), so both addresses have a fixup.
 */
#ifndef X86_FEP_H
#define X86_FEP_H

#include "libcflat.h"

#define KVM_FEP		"ud2; .byte 'k', 'v', 'm'\n\t"
#define KVM_FEP_LEN	5

/*
 * Run a forced-emulation NOP: 0 when KVM honoured the prefix, else the
 * vector seen (UD_VECTOR when the parameter is off).
 */
int fep_probe(void);

/* RDMSR / WRMSR through the forced-emulation prefix. */
int rdmsr_fep_safe(u32 index, u64 *val);
int wrmsr_fep_safe(u32 index, u64 val);

/*
 * Where the last fault of a _fep_safe helper was taken: true when it hit
 * the prefix itself (the prefix was not honoured), false when it hit the
 * emulated instruction.  Only meaningful right after a non-zero return.
 */
bool fep_fault_at_prefix(void);

#endif
