/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared machinery of the MSR-filter conformance tests (x86/msr_*.c):
 * install filters through the kvmrun control port while keeping the
 * model's copy of what is installed, observe what one RDMSR/WRMSR really
 * did (value, #GP, or which user exit the host saw), and check it against
 * common/msrfilter.c.  No expectation is written here or in a test: they all
 * come from msrf_outcome().
 */
#ifndef X86_MSRTEST_H
#define X86_MSRTEST_H

#include "libcflat.h"
#include "ctrl.h"
#include "msrfilter.h"

struct msrtest_host {
	struct kvmrun_info info;
	bool ignore_msrs;		/* kvm.ignore_msrs, from KVM_IGNORE_MSRS */
	bool ignore_msrs_known;
	/*
	 * MSRF_CPU_X2APIC_* from info.x2apic_virt; cpu_x2apic_known is false
	 * with a kvmrun from before KVMRUN_INFO_VERSION 2 or when it could
	 * not tell (then cpu_x2apic is 0 and checks whose outcome depends on
	 * it are skipped: msrtest_cpu_unknown()).
	 */
	u32 cpu_x2apic;
	bool cpu_x2apic_known;
};

extern struct msrtest_host msrtest_host;

/*
 * Under kvmrun: read the harness info, take the filter and exit mask the
 * harness installed at start (KVMRUN_OP_GET_FILTER, kvmrun_info.exit_mask;
 * a test that needs a known start calls msrtest_install()/msrtest_set_mask()
 * itself) and return true.  Elsewhere report one SKIP with the reason and
 * return false: the caller returns report_summary().
 */
bool msrtest_init(void);

/*
 * The model's view of now: filter, APIC mode, mask.  The APIC mode is the
 * one msrtest_refresh_apic_mode() last read: a filter may deny APIC_BASE
 * itself, so tests refresh it after each mode change, with no filter.
 */
void msrtest_ctx(struct msrf_ctx *ctx);
enum msrf_apic_mode msrtest_refresh_apic_mode(void);
/*
 * True when the outcome of writing 'val' to x2APIC MSR 'index' now depends
 * on whether the CPU handles the write, which the harness could not tell:
 * the caller reports a SKIP instead of a check.
 */
bool msrtest_cpu_unknown(u32 index, u64 val);
/* The filter the model believes installed (NULL = none). */
const struct msrf_filter *msrtest_filter(void);

/*
 * KVM_X86_SET_MSR_FILTER of f as given.  Returns the errno KVM gave (0 on
 * success); the model's copy changes only on success, since a rejected
 * call must leave the installed filter alone.  A control-port failure is
 * report_abort().
 */
int msrtest_install(const struct msrf_filter *f);
/*
 * Tell the model that f is installed without installing it: for a filter
 * the harness installed and described (msrtest_init() does it for the
 * start filter).
 */
void msrtest_assume_filter(const struct msrf_filter *f);
/* An empty DEFAULT_ALLOW filter: "filtering off". */
int msrtest_filter_off(void);
/* KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR); returns the errno. */
int msrtest_set_mask(u32 mask);
/*
 * Pushes the "mask N" report prefix and sets exit mask N; when KVM refuses,
 * reports a FAIL, pops the prefix and returns false.
 */
bool msrtest_enter_mask(u32 mask);

/* What one access did. */
struct msr_obs {
	enum msrf_outcome outcome;	/* MSRF_V, MSRF_GP or MSRF_X_* */
	int vector;			/* as the guest saw it */
	u64 value;			/* value read (reads without a fault) */
	u64 written;			/* value written (writes) */
	unsigned int exits;		/* user exits the host saw meanwhile */
	struct kvmrun_msr_exit exit;	/* the last of them, if any */
};

/*
 * Bring the exit count up to date after accesses made outside
 * msr_observe_*() (raw asm, forced emulation...), which may have exited.
 */
void msrtest_sync(void);
/*
 * Classify an access the caller just made (o->vector set): by the exits
 * the host saw since the last observation or msrtest_sync().
 */
void msr_observe_classify(struct msr_obs *o);

/* RDMSR / WRMSR 'index' and classify by vector and the host's exit count. */
void msr_observe_read(u32 index, struct msr_obs *o);
void msr_observe_write(u32 index, u64 val, struct msr_obs *o);

/*
 * Does o match the model's 'expect'?  V and IGNORED are "no fault, no
 * exit" (IGNORED reads must also give 0); X_* need exactly one exit with
 * that reason on 'index', in that direction, and a write exit must carry
 * the written value (o->written).  A read that exits must see the host's
 * answer (KVMRUN_MSR_DERIVED(index) under the default policy) when
 * 'answer' is not NULL.  The exit the model predicts is added to the
 * tally of msrtest_counts_check(), whatever the verdict.
 */
bool msr_obs_matches(enum msrf_outcome expect, u32 index, bool write,
		     const u64 *answer, const struct msr_obs *o);

/*
 * Exit counts over a stretch of checks, as the KVM selftest asserts "4
 * reads and 3 writes": msrtest_counts_begin() takes the host's counters
 * and clears the tally; msrtest_counts_check() reports one line: the
 * host's counters per reason and direction grew by exactly the exits
 * msr_obs_matches() was told to expect since.  Only accesses checked with
 * msr_obs_matches(), or that the model says never exit, may run between.
 */
void msrtest_counts_begin(void);
bool msrtest_counts_check(const char *what);
/* The kvmrun_stats.counts row of an exit outcome / of a run->msr.reason. */
unsigned int msrtest_reason_row(enum msrf_outcome o);
unsigned int msrtest_row_of_reason(u32 reason);
bool msrtest_is_exit(enum msrf_outcome o);
/*
 * The host's answer to exits on 'index' in 'dirs' (KVMRUN_DIR_*): error,
 * else data (flags KVMRUN_POLICY_STORE: what the guest last wrote).  One
 * entry replaces the whole policy; a control-port failure is report_abort().
 */
void msrtest_set_policy_one(u32 index, u8 dirs, u8 error, u8 flags, u64 data);

/* "X(F) on read of 0x1fc" style text for a report line. */
const char *msr_obs_name(const struct msr_obs *o);

/*
 * One report line: access index (read, or write of val), compare with
 * msrf_outcome() under the current context and 'baseline', print
 * expected/seen on mismatch.  Returns the verdict.
 */
/*
 * The x2APIC registers a guest can read (the model's x2APIC table, default
 * vCPU: no LVT_CMCI), in index order; TMCCT, a live counter, only when
 * asked for.  Fills regs[] (MSRTEST_X2APIC_READABLE_MAX entries) and
 * returns the count.
 */
#define MSRTEST_X2APIC_READABLE_MAX	48
unsigned int msrtest_x2apic_readable(u32 *regs, bool with_tmcct);

bool msr_check_read(u32 index, enum msrf_kvm_class baseline, const char *what);
bool msr_check_write(u32 index, u64 val, enum msrf_kvm_class baseline,
		     const char *what);

#endif
