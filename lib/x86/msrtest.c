// SPDX-License-Identifier: GPL-2.0-only
#include "libcflat.h"
#include "apic.h"
#include "desc.h"
#include "msr.h"
#include "msrtest.h"

struct msrtest_host msrtest_host;

static struct msrf_filter installed;
static bool have_filter;
static u32 exit_mask;
static u32 seen_total;
static enum msrf_apic_mode apic_mode_cached;

/* Scratch space for the ioctl layout: big, so not on the 16 KiB stack. */
static struct kvmrun_msr_filter kf;
static struct kvmrun_stats stats;

const struct msrf_filter *msrtest_filter(void)
{
	return have_filter ? &installed : NULL;
}

static void sync_exit_count(void)
{
	int st = kvmrun_get_stats(&stats);

	if (st != KVMRUN_ST_OK)
		report_abort("GET_STATS: %s", kvmrun_status_name(st));
	seen_total = stats.total;
}

/* kvmrun_info.x2apic_virt in the model's terms (common/kvmrun_proto.h). */
static void host_cpu_x2apic(void)
{
	const struct kvmrun_info *i = &msrtest_host.info;
	u32 v = i->info_version >= 2 ? i->x2apic_virt : 0;

	msrtest_host.cpu_x2apic_known = v & KVMRUN_X2APIC_VIRT_KNOWN;
	msrtest_host.cpu_x2apic = 0;
	if (v & KVMRUN_X2APIC_VIRT_TPR)
		msrtest_host.cpu_x2apic |= MSRF_CPU_X2APIC_TPR;
	if (v & KVMRUN_X2APIC_VIRT_VID)
		msrtest_host.cpu_x2apic |= MSRF_CPU_X2APIC_VID;
	if (!msrtest_host.cpu_x2apic_known)
		report_info("the harness cannot tell which x2APIC writes the CPU handles "
			    "(info version %u)", i->info_version);
	else if (msrtest_host.cpu_x2apic)
		report_info("the CPU handles x2APIC writes of TPR%s (APIC virtualization)",
			    msrtest_host.cpu_x2apic & MSRF_CPU_X2APIC_VID ?
			    ", EOI and SELF_IPI" : "");
}

/*
 * A filter kvmrun installed at start (--filter): the model takes it from
 * kvmrun itself (KVMRUN_OP_GET_FILTER), bitmaps included, so no test keeps
 * a copy of a cfg-given filter.  A kvmrun too old to say leaves the model
 * with no filter: tests that depend on it install their own.
 */
static void take_start_filter(void)
{
	static struct msrf_filter f;
	const char *name = getenv("KVMRUN_FILTER");
	u32 src;
	int st = kvmrun_get_filter(&f, &src);

	if (st == KVMRUN_ST_OK && src == KVMRUN_FILTER_SRC_START) {
		msrtest_assume_filter(&f);
		report_info("kvmrun installed %s at start: the model takes it from GET_FILTER",
			    name ?: "a filter");
	} else if (st != KVMRUN_ST_OK && name && strcmp(name, "none")) {
		report_info("kvmrun installed %s at start but cannot describe it (GET_FILTER: %s)",
			    name, kvmrun_status_name(st));
	}
}

bool msrtest_init(void)
{
	const char *v;
	u64 base;
	int st;

	if (!kvmrun_present()) {
		report_skip("needs the kvmrun control port (this VMM has none)");
		return false;
	}
	st = kvmrun_info(&msrtest_host.info);
	if (st != KVMRUN_ST_OK)
		report_abort("kvmrun INFO: %s", kvmrun_status_name(st));
	v = getenv("KVM_IGNORE_MSRS");
	msrtest_host.ignore_msrs_known = v != NULL;
	msrtest_host.ignore_msrs = v && !strcmp(v, "1");
	exit_mask = msrtest_host.info.exit_mask;
	host_cpu_x2apic();
	take_start_filter();
	sync_exit_count();
	/*
	 * A filter installed by the harness may deny APIC_BASE: the boot
	 * contract says the loader leaves the APIC in xAPIC mode.
	 */
	if (rdmsr_safe(MSR_IA32_APICBASE, &base)) {
		report_info("APIC_BASE denied at start: assuming the boot mode, xAPIC");
		apic_mode_cached = MSRF_APIC_XAPIC;
	} else {
		msrtest_refresh_apic_mode();
	}
	return true;
}

enum msrf_apic_mode msrtest_refresh_apic_mode(void)
{
	u64 base;

	if (rdmsr_safe(MSR_IA32_APICBASE, &base))
		report_abort("APIC_BASE unreadable: refresh the APIC mode with no filter");
	switch (apic_mode_of(base)) {
	case APIC_MODE_X2APIC:
		apic_mode_cached = MSRF_APIC_X2APIC;
		break;
	case APIC_MODE_XAPIC:
		apic_mode_cached = MSRF_APIC_XAPIC;
		break;
	default:
		apic_mode_cached = MSRF_APIC_DISABLED;
		break;
	}
	return apic_mode_cached;
}

void msrtest_ctx(struct msrf_ctx *ctx)
{
	ctx->filter = msrtest_filter();
	ctx->apic_mode = apic_mode_cached;
	ctx->irqchip = (enum msrf_irqchip)msrtest_host.info.irqchip;
	ctx->exit_mask = exit_mask;
	ctx->ignore_msrs = msrtest_host.ignore_msrs;
	ctx->cpu_x2apic = msrtest_host.cpu_x2apic;
}

bool msrtest_cpu_unknown(u32 index, u64 val)
{
	struct msrf_ctx ctx;
	enum msrf_outcome kvm;

	if (msrtest_host.cpu_x2apic_known)
		return false;
	msrtest_ctx(&ctx);
	ctx.cpu_x2apic = 0;
	kvm = msrf_outcome_write(&ctx, index, val, MSRF_KVM_OK);
	ctx.cpu_x2apic = MSRF_CPU_X2APIC_TPR | MSRF_CPU_X2APIC_VID;
	return msrf_outcome_write(&ctx, index, val, MSRF_KVM_OK) != kvm;
}

int msrtest_install(const struct msrf_filter *f)
{
	struct kvmrun_result res;
	int st;

	if (kvmrun_build_filter(f, &kf))
		report_abort("cannot build the ioctl layout of this filter");
	st = kvmrun_set_filter(&kf, &res);
	if (st != KVMRUN_ST_OK)
		report_abort("SET_FILTER: %s", kvmrun_status_name(st));
	/* An empty filter allows everything, exactly as no filter. */
	if (res.ret == 0)
		msrtest_assume_filter(f);
	return res.ret ? res.err : 0;
}

void msrtest_assume_filter(const struct msrf_filter *f)
{
	have_filter = f && !msrf_is_empty(f);
	if (have_filter)
		memcpy(&installed, f, sizeof(installed));
}

int msrtest_filter_off(void)
{
	static struct msrf_filter off;

	msrf_filter_init(&off, 0);
	return msrtest_install(&off);
}

int msrtest_set_mask(u32 mask)
{
	struct kvmrun_result res;
	int st = kvmrun_set_exit_mask(mask, &res);

	if (st != KVMRUN_ST_OK)
		report_abort("ENABLE_CAP: %s", kvmrun_status_name(st));
	if (res.ret == 0)
		exit_mask = mask;
	return res.ret ? res.err : 0;
}

void msrtest_sync(void)
{
	sync_exit_count();
}

void msr_observe_classify(struct msr_obs *o)
{
	u32 before = seen_total;

	sync_exit_count();
	o->exits = seen_total - before;
	if (o->exits) {
		o->exit = stats.last;
		o->outcome = (enum msrf_outcome)msrf_exit_outcome(stats.last.reason);
	} else {
		o->outcome = o->vector ? MSRF_GP : MSRF_V;
	}
}

void msr_observe_read(u32 index, struct msr_obs *o)
{
	memset(o, 0, sizeof(*o));
	o->vector = rdmsr_safe(index, &o->value);
	msr_observe_classify(o);
}

void msr_observe_write(u32 index, u64 val, struct msr_obs *o)
{
	memset(o, 0, sizeof(*o));
	o->written = val;
	o->vector = wrmsr_safe(index, val);
	msr_observe_classify(o);
}

unsigned int msrtest_reason_row(enum msrf_outcome o)
{
	switch (o) {
	case MSRF_X_INVAL:
		return KVMRUN_REASON_INVAL;
	case MSRF_X_UNKNOWN:
		return KVMRUN_REASON_UNKNOWN;
	case MSRF_X_FILTER:
		return KVMRUN_REASON_FILTER;
	default:
		return KVMRUN_REASON_OTHER;
	}
}

unsigned int msrtest_row_of_reason(u32 reason)
{
	int o = msrf_exit_outcome(reason);

	return o < 0 ? KVMRUN_REASON_OTHER : msrtest_reason_row((enum msrf_outcome)o);
}

bool msrtest_is_exit(enum msrf_outcome o)
{
	return o == MSRF_X_FILTER || o == MSRF_X_UNKNOWN || o == MSRF_X_INVAL;
}

/* Exits the model predicted since msrtest_counts_begin(), and the base. */
static u32 tally[KVMRUN_NREASONS][2];
static u32 counts_base[KVMRUN_NREASONS][2];

void msrtest_counts_begin(void)
{
	sync_exit_count();
	memcpy(counts_base, stats.counts, sizeof(counts_base));
	memset(tally, 0, sizeof(tally));
}

bool msrtest_counts_check(const char *what)
{
	static const char *const rows[] = { "INVAL", "UNKNOWN", "FILTER", "other" };
	unsigned int row, dir, bad = 0, n = 0;

	sync_exit_count();
	for (row = 0; row < KVMRUN_NREASONS; row++) {
		for (dir = 0; dir < 2; dir++) {
			u32 seen = stats.counts[row][dir] - counts_base[row][dir];

			n += tally[row][dir];
			if (seen == tally[row][dir])
				continue;
			if (!bad++)
				report_info("%s: %s %s exits: host saw %u, model %u", what,
					    rows[row], dir ? "write" : "read", seen,
					    tally[row][dir]);
		}
	}
	return report(!bad, "%s: host saw exactly the model's %u exits per reason and "
		      "direction", what, n);
}

bool msr_obs_matches(enum msrf_outcome expect, u32 index, bool write,
		     const u64 *answer, const struct msr_obs *o)
{
	if (msrtest_is_exit(expect))
		tally[msrtest_reason_row(expect)][write]++;
	/*
	 * An access that exited to an L1 hypervisor raised nothing and
	 * reached no VMM either: it matches only MSRF_L1_EXIT, never V.
	 */
	if (o->outcome == MSRF_L1_EXIT && expect != MSRF_L1_EXIT)
		return false;
	switch (expect) {
	case MSRF_V:
		return !o->exits && !o->vector;
	case MSRF_IGNORED:
		return !o->exits && !o->vector && (write || o->value == 0);
	case MSRF_GP:
		return !o->exits && o->vector == GP_VECTOR;
	case MSRF_X_FILTER:
	case MSRF_X_UNKNOWN:
	case MSRF_X_INVAL:
		if (o->exits != 1 || o->outcome != expect || o->exit.index != index ||
		    o->exit.write != write || (write && o->exit.data != o->written))
			return false;
		/* The host's answer lands in EDX:EAX, its error gives #GP. */
		if (o->exit.error)
			return o->vector == GP_VECTOR;
		return !o->vector && (write || !answer || o->value == *answer);
	case MSRF_L1_EXIT:
		/* the caller (an L1) saw the right exit and set the outcome */
		return !o->exits && o->outcome == MSRF_L1_EXIT;
	}
	return false;
}

void msrtest_set_policy_one(u32 index, u8 dirs, u8 error, u8 flags, u64 data)
{
	static struct kvmrun_policy p;
	int st;

	memset(&p, 0, sizeof(p));
	p.nentries = 1;
	p.entries[0] = (struct kvmrun_policy_entry){
		.index = index, .dirs = dirs, .error = error, .flags = flags, .data = data,
	};
	st = kvmrun_set_policy(&p);
	if (st != KVMRUN_ST_OK)
		report_abort("SET_POLICY: %s", kvmrun_status_name(st));
}

const char *msr_obs_name(const struct msr_obs *o)
{
	static char buf[96];

	if (o->exits > 1)
		snprintf(buf, sizeof(buf), "%u exits", o->exits);
	else if (o->exits)
		snprintf(buf, sizeof(buf), "%s (index 0x%x, %s, vector %d, %s 0x%lx)",
			 msrf_outcome_name(o->outcome), o->exit.index,
			 o->exit.write ? "write" : "read", o->vector,
			 o->exit.write ? "exit data" : "value",
			 (unsigned long)(o->exit.write ? o->exit.data : o->value));
	else if (o->vector)
		snprintf(buf, sizeof(buf), "vector %d", o->vector);
	else
		snprintf(buf, sizeof(buf), "V (value 0x%lx)", (unsigned long)o->value);
	return buf;
}

static bool check(u32 index, bool write, u64 val, enum msrf_kvm_class baseline,
		  const char *what)
{
	struct msrf_ctx ctx;
	enum msrf_outcome expect;
	struct msr_obs o;
	u64 answer = KVMRUN_MSR_DERIVED(index);
	bool ok;

	msrtest_ctx(&ctx);
	if (write) {
		expect = msrf_outcome_write(&ctx, index, val, baseline);
		msr_observe_write(index, val, &o);
	} else {
		expect = msrf_outcome(&ctx, index, MSRF_ACCESS_READ, baseline);
		msr_observe_read(index, &o);
	}
	ok = msr_obs_matches(expect, index, write, &answer, &o);
	report(ok, "%s 0x%x%s: %s", write ? "wrmsr" : "rdmsr", index, what,
	       msrf_outcome_name(expect));
	if (!ok)
		report_info("expected %s, seen %s", msrf_outcome_name(expect), msr_obs_name(&o));
	return ok;
}

bool msr_check_read(u32 index, enum msrf_kvm_class baseline, const char *what)
{
	return check(index, false, 0, baseline, what);
}

bool msr_check_write(u32 index, u64 val, enum msrf_kvm_class baseline,
		     const char *what)
{
	return check(index, true, val, baseline, what);
}

unsigned int msrtest_x2apic_readable(u32 *regs, bool with_tmcct)
{
	unsigned int n = 0;
	u32 index;

	for (index = MSRF_X2APIC_FIRST; index <= MSRF_X2APIC_LAST; index++) {
		if (msrf_x2apic_class(index, MSRF_READ, MSRF_APIC_X2APIC,
				      MSRF_IRQCHIP_FULL) != MSRF_KVM_OK)
			continue;
		if (index == APIC_REG_TO_MSR(APIC_TMCCT) && !with_tmcct)
			continue;
		if (n == MSRTEST_X2APIC_READABLE_MAX)
			report_abort("more than %u readable x2APIC registers",
				     MSRTEST_X2APIC_READABLE_MAX);
		regs[n++] = index;
	}
	return n;
}

bool msrtest_enter_mask(u32 mask)
{
	int err;

	report_prefix_pushf("mask %u", mask);
	err = msrtest_set_mask(mask);
	if (!err)
		return true;
	report_fail("KVM_ENABLE_CAP(USER_SPACE_MSR, %u): errno %d", mask, err);
	report_prefix_pop();
	return false;
}
