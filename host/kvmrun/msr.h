/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How kvmrun answers KVM_EXIT_X86_RDMSR / WRMSR, and what it records about
 * them (policy and statistics of common/kvmrun_proto.h).  Pure and
 * thread-safe: vCPU threads answer exits, the control port changes the
 * policy and reads the statistics.
 */
#ifndef HOST_KVMRUN_MSR_H
#define HOST_KVMRUN_MSR_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "kvmrun_proto.h"

struct msrx {
	pthread_mutex_t lock;
	struct kvmrun_policy policy;
	struct kvmrun_stats stats;
	unsigned int ring_next;		/* slot the next exit goes to */
};

void msrx_init(struct msrx *m);

/*
 * Answer one exit: reason/index as KVM reported them, *data in: the value
 * written (WRMSR; ignored for RDMSR).  Out: *data the value to return for
 * RDMSR, *error run->msr.error.
 */
void msrx_answer(struct msrx *m, unsigned int cpu, bool write, uint32_t reason,
		 uint32_t index, uint64_t *data, uint8_t *error);

/*
 * Replace the policy.  Returns KVMRUN_ST_OK, or KVMRUN_ST_BADARG (policy
 * unchanged) for default_error > 255, nentries > KVMRUN_POLICY_MAX or an
 * entry whose dirs is 0 or has other bits.
 */
int msrx_set_policy(struct msrx *m, const struct kvmrun_policy *p);
void msrx_get_stats(struct msrx *m, struct kvmrun_stats *out);
void msrx_reset_stats(struct msrx *m);

/* Row of kvmrun_stats.counts for a reason value. */
unsigned int msrx_reason_row(uint32_t reason);

#endif
