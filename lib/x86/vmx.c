// SPDX-License-Identifier: GPL-2.0-only
/*
 * A minimal L1 hypervisor on Intel VMX: see vmx.h.  Field encodings are
 * the SDM's (Vol. 3D, appendix B); control bits its chapter 25.
 */
#include "libcflat.h"
#include "msr.h"
#include "nested.h"
#include "processor.h"
#include "vmx.h"

/* 16-bit fields */
#define G_ES_SEL		0x0800	/* guest ES..TR selectors: +2 each */
#define G_LDTR_SEL		0x080c
#define G_TR_SEL		0x080e
#define H_ES_SEL		0x0c00	/* host ES..GS: +2 each, then TR */
#define H_TR_SEL		0x0c0c
/* 64-bit fields */
#define MSR_BITMAP		0x2004
#define EXIT_MSR_STORE_ADDR	0x2006
#define EXIT_MSR_LOAD_ADDR	0x2008
#define ENTRY_MSR_LOAD_ADDR	0x200a
#define VMCS_LINK_PTR		0x2800
#define G_DEBUGCTL		0x2802
#define G_PAT			0x2804
#define H_PAT			0x2c00
/* 32-bit fields */
#define PIN_CTLS		0x4000
#define PROC_CTLS		0x4002
#define EXC_BITMAP		0x4004
#define CR3_TARGET_COUNT	0x400a
#define EXIT_CTLS		0x400c
#define EXIT_MSR_STORE_COUNT	0x400e
#define EXIT_MSR_LOAD_COUNT	0x4010
#define ENTRY_CTLS		0x4012
#define ENTRY_MSR_LOAD_COUNT	0x4014
#define ENTRY_INTR_INFO		0x4016
#define VM_INSN_ERROR		0x4400
#define EXIT_REASON		0x4402
#define EXIT_INTR_INFO		0x4404
#define G_ES_LIMIT		0x4800	/* guest ES..TR limits: +2 each */
#define G_GDTR_LIMIT		0x4810
#define G_IDTR_LIMIT		0x4812
#define G_ES_AR			0x4814	/* guest ES..TR access rights: +2 each */
#define G_INTERRUPTIBILITY	0x4824
#define G_ACTIVITY		0x4826
#define G_SYSENTER_CS		0x482a
#define H_SYSENTER_CS		0x4c00
/* natural-width fields */
#define CR0_MASK		0x6000
#define CR4_MASK		0x6002
#define CR0_SHADOW		0x6004
#define CR4_SHADOW		0x6006
#define EXIT_QUAL		0x6400
#define G_CR0			0x6800
#define G_CR3			0x6802
#define G_CR4			0x6804
#define G_ES_BASE		0x6806	/* guest ES..TR bases: +2 each */
#define G_GDTR_BASE		0x6816
#define G_IDTR_BASE		0x6818
#define G_DR7			0x681a
#define G_RSP			0x681c
#define G_RIP			0x681e
#define G_RFLAGS		0x6820
#define G_PENDING_DBG		0x6822
#define G_SYSENTER_ESP		0x6824
#define G_SYSENTER_EIP		0x6826
#define H_CR0			0x6c00
#define H_CR3			0x6c02
#define H_CR4			0x6c04
#define H_FS_BASE		0x6c06
#define H_GS_BASE		0x6c08
#define H_TR_BASE		0x6c0a
#define H_GDTR_BASE		0x6c0c
#define H_IDTR_BASE		0x6c0e
#define H_SYSENTER_ESP		0x6c10
#define H_SYSENTER_EIP		0x6c12
#define H_RSP			0x6c14
#define H_RIP			0x6c16

/* Segment order of the guest fields */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

/* Controls */
#define PROC_HLT		BIT(7)
#define PROC_MSR_BITMAPS	BIT(28)
#define EXIT_HOST_64		BIT(9)	/* host address-space size */
#define ENTRY_IA32E_GUEST	BIT(9)
#define ENTRY_LOAD_PAT		BIT(14)
#define EXIT_LOAD_PAT		BIT(19)

/* Capability MSRs: allowed-0 settings in the low half, allowed-1 high. */
#define MSR_VMX_PINBASED	0x481
#define MSR_VMX_PROCBASED	0x482
#define MSR_VMX_EXIT		0x483
#define MSR_VMX_ENTRY		0x484
#define MSR_VMX_CR0_FIXED0	0x486
#define MSR_VMX_CR0_FIXED1	0x487
#define MSR_VMX_CR4_FIXED0	0x488
#define MSR_VMX_CR4_FIXED1	0x489
#define MSR_VMX_TRUE_PIN	0x48d	/* +1 proc, +2 exit, +3 entry */
#define VMX_BASIC_TRUE_CTLS	BIT_ULL(55)

#define FEAT_CTL_LOCKED		BIT(0)
#define FEAT_CTL_VMXON		BIT(2)	/* VMXON outside SMX */
#define CR4_VMXE		BIT(13)

/* VM-instruction errors (SDM Vol. 3C, "VM Instruction Error Numbers") */
#define VMXERR_VMLAUNCH_NOT_CLEAR	4
#define VMXERR_VMRESUME_NOT_LAUNCHED	5

#define GDT_TSS			0x20
#define L2_STACK_SIZE		4096

static u8 vmxon_region[4096] __attribute__((aligned(4096)));
static u8 vmcs[4096] __attribute__((aligned(4096)));
static u8 msr_bitmap[MSRF_VMX_BITMAP_BYTES] __attribute__((aligned(4096)));
static u8 l2_stack[L2_STACK_SIZE] __attribute__((aligned(16)));
static u8 tss[104] __attribute__((aligned(16)));
static u64 gdt[6] __attribute__((aligned(16)));
static bool launched;
static u32 msr_exit_caps, msr_entry_caps;	/* (TRUE_)EXIT/ENTRY_CTLS */
static u32 vmwrite_errors;	/* vmwrites that failed since vmx_init */

struct dtr {
	u16 limit;
	u64 base;
} __attribute__((packed));

/* Each is true when the instruction failed (VMfailInvalid / VMfailValid). */
static bool vmxon(u64 pa)
{
	u8 fail;

	asm volatile("vmxon %1; setbe %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return fail;
}

static bool vmclear(u64 pa)
{
	u8 fail;

	asm volatile("vmclear %1; setbe %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return fail;
}

static bool vmptrld(u64 pa)
{
	u8 fail;

	asm volatile("vmptrld %1; setbe %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return fail;
}

static u64 vmread(u64 field)
{
	u64 v = 0;

	asm volatile("vmread %1, %0" : "=r"(v) : "r"(field) : "cc");
	return v;
}

static void vmwrite(u64 field, u64 v)
{
	u8 fail;

	asm volatile("vmwrite %2, %1; setbe %0" : "=q"(fail) : "r"(field), "r"(v) : "cc");
	if (fail) {
		if (!vmwrite_errors++)
			printf("vmx: VMWRITE 0x%lx failed (VM-instruction error %lu)\n",
			       (unsigned long)field, (unsigned long)vmread(VM_INSN_ERROR));
	}
}

static void write_cr0(u64 v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static void write_cr4(u64 v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* A control word the CPU accepts: must-be-one bits set, may-be-one kept. */
static u32 adjust(u32 msr, u32 want)
{
	u64 cap = rdmsr(msr);

	return (want | (u32)cap) & (u32)(cap >> 32);
}

bool vmx_supported(void)
{
	return cpuid(1).c & BIT(5);
}

/*
 * The boot GDT (x86/cstart64.S: null, 64-bit code 0x08, data 0x10, 32-bit
 * code 0x18) with a 64-bit TSS at 0x20: VM entry checks that the guest's
 * TR is usable and VM exit loads the host's TR from a non-zero selector.
 * The same selectors keep meaning the same descriptors, so nothing reloads.
 */
static void load_gdt_with_tss(void)
{
	u64 base = (u64)(uintptr_t)tss;
	struct dtr d = { .limit = sizeof(gdt) - 1, .base = (u64)(uintptr_t)gdt };

	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffull;
	gdt[2] = 0x00cf93000000ffffull;
	gdt[3] = 0x00cf9b000000ffffull;
	/* limit 0x67, type 9 (available 64-bit TSS), P */
	gdt[4] = (sizeof(tss) - 1) | (base & 0xffffff) << 16 | 0x89ull << 40 |
		 (base >> 24 & 0xff) << 56;
	gdt[5] = base >> 32;
	asm volatile("lgdt %0" : : "m"(d));
	asm volatile("ltr %w0" : : "r"(GDT_TSS));
}

static void guest_seg(int seg, u16 sel, u64 base, u32 limit, u32 ar)
{
	vmwrite(G_ES_SEL + 2 * seg, sel);
	vmwrite(G_ES_BASE + 2 * seg, base);
	vmwrite(G_ES_LIMIT + 2 * seg, limit);
	vmwrite(G_ES_AR + 2 * seg, ar);
}

/* L1's state as both the host state and L2's starting state. */
static void setup_state(void)
{
	struct dtr gdtr, idtr;
	u64 fs = rdmsr(MSR_FS_BASE), gs = rdmsr(MSR_GS_BASE);
	u64 se_cs = rdmsr(MSR_IA32_SYSENTER_CS), se_esp = rdmsr(MSR_IA32_SYSENTER_ESP);
	u64 se_eip = rdmsr(MSR_IA32_SYSENTER_EIP);
	int i;

	asm volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));

	vmwrite(H_CR0, read_cr0());
	vmwrite(H_CR3, read_cr3());
	vmwrite(H_CR4, read_cr4());
	for (i = 0; i < 6; i++)		/* ES, CS, SS, DS, FS, GS */
		vmwrite(H_ES_SEL + 2 * i, i == SEG_CS ? 0x08 : 0x10);
	vmwrite(H_TR_SEL, GDT_TSS);
	vmwrite(H_FS_BASE, fs);
	vmwrite(H_GS_BASE, gs);
	vmwrite(H_TR_BASE, (u64)(uintptr_t)tss);
	vmwrite(H_GDTR_BASE, gdtr.base);
	vmwrite(H_IDTR_BASE, idtr.base);
	vmwrite(H_SYSENTER_CS, se_cs);
	vmwrite(H_SYSENTER_ESP, se_esp);
	vmwrite(H_SYSENTER_EIP, se_eip);

	vmwrite(G_CR0, read_cr0());
	vmwrite(G_CR3, read_cr3());
	vmwrite(G_CR4, read_cr4());
	vmwrite(CR0_SHADOW, read_cr0());
	vmwrite(CR4_SHADOW, read_cr4());
	/* access rights: type, S, DPL, P, AVL, L, D/B, G; bit 16 unusable */
	guest_seg(SEG_CS, 0x08, 0, 0xffffffff, 0xa09b);
	guest_seg(SEG_ES, 0x10, 0, 0xffffffff, 0xc093);
	guest_seg(SEG_SS, 0x10, 0, 0xffffffff, 0xc093);
	guest_seg(SEG_DS, 0x10, 0, 0xffffffff, 0xc093);
	guest_seg(SEG_FS, 0x10, fs, 0xffffffff, 0xc093);
	guest_seg(SEG_GS, 0x10, gs, 0xffffffff, 0xc093);
	guest_seg(SEG_LDTR, 0, 0, 0, 0x10000);
	guest_seg(SEG_TR, GDT_TSS, (u64)(uintptr_t)tss, sizeof(tss) - 1, 0x8b);
	vmwrite(G_GDTR_BASE, gdtr.base);
	vmwrite(G_GDTR_LIMIT, gdtr.limit);
	vmwrite(G_IDTR_BASE, idtr.base);
	vmwrite(G_IDTR_LIMIT, idtr.limit);
	vmwrite(G_DR7, 0x400);
	vmwrite(G_DEBUGCTL, 0);
	vmwrite(G_SYSENTER_CS, se_cs);
	vmwrite(G_SYSENTER_ESP, se_esp);
	vmwrite(G_SYSENTER_EIP, se_eip);
	vmwrite(G_INTERRUPTIBILITY, 0);
	vmwrite(G_ACTIVITY, 0);
	vmwrite(G_PENDING_DBG, 0);
	vmwrite(VMCS_LINK_PTR, ~0ull);
}

static void setup_controls(void)
{
	u32 msr_pin = MSR_VMX_PINBASED, msr_proc = MSR_VMX_PROCBASED;
	u32 msr_exit = MSR_VMX_EXIT, msr_entry = MSR_VMX_ENTRY;

	/* The TRUE_* MSRs let default-1 controls (CR3 exiting...) be 0. */
	if (rdmsr(MSR_IA32_VMX_BASIC) & VMX_BASIC_TRUE_CTLS) {
		msr_pin = MSR_VMX_TRUE_PIN;
		msr_proc = MSR_VMX_TRUE_PIN + 1;
		msr_exit = MSR_VMX_TRUE_PIN + 2;
		msr_entry = MSR_VMX_TRUE_PIN + 3;
	}
	/* No external-interrupt exiting: L2 runs with IF = 0 anyway. */
	vmwrite(PIN_CTLS, adjust(msr_pin, 0));
	vmwrite(PROC_CTLS, adjust(msr_proc, PROC_HLT | PROC_MSR_BITMAPS));
	msr_exit_caps = msr_exit;
	msr_entry_caps = msr_entry;
	vmwrite(EXIT_CTLS, adjust(msr_exit, EXIT_HOST_64));
	vmwrite(ENTRY_CTLS, adjust(msr_entry, ENTRY_IA32E_GUEST));
	vmwrite(EXC_BITMAP, 0xffffffff);
	vmwrite(CR3_TARGET_COUNT, 0);
	vmwrite(CR0_MASK, 0);
	vmwrite(CR4_MASK, 0);
	vmwrite(ENTRY_INTR_INFO, 0);
	vmwrite(MSR_BITMAP, (u64)(uintptr_t)msr_bitmap);
	vmx_set_list(VMX_LIST_ENTRY_LOAD, NULL, 0);
	vmx_set_list(VMX_LIST_EXIT_STORE, NULL, 0);
	vmx_set_list(VMX_LIST_EXIT_LOAD, NULL, 0);
}

bool vmx_init(const char **why)
{
	u64 basic, fc;
	u32 rev;

	if (!vmx_supported()) {
		*why = "no VMX in CPUID (1.ECX bit 5)";
		return false;
	}
	fc = rdmsr(MSR_IA32_FEAT_CTL);
	if (!(fc & FEAT_CTL_LOCKED))
		wrmsr(MSR_IA32_FEAT_CTL, fc | FEAT_CTL_LOCKED | FEAT_CTL_VMXON);
	else if (!(fc & FEAT_CTL_VMXON)) {
		*why = "IA32_FEATURE_CONTROL is locked with VMXON disabled";
		return false;
	}
	basic = rdmsr(MSR_IA32_VMX_BASIC);
	rev = basic & 0x7fffffff;

	/* VMXON requires CR0 and CR4 to obey the fixed bits (NE, VMXE...). */
	write_cr0((read_cr0() | rdmsr(MSR_VMX_CR0_FIXED0)) & rdmsr(MSR_VMX_CR0_FIXED1));
	write_cr4((read_cr4() | rdmsr(MSR_VMX_CR4_FIXED0) | CR4_VMXE) &
		  rdmsr(MSR_VMX_CR4_FIXED1));
	load_gdt_with_tss();

	memset(vmxon_region, 0, sizeof(vmxon_region));
	memcpy(vmxon_region, &rev, 4);
	if (vmxon((u64)(uintptr_t)vmxon_region)) {
		*why = "VMXON failed";
		return false;
	}
	memset(vmcs, 0, sizeof(vmcs));
	memcpy(vmcs, &rev, 4);
	if (vmclear((u64)(uintptr_t)vmcs) ||
	    vmptrld((u64)(uintptr_t)vmcs)) {
		*why = "VMCLEAR or VMPTRLD of the VMCS failed";
		return false;
	}
	launched = false;
	memset(msr_bitmap, 0xff, sizeof(msr_bitmap));
	vmwrite_errors = 0;
	setup_controls();
	setup_state();
	if (vmwrite_errors) {
		*why = "VMWRITE failed while setting up the VMCS";
		return false;
	}
	return true;
}

static bool vmx_uses_bitmap(void)
{
	return vmread(PROC_CTLS) & PROC_MSR_BITMAPS;
}

static void vmx_use_bitmap(bool on)
{
	u32 ctls = vmread(PROC_CTLS);

	vmwrite(PROC_CTLS, on ? ctls | PROC_MSR_BITMAPS : ctls & ~PROC_MSR_BITMAPS);
}

void vmx_set_list(enum vmx_list l, struct vmx_msr_entry *e, u32 n)
{
	static const u64 addr[VMX_LISTS] = {
		ENTRY_MSR_LOAD_ADDR, EXIT_MSR_STORE_ADDR, EXIT_MSR_LOAD_ADDR
	};
	static const u64 count[VMX_LISTS] = {
		ENTRY_MSR_LOAD_COUNT, EXIT_MSR_STORE_COUNT, EXIT_MSR_LOAD_COUNT
	};

	vmwrite(addr[l], n ? (u64)(uintptr_t)e : 0);
	vmwrite(count[l], n);
}

bool vmx_load_pat(bool on, u64 guest_pat, u64 host_pat)
{
	u32 entry = vmread(ENTRY_CTLS), exit = vmread(EXIT_CTLS);

	if (!(rdmsr(msr_entry_caps) >> 32 & ENTRY_LOAD_PAT) ||
	    !(rdmsr(msr_exit_caps) >> 32 & EXIT_LOAD_PAT))
		return false;
	vmwrite(ENTRY_CTLS, on ? entry | ENTRY_LOAD_PAT : entry & ~ENTRY_LOAD_PAT);
	vmwrite(EXIT_CTLS, on ? exit | EXIT_LOAD_PAT : exit & ~EXIT_LOAD_PAT);
	vmwrite(G_PAT, guest_pat);
	vmwrite(H_PAT, host_pat);
	return true;
}

const char *vmx_list_name(enum vmx_list l)
{
	static const char *const names[VMX_LISTS] = {
		"VM-entry MSR-load", "VM-exit MSR-store", "VM-exit MSR-load"
	};

	return l < VMX_LISTS ? names[l] : "?";
}

/*
 * L2 calls vmx_l2_fn, then executes VMCALL; like svm_l2_entry (svm.c),
 * every run starts here afresh.
 */
void (*vmx_l2_fn)(void);
asm(".pushsection .text\n"
    ".globl vmx_l2_entry\n"
    "vmx_l2_entry:\n\t"
    "call *vmx_l2_fn(%rip)\n\t"
    "vmcall\n\t"
    "ud2\n"
    ".popsection");
void vmx_l2_entry(void);

/*
 * VMLAUNCH (or VMRESUME once launched) with L2's RCX/RDX/RBX from
 * regs[0..2].  HOST_RSP is this frame's RSP and HOST_RIP the label after
 * the instruction, so a VM exit lands there with L2's GPRs but L1's RSP:
 * L2's RCX, RDX, RBX and RAX go to regs[0..3].  Returns 0 after a VM exit
 * (which may be a failed VM entry), 1 when the instruction itself failed
 * (VMfailValid / VMfailInvalid).
 */
static int vmenter(bool resume, u64 *regs)
{
	register u64 mode asm("r8") = resume;

	asm volatile("push %%rbp\n\t"
		     "push %%rsi\n\t"
		     "mov $0x6c14, %%rdi\n\t"		/* H_RSP */
		     "vmwrite %%rsp, %%rdi\n\t"
		     "lea 1f(%%rip), %%rax\n\t"
		     "mov $0x6c16, %%rdi\n\t"		/* H_RIP */
		     "vmwrite %%rax, %%rdi\n\t"
		     "mov 0(%%rsi), %%rcx\n\t"
		     "mov 8(%%rsi), %%rdx\n\t"
		     "mov 16(%%rsi), %%rbx\n\t"
		     "test %%r8, %%r8\n\t"
		     "jnz 2f\n\t"
		     "vmlaunch\n\t"
		     "jmp 3f\n"
		     "2:\tvmresume\n"
		     "3:\tmov $1, %%r8d\n\t"		/* fell through: failed */
		     "jmp 4f\n"
		     "1:\txor %%r8d, %%r8d\n"
		     "4:\tpop %%rsi\n\t"
		     "mov %%rcx, 0(%%rsi)\n\t"
		     "mov %%rdx, 8(%%rsi)\n\t"
		     "mov %%rbx, 16(%%rsi)\n\t"
		     "mov %%rax, 24(%%rsi)\n\t"
		     "pop %%rbp"
		     : "+S"(regs), "+r"(mode)
		     :
		     : "rax", "rbx", "rcx", "rdx", "rdi", "r9", "r10", "r11",
		       "r12", "r13", "r14", "r15", "memory", "cc");
	return (int)mode;
}

static void describe(struct l2_run *r)
{
	u32 basic = r->code & 0xffff;
	const char *what;

	r->vector = -1;
	if (r->code & VMX_EXIT_ENTRY_FAIL) {
		r->end = L2_END_ENTRY_FAIL;
		what = basic == VMX_EXIT_MSR_LOAD_FAIL ? "MSR-load failure" :
		       basic == VMX_EXIT_INVALID_STATE ? "invalid guest state" : "other";
		snprintf(r->name, sizeof(r->name), "VM-entry failure (%u, %s, qual %lu)",
			 basic, what, (unsigned long)r->qual);
		return;
	}
	switch (basic) {
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		r->end = L2_END_MSR;
		r->msr_write = basic == VMX_EXIT_WRMSR;
		snprintf(r->name, sizeof(r->name), "MSR %s (exit %u)",
			 r->msr_write ? "write" : "read", basic);
		return;
	case VMX_EXIT_EXCEPTION: {
		u32 info = vmread(EXIT_INTR_INFO);

		r->end = L2_END_EXCEPTION;
		r->vector = info & 0xff;
		snprintf(r->name, sizeof(r->name), "exception %d", r->vector);
		return;
	}
	case VMX_EXIT_VMCALL:
		r->end = L2_END_CALL;
		snprintf(r->name, sizeof(r->name), "VMCALL");
		return;
	}
	r->end = L2_END_OTHER;
	snprintf(r->name, sizeof(r->name), "exit reason %u", basic);
}

static void vmx_run(void (*fn)(void), struct l2_run *r)
{
	u64 regs[4] = { 0, 0, 0, 0 };
	u64 err;
	int fail;

	vmx_l2_fn = fn;
	vmwrite(G_RIP, (u64)(uintptr_t)vmx_l2_entry);
	vmwrite(G_RSP, (u64)(uintptr_t)(l2_stack + L2_STACK_SIZE));
	vmwrite(G_RFLAGS, 0x2);		/* IF clear: L2 takes no interrupts */
	fail = vmenter(launched, regs);
	err = fail ? vmread(VM_INSN_ERROR) : 0;
	/*
	 * Whether a failed VM entry left the VMCS launched is the CPU's (and
	 * L0's) business: the instruction that does not fit says so, and the
	 * other one is right.
	 */
	if (fail && (err == VMXERR_VMLAUNCH_NOT_CLEAR || err == VMXERR_VMRESUME_NOT_LAUNCHED)) {
		launched = !launched;
		fail = vmenter(launched, regs);
		err = fail ? vmread(VM_INSN_ERROR) : 0;
	}
	memset(r, 0, sizeof(*r));
	r->req = l2_req;
	if (fail) {
		r->end = L2_END_OTHER;
		r->code = ~0ull;
		r->vector = -1;
		snprintf(r->name, sizeof(r->name), "%s failed (VM-instruction error %lu)",
			 launched ? "VMRESUME" : "VMLAUNCH", (unsigned long)err);
		return;
	}
	launched = true;
	r->code = vmread(EXIT_REASON);
	r->qual = vmread(EXIT_QUAL);
	r->rcx = regs[0];
	r->rdx = regs[1];
	r->rax = regs[3];
	describe(r);
}

const struct nested_ops vmx_nested_ops = {
	.name = "vmx",
	.vendor = MSRF_VENDOR_VMX,
	.init = vmx_init,
	.bitmap = msr_bitmap,
	.uses_bitmap = vmx_uses_bitmap,
	.use_bitmap = vmx_use_bitmap,
	.run = vmx_run,
};
