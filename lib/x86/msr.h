/* SPDX-License-Identifier: GPL-2.0-only */
/* MSR indices used by the suite (Intel SDM vol. 4 / AMD APM vol. 2). */
#ifndef X86_MSR_H
#define X86_MSR_H

#define MSR_IA32_TSC			0x00000010
#define MSR_IA32_APICBASE		0x0000001b
#define   APIC_BASE_BSP			(1ull << 8)
#define   APIC_BASE_EXTD		(1ull << 10)
#define   APIC_BASE_EN			(1ull << 11)
#define   APIC_BASE_ADDR_MASK		0xfffff000ull
#define MSR_IA32_SPEC_CTRL		0x00000048
#define MSR_IA32_PRED_CMD		0x00000049
#define MSR_IA32_FLUSH_CMD		0x0000010b
#define MSR_IA32_SYSENTER_CS		0x00000174
#define MSR_IA32_SYSENTER_ESP		0x00000175
#define MSR_IA32_SYSENTER_EIP		0x00000176
#define MSR_IA32_MISC_ENABLE		0x000001a0
#define MSR_IA32_DEBUGCTL		0x000001d9
#define   DEBUGCTL_LBR			(1ull << 0)
#define MSR_IA32_LASTBRANCHFROMIP	0x000001db
#define MSR_IA32_LASTBRANCHTOIP		0x000001dc
#define MSR_IA32_LASTINTFROMIP		0x000001dd
#define MSR_IA32_LASTINTTOIP		0x000001de
#define MSR_IA32_POWER_CTL		0x000001fc
#define MSR_IA32_CR_PAT			0x00000277
#define MSR_IA32_ARCH_CAPABILITIES	0x0000010a
#define MSR_IA32_TSC_DEADLINE		0x000006e0
#define MSR_X2APIC_FIRST		0x00000800
#define MSR_X2APIC_LAST			0x000008ff
#define MSR_EFER			0xc0000080
#define   EFER_LME			(1ull << 8)
#define MSR_STAR			0xc0000081
#define MSR_LSTAR			0xc0000082
#define MSR_FS_BASE			0xc0000100
#define MSR_GS_BASE			0xc0000101
#define MSR_KERNEL_GS_BASE		0xc0000102
#define MSR_TSC_AUX			0xc0000103

/* The KVM selftests' fabricated MSR: unknown to every KVM. */
#define MSR_FABRICATED			0x474f4f00

/* Added for x86/msr_rules.c (probes next to STAR/LSTAR). */
#define MSR_CSTAR			0xc0000083
#define MSR_SYSCALL_MASK		0xc0000084

#endif
