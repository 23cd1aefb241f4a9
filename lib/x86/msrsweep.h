/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Batched MSR observation for sweeps over thousands of indices.
 *
 * msr_observe_read/write() (msrtest.h) ask the host for its exit counters
 * after every access: one extra control-port exit per access, too slow for
 * a sweep of ~50000 accesses per filter under nested KVM.  Here up to
 * MSRSWEEP_BATCH accesses run back to back, then one GET_STATS fetches the
 * host's ring of recorded exits.  The ring holds the last KVMRUN_RING_SIZE
 * exits and an access exits at most once, so a batch no longer than the
 * ring has every one of its exits in it: each exit is attributed exactly
 * (index, direction, reason, data), nothing is inferred.  When the count
 * does not add up (exits from elsewhere, an index the batch did not touch)
 * the batch is re-run access by access, with a GET_STATS after each.
 *
 * Accesses must therefore be repeatable: sweeps only write values whose
 * second write changes nothing (see x86/msr_sweep.c).  This module keeps
 * its own copy of the host's exit total: do not mix it with
 * msr_observe_*() without calling msrsweep_sync() in between.
 */
#ifndef X86_MSRSWEEP_H
#define X86_MSRSWEEP_H

#include "libcflat.h"
#include "ctrl.h"
#include "msrfilter.h"

#define MSRSWEEP_BATCH	KVMRUN_RING_SIZE

/* What one access did. */
struct msrsweep_obs {
	u64 value;		/* read: EDX:EAX (when no fault) */
	u64 exit_data;		/* host's record: answer to a read / written data */
	u32 exit_index;		/* host's record: index */
	u8 vector;		/* 0 = no exception */
	u8 nexits;		/* user exits attributed to this access */
	u8 exit_reason;		/* raw KVM_MSR_EXIT_REASON_* of the exit */
	u8 exit_write;		/* 1 = the exit was a WRMSR exit */
	u8 exit_error;		/* the error the host answered */
};

struct msrsweep_batch {
	bool write;
	unsigned int n;				/* <= MSRSWEEP_BATCH */
	u32 index[MSRSWEEP_BATCH];
	u64 value[MSRSWEEP_BATCH];		/* writes: the value to write */
	struct msrsweep_obs obs[MSRSWEEP_BATCH];	/* out */
};

/* Statistics of the machinery itself, for an INFO line. */
struct msrsweep_stats {
	unsigned long accesses;
	unsigned long batches;
	unsigned long exits;		/* user exits seen, re-runs included */
	unsigned long reruns;		/* batches re-run access by access */
};

/*
 * Take the host's current exit total as the starting point and put the
 * host's answering policy back to its default (reads get
 * KVMRUN_MSR_DERIVED(index), writes are accepted).  Call before the first
 * batch and after anything else made MSR exits.
 */
void msrsweep_sync(void);

/* Run the batch's accesses and fill b->obs[]. */
void msrsweep_run(struct msrsweep_batch *b);

/* MSRF_V, MSRF_GP or MSRF_X_* as observed; -1 for anything else. */
int msrsweep_outcome(const struct msrsweep_obs *o);

/*
 * Does o match the model's 'expect' for an access to 'index'?  V and
 * IGNORED: no exit, no exception, and a read gives *want (when want is not
 * NULL; IGNORED reads give 0).  GP: #GP and no exit.  X_*: exactly one
 * exit with that reason, on 'index', in that direction; a read then gets
 * the host's answer in EDX:EAX and a write shows the host 'written'.
 */
bool msrsweep_matches(enum msrf_outcome expect, bool write, u32 index,
		      const u64 *want, u64 written, const struct msrsweep_obs *o);

/* "X(F) on index 0x1fc, read, data 0x..." style text for a FAIL line. */
const char *msrsweep_describe(const struct msrsweep_obs *o, bool write);

const struct msrsweep_stats *msrsweep_get_stats(void);

/*
 * The write rule's list: MSRs a sweep never writes, whatever they read
 * (state the library relies on, time, commands that act on any value, the
 * x2APIC registers, KVM's PV MSRs); shared by x86/msr_sweep.c and
 * x86/msr_audit.c.  Names, comma-separated, for a log line.
 */
bool msrsweep_unsafe(u32 index);
const char *msrsweep_unsafe_names(void);

/*
 * MSRs written only back with the value just read, never after a failed
 * read (AMD's SYSCFG, HWCR, VM_CR, VM_HSAVE_PA, GHCB); entry i's name and
 * index (NULL past the end); their names for a log line.
 */
bool msrsweep_writeback_only(u32 index);

/*
 * The write rule in one place (x86/msr_sweep.c's top comment explains
 * it), for the sweep and the audit: whether an index is written with the
 * value its unfiltered read gave (read_ok) or 0, and if not, why.
 * volatile_value: two unfiltered reads differed (a counter).
 */
enum msrsweep_nowrite {
	MSRSWEEP_WRITE,		/* written */
	MSRSWEEP_LISTED,	/* msrsweep_unsafe() */
	MSRSWEEP_COUNTER,	/* its value changes by itself */
	MSRSWEEP_HYPERV,	/* a Hyper-V MSR (CPUID says Hv#1) that did not read OK */
	MSRSWEEP_UNREAD,	/* written back only, and the read failed */
};
enum msrsweep_nowrite msrsweep_write_rule(u32 index, bool read_ok, bool volatile_value);
const char *msrsweep_writeback_entry(unsigned int i, u32 *index);
const char *msrsweep_writeback_names(void);

#endif
