/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvmrun: a small VMM over /dev/kvm for the suite's multiboot images.
 *
 *   kvmrun.c          main: options, inputs, setup order, the end
 *   ../util/kvmrunopts.c  command line (also used by the runner)
 *   env.c             the guest environment (multiboot module)
 *   vm.c              VM and vCPU creation, memory, irqchip, startup filter
 *   run.c             vCPU threads, exit handling, watchdog, end status
 *   ctrl.c            the control port (common/kvmrun_proto.h)
 *   crash.c           a crash's signal, thread and backtrace on stderr
 *   serial.c          COM1 (and the console fast path's output)
 *   exits.c           exits by kind, KVM's exit statistics
 *   msr.c             MSR exit policy and statistics
 *   ../util/kvm.c     filter conversion, entry state, CPUID (shared with
 *                     ioctl-test)
 *   virt.c            which x2APIC writes the CPU handles (APIC virtualization)
 *   mbload.c          multiboot loader
 *   ../util/filterfile.c  filter descriptions
 */
#ifndef HOST_KVMRUN_H
#define HOST_KVMRUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "exits.h"
#include "util/kvm.h"
#include "msr.h"
#include "util/kvmrunopts.h"
#include "serial.h"

/* Process exit statuses other than the guest's (code << 1) | 1. */
#define KVMRUN_EXIT_SETUP	2	/* usage, bad input file */
#define KVMRUN_EXIT_SHUTDOWN	64	/* triple fault / shutdown / reset */
#define KVMRUN_EXIT_INTERNAL	66	/* unexpected exit, unhandled I/O/MMIO */
#define KVMRUN_EXIT_RUN_ERROR	68	/* KVM_RUN failed */
#define KVMRUN_EXIT_EXPECT	70	/* --filter-expect-errno mismatch */
#define KVMRUN_EXIT_SKIP	77	/* no KVM / a required capability */
#define KVMRUN_EXIT_TIMEOUT	124

#define KVMRUN_DEBUG_EXIT_PORT	0xf4

enum vcpu_state {
	VCPU_PARKED,		/* AP not started yet */
	VCPU_RUNNING,		/* its thread is in the run loop */
	VCPU_HALTED,		/* HLT with no in-kernel irqchip: stuck for good */
	VCPU_DONE,		/* its thread left the run loop */
};

struct vcpu {
	unsigned int index;	/* = vCPU id = APIC ID */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool has_thread;	/* under vm.lock */
	enum vcpu_state state;	/* under vm.lock */
	struct vm *vm;
	struct exit_counts exits;	/* written by its own thread only */
	struct kstats kstats;		/* opened on first use, under vm.ctrl_lock */
	bool kstats_tried;
};

/*
 * The filter KVM last accepted, as kvmrun handed it over (KVMRUN_OP_GET_FILTER):
 * raw slots, and ceil(nmsrs / 8) bitmap bytes of each (capped at 0x600).
 */
struct installed_filter {
	uint32_t source;		/* KVMRUN_FILTER_SRC_* */
	uint32_t flags;
	struct {
		uint32_t flags, nmsrs, base;
		uint8_t bitmap[0x600];
	} ranges[KVMRUN_FILTER_MAX_RANGES];
};

struct vm {
	const struct kvmrun_opts *opts;
	int sys_fd, vm_fd;
	size_t page;
	uint8_t *ram;			/* followed by an inaccessible guard */
	uint64_t ram_size;
	size_t guard_size;
	struct kfilter_mem kmem;	/* 'unmapped' targets for bad pointers */
	struct kvm_cpuid2 *cpuid;	/* supported list, before fix-ups */
	int x2apic_cpuid;		/* what the vCPUs get: 0 / 1 */
	bool tsc_deadline_cpuid;	/* CPUID.1:ECX.TSC_DEADLINE given */
	int cap_msr_filter, cap_user_space_msr, cap_coalesced_pio;
	uint32_t x2apic_virt;		/* KVMRUN_X2APIC_VIRT_* (kvmrun-virt.c) */
	uint32_t exit_mask;		/* last mask KVM accepted */
	struct installed_filter filter;	/* under ctrl_lock once vCPUs run */
	size_t run_size;
	unsigned int nvcpus;
	struct vcpu *vcpus;
	struct serial serial;
	struct msrx msrx;
	pthread_mutex_t ctrl_lock;	/* one control request at a time */
	/*
	 * Start vCPU v's thread: set by vm_run() (run.c) and used by START_AP,
	 * so that the control port does not call back into the vCPU loop
	 * that calls it.
	 */
	int (*start_vcpu)(struct vcpu *v);

	pthread_mutex_t lock;		/* the fields below, vcpu state */
	pthread_cond_t cond;		/* an end, or an AP start */
	bool ending;
	int end_status;
	bool end_print;			/* print end_reason on stderr */
	char end_reason[512];
};

/* vm.c */
/* Open KVM and check caps (77 on failure), create the VM and its RAM. */
void vm_create(struct vm *vm, const struct kvmrun_opts *o);
/* The startup filter, at its --filter-when moment (called by vm_setup). */
void vm_setup(struct vm *vm, const struct msrf_filter *filter, int *filter_err);
/* Put vCPU v in the multiboot entry state. */
int vcpu_set_entry(struct vcpu *v, uint32_t eip, uint32_t eax, uint32_t ebx);

/* run.c */
/* Record the end of the run (first caller wins) and wake the main thread. */
void vm_end(struct vm *vm, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Run until the end; returns the process exit status. */
int vm_run(struct vm *vm);

/* ctrl.c: a 32-bit OUT of 'gpa' to the control port by vCPU v. */
void ctrl_request(struct vm *vm, struct vcpu *v, uint32_t gpa);
/* kvmrun_info.console: what the console offers the guest. */
uint32_t ctrl_console_flags(struct vm *vm);
/*
 * Slot i of the installed filter: fields raw, ceil(nmsrs / 8) bitmap bytes
 * (capped at 0x600) from src, of which only 'avail' are readable (the rest
 * read as 0, NULL src as all 0).  Callers record a filter KVM accepted.
 */
void filter_record_range(struct installed_filter *f, unsigned int i, uint32_t flags,
			 uint32_t nmsrs, uint32_t base, const uint8_t *src, uint64_t avail);
/* Exits so far, every vCPU (KVMRUN_OP_GET_EXITS, --stats); takes ctrl_lock. */
void vm_get_exits(struct vm *vm, struct kvmrun_exits *e);

#endif
