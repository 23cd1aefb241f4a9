// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kvm.h"

#define PAGE 4096
#define EDGE_SLOTS MSRF_MAX_RANGES

int kfilter_mem_init(struct kfilter_mem *m)
{
	unsigned int i;
	void *p;

	m->unmapped = NULL;
	m->edge = NULL;
	p = mmap(NULL, KFILTER_UNMAPPED_SIZE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	m->unmapped = p;
	p = mmap(NULL, 2 * PAGE * EDGE_SLOTS, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	m->edge = p;
	for (i = 0; i < EDGE_SLOTS; i++)
		if (mprotect(m->edge + 2 * PAGE * i, PAGE, PROT_READ | PROT_WRITE))
			return -1;
	return 0;
}

void kfilter_mem_free(struct kfilter_mem *m)
{
	if (m->unmapped)
		munmap(m->unmapped, KFILTER_UNMAPPED_SIZE);
	if (m->edge)
		munmap(m->edge, 2 * PAGE * EDGE_SLOTS);
	m->unmapped = m->edge = NULL;
}

void *kfilter_edge(struct kfilter_mem *m, unsigned int slot, const void *bytes,
		   uint32_t len)
{
	uint8_t *end = m->edge + 2 * PAGE * (slot % EDGE_SLOTS) + PAGE;

	if (len > PAGE)
		len = PAGE;
	memcpy(end - len, bytes, len);
	return end - len;
}

void kfilter_from_msrf(const struct msrf_filter *f, struct kvm_msr_filter *kf,
		       struct kfilter_mem *m)
{
	unsigned int i;

	memset(kf, 0, sizeof(*kf));
	kf->flags = f->flags;
	for (i = 0; i < MSRF_MAX_RANGES; i++) {
		const struct msrf_range *r = &f->ranges[i];
		struct kvm_msr_filter_range *k = &kf->ranges[i];
		uint32_t len;

		k->flags = r->flags;
		k->nmsrs = r->nmsrs;
		k->base = r->base;
		switch (r->bitmap_kind) {
		case MSRF_BITMAP_NULL:
			k->bitmap = NULL;
			break;
		case MSRF_BITMAP_UNMAPPED:
			k->bitmap = (__u8 *)m->unmapped;
			break;
		case MSRF_BITMAP_EDGE:
			/* ceil(nmsrs / 8) without overflowing nmsrs + 7 */
			len = r->nmsrs / 8 + (r->nmsrs % 8 != 0);
			if (len > sizeof(r->bitmap))
				len = sizeof(r->bitmap);
			k->bitmap = kfilter_edge(m, i, r->bitmap, len);
			break;
		default:
			k->bitmap = (__u8 *)r->bitmap;
			break;
		}
	}
}

static void flat_seg(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
}

void x86_entry_sregs(struct kvm_sregs *s)
{
	flat_seg(&s->cs, 0x08, 0x0b);	/* execute/read, accessed */
	flat_seg(&s->ds, 0x10, 0x03);	/* read/write, accessed */
	s->es = s->fs = s->gs = s->ss = s->ds;
	/* Multiboot: the GDTR/IDTR may be invalid; the guest loads its own. */
	s->gdt.base = 0;
	s->gdt.limit = 0;
	s->idt.base = 0;
	s->idt.limit = 0;
	s->cr0 = 0x11;			/* PE | ET */
	s->cr2 = 0;
	s->cr3 = 0;
	s->cr4 = 0;
	s->efer = 0;
	memset(s->interrupt_bitmap, 0, sizeof(s->interrupt_bitmap));
}

void x86_entry_regs(struct kvm_regs *r, uint32_t eip, uint32_t eax, uint32_t ebx)
{
	memset(r, 0, sizeof(*r));
	r->rip = eip;
	r->rax = eax;
	r->rbx = ebx;
	r->rflags = 0x2;		/* reserved bit 1; IF = 0 */
}

void x86_cpuid_fixup(const struct kvm_cpuid2 *in, struct kvm_cpuid2 *out,
		     int x2apic, uint32_t apic_id)
{
	uint32_t i;

	out->nent = in->nent;
	out->padding = 0;
	memcpy(out->entries, in->entries, in->nent * sizeof(in->entries[0]));
	for (i = 0; i < out->nent; i++) {
		struct kvm_cpuid_entry2 *e = &out->entries[i];

		if (e->function == 1) {
			e->ebx = (e->ebx & 0x00ffffff) | (apic_id << 24);
			if (x2apic == 0)
				e->ecx &= ~CPUID_1_ECX_X2APIC;
			else if (x2apic > 0)
				e->ecx |= CPUID_1_ECX_X2APIC;
		} else if (e->function == 0xb || e->function == 0x1f) {
			e->edx = apic_id;
		}
	}
}

void x86_cpuid_set_tsc_deadline(struct kvm_cpuid2 *c)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			c->entries[i].ecx |= CPUID_1_ECX_TSC_DEADLINE;
}

void x86_cpuid_set_arch_caps(struct kvm_cpuid2 *c, int on)
{
	uint32_t i;

	for (i = 0; on >= 0 && i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != 7 || e->index != 0)
			continue;
		if (on)
			e->edx |= CPUID_7_EDX_ARCH_CAPABILITIES;
		else
			e->edx &= ~CPUID_7_EDX_ARCH_CAPABILITIES;
	}
}

void x86_cpuid_drop_kvm_pv(struct kvm_cpuid2 *c)
{
	uint32_t i, n = 0;

	for (i = 0; i < c->nent; i++)
		if ((c->entries[i].function & 0xffffff00u) != 0x40000000u)
			c->entries[n++] = c->entries[i];
	c->nent = n;
}

bool x86_cpuid_has_x2apic(const struct kvm_cpuid2 *c)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			return c->entries[i].ecx & CPUID_1_ECX_X2APIC;
	return false;
}

struct kvm_cpuid2 *kvm_supported_cpuid(int sys_fd)
{
	uint32_t nent = 64;

	for (;;) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

		if (!c)
			return NULL;
		c->nent = nent;
		if (!ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, c))
			return c;
		free(c);
		if (errno != E2BIG || nent >= 4096)
			return NULL;
		nent *= 2;
	}
}
