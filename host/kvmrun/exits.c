// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exits.h"
#include "serial.h"
#include "util/kvm.h"

/* Sizes KVM will never reach; anything larger is a corrupt header. */
#define KSTATS_MAX_DESC		4096
#define KSTATS_MAX_NAME		1024

static const char *const kind_names[KVMRUN_EXIT_NKINDS] = {
	[KVMRUN_EXIT_COM1_THR] = "com1-thr",
	[KVMRUN_EXIT_COM1_REG] = "com1-reg",
	[KVMRUN_EXIT_CONSOLE] = "console",
	[KVMRUN_EXIT_CTRL] = "ctrl",
	[KVMRUN_EXIT_IO_OTHER] = "io-other",
	[KVMRUN_EXIT_MSR] = "msr",
	[KVMRUN_EXIT_OTHER] = "other",
};

const char *exit_kind_name(unsigned int kind)
{
	return kind < KVMRUN_EXIT_NKINDS ? kind_names[kind] : "?";
}

static unsigned int ctrl_kind(const struct kvm_run *run, const uint8_t *ram, uint64_t ram_size)
{
	struct kvmrun_req_hdr h;
	uint32_t gpa;

	if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 || run->io.count != 1)
		return KVMRUN_EXIT_CTRL;
	memcpy(&gpa, (const uint8_t *)run + run->io.data_offset, 4);
	if (gpa > ram_size || sizeof(h) > ram_size - gpa)
		return KVMRUN_EXIT_CTRL;
	memcpy(&h, ram + gpa, sizeof(h));
	return h.magic == KVMRUN_REQ_MAGIC && h.op == KVMRUN_OP_CONSOLE_WRITE ?
	       KVMRUN_EXIT_CONSOLE : KVMRUN_EXIT_CTRL;
}

unsigned int exit_kind(const struct kvm_run *run, const uint8_t *ram, uint64_t ram_size)
{
	uint16_t port;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		port = run->io.port;
		if (port == COM1_BASE && run->io.direction == KVM_EXIT_IO_OUT)
			return KVMRUN_EXIT_COM1_THR;
		if (port >= COM1_BASE && port <= COM1_END)
			return KVMRUN_EXIT_COM1_REG;
		if (port == KVMRUN_CTRL_PORT)
			return ctrl_kind(run, ram, ram_size);
		return KVMRUN_EXIT_IO_OTHER;
	case KVM_EXIT_X86_RDMSR:
	case KVM_EXIT_X86_WRMSR:
		return KVMRUN_EXIT_MSR;
	}
	return KVMRUN_EXIT_OTHER;
}

void exits_add(struct kvmrun_exits *e, const struct exit_counts *c)
{
	unsigned int k;
	uint64_t n;

	for (k = 0; k < KVMRUN_EXIT_NKINDS; k++) {
		n = __atomic_load_n(&c->n[k], __ATOMIC_RELAXED);
		e->user[k] += n;
		e->user_total += n;
	}
}

int kstats_parse(int fd, struct kstats *k)
{
	struct kvm_stats_header h;
	size_t dsize, total;
	uint8_t *descs;
	uint32_t i;

	k->fd = fd;
	k->off_exits = k->off_io = -1;
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || !h.name_size ||
	    h.name_size > KSTATS_MAX_NAME || h.num_desc > KSTATS_MAX_DESC)
		return -1;
	/* Every descriptor is followed by a name field of name_size bytes. */
	dsize = sizeof(struct kvm_stats_desc) + h.name_size;
	total = dsize * h.num_desc;
	descs = malloc(total ? total : 1);
	if (!descs)
		return -1;
	if (pread(fd, descs, total, h.desc_offset) != (ssize_t)total) {
		free(descs);
		return -1;
	}
	for (i = 0; i < h.num_desc; i++) {
		const char *name = (const char *)descs + i * dsize + sizeof(struct kvm_stats_desc);
		struct kvm_stats_desc d;

		/* A copy: name_size need not keep the descriptors aligned. */
		memcpy(&d, descs + i * dsize, sizeof(d));
		/* Plain u64 counters only: a histogram is not a count. */
		if (d.size != 1 || (d.flags & KVM_STATS_TYPE_MASK) != KVM_STATS_TYPE_CUMULATIVE ||
		    strnlen(name, h.name_size) == h.name_size)
			continue;
		if (!strcmp(name, "exits"))
			k->off_exits = (int64_t)h.data_offset + d.offset;
		else if (!strcmp(name, "io_exits"))
			k->off_io = (int64_t)h.data_offset + d.offset;
	}
	free(descs);
	return k->off_exits >= 0 && k->off_io >= 0 ? 0 : -1;
}

void kstats_open(struct kstats *k, int vcpu_fd)
{
	int fd = kvm_ioctl(vcpu_fd, KVM_GET_STATS_FD, NULL);

	k->fd = -1;
	k->off_exits = k->off_io = -1;
	if (fd < 0)
		return;
	if (kstats_parse(fd, k)) {
		close(fd);
		k->fd = -1;
	}
}

static int read_u64(int fd, int64_t off, uint64_t *v)
{
	return off >= 0 && pread(fd, v, sizeof(*v), off) == (ssize_t)sizeof(*v) ? 0 : -1;
}

int kstats_read(const struct kstats *k, uint64_t *exits, uint64_t *io)
{
	uint64_t e, i;

	if (k->fd < 0 || read_u64(k->fd, k->off_exits, &e) || read_u64(k->fd, k->off_io, &i))
		return -1;
	*exits += e;
	*io += i;
	return 0;
}

void exits_format(const struct kvmrun_exits *e, char *buf, size_t len)
{
	size_t n;
	unsigned int k;

	n = (size_t)snprintf(buf, len, "exits to kvmrun %llu (",
			     (unsigned long long)e->user_total);
	for (k = 0; k < KVMRUN_EXIT_NKINDS && n < len; k++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s %llu", k ? ", " : "",
				      exit_kind_name(k), (unsigned long long)e->user[k]);
	if (n >= len)
		return;
	if (e->kernel == KVMRUN_EXITS_UNKNOWN)
		n += (size_t)snprintf(buf + n, len - n, "), in KVM unknown");
	else
		n += (size_t)snprintf(buf + n, len - n, "), in KVM %llu (io %llu)",
				      (unsigned long long)e->kernel,
				      (unsigned long long)e->kernel_io);
	if (n >= len)
		return;
	snprintf(buf + n, len - n, "; console bytes %llu by request, %llu coalesced",
		 (unsigned long long)e->console_bytes, (unsigned long long)e->coalesced_bytes);
}
