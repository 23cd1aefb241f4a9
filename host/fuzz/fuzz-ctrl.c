// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: kvmrun's control port (host/kvmrun/ctrl.c) on arbitrary
 * request blocks, with KVM faked (every ioctl returns what the input says).
 *
 * Input: a sequence of requests, each [1 byte: the fake ioctl succeeds
 * when bit 0 is set][2 bytes LE: length L][L bytes: the block, put at
 * BLOCK in guest RAM].  Checked after each request:
 *   - guest RAM changes only inside the block, and for an OK
 *     GET_FILTER inside [bitmaps_gpa, + bitmaps_used);
 *   - hdr.status is a KVMRUN_ST_* code (PENDING only for a block whose
 *     magic is wrong, which must be left as it was);
 *   - GET_FILTER: bitmaps_used <= KVMRUN_FILTER_BITMAPS_MAX, every bitmap
 *     pointer 0 or inside the buffer;
 *   - after a SET_FILTER of a guest struct that the fake KVM accepted,
 *     GET_FILTER gives back its flags and slots exactly, and each
 *     bitmap's bytes as far as they lie in RAM (the rest 0).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "kvmrun/kvmrun.h"

#define RAM_SIZE	(1u << 20)
#define GUARD		(64u << 10)
#define BLOCK		0x8000u
#define GETBUF		0x40000u	/* the target's own GET_FILTER buffer */

static struct vm vm;
static struct kvmrun_opts opts = { .irqchip = KVMRUN_IRQCHIP_FULL };
static uint8_t *snap;
static bool ioctl_ok;

int kvm_ioctl(int fd, unsigned long req, void *arg)
{
	if (req == KVM_GET_STATS_FD) {
		errno = ENOTTY;
		return -1;
	}
	if (req == KVM_GET_MSRS)
		return ioctl_ok ? 1 : 0;
	if (ioctl_ok)
		return 0;
	errno = EINVAL;
	return -1;
}

int vcpu_set_entry(struct vcpu *v, uint32_t eip, uint32_t eax, uint32_t ebx)
{
	return 0;
}

static int fake_start_vcpu(struct vcpu *v)
{
	v->state = VCPU_RUNNING;
	return 0;
}

static void setup(void)
{
	uint8_t *p = mmap(NULL, RAM_SIZE + GUARD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned int i;

	if (p == MAP_FAILED || mprotect(p, RAM_SIZE, PROT_READ | PROT_WRITE))
		abort();
	vm.opts = &opts;
	vm.start_vcpu = fake_start_vcpu;
	vm.ram = p;
	vm.ram_size = RAM_SIZE;
	vm.sys_fd = 100;
	vm.vm_fd = 101;
	vm.nvcpus = 2;
	vm.vcpus = calloc(2, sizeof(*vm.vcpus));
	for (i = 0; i < 2; i++)
		vm.vcpus[i] = (struct vcpu){ .index = i, .fd = 200 + (int)i, .vm = &vm,
					     .state = i ? VCPU_PARKED : VCPU_RUNNING };
	pthread_mutex_init(&vm.lock, NULL);
	pthread_mutex_init(&vm.ctrl_lock, NULL);
	msrx_init(&vm.msrx);
	if (kfilter_mem_init(&vm.kmem))
		abort();
	serial_init(&vm.serial, memfd_create("com1", 0));
	snap = malloc(RAM_SIZE);
}

/* RAM outside [a, a+alen) and [b, b+blen) is as it was. */
static void check_ram(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	uint64_t i, c;

	for (c = 0; c < RAM_SIZE; c += 4096) {
		if (!memcmp(vm.ram + c, snap + c, 4096))
			continue;
		for (i = c; i < c + 4096; i++) {
			if ((i >= a && i - a < alen) || (i >= b && i - b < blen))
				continue;
			fuzz_check(vm.ram[i] == snap[i], "RAM byte 0x%llx changed",
				   (unsigned long long)i);
		}
	}
}

static struct kvmrun_req_hdr get_filter(struct kvmrun_get_filter *a)
{
	struct kvmrun_req_hdr h = {
		.magic = KVMRUN_REQ_MAGIC, .version = KVMRUN_PROTO_VERSION,
		.op = KVMRUN_OP_GET_FILTER, .size = sizeof(h) + sizeof(*a),
		.status = KVMRUN_ST_PENDING,
	};
	uint32_t at = GETBUF + 0x10000;

	memset(a, 0, sizeof(*a));
	a->bitmaps_gpa = GETBUF;
	a->bitmaps_size = KVMRUN_FILTER_BITMAPS_MAX;
	memcpy(vm.ram + at, &h, sizeof(h));
	memcpy(vm.ram + at + sizeof(h), a, sizeof(*a));
	ctrl_request(&vm, &vm.vcpus[0], at);
	memcpy(&h, vm.ram + at, sizeof(h));
	memcpy(a, vm.ram + at + sizeof(h), sizeof(*a));
	return h;
}

static void check_get_filter(const struct kvmrun_get_filter *a)
{
	unsigned int i;

	fuzz_check(a->bitmaps_used <= KVMRUN_FILTER_BITMAPS_MAX, "bitmaps_used %u",
		   a->bitmaps_used);
	for (i = 0; i < KVMRUN_FILTER_MAX_RANGES; i++) {
		uint64_t p = a->filter.ranges[i].bitmap;

		fuzz_check(!p || (p >= a->bitmaps_gpa && p - a->bitmaps_gpa < a->bitmaps_used),
			   "slot %u bitmap 0x%llx outside the buffer", i, (unsigned long long)p);
	}
}

/* What a GET_FILTER must say after the guest struct g was accepted. */
static void check_roundtrip(const struct kvmrun_msr_filter *g, const uint8_t *ram_before)
{
	struct kvmrun_get_filter a;
	struct kvmrun_req_hdr h = get_filter(&a);
	unsigned int i;

	fuzz_check(h.status == KVMRUN_ST_OK, "GET_FILTER status %d", h.status);
	check_get_filter(&a);
	fuzz_check(a.source == KVMRUN_FILTER_SRC_GUEST && a.filter.flags == g->flags,
		   "source %u flags 0x%x", a.source, a.filter.flags);
	for (i = 0; i < KVMRUN_FILTER_MAX_RANGES; i++) {
		const struct kvmrun_msr_filter_range *r = &a.filter.ranges[i], *w = &g->ranges[i];
		uint32_t len = w->nmsrs / 8 + (w->nmsrs % 8 != 0), k;

		fuzz_check(r->flags == w->flags && r->nmsrs == w->nmsrs && r->base == w->base,
			   "slot %u fields differ", i);
		if (len > 0x600)
			len = 0x600;
		for (k = 0; k < len; k++) {
			uint64_t src = w->bitmap + k;
			uint8_t want = w->bitmap && w->bitmap < RAM_SIZE && src < RAM_SIZE ?
				       ram_before[src] : 0;

			fuzz_check(vm.ram[r->bitmap + k] == want, "slot %u bitmap byte %u", i, k);
		}
	}
}

static void one_request(const uint8_t *blk, size_t len)
{
	struct kvmrun_req_hdr h, before;
	struct kvmrun_get_filter ga;
	struct kvmrun_set_filter sf;
	struct kvmrun_msr_filter g;
	bool set_guest = false;

	memset(vm.ram + BLOCK, 0, 0x4000);
	memcpy(vm.ram + BLOCK, blk, len);
	memcpy(&before, vm.ram + BLOCK, sizeof(before));
	memcpy(&ga, vm.ram + BLOCK + sizeof(h), sizeof(ga));
	memcpy(&sf, vm.ram + BLOCK + sizeof(h), sizeof(sf));
	if (sf.struct_mode == KVMRUN_FILTER_STRUCT_GUEST && sf.filter_gpa < RAM_SIZE &&
	    RAM_SIZE - sf.filter_gpa >= sizeof(g)) {
		memcpy(&g, vm.ram + sf.filter_gpa, sizeof(g));
		set_guest = true;
	}
	memcpy(snap, vm.ram, RAM_SIZE);
	ctrl_request(&vm, &vm.vcpus[0], BLOCK);
	memcpy(&h, vm.ram + BLOCK, sizeof(h));
	if (before.magic != KVMRUN_REQ_MAGIC) {
		check_ram(0, 0, 0, 0);
		return;
	}
	fuzz_check(h.status >= KVMRUN_ST_OK && h.status <= KVMRUN_ST_FAILED, "status %d",
		   h.status);
	if (h.status == KVMRUN_ST_OK && before.op == KVMRUN_OP_GET_FILTER) {
		memcpy(&ga, vm.ram + BLOCK + sizeof(h), sizeof(ga));
		check_get_filter(&ga);
		check_ram(BLOCK, 0x4000, ga.bitmaps_gpa, ga.bitmaps_used);
	} else {
		check_ram(BLOCK, 0x4000, 0, 0);
	}
	if (h.status == KVMRUN_ST_OK && before.op == KVMRUN_OP_SET_FILTER && h.ret == 0 &&
	    set_guest)
		check_roundtrip(&g, snap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0;
	int n;

	if (!vm.ram)
		setup();
	memset(&vm.filter, 0, sizeof(vm.filter));
	for (n = 0; n < 4 && pos + 3 <= size; n++) {
		size_t len = data[pos + 1] | (size_t)data[pos + 2] << 8;

		ioctl_ok = data[pos] & 1;
		pos += 3;
		if (len > size - pos)
			len = size - pos;
		if (len > 0x4000)
			len = 0x4000;
		one_request(data + pos, len);
		pos += len;
	}
	return 0;
}
