// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>
#include <linux/kvm.h>

#include "msr.h"

void msrx_init(struct msrx *m)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
}

unsigned int msrx_reason_row(uint32_t reason)
{
	switch (reason) {
	case KVM_MSR_EXIT_REASON_INVAL:
		return KVMRUN_REASON_INVAL;
	case KVM_MSR_EXIT_REASON_UNKNOWN:
		return KVMRUN_REASON_UNKNOWN;
	case KVM_MSR_EXIT_REASON_FILTER:
		return KVMRUN_REASON_FILTER;
	default:
		return KVMRUN_REASON_OTHER;
	}
}

/* m->lock held: a STORE entry changes with each write it answers. */
static void decide(struct kvmrun_policy *p, bool write, uint32_t index,
		   uint64_t *data, uint8_t *error)
{
	uint8_t dir = write ? KVMRUN_DIR_WRITE : KVMRUN_DIR_READ;
	uint32_t i;

	for (i = 0; i < p->nentries; i++) {
		struct kvmrun_policy_entry *e = &p->entries[i];

		if (e->index != index || !(e->dirs & dir))
			continue;
		*error = e->error;
		if (!e->error && !write)
			*data = e->data;
		else if (!e->error && (e->flags & KVMRUN_POLICY_STORE))
			e->data = *data;
		return;
	}
	*error = (uint8_t)p->default_error;
	if (!*error && !write)
		*data = KVMRUN_MSR_DERIVED(index);
}

void msrx_answer(struct msrx *m, unsigned int cpu, bool write, uint32_t reason,
		 uint32_t index, uint64_t *data, uint8_t *error)
{
	struct kvmrun_stats *s = &m->stats;
	struct kvmrun_msr_exit *e;

	pthread_mutex_lock(&m->lock);
	if (!write)
		*data = 0;
	decide(&m->policy, write, index, data, error);
	s->counts[msrx_reason_row(reason)][write]++;
	s->total++;
	e = &s->ring[m->ring_next];
	*e = (struct kvmrun_msr_exit){
		.index = index, .reason = reason, .data = *data,
		.cpu = (uint16_t)cpu, .write = write, .error = *error,
	};
	s->last = *e;
	s->have_last = 1;
	m->ring_next = (m->ring_next + 1) % KVMRUN_RING_SIZE;
	if (s->ring_count < KVMRUN_RING_SIZE)
		s->ring_count++;
	pthread_mutex_unlock(&m->lock);
}

int msrx_set_policy(struct msrx *m, const struct kvmrun_policy *p)
{
	uint32_t i;

	if (p->default_error > 255 || p->nentries > KVMRUN_POLICY_MAX)
		return KVMRUN_ST_BADARG;
	for (i = 0; i < p->nentries; i++) {
		uint8_t d = p->entries[i].dirs;

		if (!d || (d & ~(KVMRUN_DIR_READ | KVMRUN_DIR_WRITE)) ||
		    (p->entries[i].flags & ~KVMRUN_POLICY_STORE))
			return KVMRUN_ST_BADARG;
	}
	pthread_mutex_lock(&m->lock);
	m->policy = *p;
	pthread_mutex_unlock(&m->lock);
	return KVMRUN_ST_OK;
}

/* The ring oldest first, whatever slot is next. */
void msrx_get_stats(struct msrx *m, struct kvmrun_stats *out)
{
	const struct kvmrun_stats *s = &m->stats;
	unsigned int i, first;

	pthread_mutex_lock(&m->lock);
	*out = *s;
	first = (m->ring_next + KVMRUN_RING_SIZE - s->ring_count) % KVMRUN_RING_SIZE;
	for (i = 0; i < s->ring_count; i++)
		out->ring[i] = s->ring[(first + i) % KVMRUN_RING_SIZE];
	memset(out->ring + s->ring_count, 0,
	       (KVMRUN_RING_SIZE - s->ring_count) * sizeof(out->ring[0]));
	pthread_mutex_unlock(&m->lock);
}

void msrx_reset_stats(struct msrx *m)
{
	pthread_mutex_lock(&m->lock);
	memset(&m->stats, 0, sizeof(m->stats));
	m->ring_next = 0;
	pthread_mutex_unlock(&m->lock);
}
