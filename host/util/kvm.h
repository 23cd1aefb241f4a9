/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM pieces shared by kvmrun and ioctl-test: uapi definitions Debian's 6.1
 * <linux/kvm.h> lacks (doc/abi.md §1), the conversion of a filter description into
 * the KVM_X86_SET_MSR_FILTER argument, the multiboot entry state and CPUID
 * fix-ups.
 */
#ifndef HOST_KVMRUN_KVM_H
#define HOST_KVMRUN_KVM_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "msrfilter.h"

/* Added to the uapi in 6.2 (doc/abi.md §1) */
#ifndef KVM_MSR_FILTER_RANGE_VALID_MASK
#define KVM_MSR_FILTER_RANGE_VALID_MASK (KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE)
#endif
#ifndef KVM_MSR_FILTER_VALID_MASK
#define KVM_MSR_FILTER_VALID_MASK (KVM_MSR_FILTER_DEFAULT_DENY)
#endif
#ifndef KVM_MSR_EXIT_REASON_VALID_MASK
#define KVM_MSR_EXIT_REASON_VALID_MASK (KVM_MSR_EXIT_REASON_INVAL | \
					KVM_MSR_EXIT_REASON_UNKNOWN | \
					KVM_MSR_EXIT_REASON_FILTER)
#endif

_Static_assert(sizeof(struct kvm_msr_filter) == 392, "x86-64 kvm_msr_filter");
_Static_assert(KVM_X86_SET_MSR_FILTER == 0x4188aec6, "ioctl number");
_Static_assert(KVM_MSR_FILTER_MAX_RANGES == MSRF_MAX_RANGES, "uapi/model");
_Static_assert(KVM_MSR_FILTER_MAX_BITMAP_SIZE == MSRF_MAX_BITMAP_BYTES, "uapi/model");

/*
 * ioctl() on a KVM file descriptor.  kvmrun defines it (host/kvmrun/vm.c);
 * the control-port unit test defines its own, so the code that issues
 * requests runs without KVM.
 */
int kvm_ioctl(int fd, unsigned long req, void *arg);

/* The 32-bit (compat) ioctl number: same command, 260-byte struct. */
#define KVM_X86_SET_MSR_FILTER_COMPAT 0x4104aec6

/*
 * Host memory that makes bitmap pointers fault on purpose: 'unmapped' is
 * KFILTER_UNMAPPED_SIZE inaccessible bytes; 'edge' holds one slot per range
 * (a readable page followed by an inaccessible one) for
 * MSRF_BITMAP_EDGE bitmaps.
 */
#define KFILTER_UNMAPPED_SIZE	(2 * 4096)
struct kfilter_mem {
	uint8_t *unmapped;
	uint8_t *edge;
};

/* Returns 0, or -1 with errno set (mmap/mprotect failed). */
int kfilter_mem_init(struct kfilter_mem *m);
void kfilter_mem_free(struct kfilter_mem *m);

/*
 * The address, in slot 'slot' of the edge area, where a 'bytes'-long
 * bitmap ends exactly at the inaccessible page.  The bytes are copied.
 */
void *kfilter_edge(struct kfilter_mem *m, unsigned int slot, const void *bytes,
		   uint32_t len);

/*
 * Build the ioctl argument for f: fields copied raw; bitmap pointers by
 * bitmap_kind (DATA: f's own bitmap, NULL, UNMAPPED: m->unmapped, EDGE: a
 * copy of the ceil(nmsrs/8) bytes ending at an inaccessible page).
 */
void kfilter_from_msrf(const struct msrf_filter *f, struct kvm_msr_filter *kf,
		       struct kfilter_mem *m);

/*
 * The multiboot entry state: 32-bit protected mode, paging off, flat 4 GiB
 * code (0x08) and data (0x10) segments, CR0 = PE|ET, EFER = 0, IF = 0.
 * sregs must come from KVM_GET_SREGS (TR and LDTR are kept).
 */
void x86_entry_sregs(struct kvm_sregs *s);
void x86_entry_regs(struct kvm_regs *r, uint32_t eip, uint32_t eax, uint32_t ebx);

#define CPUID_1_ECX_X2APIC	(1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE	(1u << 24)

/*
 * Per-vCPU CPUID from KVM_GET_SUPPORTED_CPUID's list 'in': x2apic < 0
 * keeps the x2APIC bit, 0 clears it, 1 sets it; APIC ID = 'apic_id' in
 * leaf 1 EBX[31:24] and leaves 0xB / 0x1F EDX.  'out' must hold in->nent
 * entries.
 */
void x86_cpuid_fixup(const struct kvm_cpuid2 *in, struct kvm_cpuid2 *out,
		     int x2apic, uint32_t apic_id);
/* CPUID.1:ECX.x2APIC in a list (0 when leaf 1 is missing). */
bool x86_cpuid_has_x2apic(const struct kvm_cpuid2 *c);
#define CPUID_7_EDX_ARCH_CAPABILITIES	(1u << 29)
/* CPUID.7.0:EDX.ARCH_CAPABILITIES forced on (1) or off (0); < 0: unchanged. */
void x86_cpuid_set_arch_caps(struct kvm_cpuid2 *c, int on);
/* Drop the hypervisor leaves 0x40000000-0x400000ff (KVM's PV signature). */
void x86_cpuid_drop_kvm_pv(struct kvm_cpuid2 *c);
/* Set CPUID.1:ECX.TSC_DEADLINE in every leaf-1 entry. */
void x86_cpuid_set_tsc_deadline(struct kvm_cpuid2 *c);

/* KVM_GET_SUPPORTED_CPUID (malloc'ed), or NULL with errno set. */
struct kvm_cpuid2 *kvm_supported_cpuid(int sys_fd);

#endif
