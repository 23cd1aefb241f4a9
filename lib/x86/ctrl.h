/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest side of the kvmrun control port (protocol: common/kvmrun_proto.h).
 *
 * Every request function returns the request's status: KVMRUN_ST_OK when
 * the host did it (then *res holds the ioctl's return value and errno),
 * another KVMRUN_ST_* when the host refused the request, or
 * KVMRUN_ST_NOHOST when no kvmrun answers (QEMU): tests then SKIP.
 * Requests may come from any CPU; they are serialized here.  Guest memory
 * must be identity-mapped below 4 GiB (x86/cstart64.S does that), since
 * the host gets guest-physical addresses.
 */
#ifndef X86_CTRL_H
#define X86_CTRL_H

#include "libcflat.h"
#include "kvmrun_proto.h"
#include "msrfilter.h"

#define KVMRUN_ST_NOHOST	KVMRUN_ST_PENDING

/* A guest-physical address beyond any RAM kvmrun gives (--mem <= 3 GiB). */
#define KVMRUN_UNMAPPED_GPA	0xf0000000ull

struct kvmrun_result {
	int ret;	/* the ioctl's return value */
	int err;	/* its errno, 0 on success */
};

/* True when running under kvmrun (the control port answers its magic). */
bool kvmrun_present(void);
/* "OK", "BADVERSION", ..., "NOHOST" */
const char *kvmrun_status_name(int status);

int kvmrun_info(struct kvmrun_info *info);

/*
 * KVM_X86_SET_MSR_FILTER with the filter f as given (its bitmap fields are
 * guest-physical addresses, see kvmrun_build_filter()).
 */
int kvmrun_set_filter(const struct kvmrun_msr_filter *f, struct kvmrun_result *res);
/* The same with struct_mode KVMRUN_FILTER_STRUCT_* (NULL, unmapped, ...). */
int kvmrun_set_filter_mode(const struct kvmrun_msr_filter *f, u32 struct_mode,
			   struct kvmrun_result *res);

/* KVM_ENABLE_CAP on the VM, raw: cap 188 or 189, any flags and args[0]. */
int kvmrun_enable_cap(u32 cap, u32 flags, u64 arg0, struct kvmrun_result *res);
/* KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR, mask). */
int kvmrun_set_exit_mask(u64 mask, struct kvmrun_result *res);

/* How the host answers MSR exits (see struct kvmrun_policy). */
int kvmrun_set_policy(const struct kvmrun_policy *p);
/* Back to the default: derived values for reads, writes accepted. */
int kvmrun_reset_policy(void);
int kvmrun_get_stats(struct kvmrun_stats *st);
int kvmrun_reset_stats(void);

/* Host-initiated KVM_GET_MSRS / KVM_SET_MSRS on vCPU 'cpu'. */
int kvmrun_host_rdmsr(u32 cpu, u32 index, u64 *val, struct kvmrun_result *res);
int kvmrun_host_wrmsr(u32 cpu, u32 index, u64 val, struct kvmrun_result *res);
/* The same through KVM_GET/SET_ONE_REG (res->ret 0 = done, else -1/err). */
int kvmrun_host_get_one_reg(u32 cpu, u32 index, u64 *val, struct kvmrun_result *res);
int kvmrun_host_set_one_reg(u32 cpu, u32 index, u64 val, struct kvmrun_result *res);

/* KVM_CHECK_EXTENSION on the system and the VM fd. */
int kvmrun_check_extension(u32 cap, struct kvmrun_check_ext *out);

/* Start AP 'cpu' at 32-bit 'entry' with EAX = KVMRUN_AP_MAGIC, EBX = arg. */
int kvmrun_start_ap(u32 cpu, u32 entry, u32 arg);

/* Exits so far by kind; this request's own exit is counted (KVMRUN_EXIT_CTRL). */
int kvmrun_get_exits(struct kvmrun_exits *e);

/*
 * KVMRUN_OP_CONSOLE_WRITE of buf[0, len): for lib/x86/io.c, which
 * serializes its calls (this one has a block of its own, unlocked).
 */
int kvmrun_console_write(const void *buf, u32 len);

/*
 * Turn a filter description into the ioctl layout: fields raw, bitmap
 * pointers by bitmap_kind: DATA = the address of mf's bitmap (mf must stay
 * in place while the request runs), NULL = 0, UNMAPPED =
 * KVMRUN_UNMAPPED_GPA, EDGE = a copy of the ceil(nmsrs/8) bitmap bytes
 * placed so they end exactly at the end of guest RAM (the host's guard
 * page follows: KVM's 8-byte copy faults).  EDGE overwrites the last bytes
 * of RAM (the guest library never uses them) and needs kvmrun (for the RAM
 * size).  Returns 0, or -1 when EDGE cannot be honoured (no kvmrun, or more
 * than one EDGE range).
 */
int kvmrun_build_filter(const struct msrf_filter *mf, struct kvmrun_msr_filter *out);

/*
 * KVMRUN_OP_GET_FILTER: the filter KVM last accepted from kvmrun (at start
 * or by a request), as a description: fields raw, bitmaps copied (kind
 * DATA), *source a KVMRUN_FILTER_SRC_*.  Returns the request's status.
 */
int kvmrun_get_filter(struct msrf_filter *out, u32 *source);

#endif
