// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-initiated MSR accesses are never filtered (doc/abi.md §4, "Not filtered",
 * §8a): KVM_GET_MSRS / KVM_SET_MSRS on indices the filter denies succeed
 * and see the guest's values.
 *
 * For each probe: with no filter the guest writes value G and reads it
 * back; then a filter denying everything outside the x2APIC range is
 * installed and the guest's own read must be denied as the model says.
 * The host (control port, KVM_GET_MSRS on this vCPU) must read G, write
 * H and read H back, with no user exit; the guest's attempt to write G
 * again must be denied.  With the filter removed the guest must read H:
 * the host's write landed, the guest's denied one did not.  An index KVM
 * does not know gives the host the same answer with and without the
 * filter.  The original values are put back at the end.
 *
 * KVM_GET_ONE_REG / KVM_SET_ONE_REG with the MSR register id (Linux 6.18+,
 * advertised by KVM_CAP_ONE_REG on x86) is another host path that must
 * ignore the filter: where the capability is offered, the same probes are
 * read (H) and written (G) through it under the filter, cross-checked with
 * KVM_GET_MSRS, then H is put back; where it is not, one ONE_REG read is
 * made and reported (SKIP with what KVM answered).
 *
 * Feature MSRs after KVM_RUN: newer kernels refuse a host write that
 * changes an immutable feature MSR (ARCH_CAPABILITIES, PERF_CAPABILITIES,
 * ...) once the vCPU has run.  This guest has run, so the host writes
 * ARCH_CAPABILITIES with one supported bit cleared (a subset of what KVM
 * offers, valid on any kernel) and reports what happened as INFO; the
 * check is only that the answer is consistent (refused and unchanged, or
 * accepted and changed).  The original value is put back.
 *
 * The probes are MSRs the guest may change without disturbing the test
 * library (it uses neither FS/GS nor SYSENTER/SYSCALL state, and PAT
 * entry 0, used by every mapping, is kept).
 */
#include "libcflat.h"
#include "desc.h"
#include "msr.h"
#include "msrtest.h"
#include "percpu.h"

struct probe {
	u32 index;
	const char *name;
	u64 g, h;		/* guest's value, then the host's */
	u64 orig;
	bool usable;		/* the guest could set G without a filter */
};

/* G and H of 0 are derived from the original value by derive_values(). */
static struct probe probes[] = {
	{ .index = MSR_IA32_POWER_CTL, .name = "POWER_CTL" },
	{ .index = MSR_IA32_MISC_ENABLE, .name = "MISC_ENABLE" },
	{ .index = MSR_IA32_CR_PAT, .name = "PAT" },
	{ .index = MSR_IA32_SYSENTER_CS, .name = "SYSENTER_CS", .g = 0x10, .h = 0x18 },
	{ .index = MSR_IA32_SYSENTER_ESP, .name = "SYSENTER_ESP", .g = 0x111000, .h = 0x222000 },
	{ .index = MSR_IA32_SYSENTER_EIP, .name = "SYSENTER_EIP", .g = 0x333000, .h = 0x444000 },
	{ .index = MSR_STAR, .name = "STAR",
	  .g = 0x0013000800000000ull, .h = 0x001b001000000000ull },
	{ .index = MSR_LSTAR, .name = "LSTAR", .g = 0xbbb0000, .h = 0xccc0000 },
	{ .index = MSR_FS_BASE, .name = "FS_BASE", .g = 0x5550000, .h = 0x6660000 },
	{ .index = MSR_GS_BASE, .name = "GS_BASE", .g = 0x7770000, .h = 0x8880000 },
	{ .index = MSR_KERNEL_GS_BASE, .name = "KERNEL_GS_BASE", .g = 0x9990000, .h = 0xaaa0000 },
};

static struct msrf_filter deny_all;

static void derive_values(struct probe *p)
{
	switch (p->index) {
	case MSR_IA32_POWER_CTL:
		p->g = p->orig ^ 2;
		p->h = p->orig ^ 4;
		break;
	case MSR_IA32_MISC_ENABLE:
		/* Fast-strings enable: KVM keeps it, nothing depends on it. */
		p->g = p->orig ^ 1;
		p->h = p->orig;
		break;
	case MSR_IA32_CR_PAT:
		/* Entry 1 becomes WC, then WP; entry 0 (every mapping) stays. */
		p->g = (p->orig & ~0xff00ull) | 0x0100;
		p->h = (p->orig & ~0xff00ull) | 0x0500;
		break;
	}
}

/* Everything outside 0x800-0x8ff denied both ways, explicitly and by default. */
static void build_deny_all(void)
{
	msrf_filter_init(&deny_all, MSRF_DEFAULT_DENY);
	msrf_add_range(&deny_all, 0x0, 0x2000, MSRF_READ | MSRF_WRITE, false);
	msrf_add_range(&deny_all, 0xc0000000, 0x2000, MSRF_READ | MSRF_WRITE, false);
}

/* The premise, from the model: the filter denies every probe both ways. */
static void check_premise(void)
{
	unsigned int i, allowed = 0;

	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		allowed += msrf_allowed(&deny_all, probes[i].index, MSRF_ACCESS_READ);
		allowed += msrf_allowed(&deny_all, probes[i].index, MSRF_ACCESS_WRITE);
	}
	allowed += msrf_allowed(&deny_all, MSR_FABRICATED, MSRF_ACCESS_READ);
	allowed += msrf_allowed(&deny_all, MSR_FABRICATED, MSRF_ACCESS_WRITE);
	if (!report(!allowed, "model: deny-all denies every probe for read and write"))
		report_info("%u accesses allowed", allowed);
}

static u32 exit_total(void)
{
	struct kvmrun_stats st;
	int s = kvmrun_get_stats(&st);

	if (s != KVMRUN_ST_OK)
		report_abort("GET_STATS: %s", kvmrun_status_name(s));
	return st.total;
}

/* KVM_GET_MSRS / KVM_SET_MSRS of one MSR; returns KVM's count (1 = done). */
static int host_read(u32 index, u64 *val)
{
	struct kvmrun_result res;
	int st = kvmrun_host_rdmsr(smp_id(), index, val, &res);

	if (st != KVMRUN_ST_OK)
		report_abort("HOST_RDMSR 0x%x: %s", index, kvmrun_status_name(st));
	return res.ret;
}

static int host_write(u32 index, u64 val)
{
	struct kvmrun_result res;
	int st = kvmrun_host_wrmsr(smp_id(), index, val, &res);

	if (st != KVMRUN_ST_OK)
		report_abort("HOST_WRMSR 0x%x: %s", index, kvmrun_status_name(st));
	return res.ret;
}

static int one_reg_get(u32 index, u64 *val, int *err)
{
	struct kvmrun_result res;
	int st = kvmrun_host_get_one_reg(smp_id(), index, val, &res);

	if (st != KVMRUN_ST_OK)
		report_abort("HOST_GET_ONE_REG 0x%x: %s", index, kvmrun_status_name(st));
	*err = res.err;
	return res.ret;
}

static int one_reg_set(u32 index, u64 val, int *err)
{
	struct kvmrun_result res;
	int st = kvmrun_host_set_one_reg(smp_id(), index, val, &res);

	if (st != KVMRUN_ST_OK)
		report_abort("HOST_SET_ONE_REG 0x%x: %s", index, kvmrun_status_name(st));
	*err = res.err;
	return res.ret;
}

/* KVM_CAP_ONE_REG on the VM fd: MSRs reachable through ONE_REG. */
static bool have_one_reg(void)
{
	struct kvmrun_check_ext ce;
	u64 v = 0;
	int err, r;

	struct kvmrun_result res;

	/* A kvmrun older than the ONE_REG ops answers BADOP. */
	if (kvmrun_host_get_one_reg(smp_id(), MSR_STAR, &v, &res) == KVMRUN_ST_BADOP) {
		report_skip("this kvmrun has no HOST_GET_ONE_REG op");
		return false;
	}
	if (kvmrun_check_extension(KVMRUN_CAP_ONE_REG, &ce) != KVMRUN_ST_OK)
		report_abort("CHECK_EXT(KVM_CAP_ONE_REG) failed");
	if (ce.vm_ret > 0)
		return true;
	r = one_reg_get(MSR_STAR, &v, &err);
	report_skip("KVM_CAP_ONE_REG is %d: no MSRs through KVM_GET/SET_ONE_REG here "
		    "(KVM_GET_ONE_REG of STAR gave %d, errno %d)", ce.vm_ret, r, err);
	return false;
}

/* Under deny-all, after host_under_filter(): the value is H. */
static void one_reg_under_filter(struct probe *p)
{
	u64 v = 0, v2 = 0, v3 = 0;
	int r, w, r2, r3, err;
	u32 before = exit_total();

	r = one_reg_get(p->index, &v, &err);
	report(r == 0 && v == p->h, "KVM_GET_ONE_REG 0x%x (%s): the current value",
	       p->index, p->name);
	if (r || v != p->h)
		report_info("ret %d (errno %d), value 0x%lx, want 0x%lx", r, err,
			    (unsigned long)v, (unsigned long)p->h);
	w = one_reg_set(p->index, p->g, &err);
	r2 = one_reg_get(p->index, &v2, &err);
	r3 = host_read(p->index, &v3);
	report(w == 0 && r2 == 0 && v2 == p->g && r3 == 1 && v3 == p->g,
	       "KVM_SET_ONE_REG 0x%x (%s): applied (KVM_GET_MSRS agrees)", p->index, p->name);
	if (w || r2 || v2 != p->g || r3 != 1 || v3 != p->g)
		report_info("set %d, get %d (0x%lx), GET_MSRS %d (0x%lx), want 0x%lx", w, r2,
			    (unsigned long)v2, r3, (unsigned long)v3, (unsigned long)p->g);
	report(exit_total() == before, "ONE_REG accesses to 0x%x (%s): no user exit",
	       p->index, p->name);
	host_write(p->index, p->h);
}

/*
 * A host write that changes a feature MSR after KVM_RUN: what does this
 * kernel do?  Newer kernels refuse it (the MSR is immutable once the vCPU
 * ran); 6.1 is expected to accept it.  INFO, plus a consistency check.
 */
static void feature_msr_after_run(bool one_reg)
{
	u64 orig = 0, want, now = 0;
	int r, w, err = 0;
	bool accepted;

	r = host_read(MSR_IA32_ARCH_CAPABILITIES, &orig);
	if (r != 1 || !orig) {
		report_skip("ARCH_CAPABILITIES: KVM_GET_MSRS gave %d, value 0x%lx: no bit to clear",
			    r, (unsigned long)orig);
		return;
	}
	want = orig & (orig - 1);	/* lowest supported bit cleared */
	if (one_reg)
		w = one_reg_set(MSR_IA32_ARCH_CAPABILITIES, want, &err) == 0;
	else
		w = host_write(MSR_IA32_ARCH_CAPABILITIES, want);
	host_read(MSR_IA32_ARCH_CAPABILITIES, &now);
	accepted = w == 1;
	report(accepted ? now == want : now == orig,
	       "%s ARCH_CAPABILITIES 0x%lx -> 0x%lx after KVM_RUN: %s, value consistent",
	       one_reg ? "KVM_SET_ONE_REG" : "KVM_SET_MSRS", (unsigned long)orig,
	       (unsigned long)want, accepted ? "accepted" : "refused");
	if (one_reg)
		report_info("this kernel %s a host write changing ARCH_CAPABILITIES after "
			    "KVM_RUN (KVM_SET_ONE_REG errno %d; reads 0x%lx)",
			    accepted ? "ACCEPTS" : "REFUSES", err, (unsigned long)now);
	else
		report_info("this kernel %s a host write changing ARCH_CAPABILITIES after "
			    "KVM_RUN (KVM_SET_MSRS processed %d; reads 0x%lx)",
			    accepted ? "ACCEPTS" : "REFUSES", w, (unsigned long)now);
	if (accepted)
		host_write(MSR_IA32_ARCH_CAPABILITIES, orig);
}

/* No filter: the guest puts G in place and sees it. */
static void guest_setup(struct probe *p)
{
	u64 v = 0;
	int vec = rdmsr_safe(p->index, &p->orig);

	if (!vec) {
		derive_values(p);
		vec = wrmsr_safe(p->index, p->g);
	}
	if (!vec)
		vec = rdmsr_safe(p->index, &v);
	p->usable = !vec && v == p->g;
	report(p->usable, "%s (0x%x): guest writes and reads back its value without a filter",
	       p->name, p->index);
	if (!p->usable)
		report_info("wrote 0x%lx: vector %d, read 0x%lx", (unsigned long)p->g, vec,
			    (unsigned long)v);
}

/* Under deny-all. */
static void host_under_filter(struct probe *p)
{
	u32 before;
	u64 v = 0, v2 = 0;
	int r, w, r2;
	char what[32];

	snprintf(what, sizeof(what), " (%s)", p->name);
	msr_check_read(p->index, MSRF_KVM_OK, what);
	before = exit_total();
	r = host_read(p->index, &v);
	report(r == 1 && v == p->g, "KVM_GET_MSRS 0x%x (%s): the guest's value",
	       p->index, p->name);
	if (r != 1 || v != p->g)
		report_info("processed %d, value 0x%lx, guest's 0x%lx", r,
			    (unsigned long)v, (unsigned long)p->g);
	w = host_write(p->index, p->h);
	r2 = host_read(p->index, &v2);
	report(w == 1 && r2 == 1 && v2 == p->h, "KVM_SET_MSRS 0x%x (%s): applied",
	       p->index, p->name);
	if (w != 1 || r2 != 1 || v2 != p->h)
		report_info("set processed %d; get processed %d, value 0x%lx, wanted 0x%lx",
			    w, r2, (unsigned long)v2, (unsigned long)p->h);
	report(exit_total() == before, "host accesses to 0x%x (%s): no user exit",
	       p->index, p->name);
	/* The guest tries to put G back: denied, H must survive. */
	msr_check_write(p->index, p->g, MSRF_KVM_OK, what);
}

/* Filter removed: the guest sees the host's value, not its own denied one. */
static void guest_after(struct probe *p)
{
	u64 v = 0;
	int vec = rdmsr_safe(p->index, &v);

	report(!vec && v == p->h, "%s (0x%x): guest reads the host's value without a filter",
	       p->name, p->index);
	if (vec || v != p->h)
		report_info("vector %d, value 0x%lx, host wrote 0x%lx, guest tried 0x%lx",
			    vec, (unsigned long)v, (unsigned long)p->h, (unsigned long)p->g);
	wrmsr_safe(p->index, p->orig);
}

/* An MSR KVM does not know: the host's answer must not depend on the filter. */
struct host_result {
	int r, w;
	u64 v;
};

static void host_fabricated(struct host_result *hr)
{
	hr->v = 0;
	hr->r = host_read(MSR_FABRICATED, &hr->v);
	hr->w = host_write(MSR_FABRICATED, 0);
}

static void check_fabricated(const struct host_result *unf)
{
	struct host_result f;

	host_fabricated(&f);
	report(f.r == unf->r && f.v == unf->v && f.w == unf->w,
	       "KVM_GET/SET_MSRS 0x%x (fabricated): same as without the filter",
	       MSR_FABRICATED);
	report_info("0x%x: get %d (value 0x%lx) and set %d under the filter, "
		    "%d (0x%lx) / %d without", MSR_FABRICATED, f.r, (unsigned long)f.v,
		    f.w, unf->r, (unsigned long)unf->v, unf->w);
}

int main(int argc, char **argv, char **envp)
{
	struct host_result unf;
	bool one_reg;
	unsigned int i;
	int err;

	report_prefix_push("msr_host");
	if (!msrtest_init())
		return report_summary();
	report_prefix_pushf("mask %u", msrtest_host.info.exit_mask);
	build_deny_all();
	check_premise();
	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
	for (i = 0; i < ARRAY_SIZE(probes); i++)
		guest_setup(&probes[i]);
	host_fabricated(&unf);

	err = msrtest_install(&deny_all);
	if (!report(!err, "install deny-all: 0"))
		report_abort("cannot go on without the filter: %s", msrf_errno_name(err));
	report_prefix_push("deny-all");
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		if (probes[i].usable)
			host_under_filter(&probes[i]);
		else
			report_skip("%s (0x%x): the guest could not set it without a filter",
				    probes[i].name, probes[i].index);
	}
	check_fabricated(&unf);
	report_prefix_push("ONE_REG");
	one_reg = have_one_reg();
	for (i = 0; one_reg && i < ARRAY_SIZE(probes); i++)
		if (probes[i].usable)
			one_reg_under_filter(&probes[i]);
	report_prefix_pop();
	feature_msr_after_run(false);
	if (one_reg)
		feature_msr_after_run(true);
	report_prefix_pop();

	if (msrtest_filter_off())
		report_abort("cannot turn filtering off");
	report_prefix_push("filter removed");
	for (i = 0; i < ARRAY_SIZE(probes); i++)
		if (probes[i].usable)
			guest_after(&probes[i]);
	report_prefix_pop();
	return report_summary();
}
