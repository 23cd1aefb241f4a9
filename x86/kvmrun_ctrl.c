// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kvmrun control port from inside a guest: detection, info, installing
 * a deny filter built in guest memory (RDMSR of the denied MSR #GPs, then
 * with the FILTER exit enabled returns the host's answer in EDX:EAX), the
 * answering policy, the statistics, host-initiated MSR accesses, the
 * errno of invalid filters (EINVAL, EFAULT at the end of RAM), raw caps,
 * bad requests, and starting an AP.  Under QEMU everything SKIPs.
 */
#include "libcflat.h"
#include "ctrl.h"
#include "desc.h"
#include "msr.h"
#include "multiboot.h"
#include "processor.h"
#include "smp.h"

#define FD	MSR_IA32_POWER_CTL

static struct msrf_filter mf;
static struct kvmrun_msr_filter kf;

static void deny_fd_filter(void)
{
	memset(&mf, 0, sizeof(mf));
	mf.ranges[0].flags = MSRF_READ | MSRF_WRITE;
	mf.ranges[0].nmsrs = 1;
	mf.ranges[0].base = FD;
}

static void test_info(struct kvmrun_info *info)
{
	int st = kvmrun_info(info);

	report(st == KVMRUN_ST_OK && info->proto_version == KVMRUN_PROTO_VERSION,
	       "info: status %s, proto %u, smp %u, irqchip %u, RAM %lu MiB",
	       kvmrun_status_name(st), info->proto_version, info->smp, info->irqchip,
	       (unsigned long)(info->ram_bytes >> 20));
	report(info->ram_bytes == mb_ram_size(), "info: RAM size matches multiboot's");
}

static void test_deny(void)
{
	struct kvmrun_result res;
	struct kvmrun_stats st;
	u64 val = 0;
	int v;

	report_prefix_push("deny");
	deny_fd_filter();
	kvmrun_build_filter(&mf, &kf);
	v = kvmrun_set_exit_mask(0, &res);
	report(v == KVMRUN_ST_OK && res.ret == 0, "exit mask 0: ret %d err %d", res.ret, res.err);
	v = kvmrun_set_filter(&kf, &res);
	report(v == KVMRUN_ST_OK && res.ret == 0 && res.err == 0,
	       "install deny 0x1fc: status %s ret %d err %d", kvmrun_status_name(v),
	       res.ret, res.err);
	v = rdmsr_safe(FD, &val);
	report(v == GP_VECTOR, "rdmsr 0x1fc: vector %d", v);
	kvmrun_set_exit_mask(MSRF_EXIT_FILTER, &res);
	kvmrun_reset_stats();
	v = rdmsr_safe(FD, &val);
	report(v == 0 && val == KVMRUN_MSR_DERIVED(FD), "FILTER exit: rdmsr gives 0x%lx",
	       (unsigned long)val);
	v = wrmsr_safe(FD, 0x1234);
	report(v == 0, "FILTER exit: wrmsr accepted (vector %d)", v);
	kvmrun_get_stats(&st);
	report(st.total == 2 && st.counts[KVMRUN_REASON_FILTER][0] == 1 &&
	       st.counts[KVMRUN_REASON_FILTER][1] == 1 && st.have_last &&
	       st.last.write == 1 && st.last.index == FD && st.last.data == 0x1234 &&
	       st.ring_count == 2 && st.ring[0].write == 0,
	       "stats: total %u, last %s 0x%x data 0x%lx", st.total,
	       st.last.write ? "write" : "read", st.last.index, (unsigned long)st.last.data);
	report_prefix_pop();
}

static void test_policy(void)
{
	struct kvmrun_policy p;
	u64 val = 0;
	int v;

	report_prefix_push("policy");
	memset(&p, 0, sizeof(p));
	p.nentries = 1;
	p.entries[0] = (struct kvmrun_policy_entry){
		.index = FD, .dirs = KVMRUN_DIR_READ, .data = 0xdeadbeefcafef00dull,
	};
	report(kvmrun_set_policy(&p) == KVMRUN_ST_OK, "set data");
	v = rdmsr_safe(FD, &val);
	report(v == 0 && val == 0xdeadbeefcafef00dull, "rdmsr gives the policy's data");
	p.entries[0].error = 0x80;
	kvmrun_set_policy(&p);
	v = rdmsr_safe(FD, &val);
	report(v == GP_VECTOR, "error 0x80: rdmsr #GP (vector %d)", v);
	p.nentries = 0;
	p.default_error = 1;
	kvmrun_set_policy(&p);
	v = wrmsr_safe(FD, 1);
	report(v == GP_VECTOR, "default error: wrmsr #GP (vector %d)", v);
	p.nentries = KVMRUN_POLICY_MAX + 1;
	report(kvmrun_set_policy(&p) == KVMRUN_ST_BADARG, "too many entries: BADARG");
	kvmrun_reset_policy();
	report_prefix_pop();
}

static void test_host_msr(void)
{
	struct kvmrun_result res;
	u64 val = 0;
	int st;

	report_prefix_push("host access");
	st = kvmrun_host_wrmsr(0, FD, 0x0, &res);
	report(st == KVMRUN_ST_OK && res.ret == 1, "KVM_SET_MSRS 0x1fc under deny: ret %d", res.ret);
	st = kvmrun_host_rdmsr(0, FD, &val, &res);
	report(st == KVMRUN_ST_OK && res.ret == 1, "KVM_GET_MSRS 0x1fc under deny: ret %d val 0x%lx",
	       res.ret, (unsigned long)val);
	st = kvmrun_host_rdmsr(99, FD, &val, &res);
	report(st == KVMRUN_ST_BADARG, "vCPU 99: %s", kvmrun_status_name(st));
	report_prefix_pop();
}

static void test_invalid(void)
{
	struct kvmrun_check_ext ce;
	struct kvmrun_result res;
	int st;

	report_prefix_push("invalid");
	memset(&mf, 0, sizeof(mf));
	mf.flags = MSRF_DEFAULT_DENY;
	kvmrun_build_filter(&mf, &kf);
	st = kvmrun_set_filter(&kf, &res);
	report(st == KVMRUN_ST_OK && res.ret == -1 && res.err == MSRF_EINVAL,
	       "empty deny: ret %d err %d", res.ret, res.err);
	deny_fd_filter();
	mf.ranges[0].bitmap_kind = MSRF_BITMAP_EDGE;
	report(kvmrun_build_filter(&mf, &kf) == 0, "edge filter built");
	st = kvmrun_set_filter(&kf, &res);
	report(st == KVMRUN_ST_OK && res.err == MSRF_EFAULT, "edge bitmap: err %d", res.err);
	mf.ranges[0].bitmap_kind = MSRF_BITMAP_UNMAPPED;
	kvmrun_build_filter(&mf, &kf);
	st = kvmrun_set_filter(&kf, &res);
	report(st == KVMRUN_ST_OK && res.err == MSRF_EFAULT, "unmapped bitmap: err %d", res.err);
	st = kvmrun_set_filter_mode(&kf, KVMRUN_FILTER_STRUCT_NULL, &res);
	report(st == KVMRUN_ST_OK && res.err == MSRF_EFAULT, "NULL struct: err %d", res.err);
	st = kvmrun_set_filter((void *)(unsigned long)0xf0000000ul, &res);
	report(st == KVMRUN_ST_BADADDR, "struct beyond RAM: %s", kvmrun_status_name(st));
	st = kvmrun_set_exit_mask(8, &res);
	report(st == KVMRUN_ST_OK && res.err == MSRF_EINVAL, "exit mask 8: err %d", res.err);
	st = kvmrun_enable_cap(KVMRUN_CAP_X86_MSR_FILTER, 0, 0, &res);
	report(st == KVMRUN_ST_OK && res.err == MSRF_EINVAL, "ENABLE_CAP(MSR_FILTER): err %d", res.err);
	st = kvmrun_enable_cap(1, 0, 0, &res);
	report(st == KVMRUN_ST_BADARG, "ENABLE_CAP(1): %s", kvmrun_status_name(st));
	st = kvmrun_check_extension(KVMRUN_CAP_X86_MSR_FILTER, &ce);
	report(st == KVMRUN_ST_OK && ce.sys_ret == 1 && ce.vm_ret == 1,
	       "CHECK_EXTENSION(189): sys %d vm %d", ce.sys_ret, ce.vm_ret);
	report_prefix_pop();
}

static volatile int ap_ran;

static void ap_fn(void *arg)
{
	ap_ran = (int)(unsigned long)arg;
}


int main(int argc, char **argv)
{
	struct kvmrun_info info;

	if (!kvmrun_present()) {
		report_skip("not under kvmrun (the control port does not answer)");
		return report_summary();
	}
	test_info(&info);
	test_deny();
	test_policy();
	test_host_msr();
	test_invalid();
	if (info.smp > 1) {
		int st = smp_start_ap(1, ap_fn, (void *)42ul);

		report(st == 0, "start AP 1: %d", st);
		st = kvmrun_start_ap(1, 0x400000, 0);
		report(st == KVMRUN_ST_BUSY, "start AP 1 again: %s", kvmrun_status_name(st));
		st = kvmrun_start_ap(info.smp, 0x400000, 0);
		report(st == KVMRUN_ST_BADARG, "start AP %u: %s", info.smp, kvmrun_status_name(st));
		while (!ap_ran)
			cpu_relax();
		report(ap_ran == 42, "AP ran its function");
	}
	return report_summary();
}
