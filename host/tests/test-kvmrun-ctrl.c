// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the control port (host/kvmrun/ctrl.c), of the MSR exit
 * policy and statistics (host/kvmrun/msr.c) and of the exit counting
 * (host/kvmrun/exits.c), without KVM: kvm_ioctl(), vcpu_set_entry() and
 * vm.start_vcpu are fakes here that record what the control port asked
 * for, and KVM_GET_STATS_FD gives a memfd laid out as KVM lays out a
 * vCPU's binary statistics.  Guest RAM is mapped as kvmrun maps it
 * (followed by an inaccessible guard), so under ASan any access the host
 * makes outside the checked block would show.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvmrun/kvmrun.h"
#include "test-kvmrun.h"

#define RAM_SIZE	(1u << 20)
#define GUARD		(64u << 10)
#define BLOCK		0x8000u		/* where the tests put request blocks */

static struct vm vm;
static struct kvmrun_opts opts = { .irqchip = KVMRUN_IRQCHIP_SPLIT };

/* ---- fakes ----------------------------------------------------------- */

static struct {
	int calls;
	int fd;
	unsigned long req;
	void *arg;
	struct kvm_msr_filter filter;
	struct kvm_enable_cap cap;
	uint32_t msr_index;
	uint64_t msr_data;
	int ret, err;			/* what the next call returns */
	uint64_t get_data;		/* KVM_GET_MSRS / KVM_GET_ONE_REG answer */
	uint64_t reg_id;		/* KVM_GET/SET_ONE_REG register id */
	int stats_calls;		/* KVM_GET_STATS_FD */
	int stats_fail_fd;		/* that vCPU fd has no stats */
} io;

/*
 * A vCPU stats file as KVM writes it (Documentation/virt/kvm/api.rst,
 * "KVM_GET_STATS_FD"): header, id string, descriptors each followed by a
 * name_size name field, data.  A histogram comes first and "irq_exits"
 * sits between the two wanted names, so neither a histogram nor a name
 * that merely ends in "exits" may be taken.
 */
#define FAKE_NAME_SIZE	48
static int fake_stats_fd(uint64_t exits, uint64_t io_exits, uint32_t name_size, bool exits_hist)
{
	static const struct {
		const char *name;
		uint32_t flags;
		uint16_t size;
		uint32_t offset;
	} descs[] = {
		{ "halt_wait_hist", KVM_STATS_TYPE_LOG_HIST, 32, 0 },
		{ "io_exits", KVM_STATS_TYPE_CUMULATIVE, 1, 256 },
		{ "irq_exits", KVM_STATS_TYPE_CUMULATIVE, 1, 264 },
		{ "exits", KVM_STATS_TYPE_CUMULATIVE, 1, 272 },
	};
	size_t dsize = sizeof(struct kvm_stats_desc) + name_size;
	struct kvm_stats_header h = {
		.name_size = name_size, .num_desc = 4, .id_offset = sizeof(h),
		.desc_offset = sizeof(h) + 16,
	};
	uint64_t data[36] = { 0 };
	uint8_t *buf;
	size_t i, len;
	int fd = memfd_create("kvm-vcpu-stats", 0);

	h.data_offset = h.desc_offset + 4 * (uint32_t)dsize;
	len = h.data_offset + sizeof(data);
	buf = calloc(1, len);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + h.id_offset, "kvm-1234/vcpu-0", 16);
	for (i = 0; i < 4; i++) {
		struct kvm_stats_desc d = { .flags = descs[i].flags, .size = descs[i].size,
					    .offset = descs[i].offset };
		uint8_t *p = buf + h.desc_offset + i * dsize;

		if (exits_hist && i == 3) {
			d.flags = KVM_STATS_TYPE_LINEAR_HIST;
			d.size = 2;
		}
		memcpy(p, &d, sizeof(d));
		strncpy((char *)p + sizeof(d), descs[i].name, name_size);
	}
	data[32] = io_exits;
	data[33] = 999999;
	data[34] = exits;
	memcpy(buf + h.data_offset, data, sizeof(data));
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		fd = -1;
	free(buf);
	return fd;
}

static struct {
	int set_calls, start_calls;
	struct vcpu *v;
	uint32_t eip, eax, ebx;
	int fail_set;
} cpu;

int kvm_ioctl(int fd, unsigned long req, void *arg)
{
	io.calls++;
	io.fd = fd;
	io.req = req;
	io.arg = arg;
	if (req == KVM_X86_SET_MSR_FILTER && arg && (uintptr_t)arg < 0xffff800000000000ul &&
	    arg != vm.kmem.unmapped)
		memcpy(&io.filter, arg, sizeof(io.filter));
	if (req == KVM_ENABLE_CAP)
		memcpy(&io.cap, arg, sizeof(io.cap));
	if (req == KVM_GET_MSRS || req == KVM_SET_MSRS) {
		struct kvm_msrs *m = arg;

		io.msr_index = m->entries[0].index;
		io.msr_data = m->entries[0].data;
		if (req == KVM_GET_MSRS)
			m->entries[0].data = io.get_data;
	}
	if (req == KVM_GET_ONE_REG || req == KVM_SET_ONE_REG) {
		struct kvm_one_reg *r = arg;

		io.reg_id = r->id;
		io.msr_data = *(uint64_t *)(uintptr_t)r->addr;
		if (req == KVM_GET_ONE_REG)
			*(uint64_t *)(uintptr_t)r->addr = io.get_data;
	}
	if (req == KVM_CHECK_EXTENSION)
		return fd == vm.sys_fd ? 11 : 22;
	if (req == KVM_GET_STATS_FD) {
		/* vCPU n (fd 200 + n): exits 1000 * (n + 1), io_exits 10 * (n + 1) */
		io.stats_calls++;
		if (fd == io.stats_fail_fd) {
			errno = ENOTTY;
			return -1;
		}
		return fake_stats_fd(1000u * (fd - 199), 10u * (fd - 199), FAKE_NAME_SIZE, false);
	}
	errno = io.err;
	return io.ret;
}

int vcpu_set_entry(struct vcpu *v, uint32_t eip, uint32_t eax, uint32_t ebx)
{
	cpu.set_calls++;
	cpu.v = v;
	cpu.eip = eip;
	cpu.eax = eax;
	cpu.ebx = ebx;
	errno = EIO;
	return cpu.fail_set ? -1 : 0;
}

static int fake_start_vcpu(struct vcpu *v)
{
	cpu.start_calls++;
	v->state = VCPU_RUNNING;
	return 0;
}

/* ---- helpers --------------------------------------------------------- */

static void setup(void)
{
	uint8_t *p = mmap(NULL, RAM_SIZE + GUARD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned int i;

	mprotect(p, RAM_SIZE, PROT_READ | PROT_WRITE);
	vm.opts = &opts;
	vm.start_vcpu = fake_start_vcpu;
	vm.ram = p;
	vm.ram_size = RAM_SIZE;
	vm.sys_fd = 100;
	vm.vm_fd = 101;
	vm.nvcpus = 3;
	vm.x2apic_cpuid = 1;
	vm.cap_msr_filter = 1;
	vm.cap_user_space_msr = 1;
	vm.cap_coalesced_pio = 1;
	vm.vcpus = calloc(3, sizeof(*vm.vcpus));
	for (i = 0; i < 3; i++) {
		vm.vcpus[i] = (struct vcpu){ .index = i, .fd = 200 + (int)i, .vm = &vm,
					     .state = VCPU_PARKED };
	}
	vm.vcpus[0].state = VCPU_RUNNING;
	pthread_mutex_init(&vm.lock, NULL);
	pthread_mutex_init(&vm.ctrl_lock, NULL);
	msrx_init(&vm.msrx);
	kfilter_mem_init(&vm.kmem);
	serial_init(&vm.serial, memfd_create("com1", 0));
}

/* What COM1 has written out so far. */
static const char *com1_output(void)
{
	static char buf[8192];
	ssize_t n = pread(vm.serial.fd, buf, sizeof(buf) - 1, 0);

	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static void com1_reset(void)
{
	if (ftruncate(vm.serial.fd, 0) || lseek(vm.serial.fd, 0, SEEK_SET))
		perror("ftruncate");
}

/* Put a request at gpa (header + payload), send it from 'self', read it back. */
static struct kvmrun_req_hdr send(uint32_t gpa, uint16_t op, uint32_t size, void *payload,
				  uint32_t plen, unsigned int self)
{
	struct kvmrun_req_hdr h = {
		.magic = KVMRUN_REQ_MAGIC, .version = KVMRUN_PROTO_VERSION, .op = op,
		.size = size, .status = KVMRUN_ST_PENDING, .ret = 77, .err = 77, .cpu = 99,
	};

	memcpy(vm.ram + gpa, &h, sizeof(h));
	if (plen)
		memcpy(vm.ram + gpa + sizeof(h), payload, plen);
	ctrl_request(&vm, &vm.vcpus[self], gpa);
	memcpy(&h, vm.ram + gpa, sizeof(h));
	if (plen)
		memcpy(payload, vm.ram + gpa + sizeof(h), plen);
	return h;
}

#define SEND(op, p) send(BLOCK, op, sizeof(struct kvmrun_req_hdr) + sizeof(*(p)), p, \
			 sizeof(*(p)), 0)

/* ---- tests ----------------------------------------------------------- */

static void test_framing(void)
{
	struct kvmrun_req_hdr h = { .magic = 1, .version = KVMRUN_PROTO_VERSION,
				    .op = KVMRUN_OP_INFO, .size = 4096,
				    .status = KVMRUN_ST_PENDING };
	struct kvmrun_info info;
	uint8_t before[64];

	memcpy(vm.ram + BLOCK, &h, sizeof(h));
	memcpy(before, vm.ram + BLOCK, sizeof(before));
	ctrl_request(&vm, &vm.vcpus[0], BLOCK);
	check_true("ctrl: bad magic: block untouched", !memcmp(before, vm.ram + BLOCK, 64));

	ctrl_request(&vm, &vm.vcpus[0], RAM_SIZE - 16);
	ctrl_request(&vm, &vm.vcpus[0], RAM_SIZE);
	ctrl_request(&vm, &vm.vcpus[0], 0xffffffff);
	pass_fail(true, "ctrl: header beyond RAM: ignored without a crash");

	h = send(BLOCK, KVMRUN_OP_INFO, 4096, NULL, 0, 0);
	check_u64("ctrl: status OK", KVMRUN_ST_OK, (uint32_t)h.status);
	check_true("ctrl: ret, err and cpu written", h.ret == 0 && h.err == 0 && h.cpu == 0);
	h = send(BLOCK, KVMRUN_OP_INFO, 32 + sizeof(info), NULL, 0, 2);
	check_u64("ctrl: cpu = the requesting vCPU", 2, h.cpu);

	memcpy(&h, vm.ram + BLOCK, sizeof(h));
	h.version = 2;
	h.status = KVMRUN_ST_PENDING;
	memcpy(vm.ram + BLOCK, &h, sizeof(h));
	ctrl_request(&vm, &vm.vcpus[0], BLOCK);
	memcpy(&h, vm.ram + BLOCK, sizeof(h));
	check_u64("ctrl: version 2: BADVERSION", KVMRUN_ST_BADVERSION, (uint32_t)h.status);

	h = send(BLOCK, 0, 64, NULL, 0, 0);
	check_u64("ctrl: op 0: BADOP", KVMRUN_ST_BADOP, (uint32_t)h.status);
	h = send(BLOCK, KVMRUN_OP_MAX + 1, 64, NULL, 0, 0);
	check_u64("ctrl: op MAX+1: BADOP", KVMRUN_ST_BADOP, (uint32_t)h.status);
	h = send(BLOCK, KVMRUN_OP_INFO, 32 + sizeof(info) - 1, NULL, 0, 0);
	check_u64("ctrl: size one byte short: BADSIZE", KVMRUN_ST_BADSIZE, (uint32_t)h.status);
	h = send(BLOCK, KVMRUN_OP_INFO, KVMRUN_REQ_MAX_SIZE + 1, NULL, 0, 0);
	check_u64("ctrl: size over the maximum: BADSIZE", KVMRUN_ST_BADSIZE, (uint32_t)h.status);
	h = send(RAM_SIZE - 40, KVMRUN_OP_INFO, 32 + sizeof(info), NULL, 0, 0);
	check_u64("ctrl: block crossing the end of RAM: BADSIZE", KVMRUN_ST_BADSIZE,
		  (uint32_t)h.status);
	h = send(RAM_SIZE - 32 - sizeof(info), KVMRUN_OP_INFO, 32 + sizeof(info), NULL, 0, 0);
	check_u64("ctrl: block ending at the end of RAM: OK", KVMRUN_ST_OK, (uint32_t)h.status);
	h = send(BLOCK, KVMRUN_OP_RESET_STATS, 32, NULL, 0, 0);
	check_u64("ctrl: header-only op: OK", KVMRUN_ST_OK, (uint32_t)h.status);
}

static void test_info(void)
{
	struct kvmrun_info info;
	struct kvmrun_req_hdr h;

	memset(&info, 0xee, sizeof(info));
	vm.exit_mask = 5;
	h = SEND(KVMRUN_OP_INFO, &info);
	check_true("ctrl: info", h.status == KVMRUN_ST_OK &&
		   info.proto_version == KVMRUN_PROTO_VERSION && info.smp == 3 &&
		   info.irqchip == KVMRUN_IRQCHIP_SPLIT && info.x2apic_cpuid == 1 &&
		   info.exit_mask == 5 && info.ctrl_port == KVMRUN_CTRL_PORT &&
		   info.ram_bytes == RAM_SIZE && info.cap_msr_filter == 1 &&
		   info.cap_user_space_msr == 1 && info.cap_coalesced_pio == 1);
	check_u64("ctrl: info: console without a ring: no flow control, write op",
		  KVMRUN_CONSOLE_NO_FLOW | KVMRUN_CONSOLE_WRITE_OP, info.console);
}

static void test_set_filter(void)
{
	struct kvmrun_msr_filter g;
	struct kvmrun_set_filter a = { .filter_gpa = 0x4000 };
	struct kvmrun_req_hdr h;

	memset(&g, 0, sizeof(g));
	g.flags = 0xdeadbeef;
	g.ranges[0] = (struct kvmrun_msr_filter_range){ 1, 2, 3, 0, 0 };
	g.ranges[1] = (struct kvmrun_msr_filter_range){ 4, 5, 6, 0, 0x1000 };
	g.ranges[2] = (struct kvmrun_msr_filter_range){ 7, 8, 9, 0, RAM_SIZE - 1 };
	g.ranges[3] = (struct kvmrun_msr_filter_range){ 0, 0, 0, 0, RAM_SIZE };
	g.ranges[4] = (struct kvmrun_msr_filter_range){ 0, 0, 0, 0, 0xf0000123 };
	g.ranges[5] = (struct kvmrun_msr_filter_range){ 0, 0, 0, 0, ~0ull };
	g.ranges[15] = (struct kvmrun_msr_filter_range){ 0xffffffff, 0xffffffff, 0xffffffff,
							 0, 0 };
	memcpy(vm.ram + 0x4000, &g, sizeof(g));
	io.ret = -1;
	io.err = EINVAL;
	h = SEND(KVMRUN_OP_SET_FILTER, &a);
	check_true("ctrl: set_filter: ioctl on the VM fd with the ioctl's ret/errno",
		   h.status == KVMRUN_ST_OK && io.fd == vm.vm_fd &&
		   io.req == KVM_X86_SET_MSR_FILTER && h.ret == -1 && h.err == EINVAL);
	check_true("ctrl: set_filter: fields copied raw",
		   io.filter.flags == 0xdeadbeef && io.filter.ranges[0].flags == 1 &&
		   io.filter.ranges[0].nmsrs == 2 && io.filter.ranges[0].base == 3 &&
		   io.filter.ranges[15].flags == 0xffffffff &&
		   io.filter.ranges[15].nmsrs == 0xffffffff &&
		   io.filter.ranges[15].base == 0xffffffff);
	check_true("ctrl: set_filter: bitmap 0 stays NULL", io.filter.ranges[0].bitmap == NULL);
	check_true("ctrl: set_filter: bitmap in RAM -> host address",
		   io.filter.ranges[1].bitmap == vm.ram + 0x1000);
	check_true("ctrl: set_filter: last byte of RAM -> its host address (guard follows)",
		   io.filter.ranges[2].bitmap == vm.ram + RAM_SIZE - 1);
	check_true("ctrl: set_filter: beyond RAM -> inaccessible area",
		   io.filter.ranges[3].bitmap >= vm.kmem.unmapped &&
		   io.filter.ranges[3].bitmap + 0x600 <= vm.kmem.unmapped + KFILTER_UNMAPPED_SIZE &&
		   io.filter.ranges[4].bitmap >= vm.kmem.unmapped &&
		   io.filter.ranges[4].bitmap + 0x600 <= vm.kmem.unmapped + KFILTER_UNMAPPED_SIZE &&
		   io.filter.ranges[5].bitmap >= vm.kmem.unmapped &&
		   io.filter.ranges[5].bitmap + 0x600 <= vm.kmem.unmapped + KFILTER_UNMAPPED_SIZE);
	io.ret = 0;
	io.err = 0;
	h = SEND(KVMRUN_OP_SET_FILTER, &a);
	check_true("ctrl: set_filter: success", h.status == KVMRUN_ST_OK && h.ret == 0 &&
		   h.err == 0);

	a.filter_gpa = RAM_SIZE - sizeof(g) + 1;
	io.calls = 0;
	h = SEND(KVMRUN_OP_SET_FILTER, &a);
	check_true("ctrl: set_filter: struct crossing the end of RAM: BADADDR, no ioctl",
		   h.status == KVMRUN_ST_BADADDR && io.calls == 0);
	a.filter_gpa = ~0ull;
	h = SEND(KVMRUN_OP_SET_FILTER, &a);
	check_u64("ctrl: set_filter: struct at ~0: BADADDR", KVMRUN_ST_BADADDR, (uint32_t)h.status);
	a.filter_gpa = RAM_SIZE - sizeof(g);
	h = SEND(KVMRUN_OP_SET_FILTER, &a);
	check_u64("ctrl: set_filter: struct ending at the end of RAM: OK", KVMRUN_ST_OK,
		  (uint32_t)h.status);

	a.struct_mode = KVMRUN_FILTER_STRUCT_NULL;
	h = SEND(KVMRUN_OP_SET_FILTER, &a);
	check_true("ctrl: set_filter: NULL struct", h.status == KVMRUN_ST_OK && io.arg == NULL);
	a.struct_mode = KVMRUN_FILTER_STRUCT_UNMAPPED;
	h = SEND(KVMRUN_OP_SET_FILTER, &a);
	check_true("ctrl: set_filter: unmapped struct",
		   h.status == KVMRUN_ST_OK && io.arg == vm.kmem.unmapped);
	a.struct_mode = KVMRUN_FILTER_STRUCT_KERNEL;
	h = SEND(KVMRUN_OP_SET_FILTER, &a);
	check_true("ctrl: set_filter: kernel-half struct",
		   h.status == KVMRUN_ST_OK && io.arg == (void *)0xffff800000000000ul);
	a.struct_mode = 4;
	io.calls = 0;
	h = SEND(KVMRUN_OP_SET_FILTER, &a);
	check_true("ctrl: set_filter: struct_mode 4: BADARG, no ioctl",
		   h.status == KVMRUN_ST_BADARG && io.calls == 0);
}

/* Install through SET_FILTER (the fake ioctl succeeds), then read it back. */
static void test_get_filter(void)
{
	struct kvmrun_get_filter a = { .bitmaps_gpa = 0x10000, .bitmaps_size = 0x600 * 16 };
	struct kvmrun_set_filter sf = { .filter_gpa = 0x4000 };
	struct kvmrun_msr_filter g;
	struct kvmrun_req_hdr h;
	uint8_t *bm = vm.ram + 0x10000;

	memset(&vm.filter, 0, sizeof(vm.filter));
	memset(&a.filter, 0xee, sizeof(a.filter));
	h = SEND(KVMRUN_OP_GET_FILTER, &a);
	check_true("ctrl: get_filter: nothing installed: source NONE, all zero",
		   h.status == KVMRUN_ST_OK && a.source == KVMRUN_FILTER_SRC_NONE &&
		   a.bitmaps_used == 0 && a.filter.flags == 0 && a.filter.ranges[0].nmsrs == 0 &&
		   a.filter.ranges[15].bitmap == 0);

	memset(&g, 0, sizeof(g));
	g.flags = 1;
	g.ranges[0] = (struct kvmrun_msr_filter_range){ 3, 9, 0x6e0, 0, 0x1000 };
	g.ranges[1] = (struct kvmrun_msr_filter_range){ 7, 0, 5, 0, 0 };	/* skipped by KVM */
	g.ranges[2] = (struct kvmrun_msr_filter_range){ 1, 0x3000, 0xc0000000, 0, 0x2000 };
	memcpy(vm.ram + 0x4000, &g, sizeof(g));
	memset(vm.ram + 0x1000, 0, 8);
	vm.ram[0x1000] = 0xa5;
	vm.ram[0x1001] = 0x01;
	vm.ram[0x1002] = 0xff;	/* past ceil(9 / 8) = 2 bytes: not copied */
	memset(vm.ram + 0x2000, 0x5a, 0x600);
	io.ret = 0;
	io.err = 0;
	h = SEND(KVMRUN_OP_SET_FILTER, &sf);
	check_true("ctrl: set_filter accepted", h.status == KVMRUN_ST_OK && h.ret == 0);
	/* The guest changing its bitmap afterwards changes nothing installed. */
	vm.ram[0x1000] = 0;
	memset(bm, 0xcc, 0x700);
	h = SEND(KVMRUN_OP_GET_FILTER, &a);
	check_true("ctrl: get_filter: source GUEST, flags and slots raw",
		   h.status == KVMRUN_ST_OK && a.source == KVMRUN_FILTER_SRC_GUEST &&
		   a.filter.flags == 1 && a.filter.ranges[0].flags == 3 &&
		   a.filter.ranges[0].nmsrs == 9 && a.filter.ranges[0].base == 0x6e0 &&
		   a.filter.ranges[1].flags == 7 && a.filter.ranges[1].base == 5 &&
		   a.filter.ranges[2].nmsrs == 0x3000 && a.filter.ranges[3].flags == 0);
	check_u64("ctrl: get_filter: bytes used 2 + 0x600", 2 + 0x600, a.bitmaps_used);
	check_true("ctrl: get_filter: bitmaps packed in the buffer, zero-length slot none",
		   a.filter.ranges[0].bitmap == 0x10000 && a.filter.ranges[1].bitmap == 0 &&
		   a.filter.ranges[2].bitmap == 0x10002);
	check_true("ctrl: get_filter: the bytes KVM got, ceil(nmsrs / 8) of them",
		   bm[0] == 0xa5 && bm[1] == 0x01 && bm[2] == 0x5a && bm[0x601] == 0x5a &&
		   bm[0x602] == 0xcc);

	/* A rejected ioctl leaves the installed filter alone. */
	g.ranges[0].base = 0x1234;
	memcpy(vm.ram + 0x4000, &g, sizeof(g));
	io.ret = -1;
	io.err = EINVAL;
	SEND(KVMRUN_OP_SET_FILTER, &sf);
	io.ret = 0;
	io.err = 0;
	h = SEND(KVMRUN_OP_GET_FILTER, &a);
	check_true("ctrl: get_filter: a failed SET_FILTER changes nothing",
		   h.status == KVMRUN_ST_OK && a.filter.ranges[0].base == 0x6e0);
	sf.struct_mode = KVMRUN_FILTER_STRUCT_NULL;
	SEND(KVMRUN_OP_SET_FILTER, &sf);
	h = SEND(KVMRUN_OP_GET_FILTER, &a);
	check_true("ctrl: get_filter: a NULL struct installs nothing",
		   h.status == KVMRUN_ST_OK && a.filter.ranges[0].base == 0x6e0);

	a.bitmaps_size = 0x601;
	memset(bm, 0xcc, 0x700);
	h = SEND(KVMRUN_OP_GET_FILTER, &a);
	check_true("ctrl: get_filter: buffer one byte short: BADARG, bytes needed, nothing written",
		   h.status == KVMRUN_ST_BADARG && a.bitmaps_used == 0x602 && bm[0] == 0xcc);
	a.bitmaps_size = 0x602;
	a.bitmaps_gpa = RAM_SIZE - 0x601;
	h = SEND(KVMRUN_OP_GET_FILTER, &a);
	check_u64("ctrl: get_filter: buffer crossing the end of RAM: BADADDR",
		  KVMRUN_ST_BADADDR, (uint32_t)h.status);
	a.bitmaps_gpa = RAM_SIZE - 0x602;
	h = SEND(KVMRUN_OP_GET_FILTER, &a);
	check_true("ctrl: get_filter: buffer ending at the end of RAM: OK",
		   h.status == KVMRUN_ST_OK && vm.ram[RAM_SIZE - 1] == 0x5a);
	a.bitmaps_gpa = ~0ull;
	a.bitmaps_size = 0;
	h = SEND(KVMRUN_OP_GET_FILTER, &a);
	check_u64("ctrl: get_filter: buffer at ~0: BADADDR", KVMRUN_ST_BADADDR,
		  (uint32_t)h.status);

	/* A bitmap running past the end of RAM: the bytes beyond read as 0. */
	g.ranges[0].bitmap = RAM_SIZE - 1;
	g.ranges[2].bitmap = RAM_SIZE + 0x1000;
	memcpy(vm.ram + 0x4000, &g, sizeof(g));
	vm.ram[RAM_SIZE - 1] = 0x77;
	sf.struct_mode = KVMRUN_FILTER_STRUCT_GUEST;
	SEND(KVMRUN_OP_SET_FILTER, &sf);
	a.bitmaps_gpa = 0x10000;
	a.bitmaps_size = 0x602;
	h = SEND(KVMRUN_OP_GET_FILTER, &a);
	check_true("ctrl: get_filter: bitmap bytes outside RAM read as 0",
		   h.status == KVMRUN_ST_OK && bm[0] == 0x77 && bm[1] == 0 && bm[2] == 0 &&
		   bm[0x601] == 0);

	/* kvmrun --filter at start records through the same function. */
	{
		uint8_t bits[8] = { 0x80 };

		memset(&vm.filter, 0, sizeof(vm.filter));
		vm.filter.source = KVMRUN_FILTER_SRC_START;
		filter_record_range(&vm.filter, 0, 2, 8, 0x10, bits, sizeof(bits));
		h = SEND(KVMRUN_OP_GET_FILTER, &a);
		check_true("ctrl: get_filter: the start filter, source START",
			   h.status == KVMRUN_ST_OK && a.source == KVMRUN_FILTER_SRC_START &&
			   a.filter.ranges[0].nmsrs == 8 && bm[0] == 0x80 &&
			   a.bitmaps_used == 1 && a.filter.ranges[1].nmsrs == 0);
	}
}

static void test_enable_cap(void)
{
	struct kvmrun_enable_cap a = { .cap = KVMRUN_CAP_X86_USER_SPACE_MSR, .flags = 3,
				       .args0 = 0x100000004ull };
	struct kvmrun_req_hdr h;

	vm.exit_mask = 0;
	io.ret = -1;
	io.err = EINVAL;
	h = SEND(KVMRUN_OP_ENABLE_CAP, &a);
	check_true("ctrl: enable_cap: raw cap, flags and args[0]; errno back",
		   h.status == KVMRUN_ST_OK && io.fd == vm.vm_fd && io.req == KVM_ENABLE_CAP &&
		   io.cap.cap == 188 && io.cap.flags == 3 && io.cap.args[0] == 0x100000004ull &&
		   h.ret == -1 && h.err == EINVAL);
	check_u64("ctrl: enable_cap: a refused mask is not recorded", 0, vm.exit_mask);
	io.ret = 0;
	io.err = 0;
	a.flags = 0;
	a.args0 = 6;
	h = SEND(KVMRUN_OP_ENABLE_CAP, &a);
	check_u64("ctrl: enable_cap: an accepted mask is recorded", 6, vm.exit_mask);
	a.cap = KVMRUN_CAP_X86_MSR_FILTER;
	a.args0 = 1;
	h = SEND(KVMRUN_OP_ENABLE_CAP, &a);
	check_true("ctrl: enable_cap: cap 189 allowed, not a mask",
		   h.status == KVMRUN_ST_OK && io.cap.cap == 189 && vm.exit_mask == 6);
	a.cap = 123;
	io.calls = 0;
	h = SEND(KVMRUN_OP_ENABLE_CAP, &a);
	check_true("ctrl: enable_cap: other caps: BADARG, no ioctl",
		   h.status == KVMRUN_ST_BADARG && io.calls == 0);
}

/* KVMRUN_POLICY_STORE: the host keeps what was written and reads it back. */
static void test_policy_store(void)
{
	struct kvmrun_policy p;
	struct kvmrun_req_hdr h;
	struct kvmrun_info info;
	uint64_t data;
	uint8_t error;

	h = SEND(KVMRUN_OP_INFO, &info);
	check_u64("store: INFO announces KVMRUN_FEAT_POLICY_STORE", KVMRUN_FEAT_POLICY_STORE,
		  h.status == KVMRUN_ST_OK ? info.features & KVMRUN_FEAT_POLICY_STORE : 0);
	memset(&p, 0, sizeof(p));
	p.nentries = 2;
	p.entries[0] = (struct kvmrun_policy_entry){ .index = 0x30, .dirs = 3,
						     .flags = KVMRUN_POLICY_STORE, .data = 7 };
	p.entries[1] = (struct kvmrun_policy_entry){ .index = 0x31, .dirs = 3, .error = 1,
						     .flags = KVMRUN_POLICY_STORE, .data = 9 };
	h = SEND(KVMRUN_OP_SET_POLICY, &p);
	check_u64("store: set policy", KVMRUN_ST_OK, (uint32_t)h.status);
	msrx_answer(&vm.msrx, 0, false, KVM_MSR_EXIT_REASON_FILTER, 0x30, &data, &error);
	check_true("store: read before any write: the initial data", data == 7 && !error);
	data = 0x0123456789abcdefull;
	msrx_answer(&vm.msrx, 0, true, KVM_MSR_EXIT_REASON_UNKNOWN, 0x30, &data, &error);
	check_u64("store: write accepted", 0, error);
	msrx_answer(&vm.msrx, 1, false, KVM_MSR_EXIT_REASON_FILTER, 0x30, &data, &error);
	check_true("store: read gives the value written (any vCPU)",
		   data == 0x0123456789abcdefull && !error);
	data = 0x55;
	msrx_answer(&vm.msrx, 0, true, KVM_MSR_EXIT_REASON_FILTER, 0x31, &data, &error);
	check_u64("store: entry with an error: the write gets it", 1, error);
	p.entries[0].flags = 2;
	h = SEND(KVMRUN_OP_SET_POLICY, &p);
	check_u64("store: unknown flag bit: BADARG", KVMRUN_ST_BADARG, (uint32_t)h.status);
	p.entries[0].flags = 0;
	p.entries[1].error = 0;
	p.entries[1].flags = 0;
	h = SEND(KVMRUN_OP_SET_POLICY, &p);
	data = 0x66;
	msrx_answer(&vm.msrx, 0, true, KVM_MSR_EXIT_REASON_FILTER, 0x30, &data, &error);
	msrx_answer(&vm.msrx, 0, false, KVM_MSR_EXIT_REASON_FILTER, 0x30, &data, &error);
	check_true("store: without the flag a write changes nothing", h.status == KVMRUN_ST_OK &&
		   data == 7 && !error);
	memset(&p, 0, sizeof(p));
	SEND(KVMRUN_OP_SET_POLICY, &p);
	SEND(KVMRUN_OP_RESET_STATS, &p);
}

static void test_policy_stats(void)
{
	struct kvmrun_policy p;
	struct kvmrun_stats st;
	struct kvmrun_req_hdr h;
	uint64_t data;
	uint8_t error;
	unsigned int i;

	memset(&p, 0, sizeof(p));
	SEND(KVMRUN_OP_SET_POLICY, &p);
	SEND(KVMRUN_OP_RESET_STATS, &p);
	data = 0;
	msrx_answer(&vm.msrx, 1, false, KVM_MSR_EXIT_REASON_FILTER, 0x1fc, &data, &error);
	check_true("msr: default read answer: derived value, no error",
		   data == 0x4b564d00000001fcull && error == 0);
	data = 0x55;
	msrx_answer(&vm.msrx, 2, true, KVM_MSR_EXIT_REASON_UNKNOWN, 0x474f4f00, &data, &error);
	check_true("msr: default write answer: accepted", error == 0);

	p.nentries = 3;
	p.entries[0] = (struct kvmrun_policy_entry){ .index = 0x10, .dirs = KVMRUN_DIR_READ,
						     .data = 0x1234 };
	p.entries[1] = (struct kvmrun_policy_entry){ .index = 0x10, .dirs = 3, .error = 0x80 };
	p.entries[2] = (struct kvmrun_policy_entry){ .index = 0x20, .dirs = KVMRUN_DIR_WRITE,
						     .error = 1 };
	p.default_error = 7;
	h = SEND(KVMRUN_OP_SET_POLICY, &p);
	check_u64("msr: set policy", KVMRUN_ST_OK, (uint32_t)h.status);
	msrx_answer(&vm.msrx, 0, false, KVM_MSR_EXIT_REASON_FILTER, 0x10, &data, &error);
	check_true("msr: read entry: its data", data == 0x1234 && error == 0);
	msrx_answer(&vm.msrx, 0, true, KVM_MSR_EXIT_REASON_FILTER, 0x10, &data, &error);
	check_u64("msr: write: the first entry with the direction wins", 0x80, error);
	msrx_answer(&vm.msrx, 0, true, KVM_MSR_EXIT_REASON_FILTER, 0x20, &data, &error);
	check_u64("msr: write entry with error 1", 1, error);
	msrx_answer(&vm.msrx, 0, false, KVM_MSR_EXIT_REASON_FILTER, 0x20, &data, &error);
	check_u64("msr: read of a write-only entry: default error", 7, error);

	p.default_error = 256;
	h = SEND(KVMRUN_OP_SET_POLICY, &p);
	check_u64("msr: default_error 256: BADARG", KVMRUN_ST_BADARG, (uint32_t)h.status);
	p.default_error = 0;
	p.entries[2].dirs = 0;
	h = SEND(KVMRUN_OP_SET_POLICY, &p);
	check_u64("msr: dirs 0: BADARG", KVMRUN_ST_BADARG, (uint32_t)h.status);
	p.entries[2].dirs = 4;
	h = SEND(KVMRUN_OP_SET_POLICY, &p);
	check_u64("msr: dirs 4: BADARG", KVMRUN_ST_BADARG, (uint32_t)h.status);
	p.entries[2].dirs = 1;
	p.nentries = KVMRUN_POLICY_MAX + 1;
	h = SEND(KVMRUN_OP_SET_POLICY, &p);
	check_u64("msr: 33 entries: BADARG", KVMRUN_ST_BADARG, (uint32_t)h.status);
	msrx_answer(&vm.msrx, 0, true, KVM_MSR_EXIT_REASON_FILTER, 0x10, &data, &error);
	check_u64("msr: a refused policy leaves the old one", 0x80, error);

	h = SEND(KVMRUN_OP_GET_STATS, &st);
	check_true("stats: counts by reason and direction",
		   h.status == KVMRUN_ST_OK && st.total == 7 &&
		   st.counts[KVMRUN_REASON_FILTER][0] == 3 &&
		   st.counts[KVMRUN_REASON_FILTER][1] == 3 &&
		   st.counts[KVMRUN_REASON_UNKNOWN][1] == 1 && st.counts[KVMRUN_REASON_INVAL][0] == 0);
	check_true("stats: last exit", st.have_last && st.last.write == 1 && st.last.index == 0x10 &&
		   st.last.error == 0x80 && st.last.cpu == 0 &&
		   st.last.reason == KVM_MSR_EXIT_REASON_FILTER);
	check_true("stats: ring oldest first", st.ring_count == 7 && st.ring[0].index == 0x1fc &&
		   st.ring[0].cpu == 1 && st.ring[0].data == 0x4b564d00000001fcull &&
		   st.ring[1].data == 0x55 && st.ring[1].write == 1 && st.ring[1].cpu == 2 &&
		   st.ring[6].index == 0x10 && st.ring[7].index == 0);

	for (i = 0; i < 100; i++) {
		data = i;
		msrx_answer(&vm.msrx, 0, true, i == 99 ? 3 : KVM_MSR_EXIT_REASON_INVAL, 1000 + i,
			    &data, &error);
	}
	h = SEND(KVMRUN_OP_GET_STATS, &st);
	check_true("stats: the ring keeps the last 64, oldest first",
		   st.ring_count == 64 && st.ring[0].index == 1036 && st.ring[63].index == 1099 &&
		   st.total == 107);
	check_u64("stats: a reason with two bits counts as other", 1,
		  st.counts[KVMRUN_REASON_OTHER][1]);
	SEND(KVMRUN_OP_RESET_STATS, &st);
	h = SEND(KVMRUN_OP_GET_STATS, &st);
	check_true("stats: reset", st.total == 0 && !st.have_last && st.ring_count == 0 &&
		   st.counts[KVMRUN_REASON_INVAL][1] == 0);
	memset(&p, 0, sizeof(p));
	SEND(KVMRUN_OP_SET_POLICY, &p);
}

static void test_host_msr(void)
{
	struct kvmrun_host_msr a = { .cpu = 0, .index = 0x1fc, .data = 0x77 };
	struct kvmrun_req_hdr h;

	io.ret = 1;
	io.err = 0;
	io.get_data = 0xabcdef;
	h = SEND(KVMRUN_OP_HOST_RDMSR, &a);
	check_true("ctrl: host rdmsr on itself", h.status == KVMRUN_ST_OK && h.ret == 1 &&
		   io.req == KVM_GET_MSRS && io.fd == 200 && io.msr_index == 0x1fc &&
		   a.data == 0xabcdef);
	a.data = 0x99;
	h = SEND(KVMRUN_OP_HOST_WRMSR, &a);
	check_true("ctrl: host wrmsr", h.status == KVMRUN_ST_OK && io.req == KVM_SET_MSRS &&
		   io.msr_data == 0x99);
	io.ret = 0;
	a.data = 5;
	h = SEND(KVMRUN_OP_HOST_RDMSR, &a);
	check_true("ctrl: host rdmsr refused by KVM: ret 0, data 0",
		   h.status == KVMRUN_ST_OK && h.ret == 0 && a.data == 0);
	a.cpu = 2;
	io.ret = 1;
	h = SEND(KVMRUN_OP_HOST_RDMSR, &a);
	check_true("ctrl: host rdmsr on a parked vCPU", h.status == KVMRUN_ST_OK && io.fd == 202);
	vm.vcpus[2].state = VCPU_RUNNING;
	io.calls = 0;
	h = SEND(KVMRUN_OP_HOST_RDMSR, &a);
	check_true("ctrl: host rdmsr on another running vCPU: BUSY, no ioctl",
		   h.status == KVMRUN_ST_BUSY && io.calls == 0);
	vm.vcpus[2].state = VCPU_PARKED;
	a.cpu = 3;
	h = SEND(KVMRUN_OP_HOST_WRMSR, &a);
	check_u64("ctrl: host wrmsr on vCPU 3 of 3: BADARG", KVMRUN_ST_BADARG, (uint32_t)h.status);
}

static void test_host_one_reg(void)
{
	struct kvmrun_host_msr a = { .cpu = 0, .index = 0xc0000081, .data = 0x77 };
	struct kvmrun_req_hdr h;

	io.ret = 0;
	io.err = 0;
	io.get_data = 0x1234;
	h = SEND(KVMRUN_OP_HOST_GET_ONE_REG, &a);
	check_true("ctrl: host GET_ONE_REG: MSR register id, value", h.status == KVMRUN_ST_OK &&
		   h.ret == 0 && io.req == KVM_GET_ONE_REG && io.fd == 200 &&
		   io.reg_id == 0x20300002c0000081ull && a.data == 0x1234);
	a.data = 0x99;
	h = SEND(KVMRUN_OP_HOST_SET_ONE_REG, &a);
	check_true("ctrl: host SET_ONE_REG", h.status == KVMRUN_ST_OK &&
		   io.req == KVM_SET_ONE_REG && io.msr_data == 0x99 &&
		   io.reg_id == 0x20300002c0000081ull);
	io.ret = -1;
	io.err = EINVAL;
	a.data = 5;
	h = SEND(KVMRUN_OP_HOST_GET_ONE_REG, &a);
	check_true("ctrl: host GET_ONE_REG refused: ret -1, EINVAL, data 0",
		   h.status == KVMRUN_ST_OK && h.ret == -1 && h.err == EINVAL && a.data == 0);
	a.cpu = 3;
	h = SEND(KVMRUN_OP_HOST_SET_ONE_REG, &a);
	check_u64("ctrl: host SET_ONE_REG on vCPU 3 of 3: BADARG", KVMRUN_ST_BADARG,
		  (uint32_t)h.status);
	io.ret = 0;
	io.err = 0;
}

static void test_check_ext(void)
{
	struct kvmrun_check_ext a = { .cap = 189 };
	struct kvmrun_req_hdr h = SEND(KVMRUN_OP_CHECK_EXT, &a);

	check_true("ctrl: check_ext on the system and the VM fd",
		   h.status == KVMRUN_ST_OK && a.sys_ret == 11 && a.vm_ret == 22 &&
		   a.sys_err == 0 && h.ret == 22);
}

static void test_start_ap(void)
{
	struct kvmrun_start_ap a = { .cpu = 1, .entry = 0x80000, .arg = 0x12345 };
	struct kvmrun_req_hdr h;

	h = SEND(KVMRUN_OP_START_AP, &a);
	check_true("ctrl: start AP 1", h.status == KVMRUN_ST_OK && cpu.set_calls == 1 &&
		   cpu.v == &vm.vcpus[1] && cpu.eip == 0x80000 && cpu.eax == KVMRUN_AP_MAGIC &&
		   cpu.ebx == 0x12345 && cpu.start_calls == 1);
	h = SEND(KVMRUN_OP_START_AP, &a);
	check_true("ctrl: start AP 1 again: BUSY", h.status == KVMRUN_ST_BUSY &&
		   cpu.set_calls == 1);
	a.cpu = 0;
	h = SEND(KVMRUN_OP_START_AP, &a);
	check_u64("ctrl: start the BSP: BADARG", KVMRUN_ST_BADARG, (uint32_t)h.status);
	a.cpu = 3;
	h = SEND(KVMRUN_OP_START_AP, &a);
	check_u64("ctrl: start vCPU 3 of 3: BADARG", KVMRUN_ST_BADARG, (uint32_t)h.status);
	a.cpu = 2;
	a.entry = RAM_SIZE;
	h = SEND(KVMRUN_OP_START_AP, &a);
	check_u64("ctrl: entry beyond RAM: BADADDR", KVMRUN_ST_BADADDR, (uint32_t)h.status);
	a.entry = 0x1000;
	cpu.fail_set = 1;
	h = SEND(KVMRUN_OP_START_AP, &a);
	check_true("ctrl: register setup fails: FAILED with errno, not started",
		   h.status == KVMRUN_ST_FAILED && h.err == EIO && cpu.start_calls == 1 &&
		   vm.vcpus[2].state == VCPU_PARKED);
	cpu.fail_set = 0;
}

#define LINE_GPA	0x9000u

static struct kvmrun_req_hdr console_write(uint64_t gpa, uint32_t len)
{
	struct kvmrun_console_write a = { .gpa = gpa, .len = len };

	return SEND(KVMRUN_OP_CONSOLE_WRITE, &a);
}

static void push_ring(struct kvm_coalesced_mmio_ring *r, uint8_t b)
{
	struct kvm_coalesced_mmio *e = &r->coalesced_mmio[r->last];

	memset(e, 0, sizeof(*e));
	e->phys_addr = COM1_BASE;
	e->len = 1;
	e->pio = 1;
	e->data[0] = b;
	r->last = (r->last + 1) % vm.serial.ring_max;
}

static void test_console(void)
{
	struct kvm_coalesced_mmio_ring *r = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvmrun_info info;
	struct kvmrun_req_hdr h;
	uint64_t wb, rb;

	com1_reset();
	memcpy(vm.ram + LINE_GPA, "hello\r\nwor", 10);
	h = console_write(LINE_GPA, 10);
	check_true("console: OK, ret = len", h.status == KVMRUN_ST_OK && h.ret == 10);
	check_str("console: a line is written at its LF, CR dropped", "hello\n", com1_output());
	memcpy(vm.ram + LINE_GPA, "ld\n", 3);
	console_write(LINE_GPA, 3);
	check_str("console: a partial line waits for the rest", "hello\nworld\n", com1_output());

	serial_set_ring(&vm.serial, r, 4096);
	h = SEND(KVMRUN_OP_INFO, &info);
	check_u64("console: info with the THR ring: THR_COALESCED too",
		  KVMRUN_CONSOLE_NO_FLOW | KVMRUN_CONSOLE_WRITE_OP | KVMRUN_CONSOLE_THR_COALESCED,
		  info.console);
	com1_reset();
	push_ring(r, 'A');
	push_ring(r, 'B');
	memcpy(vm.ram + LINE_GPA, "C\n", 2);
	console_write(LINE_GPA, 2);
	check_str("console: bytes still in the ring come first", "ABC\n", com1_output());
	check_u64("console: ring drained", r->last, r->first);
	serial_io(&vm.serial, COM1_BASE + 3, true, 0x80);	/* DLAB */
	memcpy(vm.ram + LINE_GPA, "D\n", 2);
	console_write(LINE_GPA, 2);
	serial_io(&vm.serial, COM1_BASE + 3, true, 0x03);
	check_str("console: DLAB does not swallow a request's bytes", "ABC\nD\n", com1_output());
	serial_counts(&vm.serial, &wb, &rb);
	check_true("console: bytes counted by path", wb == 17 && rb == 2);
	vm.serial.ring = NULL;

	com1_reset();
	h = console_write(LINE_GPA, 0);
	check_true("console: len 0: OK, nothing written",
		   h.status == KVMRUN_ST_OK && h.ret == 0 && !*com1_output());
	h = console_write(LINE_GPA, KVMRUN_CONSOLE_MAX + 1);
	check_u64("console: len over KVMRUN_CONSOLE_MAX: BADARG", KVMRUN_ST_BADARG,
		  (uint32_t)h.status);
	memset(vm.ram + RAM_SIZE - KVMRUN_CONSOLE_MAX, 'x', KVMRUN_CONSOLE_MAX);
	h = console_write(RAM_SIZE - KVMRUN_CONSOLE_MAX, KVMRUN_CONSOLE_MAX);
	check_true("console: KVMRUN_CONSOLE_MAX bytes ending at the end of RAM: OK",
		   h.status == KVMRUN_ST_OK && h.ret == (int)KVMRUN_CONSOLE_MAX);
	h = console_write(RAM_SIZE - 1, 2);
	check_u64("console: line crossing the end of RAM: BADADDR", KVMRUN_ST_BADADDR,
		  (uint32_t)h.status);
	h = console_write(~0ull, 1);
	check_u64("console: line at ~0: BADADDR", KVMRUN_ST_BADADDR, (uint32_t)h.status);
	serial_flush(&vm.serial);
	check_u64("console: refused requests write nothing", KVMRUN_CONSOLE_MAX,
		  strlen(com1_output()));
	munmap(r, 4096);
}

/* A kvm_run for an I/O exit; data = the 4 bytes of the access. */
static struct kvm_run *io_run(uint16_t port, bool out, uint8_t size, uint32_t data)
{
	static union {
		struct kvm_run run;
		uint8_t page[4096];
	} u;

	memset(&u, 0, sizeof(u));
	u.run.exit_reason = KVM_EXIT_IO;
	u.run.io.port = port;
	u.run.io.direction = out ? KVM_EXIT_IO_OUT : KVM_EXIT_IO_IN;
	u.run.io.size = size;
	u.run.io.count = 1;
	u.run.io.data_offset = 2048;
	memcpy(u.page + 2048, &data, 4);
	return &u.run;
}

static void put_hdr(uint32_t gpa, uint32_t magic, uint16_t op)
{
	struct kvmrun_req_hdr h = { .magic = magic, .version = KVMRUN_PROTO_VERSION, .op = op };

	memcpy(vm.ram + gpa, &h, sizeof(h));
}

static unsigned int kind(struct kvm_run *run)
{
	return exit_kind(run, vm.ram, vm.ram_size);
}

static void test_exit_kind(void)
{
	struct kvm_run *run;

	check_u64("exits: OUT to the COM1 data port", KVMRUN_EXIT_COM1_THR,
		  kind(io_run(COM1_BASE, true, 1, 'a')));
	check_u64("exits: IN from the COM1 data port", KVMRUN_EXIT_COM1_REG,
		  kind(io_run(COM1_BASE, false, 1, 0)));
	check_u64("exits: LSR poll", KVMRUN_EXIT_COM1_REG, kind(io_run(COM1_BASE + 5, false, 1, 0)));
	check_u64("exits: scratch register (last COM1 port)", KVMRUN_EXIT_COM1_REG,
		  kind(io_run(COM1_END, true, 1, 0)));
	put_hdr(BLOCK, KVMRUN_REQ_MAGIC, KVMRUN_OP_CONSOLE_WRITE);
	check_u64("exits: console request", KVMRUN_EXIT_CONSOLE,
		  kind(io_run(KVMRUN_CTRL_PORT, true, 4, BLOCK)));
	check_u64("exits: console op in a 16-bit OUT: ctrl", KVMRUN_EXIT_CTRL,
		  kind(io_run(KVMRUN_CTRL_PORT, true, 2, BLOCK)));
	run = io_run(KVMRUN_CTRL_PORT, true, 4, BLOCK);
	run->io.count = 2;
	check_u64("exits: console op in a REP OUTS: ctrl", KVMRUN_EXIT_CTRL, kind(run));
	put_hdr(BLOCK, KVMRUN_REQ_MAGIC, KVMRUN_OP_GET_EXITS);
	check_u64("exits: other request", KVMRUN_EXIT_CTRL,
		  kind(io_run(KVMRUN_CTRL_PORT, true, 4, BLOCK)));
	put_hdr(BLOCK, 0, KVMRUN_OP_CONSOLE_WRITE);
	check_u64("exits: console op without the magic: ctrl", KVMRUN_EXIT_CTRL,
		  kind(io_run(KVMRUN_CTRL_PORT, true, 4, BLOCK)));
	put_hdr(RAM_SIZE - 32, KVMRUN_REQ_MAGIC, KVMRUN_OP_CONSOLE_WRITE);
	check_u64("exits: console header ending at the end of RAM", KVMRUN_EXIT_CONSOLE,
		  kind(io_run(KVMRUN_CTRL_PORT, true, 4, RAM_SIZE - 32)));
	check_u64("exits: header crossing the end of RAM: ctrl, nothing read", KVMRUN_EXIT_CTRL,
		  kind(io_run(KVMRUN_CTRL_PORT, true, 4, RAM_SIZE - 31)));
	check_u64("exits: block address ~0: ctrl", KVMRUN_EXIT_CTRL,
		  kind(io_run(KVMRUN_CTRL_PORT, true, 4, 0xffffffff)));
	check_u64("exits: detection IN", KVMRUN_EXIT_CTRL,
		  kind(io_run(KVMRUN_CTRL_PORT, false, 4, 0)));
	check_u64("exits: the exit port", KVMRUN_EXIT_IO_OTHER, kind(io_run(0xf4, true, 4, 0)));
	check_u64("exits: a legacy port", KVMRUN_EXIT_IO_OTHER, kind(io_run(0x80, true, 1, 0)));
	run->exit_reason = KVM_EXIT_X86_RDMSR;
	check_u64("exits: RDMSR", KVMRUN_EXIT_MSR, kind(run));
	run->exit_reason = KVM_EXIT_X86_WRMSR;
	check_u64("exits: WRMSR", KVMRUN_EXIT_MSR, kind(run));
	run->exit_reason = KVM_EXIT_HLT;
	check_u64("exits: HLT", KVMRUN_EXIT_OTHER, kind(run));
	check_true("exits: kind names", !strcmp(exit_kind_name(KVMRUN_EXIT_COM1_THR), "com1-thr") &&
		   !strcmp(exit_kind_name(KVMRUN_EXIT_OTHER), "other") &&
		   !strcmp(exit_kind_name(KVMRUN_EXIT_NKINDS), "?"));
}

static void test_kstats(void)
{
	struct kstats k;
	uint64_t e = 5, i = 6;
	int fd;

	fd = fake_stats_fd(123, 45, FAKE_NAME_SIZE, false);
	check_true("kstats: found exits and io_exits",
		   !kstats_parse(fd, &k) && !kstats_read(&k, &e, &i) && e == 128 && i == 51);
	close(fd);
	fd = fake_stats_fd(7, 8, 13, false);
	e = i = 0;
	check_true("kstats: an odd name_size (descriptors unaligned)",
		   !kstats_parse(fd, &k) && !kstats_read(&k, &e, &i) && e == 7 && i == 8);
	close(fd);
	fd = fake_stats_fd(7, 8, FAKE_NAME_SIZE, true);
	check_true("kstats: an \"exits\" that is a histogram is not a count",
		   kstats_parse(fd, &k) && k.off_exits < 0);
	close(fd);
	fd = fake_stats_fd(7, 8, 8, false);
	check_true("kstats: names cut by name_size (no NUL) are not taken",
		   kstats_parse(fd, &k) && k.off_io < 0 && k.off_exits >= 0);
	close(fd);
	fd = memfd_create("short", 0);
	check_true("kstats: empty file: not available", kstats_parse(fd, &k) == -1);
	if (write(fd, "\0\0\0\0\0\0\0\0\xff\xff\xff\xff", 12) != 12)
		perror("write");
	check_true("kstats: truncated header: not available", kstats_parse(fd, &k) == -1);
	close(fd);
	k.fd = -1;
	e = 1;
	check_true("kstats: no fd: read fails, counts untouched", kstats_read(&k, &e, &i) && e == 1);
}

static void test_get_exits(void)
{
	struct kvmrun_exits ex;
	struct kvmrun_req_hdr h;
	char line[512];
	unsigned int c;

	for (c = 0; c < 3; c++) {
		memset(&vm.vcpus[c].exits, 0, sizeof(vm.vcpus[c].exits));
		vm.vcpus[c].kstats_tried = false;
	}
	exits_inc(&vm.vcpus[0].exits, KVMRUN_EXIT_CONSOLE);
	exits_inc(&vm.vcpus[0].exits, KVMRUN_EXIT_CONSOLE);
	exits_inc(&vm.vcpus[1].exits, KVMRUN_EXIT_CONSOLE);
	exits_inc(&vm.vcpus[2].exits, KVMRUN_EXIT_MSR);
	exits_inc(&vm.vcpus[2].exits, KVMRUN_EXIT_COM1_REG);
	io.stats_calls = 0;
	io.stats_fail_fd = -1;
	memset(&ex, 0xee, sizeof(ex));
	h = SEND(KVMRUN_OP_GET_EXITS, &ex);
	check_true("get_exits: summed over the vCPUs by kind",
		   h.status == KVMRUN_ST_OK && ex.nkinds == KVMRUN_EXIT_NKINDS &&
		   ex.user[KVMRUN_EXIT_CONSOLE] == 3 && ex.user[KVMRUN_EXIT_MSR] == 1 &&
		   ex.user[KVMRUN_EXIT_COM1_REG] == 1 && ex.user[KVMRUN_EXIT_COM1_THR] == 0 &&
		   ex.user[KVMRUN_EXIT_KINDS_MAX - 1] == 0 && ex.user_total == 5);
	check_true("get_exits: KVM's counters summed over the vCPUs",
		   ex.kernel == 6000 && ex.kernel_io == 60 && io.stats_calls == 3);
	check_true("get_exits: console byte counts", ex.console_bytes == 17 + KVMRUN_CONSOLE_MAX &&
		   ex.coalesced_bytes == 2);
	h = SEND(KVMRUN_OP_GET_EXITS, &ex);
	check_u64("get_exits: the stats fds are opened once", 3, io.stats_calls);

	vm.vcpus[2].kstats_tried = false;
	io.stats_fail_fd = 202;
	h = SEND(KVMRUN_OP_GET_EXITS, &ex);
	check_true("get_exits: a vCPU without stats: KVM's counters unknown",
		   h.status == KVMRUN_ST_OK && ex.kernel == KVMRUN_EXITS_UNKNOWN &&
		   ex.kernel_io == KVMRUN_EXITS_UNKNOWN && ex.user_total == 5);
	exits_format(&ex, line, sizeof(line));
	check_str("get_exits: --stats line, KVM's counters unknown",
		  "exits to kvmrun 5 (com1-thr 0, com1-reg 1, console 3, ctrl 0, io-other 0, "
		  "msr 1, other 0), in KVM unknown; console bytes 4113 by request, 2 coalesced",
		  line);
	ex.kernel = 6000;
	ex.kernel_io = 60;
	exits_format(&ex, line, sizeof(line));
	check_str("get_exits: --stats line",
		  "exits to kvmrun 5 (com1-thr 0, com1-reg 1, console 3, ctrl 0, io-other 0, "
		  "msr 1, other 0), in KVM 6000 (io 60); console bytes 4113 by request, 2 coalesced",
		  line);
	exits_format(&ex, line, 20);
	check_str("get_exits: --stats line cut to the buffer", "exits to kvmrun 5 (", line);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	setup();
	test_framing();
	test_info();
	test_set_filter();
	test_get_filter();
	test_enable_cap();
	test_policy_store();
	test_policy_stats();
	test_host_msr();
	test_host_one_reg();
	test_check_ext();
	test_start_ap();
	test_console();
	test_exit_kind();
	test_kstats();
	test_get_exits();
	return test_exit();
}
