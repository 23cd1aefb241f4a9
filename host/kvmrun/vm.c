// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM setup.  Order (the --filter-when moments marked):
 *   open KVM, check caps -> create VM -> RAM -> TSS/identity map
 *   -> KVM_CAP_X86_USER_SPACE_MSR (--exit-mask; api.rst: the FILTER reason
 *      must be enabled before a filter is installed)
 *   -> [before-irqchip] -> irqchip -> [before-vcpu] -> vCPUs + CPUID
 *   -> [after-vcpu] -> coalesced PIO for the UART data port
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kvmrun.h"
#include "util/util.h"

#define GUARD_SIZE		(64 * 1024)
#define IDENTITY_MAP_ADDR	0xfeffc000ul	/* as QEMU: below the BIOS */
#define TSS_ADDR_LEGACY		0xfffbd000ul	/* QEMU's, without the cap */
#define SPLIT_IRQCHIP_ROUTES	24		/* IOAPIC pins, as QEMU */

int kvm_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

static const char *ename(int e)
{
	static char buf[32];

	return errno_str(e, buf, sizeof(buf));
}

static int check_ext(int fd, long cap)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

static void require_cap(struct vm *vm, long cap, const char *name, const char *why)
{
	if (check_ext(vm->sys_fd, cap) <= 0)
		die(KVMRUN_EXIT_SKIP, "SKIP: %s lacks %s (%s)", vm->opts->kvm_device, name, why);
}

static void open_kvm(struct vm *vm)
{
	const struct kvmrun_opts *o = vm->opts;
	int v;

	vm->sys_fd = open(o->kvm_device, O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0)
		die(KVMRUN_EXIT_SKIP, "SKIP: cannot open %s: %s", o->kvm_device, strerror(errno));
	v = ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION)
		die(KVMRUN_EXIT_SKIP, "SKIP: %s is not a KVM device (API version %d, want %d)",
		    o->kvm_device, v, KVM_API_VERSION);
	require_cap(vm, KVM_CAP_X86_MSR_FILTER, "KVM_CAP_X86_MSR_FILTER", "Linux 5.10+");
	require_cap(vm, KVM_CAP_X86_USER_SPACE_MSR, "KVM_CAP_X86_USER_SPACE_MSR", "Linux 5.10+");
	require_cap(vm, KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", "needed by the watchdog");
	if (o->irqchip == KVMRUN_IRQCHIP_FULL)
		require_cap(vm, KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP", "--irqchip full");
	if (o->irqchip == KVMRUN_IRQCHIP_SPLIT)
		require_cap(vm, KVM_CAP_SPLIT_IRQCHIP, "KVM_CAP_SPLIT_IRQCHIP", "--irqchip split");
	v = check_ext(vm->sys_fd, KVM_CAP_MAX_VCPUS);
	if (v <= 0)
		v = check_ext(vm->sys_fd, KVM_CAP_NR_VCPUS);
	if (v > 0 && o->smp > (unsigned int)v)
		die(KVMRUN_EXIT_SKIP, "SKIP: %s allows %d vCPUs, --smp %u asked", o->kvm_device,
		    v, o->smp);
	vm->cap_msr_filter = check_ext(vm->sys_fd, KVM_CAP_X86_MSR_FILTER);
	vm->cap_user_space_msr = check_ext(vm->sys_fd, KVM_CAP_X86_USER_SPACE_MSR);
	vm->cap_coalesced_pio = check_ext(vm->sys_fd, KVM_CAP_COALESCED_PIO);
}

static void create_ram(struct vm *vm)
{
	struct kvm_userspace_memory_region region;
	uint8_t *p;

	vm->ram_size = (uint64_t)vm->opts->mem_mib << 20;
	vm->guard_size = GUARD_SIZE;
	/* One reservation, so the guard right after RAM is ours for sure. */
	p = mmap(NULL, vm->ram_size + vm->guard_size, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		die(KVMRUN_EXIT_INTERNAL, "cannot reserve %u MiB of guest RAM: %s",
		    vm->opts->mem_mib, strerror(errno));
	if (mprotect(p, vm->ram_size, PROT_READ | PROT_WRITE))
		die(KVMRUN_EXIT_INTERNAL, "mprotect of guest RAM: %s", strerror(errno));
	vm->ram = p;
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = vm->ram_size,
		.userspace_addr = (uintptr_t)p,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region))
		die(KVMRUN_EXIT_INTERNAL, "KVM_SET_USER_MEMORY_REGION: %s", ename(errno));
}

/*
 * VMX without unrestricted guest needs a TSS and an identity-mapped page
 * table for real mode; harmless elsewhere, so failures are ignored (other
 * backends may not implement them).
 */
static void set_tss(struct vm *vm)
{
	uint64_t ident = IDENTITY_MAP_ADDR;

	if (check_ext(vm->sys_fd, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0 &&
	    !ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident))
		(void)ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, IDENTITY_MAP_ADDR + 0x1000);
	else
		(void)ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, TSS_ADDR_LEGACY);
}

static void enable_exit_mask(struct vm *vm, uint32_t mask)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_USER_SPACE_MSR, .args = { mask },
	};

	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap))
		die(KVMRUN_EXIT_INTERNAL, "KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR, %u): %s",
		    mask, ename(errno));
	vm->exit_mask = mask;
}

/* The watchdog's deadline is on CLOCK_MONOTONIC: immune to clock changes. */
static void init_cond(pthread_cond_t *c)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
}

void vm_create(struct vm *vm, const struct kvmrun_opts *o)
{
	memset(vm, 0, sizeof(*vm));
	vm->opts = o;
	vm->page = (size_t)sysconf(_SC_PAGESIZE);
	vm->nvcpus = o->smp;
	pthread_mutex_init(&vm->lock, NULL);
	pthread_mutex_init(&vm->ctrl_lock, NULL);
	init_cond(&vm->cond);
	serial_init(&vm->serial, STDOUT_FILENO);
	msrx_init(&vm->msrx);

	open_kvm(vm);
	vm->vm_fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		die(KVMRUN_EXIT_INTERNAL, "KVM_CREATE_VM: %s", ename(errno));
	create_ram(vm);
	set_tss(vm);
	if (kfilter_mem_init(&vm->kmem))
		die(KVMRUN_EXIT_INTERNAL, "cannot map guard pages: %s", strerror(errno));
	vm->cpuid = kvm_supported_cpuid(vm->sys_fd);
	if (!vm->cpuid)
		die(KVMRUN_EXIT_INTERNAL, "KVM_GET_SUPPORTED_CPUID: %s", ename(errno));
	vm->x2apic_cpuid = o->cpuid_x2apic >= 0 ? o->cpuid_x2apic
						: x86_cpuid_has_x2apic(vm->cpuid);
	/*
	 * KVM emulates the TSC-deadline timer in its LAPIC but leaves the
	 * CPUID bit out of KVM_GET_SUPPORTED_CPUID: like QEMU, offer it when
	 * the LAPIC is in the kernel and KVM says it can.  --cpuid
	 * [+-]tsc_deadline overrides that (a VMM whose userspace LAPIC
	 * offers the timer sets the bit with irqchip none).
	 */
	if (o->cpuid_tsc_deadline >= 0)
		vm->tsc_deadline_cpuid = o->cpuid_tsc_deadline;
	else
		vm->tsc_deadline_cpuid = o->irqchip != KVMRUN_IRQCHIP_NONE &&
			ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	if (o->exit_mask >= 0)
		enable_exit_mask(vm, (uint32_t)o->exit_mask);
}

/* For KVMRUN_OP_GET_FILTER: the description's bytes are what KVM got. */
static void record_start_filter(struct vm *vm, const struct msrf_filter *mf)
{
	unsigned int i;

	memset(&vm->filter, 0, sizeof(vm->filter));
	vm->filter.source = KVMRUN_FILTER_SRC_START;
	vm->filter.flags = mf->flags;
	for (i = 0; i < MSRF_MAX_RANGES; i++) {
		const struct msrf_range *r = &mf->ranges[i];
		bool data = r->bitmap_kind == MSRF_BITMAP_DATA || r->bitmap_kind == MSRF_BITMAP_EDGE;

		filter_record_range(&vm->filter, i, r->flags, r->nmsrs, r->base,
				    data ? r->bitmap : NULL, sizeof(r->bitmap));
	}
}

/* Returns the errno of the startup KVM_X86_SET_MSR_FILTER (0 = accepted). */
static int install_filter(struct vm *vm, const struct msrf_filter *f)
{
	const struct kvmrun_opts *o = vm->opts;
	struct kvm_msr_filter kf;
	int e = 0;

	kfilter_from_msrf(f, &kf, &vm->kmem);
	if (ioctl(vm->vm_fd, KVM_X86_SET_MSR_FILTER, &kf))
		e = errno;
	else
		record_start_filter(vm, f);
	if (!o->filter_expect_set) {
		if (e)
			die(KVMRUN_EXIT_SETUP, "KVM_X86_SET_MSR_FILTER(%s): errno %s", o->filter,
			    ename(e));
		return 0;
	}
	if (e != o->filter_expect_errno)
		die(KVMRUN_EXIT_EXPECT, "KVM_X86_SET_MSR_FILTER(%s): expected errno %s, got %s",
		    o->filter, ename(o->filter_expect_errno), ename(e));
	return e;
}

static void create_irqchip(struct vm *vm)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_SPLIT_IRQCHIP, .args = { SPLIT_IRQCHIP_ROUTES },
	};

	switch (vm->opts->irqchip) {
	case KVMRUN_IRQCHIP_FULL:
		if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0))
			die(KVMRUN_EXIT_INTERNAL, "KVM_CREATE_IRQCHIP: %s", ename(errno));
		break;
	case KVMRUN_IRQCHIP_SPLIT:
		if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap))
			die(KVMRUN_EXIT_INTERNAL, "KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP): %s",
			    ename(errno));
		break;
	}
}

static void create_vcpu(struct vm *vm, struct vcpu *v, unsigned int index)
{
	struct kvm_cpuid2 *c;

	v->vm = vm;
	v->index = index;
	v->state = VCPU_PARKED;
	v->kstats.fd = -1;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (v->fd < 0)
		die(KVMRUN_EXIT_INTERNAL, "KVM_CREATE_VCPU(%u): %s", index, ename(errno));
	v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED)
		die(KVMRUN_EXIT_INTERNAL, "mmap of vCPU %u's kvm_run: %s", index, strerror(errno));
	c = calloc(1, sizeof(*c) + vm->cpuid->nent * sizeof(c->entries[0]));
	if (!c)
		die(KVMRUN_EXIT_INTERNAL, "out of memory");
	x86_cpuid_fixup(vm->cpuid, c, vm->opts->cpuid_x2apic, index);
	if (vm->tsc_deadline_cpuid)
		x86_cpuid_set_tsc_deadline(c);
	x86_cpuid_set_arch_caps(c, vm->opts->cpuid_arch_caps);
	if (vm->opts->cpuid_no_kvm_pv)
		x86_cpuid_drop_kvm_pv(c);
	if (ioctl(v->fd, KVM_SET_CPUID2, c))
		die(KVMRUN_EXIT_INTERNAL, "KVM_SET_CPUID2 on vCPU %u: %s", index, ename(errno));
	free(c);
	if (vm->opts->pv_enforce) {
		struct kvm_enable_cap cap = {
			.cap = KVM_CAP_ENFORCE_PV_FEATURE_CPUID, .args = { 1 },
		};

		if (ioctl(v->fd, KVM_ENABLE_CAP, &cap))
			die(KVMRUN_EXIT_INTERNAL, "KVM_CAP_ENFORCE_PV_FEATURE_CPUID on vCPU %u: %s",
			    index, ename(errno));
	}
}

static void create_vcpus(struct vm *vm)
{
	unsigned int i;
	int size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	if (size < (int)sizeof(struct kvm_run))
		die(KVMRUN_EXIT_INTERNAL, "KVM_GET_VCPU_MMAP_SIZE: %s",
		    size < 0 ? ename(errno) : "too small");
	vm->run_size = (size_t)size;
	vm->vcpus = calloc(vm->nvcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		die(KVMRUN_EXIT_INTERNAL, "out of memory");
	for (i = 0; i < vm->nvcpus; i++)
		create_vcpu(vm, &vm->vcpus[i], i);
}

/*
 * Each COM1 data byte would be one exit (~10 us); queued in the coalesced
 * ring it costs ~0.4 us (doc/performance.md).  Without the cap (or with
 * --no-coalesced-pio): plain exits.  Guests of the suite's library use
 * KVMRUN_OP_CONSOLE_WRITE anyway (one exit per line); the ring is for
 * anything else that writes to COM1.
 */
static void setup_coalesced_pio(struct vm *vm)
{
	struct kvm_coalesced_mmio_zone zone = { .addr = COM1_BASE, .size = 1, .pio = 1 };
	int off = check_ext(vm->sys_fd, KVM_CAP_COALESCED_MMIO);

	if (vm->opts->no_coalesced_pio || vm->cap_coalesced_pio <= 0 || off <= 0 ||
	    (size_t)(off + 1) * vm->page > vm->run_size)
		return;
	if (ioctl(vm->vm_fd, KVM_REGISTER_COALESCED_MMIO, &zone))
		return;
	serial_set_ring(&vm->serial, (void *)((uint8_t *)vm->vcpus[0].run + off * vm->page),
			vm->page);
}

void vm_setup(struct vm *vm, const struct msrf_filter *filter, int *filter_err)
{
	enum filter_when when = vm->opts->filter_when;

	*filter_err = 0;
	if (filter && when == FILTER_BEFORE_IRQCHIP)
		*filter_err = install_filter(vm, filter);
	create_irqchip(vm);
	if (filter && when == FILTER_BEFORE_VCPU)
		*filter_err = install_filter(vm, filter);
	create_vcpus(vm);
	if (filter && when == FILTER_AFTER_VCPU)
		*filter_err = install_filter(vm, filter);
	setup_coalesced_pio(vm);
}

int vcpu_set_entry(struct vcpu *v, uint32_t eip, uint32_t eax, uint32_t ebx)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs))
		return -1;
	x86_entry_sregs(&sregs);
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs))
		return -1;
	x86_entry_regs(&regs, eip, eax, ebx);
	if (ioctl(v->fd, KVM_SET_REGS, &regs))
		return -1;
	/* With an in-kernel LAPIC, APs otherwise wait for INIT/SIPI. */
	if (v->vm->opts->irqchip != KVMRUN_IRQCHIP_NONE && ioctl(v->fd, KVM_SET_MP_STATE, &mp))
		return -1;
	return 0;
}
