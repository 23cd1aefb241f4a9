/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest as an L1 hypervisor, whichever the CPU offers: one interface
 * over lib/x86/svm.c (AMD SVM) and lib/x86/vmx.c (Intel VMX), so that a
 * test asks "run this L2 function, what became of it" without caring
 * which instruction set did it.
 *
 * L2 runs in long mode on L1's own page tables, GDT and IDT, at CPL 0, on
 * a stack of its own.  Every run starts L2 afresh: it calls the function
 * it was given (by default one RDMSR or WRMSR as l2_req says), then
 * leaves with VMMCALL / VMCALL.  L1 intercepts every exception (so a #GP
 * that L0 injects into L2 comes back to L1 as an exception exit), that
 * call, shutdown / triple fault, and the MSRs whose bitmap bits are set.
 * L1 does not intercept I/O, so L2 may use the control port and the
 * console itself.
 */
#ifndef X86_NESTED_H
#define X86_NESTED_H

#include "libcflat.h"
#include "msrfilter.h"

/* What L2 is asked to do in one run, and what it left behind. */
struct l2_req {
	u32 index;
	u32 write;
	u64 value;		/* written, or read */
	u32 done;		/* L2 finished its access */
};

/* The request L2's default function works on (L2 shares L1's memory). */
extern struct l2_req l2_req;

/* One RDMSR or WRMSR as l2_req says, ECX/EAX/EDX as the operands. */
void l2_msr_access(void);

enum l2_end {
	L2_END_CALL,		/* VMMCALL / VMCALL: L2 got to its end */
	L2_END_MSR,		/* an MSR intercept exit to L1 */
	L2_END_EXCEPTION,	/* an exception intercept exit */
	L2_END_ENTRY_FAIL,	/* VMX: VM entry failed (exit reason bit 31) */
	L2_END_OTHER,		/* anything else, or L1's VMRUN/VMLAUNCH failed */
};

/* What one run of L2 ended with, as L1 saw it. */
struct l2_run {
	enum l2_end end;
	u64 code;		/* SVM exit code / VMX exit reason, as the CPU gave it */
	u64 qual;		/* SVM EXITINFO1 / VMX exit qualification */
	bool msr_write;		/* L2_END_MSR: WRMSR, not RDMSR */
	int vector;		/* L2_END_EXCEPTION: the vector */
	u64 rcx, rax, rdx;	/* L2's registers at the exit */
	struct l2_req req;	/* L2's copy after the run */
	char name[40];		/* for report lines: "MSR write", "#GP", ... */
};

struct nested_ops {
	const char *name;		/* "svm", "vmx": the report prefix */
	enum msrf_vendor vendor;
	/* Set up L1 (and the L2 control block); false with a reason. */
	bool (*init)(const char **why);
	/* L1's MSR bitmap (the model's layout for vendor), all-intercept at init */
	u8 *bitmap;
	/* Whether L1 has the CPU use it (VMX "use MSR bitmaps", SVM MSR_PROT) */
	bool (*uses_bitmap)(void);
	/*
	 * Switch that control (on at init).  Off: on VMX every RDMSR/WRMSR
	 * of L2 exits to L1, on SVM none does.
	 */
	void (*use_bitmap)(bool on);
	/* Run fn as L2 (then the call to L1); return at its first exit. */
	void (*run)(void (*fn)(void), struct l2_run *r);
};

extern const struct nested_ops svm_nested_ops;
extern const struct nested_ops vmx_nested_ops;

/*
 * The vendor this CPU offers (CPUID: SVM 0x80000001 ECX[2], VMX 1 ECX[5]),
 * or NULL with *why saying that the host gives the guest neither.
 */
const struct nested_ops *nested_probe(const char **why);

/* Set or clear L1's intercept of (index, MSRF_ACCESS_*) in its bitmap. */
void nested_intercept_msr(const struct nested_ops *ops, u32 index, u32 type,
			  bool intercept);
/* The model's view of L1's MSR intercepts now. */
void nested_l1_view(const struct nested_ops *ops, struct msrf_l1 *l1);

/* Run l2_msr_access for one RDMSR (write false) or WRMSR of value. */
void nested_run_msr(const struct nested_ops *ops, u32 index, bool write,
		    u64 value, struct l2_run *r);

#endif
