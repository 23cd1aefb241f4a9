/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VM exits by kind (KVMRUN_OP_GET_EXITS, kvmrun --stats), so that a cost
 * such as "exits per console line" is measured instead of assumed.
 *
 * Two views: the exits that reach kvmrun, counted per vCPU by its own
 * thread (one writer, no lock, nothing shared between vCPUs), and KVM's
 * own "exits" / "io_exits" statistics read from each vCPU's binary stats
 * fd (KVM_GET_STATS_FD).  Only the second shows what KVM handles by
 * itself, e.g. an OUT queued in the coalesced ring: it still leaves the
 * guest, just not to user space.
 */
#ifndef HOST_KVMRUN_EXITS_H
#define HOST_KVMRUN_EXITS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "kvmrun_proto.h"

/*
 * The kind of the exit described by 'run' (enum kvmrun_exit_kind).  A
 * 32-bit OUT to the control port is a CONSOLE exit when the block at that
 * guest-physical address in 'ram' asks for KVMRUN_OP_CONSOLE_WRITE; the
 * peek is for counting only (the request itself is checked later, on a
 * copy).
 */
unsigned int exit_kind(const struct kvm_run *run, const uint8_t *ram, uint64_t ram_size);
/* "com1-thr", "console", ... */
const char *exit_kind_name(unsigned int kind);

/* Per-vCPU counts; exits_inc() only from the vCPU's own thread. */
struct exit_counts {
	uint64_t n[KVMRUN_EXIT_KINDS_MAX];
};

static inline void exits_inc(struct exit_counts *c, unsigned int kind)
{
	__atomic_store_n(&c->n[kind], __atomic_load_n(&c->n[kind], __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELAXED);
}

/* Add c into e->user[] and e->user_total. */
void exits_add(struct kvmrun_exits *e, const struct exit_counts *c);

/*
 * KVM's binary statistics of one vCPU: the u64 offsets of "exits" and
 * "io_exits" in its stats fd, found once by kstats_open().
 */
struct kstats {
	int fd;				/* -1: not available */
	int64_t off_exits, off_io;	/* file offsets, -1: not found */
};

/* Parse the header and descriptors of an open stats fd (pread only). */
int kstats_parse(int fd, struct kstats *k);
/* KVM_GET_STATS_FD on vcpu_fd, then kstats_parse(); k->fd = -1 on failure. */
void kstats_open(struct kstats *k, int vcpu_fd);
/* Add this vCPU's counters to *exits / *io (left alone when unknown). */
int kstats_read(const struct kstats *k, uint64_t *exits, uint64_t *io);

/* One line: "exits to kvmrun N (com1-thr N, ...), in KVM N (io N), ..." */
void exits_format(const struct kvmrun_exits *e, char *buf, size_t len);

#endif
