/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the CPU itself does with this VM's x2APIC MSR writes, for the
 * guest's model (kvmrun_info.x2apic_virt, common/kvmrun_proto.h).
 */
#ifndef HOST_KVMRUN_VIRT_H
#define HOST_KVMRUN_VIRT_H

#include <stdbool.h>
#include <stdint.h>

/* IA32_VMX_PROCBASED_CTLS / _CTLS2 (allowed-1 settings in bits 63:32) */
#define VIRT_MSR_VMX_PROCBASED_CTLS	0x482u
#define VIRT_MSR_VMX_PROCBASED_CTLS2	0x48bu
#define VIRT_CTLS_TPR_SHADOW		(1ull << (32 + 21))
#define VIRT_CTLS2_X2APIC_MODE		(1ull << (32 + 4))

struct env_host;

/* The VMX controls KVM reports (KVM_GET_MSRS on /dev/kvm). */
struct virt_vmx_ctls {
	bool valid;		/* both MSRs were read */
	uint64_t procbased, procbased2;
};

/*
 * KVMRUN_X2APIC_VIRT_* for the host facts h (vendor module, enable_apicv
 * or avic) and the controls c (a pure function, unit-tested).
 */
uint32_t virt_x2apic_decide(const struct env_host *h, const struct virt_vmx_ctls *c);

/* Read the controls from the system fd, then decide. */
uint32_t virt_x2apic_probe(int sys_fd, const struct env_host *h);

#endif
