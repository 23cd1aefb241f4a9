/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kvmrun control-port protocol, shared by the guest library
 * (lib/x86/ctrl.c) and the harness (host/kvmrun/ctrl.c).  Only <stdint.h>
 * types, so both sides include it as is.
 *
 * Detection: a 32-bit IN from KVMRUN_CTRL_PORT returns KVMRUN_CTRL_MAGIC.
 * Under QEMU nothing decodes that port (checked with `info mtree` on the pc
 * and q35 machines with -nodefaults) and the IN reads all-ones.
 *
 * Request: the guest fills a block (struct kvmrun_req_hdr followed by the
 * op's payload) in its own RAM, sets hdr.status = KVMRUN_ST_PENDING and does
 * a 32-bit OUT of the block's guest-physical address to KVMRUN_CTRL_PORT.
 * The host executes the request while that vCPU is stopped in the OUT and
 * writes the results into the same block before the OUT completes, so the
 * guest reads them right after the OUT.  Like the KVM selftests' ucall.
 *
 * The host checks everything: a block or a pointer outside guest RAM, a
 * size too small for the op, a wrong version, an unknown op or a bad
 * argument get a KVMRUN_ST_* code in hdr.status.  A block whose header is
 * not in RAM or whose magic is wrong is ignored (writing a status there
 * could corrupt the guest), so hdr.status stays KVMRUN_ST_PENDING: the same
 * "no answer" as under QEMU.
 *
 * Ops that run a KVM ioctl put its return value in hdr.ret and its errno in
 * hdr.err (Linux x86 numbers, 0 on success); hdr.status is KVMRUN_ST_OK
 * whenever the ioctl was made, whatever it returned.
 *
 * Harness-specific AP start (KVMRUN_OP_START_AP): KVM offers no SIPI
 * without an in-kernel LAPIC, so APs do not start by INIT-SIPI-SIPI.  With
 * --smp N the harness creates N vCPUs and keeps vCPUs 1..N-1 parked; a
 * START_AP request sets the AP's registers to the multiboot entry state
 * (32-bit protected mode, flat CS 0x08 / data 0x10, paging off, IF=0) with
 * EIP = entry, EAX = KVMRUN_AP_MAGIC, EBX = arg, marks it runnable and lets
 * it run.  Each AP can be started once.
 *
 * Guest exit is not part of this protocol: port 0xf4, as with QEMU
 * (doc/architecture.md, boot contract).  The console is COM1 as with QEMU, plus a
 * fast path that only kvmrun offers (kvmrun_info.console): a guest that
 * sees KVMRUN_CONSOLE_WRITE_OP hands whole lines to KVMRUN_OP_CONSOLE_WRITE
 * (one exit per line instead of one per byte or per LSR poll).  Both paths
 * end in the same COM1 output buffer, in the order the exits happened.
 *
 * New ops and flags are added without changing KVMRUN_PROTO_VERSION: an
 * older kvmrun answers an unknown op with KVMRUN_ST_BADOP and leaves
 * kvmrun_info.console 0 (it was a reserved word), so a guest falls back to
 * the UART by itself.  New kvmrun_info fields are appended and versioned by
 * kvmrun_info.info_version (KVMRUN_INFO_VERSION); version 2 grew the INFO
 * payload from 48 to 64 bytes (info_version, x2apic_virt, features): an
 * older kvmrun copies back only the 48 bytes it knows, and the guest
 * library zeroes its block before each request, so there they read 0.
 * Features that change how an existing op behaves are announced in
 * kvmrun_info.features.
 */
#ifndef KVMRUN_PROTO_H
#define KVMRUN_PROTO_H

#include <stdint.h>

#define KVMRUN_PROTO_VERSION	1
#define KVMRUN_CTRL_PORT	0x7e0
#define KVMRUN_CTRL_MAGIC	0x524d564bu	/* "KVMR" as a little-endian u32 */
#define KVMRUN_REQ_MAGIC	0x5152564bu	/* "KVRQ": first word of a block */
#define KVMRUN_AP_MAGIC		0x4b564d41u	/* EAX of an AP started by START_AP */
#define KVMRUN_REQ_MAX_SIZE	8192u		/* larger blocks: KVMRUN_ST_BADSIZE */

/*
 * Default answer to a user-space RDMSR exit: a value a test can predict
 * from the index alone ("KVM" in bits 63:40, the index in bits 31:0).
 */
#define KVMRUN_MSR_DERIVED(index) (0x4b564d0000000000ull | (uint32_t)(index))

enum kvmrun_op {
	KVMRUN_OP_INFO = 1,		/* struct kvmrun_info */
	KVMRUN_OP_SET_FILTER,		/* struct kvmrun_set_filter */
	KVMRUN_OP_ENABLE_CAP,		/* struct kvmrun_enable_cap */
	KVMRUN_OP_SET_POLICY,		/* struct kvmrun_policy */
	KVMRUN_OP_GET_STATS,		/* struct kvmrun_stats */
	KVMRUN_OP_RESET_STATS,		/* no payload */
	KVMRUN_OP_HOST_RDMSR,		/* struct kvmrun_host_msr */
	KVMRUN_OP_HOST_WRMSR,		/* struct kvmrun_host_msr */
	KVMRUN_OP_CHECK_EXT,		/* struct kvmrun_check_ext */
	KVMRUN_OP_START_AP,		/* struct kvmrun_start_ap */
	KVMRUN_OP_CONSOLE_WRITE,	/* struct kvmrun_console_write */
	KVMRUN_OP_GET_EXITS,		/* struct kvmrun_exits */
	KVMRUN_OP_HOST_GET_ONE_REG,	/* struct kvmrun_host_msr */
	KVMRUN_OP_HOST_SET_ONE_REG,	/* struct kvmrun_host_msr */
	KVMRUN_OP_GET_FILTER,		/* struct kvmrun_get_filter */
	KVMRUN_OP_MAX = KVMRUN_OP_GET_FILTER,
};

/* hdr.status */
#define KVMRUN_ST_OK		0	/* done; see hdr.ret / hdr.err */
#define KVMRUN_ST_BADVERSION	1	/* hdr.version != KVMRUN_PROTO_VERSION */
#define KVMRUN_ST_BADOP		2	/* unknown hdr.op */
#define KVMRUN_ST_BADSIZE	3	/* hdr.size too small for the op, too
					 * large, or the block leaves guest RAM */
#define KVMRUN_ST_BADARG	4	/* an argument is out of range */
#define KVMRUN_ST_BADADDR	5	/* a pointer in the payload leaves RAM */
#define KVMRUN_ST_BUSY		6	/* AP already started / vCPU running */
#define KVMRUN_ST_FAILED	7	/* the host could not do it (hdr.err) */
#define KVMRUN_ST_PENDING	(-1)	/* preset by the guest: no answer yet */

struct kvmrun_req_hdr {
	uint32_t magic;		/* KVMRUN_REQ_MAGIC */
	uint16_t version;	/* KVMRUN_PROTO_VERSION */
	uint16_t op;		/* enum kvmrun_op */
	uint32_t size;		/* bytes in the block, this header included */
	int32_t status;		/* out: KVMRUN_ST_* */
	int32_t ret;		/* out: return value of the op's ioctl */
	int32_t err;		/* out: its errno, 0 on success */
	uint32_t cpu;		/* out: index of the requesting vCPU */
	uint32_t reserved;
};

/* MSRF_IRQCHIP_* values of common/msrfilter.h */
#define KVMRUN_IRQCHIP_NONE	0
#define KVMRUN_IRQCHIP_SPLIT	1
#define KVMRUN_IRQCHIP_FULL	2

/* KVMRUN_OP_INFO: all out */
struct kvmrun_info {
	uint32_t proto_version;
	uint32_t smp;			/* number of vCPUs */
	uint32_t irqchip;		/* KVMRUN_IRQCHIP_* */
	uint32_t x2apic_cpuid;		/* CPUID.1:ECX.x2APIC given to the vCPUs */
	uint32_t exit_mask;		/* last user-exit mask KVM accepted */
	uint32_t ctrl_port;
	uint64_t ram_bytes;		/* guest RAM: [0, ram_bytes) */
	int32_t cap_msr_filter;		/* KVM_CHECK_EXTENSION results */
	int32_t cap_user_space_msr;
	int32_t cap_coalesced_pio;
	uint32_t console;		/* KVMRUN_CONSOLE_* (was reserved: 0) */
	/* Since KVMRUN_INFO_VERSION 2 (an older kvmrun leaves them 0): */
	uint32_t info_version;		/* KVMRUN_INFO_VERSION */
	uint32_t x2apic_virt;		/* KVMRUN_X2APIC_VIRT_* */
	uint32_t features;		/* KVMRUN_FEAT_* */
	uint32_t reserved;
};

/* kvmrun_info.features */
#define KVMRUN_FEAT_POLICY_STORE	(1u << 0)	/* KVMRUN_POLICY_STORE works */

/*
 * The layout of kvmrun_info: fields are only ever appended, and a guest's
 * block is zeroed before the request, so info_version 0 means "a kvmrun
 * from before version 2: the fields after console are absent".
 */
#define KVMRUN_INFO_VERSION	2

/*
 * kvmrun_info.x2apic_virt: x2APIC MSR writes that the CPU itself handles
 * for this VM's vCPUs in x2APIC mode (in-kernel LAPIC), so that KVM never
 * sees them (common/msrfilter.h, MSRF_CPU_X2APIC_*, says what the guest gets
 * instead).  KNOWN: the harness could tell; without it the other bits
 * mean nothing.  TPR: WRMSR 0x808 (kvm_intel sets "use TPR shadow" and
 * "virtualize x2APIC mode" whenever the CPU has them).  VID: also EOI
 * (0x80B) and SELF_IPI (0x83F) writes (kvm_intel with APICv active:
 * virtual-interrupt delivery).
 */
#define KVMRUN_X2APIC_VIRT_KNOWN	(1u << 0)
#define KVMRUN_X2APIC_VIRT_TPR		(1u << 1)
#define KVMRUN_X2APIC_VIRT_VID		(1u << 2)

/*
 * kvmrun_info.console.  NO_FLOW: COM1's LSR always reads "transmitter
 * empty" and nothing is ever dropped, so polling it only costs exits.
 * THR_COALESCED: OUTs to the COM1 data port are queued in KVM's coalesced
 * ring and reach kvmrun without an exit until the ring is full (each OUT
 * still exits to KVM itself).  WRITE_OP: KVMRUN_OP_CONSOLE_WRITE works.
 */
#define KVMRUN_CONSOLE_NO_FLOW		(1u << 0)
#define KVMRUN_CONSOLE_THR_COALESCED	(1u << 1)
#define KVMRUN_CONSOLE_WRITE_OP		(1u << 2)

/*
 * struct kvm_msr_filter in its exact x86-64 layout (392 bytes), with the
 * bitmap pointers holding guest-physical addresses.  The host translates
 * each one: 0 stays NULL; an address inside guest RAM becomes the host
 * address of that byte (the host mapping of RAM is followed by an
 * inaccessible guard, so a bitmap ending at the end of RAM makes KVM's
 * 8-byte-rounded copy fault, doc/abi.md §2); anything else becomes an address in
 * an inaccessible host area (a deterministic EFAULT).  Nothing else is
 * changed or checked: the ioctl gets the filter as given.
 */
#define KVMRUN_FILTER_MAX_RANGES	16
struct kvmrun_msr_filter_range {
	uint32_t flags;
	uint32_t nmsrs;
	uint32_t base;
	uint32_t pad;
	uint64_t bitmap;	/* guest-physical address */
};

struct kvmrun_msr_filter {
	uint32_t flags;
	uint32_t pad;
	struct kvmrun_msr_filter_range ranges[KVMRUN_FILTER_MAX_RANGES];
};

/* kvmrun_set_filter.struct_mode: what the ioctl's argument pointer is */
#define KVMRUN_FILTER_STRUCT_GUEST	0	/* the translated filter_gpa */
#define KVMRUN_FILTER_STRUCT_NULL	1	/* NULL */
#define KVMRUN_FILTER_STRUCT_UNMAPPED	2	/* an inaccessible user address */
#define KVMRUN_FILTER_STRUCT_KERNEL	3	/* 0xffff800000000000 */

/* KVMRUN_OP_SET_FILTER: KVM_X86_SET_MSR_FILTER; hdr.ret / hdr.err */
struct kvmrun_set_filter {
	uint64_t filter_gpa;	/* struct kvmrun_msr_filter, for STRUCT_GUEST */
	uint32_t struct_mode;	/* KVMRUN_FILTER_STRUCT_* */
	uint32_t reserved;
};

/* The caps KVMRUN_OP_ENABLE_CAP accepts (others: KVMRUN_ST_BADARG). */
#define KVMRUN_CAP_X86_USER_SPACE_MSR	188
#define KVMRUN_CAP_X86_MSR_FILTER	189

/*
 * KVMRUN_OP_ENABLE_CAP: VM-scoped KVM_ENABLE_CAP with raw flags and
 * args[0] (invalid values included); hdr.ret / hdr.err.  A successful
 * KVM_CAP_X86_USER_SPACE_MSR updates kvmrun_info.exit_mask.
 */
struct kvmrun_enable_cap {
	uint32_t cap;
	uint32_t flags;
	uint64_t args0;
};

/*
 * KVMRUN_OP_SET_POLICY: how the host answers KVM_EXIT_X86_RDMSR/WRMSR.
 * Replaces the whole policy.  For an exit on 'index' in direction d, the
 * first entry with that index and d in dirs decides: error != 0 → answer
 * run->msr.error = error (the guest gets #GP); else a read returns data and
 * a write is accepted.  No entry: default_error != 0 → that error, else a
 * read returns KVMRUN_MSR_DERIVED(index) and a write is accepted.  Every
 * exit is recorded whatever the answer.
 *
 * An entry with KVMRUN_POLICY_STORE (and error 0) is a register the host
 * emulates: a write stores its value in the entry's data, a read returns
 * the data, so a guest can write D and read D back through user exits.
 * SET_POLICY answers KVMRUN_ST_BADARG for any other flag bit; a kvmrun
 * without kvmrun_info.features & KVMRUN_FEAT_POLICY_STORE ignored the
 * byte (it was padding), so a guest checks that bit first.
 */
#define KVMRUN_POLICY_MAX	32
#define KVMRUN_DIR_READ		1
#define KVMRUN_DIR_WRITE	2
struct kvmrun_policy_entry {
	uint32_t index;
	uint8_t dirs;		/* KVMRUN_DIR_READ | KVMRUN_DIR_WRITE, not 0 */
	uint8_t error;
	uint8_t flags;		/* KVMRUN_POLICY_* (was padding) */
	uint8_t pad;
	uint64_t data;
};
#define KVMRUN_POLICY_STORE	(1u << 0)

struct kvmrun_policy {
	uint32_t default_error;	/* 0..255 */
	uint32_t nentries;	/* 0..KVMRUN_POLICY_MAX */
	struct kvmrun_policy_entry entries[KVMRUN_POLICY_MAX];
};

/* One recorded MSR exit. */
struct kvmrun_msr_exit {
	uint32_t index;
	uint32_t reason;	/* run->msr.reason as KVM gave it */
	uint64_t data;		/* written value, or the value answered to a read */
	uint16_t cpu;
	uint8_t write;		/* 0 = RDMSR exit, 1 = WRMSR exit */
	uint8_t error;		/* run->msr.error answered */
	uint32_t pad;
};

/* counts[][] rows: one per single reason bit, then "anything else" */
#define KVMRUN_REASON_INVAL	0	/* KVM_MSR_EXIT_REASON_INVAL */
#define KVMRUN_REASON_UNKNOWN	1	/* KVM_MSR_EXIT_REASON_UNKNOWN */
#define KVMRUN_REASON_FILTER	2	/* KVM_MSR_EXIT_REASON_FILTER */
#define KVMRUN_REASON_OTHER	3	/* zero or several bits */
#define KVMRUN_NREASONS		4
#define KVMRUN_RING_SIZE	64

/* KVMRUN_OP_GET_STATS: all out.  Counters since start or RESET_STATS. */
struct kvmrun_stats {
	uint32_t counts[KVMRUN_NREASONS][2];	/* [reason row][write] */
	uint32_t total;
	uint32_t have_last;		/* 0 until the first exit */
	struct kvmrun_msr_exit last;
	uint32_t ring_count;		/* valid entries in ring[], oldest first */
	uint32_t reserved;
	struct kvmrun_msr_exit ring[KVMRUN_RING_SIZE];
};

/*
 * KVMRUN_OP_HOST_RDMSR / _WRMSR: KVM_GET_MSRS / KVM_SET_MSRS of one MSR on
 * vCPU 'cpu' (the requesting vCPU or one that has not been started:
 * another running vCPU gets KVMRUN_ST_BUSY).  hdr.ret = the number of MSRs
 * KVM processed (1 = done, 0 = KVM refused it) or -1 with hdr.err.
 */
struct kvmrun_host_msr {
	uint32_t cpu;
	uint32_t index;
	uint64_t data;		/* in for WRMSR, out for RDMSR */
};

/*
 * KVMRUN_OP_HOST_GET_ONE_REG / _SET_ONE_REG: KVM_GET_ONE_REG /
 * KVM_SET_ONE_REG of MSR 'index' (register id KVMRUN_ONE_REG_MSR(index),
 * the x86 MSR encoding of Linux 6.18+ uapi: KVM_REG_X86, type 2 in bits
 * 39:32, 64-bit size) on vCPU 'cpu', same vCPU rules as HOST_RDMSR.
 * hdr.ret = the ioctl's return (0 = done) or -1 with hdr.err; kernels
 * without MSRs in ONE_REG (no KVM_CAP_ONE_REG on x86) give EINVAL.  Added
 * after version 1 without a version change: an older kvmrun says BADOP.
 */
#define KVMRUN_CAP_ONE_REG	70
#define KVMRUN_ONE_REG_MSR(index) \
	(0x2000000000000000ull | 0x0030000000000000ull | (2ull << 32) | (uint32_t)(index))

/*
 * KVMRUN_OP_GET_FILTER: the filter KVM last accepted from this kvmrun,
 * exactly as handed to KVM_X86_SET_MSR_FILTER: the one --filter installed
 * at start or the last one a SET_FILTER request installed (an ioctl that
 * failed changes nothing, as in KVM).  So a test can check against a
 * filter it did not build, and an audit against what a VMM installed.
 *
 * In: a buffer in guest RAM for the bitmaps ([bitmaps_gpa, +bitmaps_size)
 * must be in RAM, else BADADDR).  Out: source; filter with every slot's
 * flags, nmsrs and base raw (zero-length slots too: KVM skips them), and
 * each bitmap pointer the guest-physical address of that slot's
 * ceil(nmsrs / 8) bytes, copied one after the other into the buffer (0
 * for nmsrs 0); bitmaps_used the bytes that takes.  A buffer smaller than
 * bitmaps_used: BADARG with nothing written but bitmaps_used (at most
 * KVMRUN_FILTER_BITMAPS_MAX).  source NONE: nothing was ever installed,
 * filter all zero.  Added without a version change: an older kvmrun says
 * BADOP.
 */
#define KVMRUN_FILTER_SRC_NONE		0
#define KVMRUN_FILTER_SRC_START		1	/* kvmrun --filter */
#define KVMRUN_FILTER_SRC_GUEST		2	/* a KVMRUN_OP_SET_FILTER request */
#define KVMRUN_FILTER_BITMAPS_MAX	(KVMRUN_FILTER_MAX_RANGES * 0x600u)
struct kvmrun_get_filter {
	uint64_t bitmaps_gpa;	/* in */
	uint32_t bitmaps_size;	/* in */
	uint32_t source;	/* out: KVMRUN_FILTER_SRC_* */
	uint32_t bitmaps_used;	/* out */
	uint32_t reserved;
	struct kvmrun_msr_filter filter;	/* out */
};

/* KVMRUN_OP_CHECK_EXT: KVM_CHECK_EXTENSION on the system and the VM fd. */
struct kvmrun_check_ext {
	uint32_t cap;		/* in */
	int32_t sys_ret;	/* out */
	int32_t sys_err;
	int32_t vm_ret;
	int32_t vm_err;
	uint32_t reserved;
};

/* KVMRUN_OP_START_AP (see the top of this file) */
struct kvmrun_start_ap {
	uint32_t cpu;		/* 1..smp-1 */
	uint32_t entry;		/* 32-bit EIP, inside guest RAM */
	uint32_t arg;		/* EBX */
	uint32_t reserved;
};

/*
 * KVMRUN_OP_CONSOLE_WRITE: len bytes at guest-physical gpa go to COM1's
 * output exactly as if written to the data port (CR dropped, output
 * flushed at each LF), after every byte queued in the coalesced ring.
 * len 0..KVMRUN_CONSOLE_MAX (else BADARG); [gpa, gpa + len) must be in RAM
 * (else BADADDR).  hdr.ret = len.
 */
#define KVMRUN_CONSOLE_MAX	4096u
struct kvmrun_console_write {
	uint64_t gpa;
	uint32_t len;
	uint32_t reserved;
};

/*
 * KVMRUN_OP_GET_EXITS: VM exits since the start, summed over the vCPUs,
 * all out.  user[] counts the exits that reached kvmrun (KVM_RUN
 * returned), by kind; the exit of this very request is already counted
 * (under KVMRUN_EXIT_CTRL).  kernel and kernel_io are KVM's own "exits"
 * and "io_exits" statistics (KVM_GET_STATS_FD, Linux 5.14+): every VM
 * exit, the ones KVM handled itself included; KVMRUN_EXITS_UNKNOWN when
 * the kernel does not offer them.
 */
enum kvmrun_exit_kind {
	KVMRUN_EXIT_COM1_THR,	/* OUT to the COM1 data port (not queued) */
	KVMRUN_EXIT_COM1_REG,	/* any other COM1 access (LSR polls) */
	KVMRUN_EXIT_CONSOLE,	/* KVMRUN_OP_CONSOLE_WRITE requests */
	KVMRUN_EXIT_CTRL,	/* other control-port accesses */
	KVMRUN_EXIT_IO_OTHER,	/* the exit port, legacy ports, bad ports */
	KVMRUN_EXIT_MSR,	/* KVM_EXIT_X86_RDMSR / WRMSR */
	KVMRUN_EXIT_OTHER,	/* HLT, shutdown, everything else */
	KVMRUN_EXIT_NKINDS,
};
#define KVMRUN_EXIT_KINDS_MAX	8
#define KVMRUN_EXITS_UNKNOWN	(~0ull)

struct kvmrun_exits {
	uint64_t user[KVMRUN_EXIT_KINDS_MAX];	/* [enum kvmrun_exit_kind] */
	uint64_t user_total;
	uint64_t kernel;		/* KVM's "exits" */
	uint64_t kernel_io;		/* KVM's "io_exits" */
	uint64_t console_bytes;		/* bytes taken by CONSOLE_WRITE */
	uint64_t coalesced_bytes;	/* COM1 bytes taken from the ring */
	uint32_t nkinds;		/* KVMRUN_EXIT_NKINDS */
	uint32_t reserved;
};

/*
 * The payload after the header, sized for the largest request: both ends
 * lay out their request block as a header followed by this union, so a
 * new operation adds its struct here and nowhere else.
 */
union kvmrun_payload {
	struct kvmrun_info info;
	struct kvmrun_set_filter set_filter;
	struct kvmrun_enable_cap enable_cap;
	struct kvmrun_policy policy;
	struct kvmrun_stats stats;
	struct kvmrun_host_msr host_msr;
	struct kvmrun_check_ext check_ext;
	struct kvmrun_start_ap start_ap;
	struct kvmrun_console_write console_write;
	struct kvmrun_exits exits;
	struct kvmrun_get_filter get_filter;
};

_Static_assert(sizeof(struct kvmrun_req_hdr) == 32, "header layout");
_Static_assert(sizeof(struct kvmrun_info) == 64, "info layout");
_Static_assert(KVMRUN_EXIT_NKINDS <= KVMRUN_EXIT_KINDS_MAX, "exit kinds");
_Static_assert(sizeof(struct kvmrun_msr_filter) == 392, "kvm_msr_filter layout");
_Static_assert(sizeof(struct kvmrun_policy_entry) == 16, "policy entry layout");
_Static_assert(sizeof(struct kvmrun_msr_exit) == 24, "exit record layout");
_Static_assert(sizeof(struct kvmrun_get_filter) == 416, "get_filter layout");

#endif
