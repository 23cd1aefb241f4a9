// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which x2APIC MSR writes the CPU handles without KVM (Intel SDM Vol. 3C,
 * "Virtualizing MSR-Based APIC Accesses"), from what the host shows:
 *
 * kvm_intel (arch/x86/kvm/vmx/vmx.c, 6.1 to 7.3): vmx_set_virtual_apic_mode()
 * sets "virtualize x2APIC mode" whenever the guest's LAPIC (in-kernel) is
 * in x2APIC mode and the CPU offers that control, which setup_vmcs_config()
 * keeps only with "use TPR shadow"; vmx_update_msr_bitmap_x2apic() then
 * stops intercepting TPR (0x808) reads and writes, APICv or not.  With
 * APICv active (enable_apicv, virtual-interrupt delivery) it also stops
 * intercepting EOI (0x80B) and SELF_IPI (0x83F) writes.  The CPU's
 * controls are read from KVM itself: KVM_GET_MSRS on /dev/kvm returns the
 * VMX capability MSRs KVM offers a nested hypervisor, which are KVM's own
 * controls masked by its nested support (needs kvm_intel.nested=1), and
 * both TPR shadow and "virtualize x2APIC mode" are in that mask.
 * kvm_intel clears enable_apicv when the CPU lacks APICv, so the
 * parameter is the effective value.
 *
 * kvm_amd: without AVIC every x2APIC access is intercepted; with AVIC the
 * model does not know the hardware's rules yet, so the answer is unknown.
 * kvm_pvm has no such hardware (KNOWN, nothing virtualized); an unknown
 * module gives an unknown answer.
 */
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "env.h"
#include "virt.h"
#include "kvmrun_proto.h"

uint32_t virt_x2apic_decide(const struct env_host *h, const struct virt_vmx_ctls *c)
{
	const uint32_t known = KVMRUN_X2APIC_VIRT_KNOWN;

	if (!strcmp(h->vendor_module, "kvm_pvm"))
		return known;
	if (!strcmp(h->vendor_module, "kvm_amd"))
		return h->enable_apicv == 0 ? known : 0;
	if (strcmp(h->vendor_module, "kvm_intel") || !c->valid || h->enable_apicv < 0)
		return 0;
	if (!(c->procbased & VIRT_CTLS_TPR_SHADOW) || !(c->procbased2 & VIRT_CTLS2_X2APIC_MODE))
		return known;
	if (!h->enable_apicv)
		return known | KVMRUN_X2APIC_VIRT_TPR;
	return known | KVMRUN_X2APIC_VIRT_TPR | KVMRUN_X2APIC_VIRT_VID;
}

static void read_vmx_ctls(int sys_fd, struct virt_vmx_ctls *c)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[2];
	} m = {
		.hdr.nmsrs = 2,
		.e = { { .index = VIRT_MSR_VMX_PROCBASED_CTLS },
		       { .index = VIRT_MSR_VMX_PROCBASED_CTLS2 } },
	};

	c->valid = ioctl(sys_fd, KVM_GET_MSRS, &m) == 2;
	c->procbased = c->valid ? m.e[0].data : 0;
	c->procbased2 = c->valid ? m.e[1].data : 0;
}

uint32_t virt_x2apic_probe(int sys_fd, const struct env_host *h)
{
	struct virt_vmx_ctls c = { .valid = false };

	if (!strcmp(h->vendor_module, "kvm_intel"))
		read_vmx_ctls(sys_fd, &c);
	return virt_x2apic_decide(h, &c);
}
