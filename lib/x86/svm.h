/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal L1 hypervisor on AMD SVM (APM Vol. 2, chapter 15), enough to
 * run one L2 function and see what became of its RDMSR/WRMSR.
 *
 * L2 runs in long mode on the guest's own page tables, GDT and IDT (no
 * nested paging, same CS/DS), on a stack of its own, at CPL 0.  Every run
 * starts L2 afresh at svm_l2_entry, which takes its request from
 * svm_l2_req, does one RDMSR or WRMSR, stores what it got and executes
 * VMMCALL.  L1 intercepts VMMCALL, every exception (so a #GP that L0
 * injects into L2 comes back to L1 as exit 0x4d), shutdown and the MSRs
 * whose permission-map bits are set.
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

/* L1's MSR permission map (MSRF_SVM_MSRPM_BYTES), all-intercept at init. */
u8 *svm_msrpm(void);
/* Set or clear L1's intercept of (index, type) in the permission map. */
void svm_intercept_msr(u32 index, u32 type, bool intercept);
/* The model's view of L1 (struct msrf_l1) for the current map. */
void svm_l1_view(struct msrf_l1 *l1);

/* What L2 is asked to do in one run, and what it left behind. */
struct svm_l2_req {
	u32 index;
	u32 write;
	u64 value;		/* written, or read */
	u32 done;		/* L2 reached VMMCALL after the access */
};

/* What one run of L2 ended with, as L1 saw it. */
struct svm_run {
	u64 exit_code;
	u64 info1, info2;
	u64 rcx, rax, rdx;	/* L2's registers at the exit */
	struct svm_l2_req req;	/* L2's copy after the run */
};

/*
 * Start L2 at svm_l2_entry for one access and return at its first exit
 * to L1.
 */
void svm_run_l2(u32 index, bool write, u64 value, struct svm_run *r);

/* The request L2's default function works on. */
extern struct svm_l2_req svm_l2_req;
/* Run fn as L2 (then VMMCALL) and return at its first exit to L1. */
void svm_run_l2_fn(void (*fn)(void), struct svm_run *r);

/* The vector of an exception intercept exit, or -1. */
int svm_exit_vector(const struct svm_run *r);

/* "MSR", "VMMCALL", "#GP", ...: for report lines. */
const char *svm_exit_name(u64 code);

#endif
