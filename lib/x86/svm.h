/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal L1 hypervisor on AMD SVM (APM Vol. 2, chapter 15), enough to
 * run one L2 function and see what became of its RDMSR/WRMSR; tests use
 * it through nested.h (svm_nested_ops).  No nested paging: L2 runs on
 * L1's page tables, same CS/DS.  L1 intercepts VMMCALL, every exception
 * (a #GP that L0 injects into L2 comes back as exit 0x4d), shutdown and
 * the MSRs whose permission-map bits are set.
 */
#ifndef X86_SVM_H
#define X86_SVM_H

#include "libcflat.h"
#include "msrfilter.h"

#define MSR_VM_CR		0xc0010114
#define MSR_VM_HSAVE_PA		0xc0010117
#define EFER_SVME		(1ull << 12)

/* #VMEXIT codes (APM Vol. 2, appendix C) */
#define SVM_EXIT_EXCP_BASE	0x040
#define SVM_EXIT_MSR		0x07c
#define SVM_EXIT_VMMCALL	0x081
#define SVM_EXIT_SHUTDOWN	0x07f
#define SVM_EXIT_INVALID	(-1ull)

/* The CPU offers SVM (CPUID 0x80000001 ECX bit 2) and leaf 0x8000000A. */
bool svm_supported(void);

/* EFER.SVME, VM_HSAVE_PA, the VMCB for L2; false with a reason on failure. */
bool svm_init(const char **why);


#endif
