// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control port (protocol: common/kvmrun_proto.h).  Runs in the thread of
 * the vCPU that made the request, while that vCPU is stopped in its OUT.
 * The block is copied out of guest RAM, checked, executed and its results
 * copied back, so a guest changing it meanwhile (another vCPU) cannot make
 * the host read anything it did not check.
 *
 * Linking seam for host/tests/test-kvmrun-ctrl: every KVM call goes through
 * kvm_ioctl(), vcpu_set_entry() and vm->start_vcpu.
 *
 * KVMRUN_OP_CONSOLE_WRITE is the hot one (one request per guest line): it
 * copies nothing but the 48-byte block before handing the line to COM1.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "kvmrun.h"

struct block {
	struct kvmrun_req_hdr hdr;
	union kvmrun_payload u;
};

static const uint32_t payload_size[KVMRUN_OP_MAX + 1] = {
	[KVMRUN_OP_INFO] = sizeof(struct kvmrun_info),
	[KVMRUN_OP_SET_FILTER] = sizeof(struct kvmrun_set_filter),
	[KVMRUN_OP_ENABLE_CAP] = sizeof(struct kvmrun_enable_cap),
	[KVMRUN_OP_SET_POLICY] = sizeof(struct kvmrun_policy),
	[KVMRUN_OP_GET_STATS] = sizeof(struct kvmrun_stats),
	[KVMRUN_OP_RESET_STATS] = 0,
	[KVMRUN_OP_HOST_RDMSR] = sizeof(struct kvmrun_host_msr),
	[KVMRUN_OP_HOST_WRMSR] = sizeof(struct kvmrun_host_msr),
	[KVMRUN_OP_CHECK_EXT] = sizeof(struct kvmrun_check_ext),
	[KVMRUN_OP_START_AP] = sizeof(struct kvmrun_start_ap),
	[KVMRUN_OP_CONSOLE_WRITE] = sizeof(struct kvmrun_console_write),
	[KVMRUN_OP_GET_EXITS] = sizeof(struct kvmrun_exits),
	[KVMRUN_OP_HOST_GET_ONE_REG] = sizeof(struct kvmrun_host_msr),
	[KVMRUN_OP_HOST_SET_ONE_REG] = sizeof(struct kvmrun_host_msr),
	[KVMRUN_OP_GET_FILTER] = sizeof(struct kvmrun_get_filter),
};

static bool in_ram(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	return gpa <= vm->ram_size && len <= vm->ram_size - gpa;
}

/* Run one ioctl and put its outcome in the header. */
static void do_ioctl(struct kvmrun_req_hdr *h, int fd, unsigned long req, void *arg)
{
	int r = kvm_ioctl(fd, req, arg);

	h->ret = r;
	h->err = r < 0 ? errno : 0;
}

static void *bitmap_ptr(struct vm *vm, uint64_t gpa)
{
	if (!gpa)
		return NULL;
	if (gpa < vm->ram_size)
		return vm->ram + gpa;	/* may run into the guard: on purpose */
	return vm->kmem.unmapped + (gpa & 0xfff);
}

static void record_guest_filter(struct vm *vm, const struct kvmrun_msr_filter *g);

static int op_set_filter(struct vm *vm, struct block *b)
{
	const struct kvmrun_set_filter *a = &b->u.set_filter;
	struct kvmrun_msr_filter g;
	struct kvm_msr_filter kf;
	void *arg;
	int i;

	switch (a->struct_mode) {
	case KVMRUN_FILTER_STRUCT_NULL:
		arg = NULL;
		break;
	case KVMRUN_FILTER_STRUCT_UNMAPPED:
		arg = vm->kmem.unmapped;
		break;
	case KVMRUN_FILTER_STRUCT_KERNEL:
		arg = (void *)0xffff800000000000ul;
		break;
	case KVMRUN_FILTER_STRUCT_GUEST:
		if (!in_ram(vm, a->filter_gpa, sizeof(g)))
			return KVMRUN_ST_BADADDR;
		memcpy(&g, vm->ram + a->filter_gpa, sizeof(g));
		memset(&kf, 0, sizeof(kf));
		kf.flags = g.flags;
		for (i = 0; i < KVMRUN_FILTER_MAX_RANGES; i++) {
			kf.ranges[i].flags = g.ranges[i].flags;
			kf.ranges[i].nmsrs = g.ranges[i].nmsrs;
			kf.ranges[i].base = g.ranges[i].base;
			kf.ranges[i].bitmap = bitmap_ptr(vm, g.ranges[i].bitmap);
		}
		arg = &kf;
		break;
	default:
		return KVMRUN_ST_BADARG;
	}
	do_ioctl(&b->hdr, vm->vm_fd, KVM_X86_SET_MSR_FILTER, arg);
	if (b->hdr.ret == 0 && arg == &kf)
		record_guest_filter(vm, &g);
	return KVMRUN_ST_OK;
}

/* ceil(nmsrs / 8) without overflow, capped at a bitmap's 0x600 bytes. */
static uint32_t bitmap_bytes(uint32_t nmsrs)
{
	uint32_t len = nmsrs / 8 + (nmsrs % 8 != 0);

	return len < 0x600 ? len : 0x600;
}

void filter_record_range(struct installed_filter *f, unsigned int i, uint32_t flags,
			 uint32_t nmsrs, uint32_t base, const uint8_t *src, uint64_t avail)
{
	uint32_t len = bitmap_bytes(nmsrs);

	f->ranges[i].flags = flags;
	f->ranges[i].nmsrs = nmsrs;
	f->ranges[i].base = base;
	memset(f->ranges[i].bitmap, 0, sizeof(f->ranges[i].bitmap));
	if (src)
		memcpy(f->ranges[i].bitmap, src, len < avail ? len : avail);
}

/*
 * The guest's filter as the ioctl got it.  KVM read each bitmap from the
 * translated pointer; the copy is taken from guest RAM by guest-physical
 * address, clipped to RAM, so a fake KVM that accepts anything (unit
 * tests, fuzzing) cannot make this read outside it.
 */
static void record_guest_filter(struct vm *vm, const struct kvmrun_msr_filter *g)
{
	struct installed_filter *f = &vm->filter;
	unsigned int i;

	memset(f, 0, sizeof(*f));
	f->source = KVMRUN_FILTER_SRC_GUEST;
	f->flags = g->flags;
	for (i = 0; i < KVMRUN_FILTER_MAX_RANGES; i++) {
		const struct kvmrun_msr_filter_range *r = &g->ranges[i];
		bool in = r->bitmap && r->bitmap < vm->ram_size;

		filter_record_range(f, i, r->flags, r->nmsrs, r->base,
				    in ? vm->ram + r->bitmap : NULL,
				    in ? vm->ram_size - r->bitmap : 0);
	}
}

static int op_get_filter(struct vm *vm, struct block *b)
{
	struct kvmrun_get_filter *a = &b->u.get_filter;
	const struct installed_filter *f = &vm->filter;
	uint32_t used = 0, i;

	if (!in_ram(vm, a->bitmaps_gpa, a->bitmaps_size))
		return KVMRUN_ST_BADADDR;
	for (i = 0; i < KVMRUN_FILTER_MAX_RANGES; i++)
		used += bitmap_bytes(f->ranges[i].nmsrs);
	a->bitmaps_used = used;
	if (used > a->bitmaps_size)
		return KVMRUN_ST_BADARG;
	a->source = f->source;
	memset(&a->filter, 0, sizeof(a->filter));
	a->filter.flags = f->flags;
	used = 0;
	for (i = 0; i < KVMRUN_FILTER_MAX_RANGES; i++) {
		struct kvmrun_msr_filter_range *r = &a->filter.ranges[i];
		uint32_t len = bitmap_bytes(f->ranges[i].nmsrs);

		r->flags = f->ranges[i].flags;
		r->nmsrs = f->ranges[i].nmsrs;
		r->base = f->ranges[i].base;
		if (!len)
			continue;
		r->bitmap = a->bitmaps_gpa + used;
		memcpy(vm->ram + a->bitmaps_gpa + used, f->ranges[i].bitmap, len);
		used += len;
	}
	return KVMRUN_ST_OK;
}

static int op_enable_cap(struct vm *vm, struct block *b)
{
	const struct kvmrun_enable_cap *a = &b->u.enable_cap;
	struct kvm_enable_cap cap = {
		.cap = a->cap, .flags = a->flags, .args = { a->args0 },
	};

	if (a->cap != KVMRUN_CAP_X86_USER_SPACE_MSR && a->cap != KVMRUN_CAP_X86_MSR_FILTER)
		return KVMRUN_ST_BADARG;
	do_ioctl(&b->hdr, vm->vm_fd, KVM_ENABLE_CAP, &cap);
	if (!b->hdr.ret && a->cap == KVMRUN_CAP_X86_USER_SPACE_MSR)
		vm->exit_mask = (uint32_t)a->args0;
	return KVMRUN_ST_OK;
}

/* The vCPU a host MSR op names, or NULL with *st set. */
static struct vcpu *host_msr_vcpu(struct vm *vm, struct vcpu *self, uint32_t cpu, int *st)
{
	struct vcpu *v;
	bool busy;

	*st = KVMRUN_ST_BADARG;
	if (cpu >= vm->nvcpus)
		return NULL;
	v = &vm->vcpus[cpu];
	/* A vCPU running in another thread would block the ioctl. */
	pthread_mutex_lock(&vm->lock);
	busy = v != self && v->state != VCPU_PARKED;
	pthread_mutex_unlock(&vm->lock);
	*st = busy ? KVMRUN_ST_BUSY : KVMRUN_ST_OK;
	return busy ? NULL : v;
}

static int op_host_msr(struct vm *vm, struct vcpu *self, struct block *b, bool write)
{
	struct kvmrun_host_msr *a = &b->u.host_msr;
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} msrs;
	struct vcpu *v;
	int st;

	v = host_msr_vcpu(vm, self, a->cpu, &st);
	if (!v)
		return st;
	memset(&msrs, 0, sizeof(msrs));
	msrs.hdr.nmsrs = 1;
	msrs.e.index = a->index;
	msrs.e.data = a->data;
	do_ioctl(&b->hdr, v->fd, write ? KVM_SET_MSRS : KVM_GET_MSRS, &msrs);
	if (!write)
		a->data = b->hdr.ret == 1 ? msrs.e.data : 0;
	return KVMRUN_ST_OK;
}

static int op_check_ext(struct vm *vm, struct block *b)
{
	struct kvmrun_check_ext *a = &b->u.check_ext;
	int r;

	r = kvm_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, (void *)(unsigned long)a->cap);
	a->sys_ret = r;
	a->sys_err = r < 0 ? errno : 0;
	r = kvm_ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, (void *)(unsigned long)a->cap);
	a->vm_ret = r;
	a->vm_err = r < 0 ? errno : 0;
	b->hdr.ret = a->vm_ret;
	b->hdr.err = a->vm_err;
	return KVMRUN_ST_OK;
}

static int op_start_ap(struct vm *vm, struct block *b)
{
	const struct kvmrun_start_ap *a = &b->u.start_ap;
	struct vcpu *v;
	bool parked;

	if (a->cpu == 0 || a->cpu >= vm->nvcpus)
		return KVMRUN_ST_BADARG;
	if (a->entry >= vm->ram_size)
		return KVMRUN_ST_BADADDR;
	v = &vm->vcpus[a->cpu];
	pthread_mutex_lock(&vm->lock);
	parked = v->state == VCPU_PARKED;
	pthread_mutex_unlock(&vm->lock);
	if (!parked)
		return KVMRUN_ST_BUSY;
	if (vcpu_set_entry(v, a->entry, KVMRUN_AP_MAGIC, a->arg)) {
		b->hdr.err = errno;
		return KVMRUN_ST_FAILED;
	}
	if (vm->start_vcpu(v)) {
		b->hdr.err = errno;
		return KVMRUN_ST_FAILED;
	}
	return KVMRUN_ST_OK;
}

uint32_t ctrl_console_flags(struct vm *vm)
{
	uint32_t f = KVMRUN_CONSOLE_NO_FLOW | KVMRUN_CONSOLE_WRITE_OP;

	/* Set once before any vCPU runs (setup_coalesced_pio). */
	if (vm->serial.ring)
		f |= KVMRUN_CONSOLE_THR_COALESCED;
	return f;
}

/*
 * The guest's line goes straight from its RAM into COM1's buffer; another
 * vCPU changing it meanwhile only changes what is printed.
 */
static int op_console_write(struct vm *vm, struct block *b)
{
	const struct kvmrun_console_write *a = &b->u.console_write;

	if (a->len > KVMRUN_CONSOLE_MAX)
		return KVMRUN_ST_BADARG;
	if (!in_ram(vm, a->gpa, a->len))
		return KVMRUN_ST_BADADDR;
	serial_write(&vm->serial, vm->ram + a->gpa, a->len);
	b->hdr.ret = (int32_t)a->len;
	return KVMRUN_ST_OK;
}

/* ctrl_lock held: it also guards the lazy opening of the stats fds. */
static void get_exits_locked(struct vm *vm, struct kvmrun_exits *e)
{
	bool kernel_ok = true;
	unsigned int i;

	memset(e, 0, sizeof(*e));
	e->nkinds = KVMRUN_EXIT_NKINDS;
	for (i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		exits_add(e, &v->exits);
		if (!v->kstats_tried) {
			kstats_open(&v->kstats, v->fd);
			v->kstats_tried = true;
		}
		if (kstats_read(&v->kstats, &e->kernel, &e->kernel_io))
			kernel_ok = false;
	}
	if (!kernel_ok)
		e->kernel = e->kernel_io = KVMRUN_EXITS_UNKNOWN;
	serial_counts(&vm->serial, &e->console_bytes, &e->coalesced_bytes);
}

void vm_get_exits(struct vm *vm, struct kvmrun_exits *e)
{
	pthread_mutex_lock(&vm->ctrl_lock);
	get_exits_locked(vm, e);
	pthread_mutex_unlock(&vm->ctrl_lock);
}

static void op_info(struct vm *vm, struct kvmrun_info *i)
{
	*i = (struct kvmrun_info){
		.proto_version = KVMRUN_PROTO_VERSION,
		.smp = vm->nvcpus,
		.irqchip = (uint32_t)vm->opts->irqchip,
		.x2apic_cpuid = (uint32_t)vm->x2apic_cpuid,
		.exit_mask = vm->exit_mask,
		.ctrl_port = KVMRUN_CTRL_PORT,
		.ram_bytes = vm->ram_size,
		.cap_msr_filter = vm->cap_msr_filter,
		.cap_user_space_msr = vm->cap_user_space_msr,
		.cap_coalesced_pio = vm->cap_coalesced_pio,
		.console = ctrl_console_flags(vm),
		.info_version = KVMRUN_INFO_VERSION,
		.x2apic_virt = vm->x2apic_virt,
		.features = KVMRUN_FEAT_POLICY_STORE,
	};
}

/* KVM_GET/SET_ONE_REG with the MSR register id: its own path in KVM. */
static int op_host_one_reg(struct vm *vm, struct vcpu *self, struct block *b, bool write)
{
	struct kvmrun_host_msr *a = &b->u.host_msr;
	uint64_t data = a->data;
	struct kvm_one_reg reg = {
		.id = KVMRUN_ONE_REG_MSR(a->index),
		.addr = (uintptr_t)&data,
	};
	struct vcpu *v;
	int st;

	v = host_msr_vcpu(vm, self, a->cpu, &st);
	if (!v)
		return st;
	do_ioctl(&b->hdr, v->fd, write ? KVM_SET_ONE_REG : KVM_GET_ONE_REG, &reg);
	if (!write)
		a->data = b->hdr.ret == 0 ? data : 0;
	return KVMRUN_ST_OK;
}

static int execute(struct vm *vm, struct vcpu *v, struct block *b)
{
	switch (b->hdr.op) {
	case KVMRUN_OP_INFO:
		op_info(vm, &b->u.info);
		return KVMRUN_ST_OK;
	case KVMRUN_OP_SET_FILTER:
		return op_set_filter(vm, b);
	case KVMRUN_OP_ENABLE_CAP:
		return op_enable_cap(vm, b);
	case KVMRUN_OP_SET_POLICY:
		return msrx_set_policy(&vm->msrx, &b->u.policy);
	case KVMRUN_OP_GET_STATS:
		msrx_get_stats(&vm->msrx, &b->u.stats);
		return KVMRUN_ST_OK;
	case KVMRUN_OP_RESET_STATS:
		msrx_reset_stats(&vm->msrx);
		return KVMRUN_ST_OK;
	case KVMRUN_OP_HOST_RDMSR:
	case KVMRUN_OP_HOST_WRMSR:
		return op_host_msr(vm, v, b, b->hdr.op == KVMRUN_OP_HOST_WRMSR);
	case KVMRUN_OP_CHECK_EXT:
		return op_check_ext(vm, b);
	case KVMRUN_OP_START_AP:
		return op_start_ap(vm, b);
	case KVMRUN_OP_CONSOLE_WRITE:
		return op_console_write(vm, b);
	case KVMRUN_OP_GET_EXITS:
		get_exits_locked(vm, &b->u.exits);
		return KVMRUN_ST_OK;
	case KVMRUN_OP_HOST_GET_ONE_REG:
	case KVMRUN_OP_HOST_SET_ONE_REG:
		return op_host_one_reg(vm, v, b, b->hdr.op == KVMRUN_OP_HOST_SET_ONE_REG);
	case KVMRUN_OP_GET_FILTER:
		return op_get_filter(vm, b);
	}
	return KVMRUN_ST_BADOP;
}

/* Check the header; KVMRUN_ST_OK means the payload may be read. */
static int check_hdr(const struct vm *vm, uint32_t gpa, const struct kvmrun_req_hdr *h)
{
	if (h->version != KVMRUN_PROTO_VERSION)
		return KVMRUN_ST_BADVERSION;
	if (h->op == 0 || h->op > KVMRUN_OP_MAX)
		return KVMRUN_ST_BADOP;
	if (h->size < sizeof(*h) + payload_size[h->op] || h->size > KVMRUN_REQ_MAX_SIZE ||
	    !in_ram(vm, gpa, h->size))
		return KVMRUN_ST_BADSIZE;
	return KVMRUN_ST_OK;
}

void ctrl_request(struct vm *vm, struct vcpu *v, uint32_t gpa)
{
	static struct block b;	/* big (stats); ctrl_lock serializes users */
	uint32_t len = sizeof(b.hdr);

	if (!in_ram(vm, gpa, sizeof(b.hdr)))
		return;
	pthread_mutex_lock(&vm->ctrl_lock);
	memcpy(&b.hdr, vm->ram + gpa, sizeof(b.hdr));
	if (b.hdr.magic != KVMRUN_REQ_MAGIC)
		goto out;
	b.hdr.ret = 0;
	b.hdr.err = 0;
	b.hdr.cpu = v->index;
	b.hdr.status = check_hdr(vm, gpa, &b.hdr);
	if (b.hdr.status == KVMRUN_ST_OK) {
		len += payload_size[b.hdr.op];
		memcpy(&b.u, vm->ram + gpa + sizeof(b.hdr), payload_size[b.hdr.op]);
		b.hdr.status = execute(vm, v, &b);
	}
	/* Results only: the guest's size may be larger than ours. */
	memcpy(vm->ram + gpa + offsetof(struct kvmrun_req_hdr, status),
	       &b.hdr.status, sizeof(b.hdr) - offsetof(struct kvmrun_req_hdr, status));
	if (len > sizeof(b.hdr))
		memcpy(vm->ram + gpa + sizeof(b.hdr), &b.u, len - sizeof(b.hdr));
out:
	pthread_mutex_unlock(&vm->ctrl_lock);
}
