// SPDX-License-Identifier: GPL-2.0-only
/*
 * Batched MSR observation (see msrsweep.h): accesses back to back, then
 * the host's exit ring tells which of them exited, and how.
 */
#include "libcflat.h"
#include "desc.h"
#include "msrsweep.h"
#include "processor.h"

_Static_assert(MSRSWEEP_BATCH <= KVMRUN_RING_SIZE,
	       "a batch must fit in the host's exit ring");

static struct kvmrun_stats hs;	/* ~1.6 KiB: not on the stack */
static u32 seen_total;
static struct msrsweep_stats st;

static void fetch_stats(void)
{
	int r = kvmrun_get_stats(&hs);

	if (r != KVMRUN_ST_OK)
		report_abort("GET_STATS: %s", kvmrun_status_name(r));
}

void msrsweep_sync(void)
{
	int r = kvmrun_reset_policy();

	if (r != KVMRUN_ST_OK)
		report_abort("SET_POLICY: %s", kvmrun_status_name(r));
	fetch_stats();
	seen_total = hs.total;
}

/* The raw accesses: nothing between them but the fixup bookkeeping. */
static void access_all(struct msrsweep_batch *b, unsigned int from,
		       unsigned int to)
{
	unsigned int i;

	for (i = from; i < to; i++) {
		struct msrsweep_obs *o = &b->obs[i];

		memset(o, 0, sizeof(*o));
		if (b->write)
			o->vector = (u8)wrmsr_safe(b->index[i], b->value[i]);
		else
			o->vector = (u8)rdmsr_safe(b->index[i], &o->value);
	}
	st.accesses += to - from;
}

static void record(struct msrsweep_obs *o, const struct kvmrun_msr_exit *e)
{
	o->nexits++;
	o->exit_index = e->index;
	o->exit_data = e->data;
	o->exit_reason = (u8)e->reason;
	o->exit_write = e->write;
	o->exit_error = e->error;
}

/*
 * The batch's exits are the last 'd' ring entries, oldest first.  Accesses
 * ran in order and each exits at most once, so walking both lists in step
 * pairs every exit with the first later access to its index.
 */
static bool attribute(struct msrsweep_batch *b, u32 d)
{
	unsigned int j = 0, k;

	if (d > hs.ring_count || d > b->n)
		return false;
	for (k = hs.ring_count - d; k < hs.ring_count; k++) {
		const struct kvmrun_msr_exit *e = &hs.ring[k];

		while (j < b->n && b->index[j] != e->index)
			j++;
		if (j == b->n)
			return false;
		record(&b->obs[j++], e);
	}
	return true;
}

/* One access, then its exits: every exit since the last one is its own. */
static void run_one(struct msrsweep_batch *b, unsigned int i)
{
	u32 d, k;

	access_all(b, i, i + 1);
	fetch_stats();
	d = hs.total - seen_total;
	seen_total = hs.total;
	st.exits += d;
	for (k = d < hs.ring_count ? hs.ring_count - d : 0; k < hs.ring_count; k++)
		record(&b->obs[i], &hs.ring[k]);
	/* More exits than the ring holds: the count still says so. */
	if (d > b->obs[i].nexits)
		b->obs[i].nexits = d > 255 ? 255 : (u8)d;
}

void msrsweep_run(struct msrsweep_batch *b)
{
	unsigned int i;
	u32 d;

	assert(b->n <= MSRSWEEP_BATCH);
	if (!b->n)
		return;
	st.batches++;
	access_all(b, 0, b->n);
	fetch_stats();
	d = hs.total - seen_total;
	seen_total = hs.total;
	st.exits += d;
	if (attribute(b, d))
		return;
	st.reruns++;
	for (i = 0; i < b->n; i++)
		run_one(b, i);
}

int msrsweep_outcome(const struct msrsweep_obs *o)
{
	if (o->nexits > 1)
		return -1;
	if (o->nexits) {
		return msrf_exit_outcome(o->exit_reason);
	}
	if (!o->vector)
		return MSRF_V;
	return o->vector == GP_VECTOR ? MSRF_GP : -1;
}

static bool exit_matches(enum msrf_outcome expect, bool write, u32 index,
			 u64 written, const struct msrsweep_obs *o)
{
	if (msrsweep_outcome(o) != (int)expect || o->exit_index != index ||
	    o->exit_write != write)
		return false;
	/* The host's error answer gives #GP, anything else completes. */
	if (o->exit_error)
		return o->vector == GP_VECTOR;
	if (o->vector)
		return false;
	if (write)
		return o->exit_data == written;
	/* The answer lands in EDX:EAX; the default answer is derived. */
	return o->value == o->exit_data && o->value == KVMRUN_MSR_DERIVED(index);
}

bool msrsweep_matches(enum msrf_outcome expect, bool write, u32 index,
		      const u64 *want, u64 written, const struct msrsweep_obs *o)
{
	switch (expect) {
	case MSRF_V:
		return !o->nexits && !o->vector && (write || !want || o->value == *want);
	case MSRF_IGNORED:
		return !o->nexits && !o->vector && (write || o->value == 0);
	case MSRF_GP:
		return !o->nexits && o->vector == GP_VECTOR;
	case MSRF_X_FILTER:
	case MSRF_X_UNKNOWN:
	case MSRF_X_INVAL:
		return exit_matches(expect, write, index, written, o);
	case MSRF_L1_EXIT:	/* no L2 here */
		return false;
	}
	return false;
}

const char *msrsweep_describe(const struct msrsweep_obs *o, bool write)
{
	static char buf[128];
	int oc = msrsweep_outcome(o);

	if (o->nexits > 1)
		snprintf(buf, sizeof(buf), "%u exits", o->nexits);
	else if (o->nexits)
		snprintf(buf, sizeof(buf),
			 "%s (reason %u, index 0x%x, %s exit, data 0x%llx, error %u, vector %u, value 0x%llx)",
			 oc < 0 ? "exit" : msrf_outcome_name(oc), o->exit_reason,
			 o->exit_index, o->exit_write ? "write" : "read",
			 (unsigned long long)o->exit_data, o->exit_error, o->vector,
			 (unsigned long long)o->value);
	else if (o->vector)
		snprintf(buf, sizeof(buf), "%s (vector %u)",
			 o->vector == GP_VECTOR ? "GP" : exception_name(o->vector),
			 o->vector);
	else if (write)
		snprintf(buf, sizeof(buf), "V");
	else
		snprintf(buf, sizeof(buf), "V (value 0x%llx)", (unsigned long long)o->value);
	return buf;
}

const struct msrsweep_stats *msrsweep_get_stats(void)
{
	return &st;
}

/* ---- The write rule's list (x86/msr_sweep.c explains each entry) ---------- */

/*
 * NEVER: not written, whatever it reads.  BACK: written only back, with
 * the value just read, and not at all when the read fails: AMD's
 * system-configuration MSRs, where a 0 could change how the guest runs.
 */
enum rule { NEVER, BACK };

static const struct {
	u32 first, last;
	enum rule rule;
	const char *what;
} rules[] = {
	{ 0x00000010, 0x00000010, NEVER, "TSC" },
	{ 0x00000011, 0x00000012, NEVER, "KVM kvmclock (old numbers)" },
	{ 0x0000001b, 0x0000001b, NEVER, "APIC_BASE" },
	{ 0x0000003b, 0x0000003b, NEVER, "TSC_ADJUST" },
	{ 0x00000048, 0x00000049, NEVER, "SPEC_CTRL, PRED_CMD" },
	{ 0x000000fe, 0x000000fe, NEVER, "MTRRcap" },
	{ 0x0000010b, 0x0000010b, NEVER, "FLUSH_CMD" },
	{ 0x00000174, 0x00000176, NEVER, "SYSENTER_CS/ESP/EIP" },
	{ 0x000001d9, 0x000001d9, NEVER, "DEBUGCTL" },
	{ 0x00000200, 0x000002ff, NEVER, "MTRRs, PAT" },
	{ 0x000006e0, 0x000006e0, NEVER, "TSC_DEADLINE" },
	{ 0x00000800, 0x000008ff, NEVER, "x2APIC" },
	{ 0x4b564d00, 0x4b564dff, NEVER, "KVM PV MSRs" },
	{ 0xc0000080, 0xc0000084, NEVER, "EFER, STAR, LSTAR, CSTAR, SFMASK" },
	{ 0xc0000100, 0xc0000102, NEVER, "FS/GS/KERNEL_GS_BASE" },
	{ 0xc0010010, 0xc0010010, BACK, "SYSCFG" },
	{ 0xc0010015, 0xc0010015, BACK, "HWCR" },
	{ 0xc0010114, 0xc0010114, BACK, "VM_CR" },
	{ 0xc0010117, 0xc0010117, BACK, "VM_HSAVE_PA" },
	{ 0xc0010130, 0xc0010130, BACK, "GHCB" },
};

static bool has_rule(u32 index, enum rule rule)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rules); i++)
		if (rules[i].rule == rule && index >= rules[i].first && index <= rules[i].last)
			return true;
	return false;
}

/* "TSC, kvmclock, ..." for a log line, one buffer per rule. */
static const char *rule_names(enum rule rule, char *buf, size_t size)
{
	unsigned int i, len = 0;

	buf[0] = 0;
	for (i = 0; i < ARRAY_SIZE(rules) && len < size; i++)
		if (rules[i].rule == rule)
			len += snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
					rules[i].what);
	return buf;
}

bool msrsweep_unsafe(u32 index)
{
	return has_rule(index, NEVER);
}

const char *msrsweep_unsafe_names(void)
{
	static char buf[320];

	return rule_names(NEVER, buf, sizeof(buf));
}

bool msrsweep_writeback_only(u32 index)
{
	return has_rule(index, BACK);
}

const char *msrsweep_writeback_entry(unsigned int n, u32 *index)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rules); i++)
		if (rules[i].rule == BACK && !n--) {
			*index = rules[i].first;
			return rules[i].what;
		}
	return NULL;
}

const char *msrsweep_writeback_names(void)
{
	static char buf[80];

	return rule_names(BACK, buf, sizeof(buf));
}

/* KVM enables its Hyper-V MSRs for a guest whose CPUID says Hv#1. */
static bool hyperv_cpuid(void)
{
	static int known = -1;

	if (known < 0)
		known = cpuid(0x40000000).a >= 0x40000001 &&
			cpuid(0x40000001).a == 0x31237648;
	return known;
}

enum msrsweep_nowrite msrsweep_write_rule(u32 index, bool read_ok, bool volatile_value)
{
	if (msrsweep_unsafe(index))
		return MSRSWEEP_LISTED;
	if (volatile_value)
		return MSRSWEEP_COUNTER;
	if ((index & ~0x1fffu) == 0x40000000u && !read_ok && hyperv_cpuid())
		return MSRSWEEP_HYPERV;
	if (msrsweep_writeback_only(index) && !read_ok)
		return MSRSWEEP_UNREAD;
	return MSRSWEEP_WRITE;
}
