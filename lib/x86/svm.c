// SPDX-License-Identifier: GPL-2.0-only
/*
 * A minimal L1 hypervisor on AMD SVM: see svm.h.  VMCB offsets are the
 * APM's (Vol. 2, appendix B): the control area at 0, the state save area
 * at 0x400.
 */
#include "libcflat.h"
#include "msr.h"
#include "processor.h"
#include "nested.h"
#include "svm.h"

/* Control area */
#define C_INTERCEPT_EXC		0x008
#define C_INTERCEPT_MISC1	0x00c	/* bit 28 MSR_PROT, bit 31 SHUTDOWN */
#define C_INTERCEPT_MISC2	0x010	/* bit 0 VMRUN, bit 1 VMMCALL */
#define C_IOPM_BASE		0x040
#define C_MSRPM_BASE		0x048
#define C_ASID			0x058
#define C_TLB_CTL		0x05c
#define C_INT_CTL		0x060
#define C_EXITCODE		0x070
#define C_EXITINFO1		0x078
#define C_EXITINFO2		0x080
#define C_CLEAN			0x0c0
/* State save area */
#define S_ES			0x400	/* 16 bytes per segment: sel, attr, limit, base */
#define S_CS			0x410
#define S_SS			0x420
#define S_DS			0x430
#define S_FS			0x440
#define S_GS			0x450
#define S_GDTR			0x460
#define S_IDTR			0x480
#define S_TR			0x490
#define S_CPL			0x4cb
#define S_EFER			0x4d0
#define S_CR4			0x548
#define S_CR3			0x550
#define S_CR0			0x558
#define S_DR7			0x560
#define S_DR6			0x568
#define S_RFLAGS		0x570
#define S_RIP			0x578
#define S_RSP			0x5d8
#define S_RAX			0x5f8
#define S_GPAT			0x668

#define MISC1_MSR_PROT		BIT(28)
#define MISC1_SHUTDOWN		BIT(31)
#define MISC2_VMRUN		BIT(0)
#define MISC2_VMMCALL		BIT(1)

#define L2_STACK_SIZE		4096

static u8 vmcb[4096] __attribute__((aligned(4096)));
static u8 hsave[4096] __attribute__((aligned(4096)));
static u8 msrpm[MSRF_SVM_MSRPM_BYTES] __attribute__((aligned(4096)));
static u8 iopm[3 * 4096] __attribute__((aligned(4096)));
static u8 l2_stack[L2_STACK_SIZE] __attribute__((aligned(16)));

#define V64(off)	(*(volatile u64 *)(vmcb + (off)))
#define V32(off)	(*(volatile u32 *)(vmcb + (off)))
#define V16(off)	(*(volatile u16 *)(vmcb + (off)))
#define V8(off)		(*(volatile u8 *)(vmcb + (off)))

/*
 * L2 calls svm_l2_fn, then executes VMMCALL.  If something faults or
 * exits to L1 first, L1 sees that exit instead and never resumes L2: the
 * next run starts here again.  L2 shares L1's code, data and library, so
 * a test may give it any function (nested.h).
 */
void (*svm_l2_fn)(void);
asm(".pushsection .text\n"
    ".globl svm_l2_entry\n"
    "svm_l2_entry:\n\t"
    "call *svm_l2_fn(%rip)\n\t"
    "vmmcall\n\t"
    "ud2\n"
    ".popsection");
void svm_l2_entry(void);

/*
 * VMRUN with L2's RCX/RDX/RBX from regs[0..2]; at the exit, L2's RCX, RDX
 * and RBX go back to regs[].  The other GPRs hold L2's values at #VMEXIT
 * (only RAX, RSP and RIP are L1's again), so everything but RSP is
 * clobbered.  GIF is cleared around VMRUN as the APM recommends and set
 * again after the exit (#VMEXIT leaves it clear).
 */
static void vmrun(u64 vmcb_pa, u64 *regs)
{
	asm volatile("push %%rbp\n\t"
		     "push %%rsi\n\t"
		     "mov 0(%%rsi), %%rcx\n\t"
		     "mov 8(%%rsi), %%rdx\n\t"
		     "mov 16(%%rsi), %%rbx\n\t"
		     "clgi\n\t"
		     "vmrun\n\t"
		     "stgi\n\t"
		     "pop %%rsi\n\t"
		     "mov %%rcx, 0(%%rsi)\n\t"
		     "mov %%rdx, 8(%%rsi)\n\t"
		     "mov %%rbx, 16(%%rsi)\n\t"
		     "pop %%rbp"
		     : "+a"(vmcb_pa), "+S"(regs)
		     :
		     : "rbx", "rcx", "rdx", "rdi", "r8", "r9", "r10", "r11",
		       "r12", "r13", "r14", "r15", "memory", "cc");
}

bool svm_supported(void)
{
	if (cpuid(0x80000000).a < 0x8000000a)
		return false;
	return cpuid(0x80000001).c & BIT(2);
}

static bool svm_uses_bitmap(void)
{
	return V32(C_INTERCEPT_MISC1) & MISC1_MSR_PROT;
}

static void svm_use_bitmap(bool on)
{
	if (on)
		V32(C_INTERCEPT_MISC1) |= MISC1_MSR_PROT;
	else
		V32(C_INTERCEPT_MISC1) &= ~MISC1_MSR_PROT;
}

static void set_seg(u32 off, u16 sel, u16 attr, u32 limit, u64 base)
{
	V16(off) = sel;
	V16(off + 2) = attr;
	V32(off + 4) = limit;
	V64(off + 8) = base;
}

struct dtr {
	u16 limit;
	u64 base;
} __attribute__((packed));

bool svm_init(const char **why)
{
	struct dtr gdtr, idtr;
	u16 cs, ds;

	if (!svm_supported()) {
		*why = "no SVM in CPUID (0x80000001 ECX bit 2, leaf 0x8000000A)";
		return false;
	}
	/* VM_CR.SVMDIS (bit 4) set: SVM disabled by the platform. */
	if (rdmsr(MSR_VM_CR) & BIT(4)) {
		*why = "VM_CR.SVMDIS is set";
		return false;
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, (u64)(uintptr_t)hsave);

	memset(vmcb, 0, sizeof(vmcb));
	memset(msrpm, 0xff, sizeof(msrpm));
	memset(iopm, 0xff, sizeof(iopm));

	/* Every exception, so that L1 sees what L0 injects into L2. */
	V32(C_INTERCEPT_EXC) = 0xffffffff;
	V32(C_INTERCEPT_MISC1) = MISC1_MSR_PROT | MISC1_SHUTDOWN;
	/* VMRUN must be intercepted, or VMRUN fails (APM 15.5.1). */
	V32(C_INTERCEPT_MISC2) = MISC2_VMRUN | MISC2_VMMCALL;
	V64(C_IOPM_BASE) = (u64)(uintptr_t)iopm;
	V64(C_MSRPM_BASE) = (u64)(uintptr_t)msrpm;
	V32(C_ASID) = 1;
	V8(C_TLB_CTL) = 1;	/* flush this ASID at VMRUN */
	V64(C_INT_CTL) = BIT(24);	/* V_INTR_MASKING: L1 keeps its IF */

	asm volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	asm volatile("mov %%cs, %0; mov %%ds, %1" : "=r"(cs), "=r"(ds));
	/* attributes: type, S, DPL, P, AVL, L, D/B, G (APM 15.5.1) */
	set_seg(S_CS, cs, 0xa9b, 0xffffffff, 0);
	set_seg(S_DS, ds, 0xc93, 0xffffffff, 0);
	set_seg(S_ES, ds, 0xc93, 0xffffffff, 0);
	set_seg(S_SS, ds, 0xc93, 0xffffffff, 0);
	set_seg(S_FS, ds, 0xc93, 0xffffffff, 0);
	set_seg(S_GS, ds, 0xc93, 0xffffffff, 0);
	set_seg(S_TR, 0, 0x8b, 0x67, 0);
	set_seg(S_GDTR, 0, 0, gdtr.limit, gdtr.base);
	set_seg(S_IDTR, 0, 0, idtr.limit, idtr.base);
	V8(S_CPL) = 0;
	V64(S_EFER) = rdmsr(MSR_EFER);	/* SVME set: VMRUN requires it */
	V64(S_CR0) = read_cr0();
	V64(S_CR3) = read_cr3();
	V64(S_CR4) = read_cr4();
	V64(S_DR6) = 0xffff0ff0;
	V64(S_DR7) = 0x400;
	V64(S_GPAT) = rdmsr(MSR_IA32_CR_PAT);
	return true;
}

static void svm_run(void (*fn)(void), struct l2_run *r)
{
	u64 regs[3] = { 0, 0, 0 };

	svm_l2_fn = fn;
	V64(S_RIP) = (u64)(uintptr_t)svm_l2_entry;
	V64(S_RSP) = (u64)(uintptr_t)(l2_stack + L2_STACK_SIZE);
	V64(S_RFLAGS) = 0x2;		/* IF clear: L2 takes no interrupts */
	V64(S_RAX) = 0;
	V32(C_CLEAN) = 0;		/* L1 rewrote the VMCB: reload it all */
	vmrun((u64)(uintptr_t)vmcb, regs);
	memset(r, 0, sizeof(*r));
	r->code = V64(C_EXITCODE);
	r->qual = V64(C_EXITINFO1);
	r->rcx = regs[0];
	r->rdx = regs[1];
	r->rax = V64(S_RAX);
	r->req = l2_req;
	r->vector = -1;
	if (r->code == SVM_EXIT_MSR) {
		/* EXITINFO1: 0 read, 1 write */
		r->end = L2_END_MSR;
		r->msr_write = r->qual == 1;
		snprintf(r->name, sizeof(r->name), "MSR %s", r->msr_write ? "write" : "read");
		return;
	}
	if (r->code >= SVM_EXIT_EXCP_BASE && r->code < SVM_EXIT_EXCP_BASE + 32) {
		r->end = L2_END_EXCEPTION;
		r->vector = (int)(r->code - SVM_EXIT_EXCP_BASE);
		snprintf(r->name, sizeof(r->name), "exception %d", r->vector);
		return;
	}
	r->end = r->code == SVM_EXIT_VMMCALL ? L2_END_CALL : L2_END_OTHER;
	switch (r->code) {
	case SVM_EXIT_VMMCALL:
		snprintf(r->name, sizeof(r->name), "VMMCALL");
		break;
	case SVM_EXIT_SHUTDOWN:
		snprintf(r->name, sizeof(r->name), "SHUTDOWN");
		break;
	case SVM_EXIT_INVALID:
		snprintf(r->name, sizeof(r->name), "VMEXIT_INVALID");
		break;
	default:
		snprintf(r->name, sizeof(r->name), "exit 0x%lx", (unsigned long)r->code);
	}
}

const struct nested_ops svm_nested_ops = {
	.name = "svm",
	.vendor = MSRF_VENDOR_SVM,
	.init = svm_init,
	.bitmap = msrpm,
	.uses_bitmap = svm_uses_bitmap,
	.use_bitmap = svm_use_bitmap,
	.run = svm_run,
};
