/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal L1 hypervisor on Intel VMX (SDM Vol. 3C, chapters 24-27),
 * enough to run one L2 function and see what became of its RDMSR/WRMSR;
 * tests use it through nested.h (vmx_nested_ops).
 *
 * VMXON, one VMCS, controls derived from the IA32_VMX_* capability MSRs
 * (the TRUE_* ones where IA32_VMX_BASIC[55] says so), an MSR bitmap, and
 * the three MSR lists of VM entry and VM exit.  No EPT, no VPID, no
 * unrestricted guest: L2 runs in 64-bit mode on L1's page tables.  VMX
 * needs a usable TR in both the host and the guest state, so vmx_init()
 * loads a GDT of its own: the boot GDT's descriptors plus a 64-bit TSS.
 * L1 intercepts VMCALL, every exception (exception bitmap all ones), HLT
 * and the MSRs whose bitmap bits are set; not I/O.
 */
#ifndef X86_VMX_H
#define X86_VMX_H

#include "libcflat.h"
#include "msrfilter.h"

#define MSR_IA32_FEAT_CTL		0x0000003a
#define MSR_IA32_VMX_BASIC		0x00000480
#define MSR_IA32_VMX_MISC		0x00000485

/* Basic exit reasons (SDM Vol. 3D, appendix C) */
#define VMX_EXIT_EXCEPTION	0
#define VMX_EXIT_TRIPLE_FAULT	2
#define VMX_EXIT_HLT		12
#define VMX_EXIT_VMCALL		18
#define VMX_EXIT_RDMSR		31
#define VMX_EXIT_WRMSR		32
#define VMX_EXIT_INVALID_STATE	33
#define VMX_EXIT_MSR_LOAD_FAIL	34
#define VMX_EXIT_ENTRY_FAIL	(1u << 31)	/* in the exit reason: VM entry failed */

/* CPUID.1:ECX.VMX */
bool vmx_supported(void);

/*
 * IA32_FEATURE_CONTROL, CR0/CR4 fixed bits, VMXON, the VMCS for L2; false
 * with a reason on failure.
 */
bool vmx_init(const char **why);


/* One entry of an MSR-load or MSR-store area (SDM "VM-Entry Controls for MSRs"). */
struct vmx_msr_entry {
	u32 index;
	u32 reserved;
	u64 value;
} __attribute__((aligned(16)));

enum vmx_list {
	VMX_LIST_ENTRY_LOAD,	/* loaded at VM entry, after the guest state */
	VMX_LIST_EXIT_STORE,	/* L2's values stored at VM exit */
	VMX_LIST_EXIT_LOAD,	/* loaded at VM exit, after the host state */
	VMX_LISTS,
};

/*
 * Point list l of the VMCS at n entries of e (n = 0: no list).  The
 * entries must stay in place for as long as the VMCS uses them.
 */
void vmx_set_list(enum vmx_list l, struct vmx_msr_entry *e, u32 n);

/*
 * The dedicated PAT fields: load guest_pat at VM entry and host_pat at
 * VM exit (on), or neither; false when the CPU offers no such controls.
 * Reads the capability MSRs: call it with their reads allowed.
 */
bool vmx_load_pat(bool on, u64 guest_pat, u64 host_pat);

/* "VM-entry MSR-load", ...: for report lines. */
const char *vmx_list_name(enum vmx_list l);

#endif
