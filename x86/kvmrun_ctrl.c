// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kvmrun control port from inside a guest: detection, info, installing
 * a deny filter built in guest memory (RDMSR of the denied MSR #GPs, then
 * with the FILTER exit enabled returns the host's answer in EDX:EAX), the
 * answering policy, the statistics, host-initiated MSR accesses, the
 * errno of invalid filters (EINVAL, EFAULT at the end of RAM), raw caps,
 * bad requests, starting an AP, and the console's paths counted in exits
 * (one request per line on the line path, no LSR poll on the THR path,
 * one poll per 16 bytes on the UART path).  Under QEMU everything SKIPs.
 */
#include "libcflat.h"
#include "ctrl.h"
#include "desc.h"
#include "io.h"
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

#define LINE_LEN 64

/* A line of exactly 'len' bytes that reads as an INFO line. */
static void info_line(char *buf, size_t len, const char *what)
{
	size_t n = (size_t)snprintf(buf, len, "INFO: kvmrun_ctrl: console: %s ", what);

	memset(buf + n, '.', len - 1 - n);
	buf[len - 1] = '\n';
}

static u64 diff(const struct kvmrun_exits *a, const struct kvmrun_exits *b, unsigned int kind)
{
	return b->user[kind] - a->user[kind];
}

/* The exits of console_write(buf, len) alone: b's own exit is taken off. */
static void measure(const char *buf, size_t len, struct kvmrun_exits *a, struct kvmrun_exits *b)
{
	kvmrun_get_exits(a);
	console_write(buf, len);
	kvmrun_get_exits(b);
	b->user[KVMRUN_EXIT_CTRL]--;
	b->user_total--;
	if (b->kernel != KVMRUN_EXITS_UNKNOWN) {
		b->kernel--;
		b->kernel_io--;
	}
}

static void test_console_line(void)
{
	static char big[1100];
	struct kvmrun_exits a, b, c, d;
	char line[LINE_LEN];
	int st;

	report(console_set_path(CONSOLE_LINE) == CONSOLE_LINE, "line path available");
	info_line(line, sizeof(line), "a 64-byte line, line path");
	measure(line, sizeof(line), &a, &b);
	report(diff(&a, &b, KVMRUN_EXIT_CONSOLE) == 1 && b.user_total - a.user_total == 1 &&
	       b.console_bytes - a.console_bytes == LINE_LEN,
	       "line path: one exit to kvmrun per line (%lu), %lu bytes",
	       (unsigned long)(b.user_total - a.user_total),
	       (unsigned long)(b.console_bytes - a.console_bytes));
	/*
	 * One request is one I/O exit, but KVM's "exits" also counts host
	 * interrupts, preemption and the like (8-11 seen on kvm_pvm under
	 * load), so the bound is what the check is about: fewer exits than
	 * bytes, where the byte paths below take at least one per byte.
	 * The name must not carry the count.
	 */
	if (b.kernel == KVMRUN_EXITS_UNKNOWN)
		report_skip("line path: KVM's exit count unknown (no KVM_GET_STATS_FD)");
	else if (b.kernel - a.kernel >= 1 && b.kernel - a.kernel < LINE_LEN)
		report_pass("line path: fewer VM exits in all than bytes, not one per byte");
	else
		report_fail("line path: %lu VM exits in all (KVM's count)",
			    (unsigned long)(b.kernel - a.kernel));

	/* No report() in between: it would land inside the partial line. */
	measure("INFO: kvmrun_ctrl: console: a line in ", 38, &a, &b);
	measure("two writes\n", 11, &c, &d);
	report(b.user_total == a.user_total, "line path: a partial line waits (%lu exits)",
	       (unsigned long)(b.user_total - a.user_total));
	report(diff(&c, &d, KVMRUN_EXIT_CONSOLE) == 1 && d.console_bytes - c.console_bytes == 49,
	       "line path: ... and goes out with its end");
	snprintf(line, sizeof(line), "INFO: kvmrun_ctrl: console: one\nINFO: call, two lines\n");
	measure(line, strlen(line), &a, &b);
	report(diff(&a, &b, KVMRUN_EXIT_CONSOLE) == 1, "line path: one exit for a call's lines (%lu)",
	       (unsigned long)diff(&a, &b, KVMRUN_EXIT_CONSOLE));
	info_line(big, sizeof(big), "a line longer than the buffer");
	measure(big, sizeof(big), &a, &b);
	report(diff(&a, &b, KVMRUN_EXIT_CONSOLE) == 2 &&
	       b.console_bytes - a.console_bytes == sizeof(big),
	       "line path: a 1100-byte line in two requests (%lu)",
	       (unsigned long)diff(&a, &b, KVMRUN_EXIT_CONSOLE));

	st = kvmrun_console_write((void *)0xf0000000ul, 1);
	report(st == KVMRUN_ST_BADADDR, "CONSOLE_WRITE beyond RAM: %s", kvmrun_status_name(st));
	st = kvmrun_console_write(big, KVMRUN_CONSOLE_MAX + 1);
	report(st == KVMRUN_ST_BADARG, "CONSOLE_WRITE of %u bytes: %s", KVMRUN_CONSOLE_MAX + 1,
	       kvmrun_status_name(st));
	st = kvmrun_console_write(big, 0);
	report(st == KVMRUN_ST_OK, "CONSOLE_WRITE of 0 bytes: %s", kvmrun_status_name(st));
}

/* The byte-by-byte paths: 'thr' without LSR polls, 'uart' with them. */
static void test_console_uart(const struct kvmrun_info *info, enum console_path p)
{
	bool ring = info->console & KVMRUN_CONSOLE_THR_COALESCED;
	const char *name = console_path_name(p);
	u64 polls = p == CONSOLE_UART ? LINE_LEN / 16 : 0;
	struct kvmrun_exits a, b;
	char line[LINE_LEN];

	report(console_set_path(p) == p, "%s path available", name);
	info_line(line, sizeof(line), p == CONSOLE_UART ? "a 64-byte line, uart path" :
		  "a 64-byte line, thr path");
	measure(line, sizeof(line), &a, &b);
	report(diff(&a, &b, KVMRUN_EXIT_COM1_REG) == polls,
	       "%s path: %lu LSR polls per 64 bytes", name,
	       (unsigned long)diff(&a, &b, KVMRUN_EXIT_COM1_REG));
	report(diff(&a, &b, KVMRUN_EXIT_COM1_THR) == (ring ? 0 : LINE_LEN) &&
	       b.coalesced_bytes - a.coalesced_bytes == (ring ? LINE_LEN : 0) &&
	       diff(&a, &b, KVMRUN_EXIT_CONSOLE) == 0,
	       "%s path: data bytes %s", name, ring ? "queued in the coalesced ring" :
	       "exit one by one (no coalesced PIO)");
	if (b.kernel == KVMRUN_EXITS_UNKNOWN)
		report_skip("%s path: KVM's exit count unknown", name);
	else
		report(b.kernel_io - a.kernel_io >= LINE_LEN + polls,
		       "%s path: every byte still leaves the guest (%lu I/O exits in KVM)", name,
		       (unsigned long)(b.kernel_io - a.kernel_io));
}

static void test_console(const struct kvmrun_info *info)
{
	const char *env = getenv("CONSOLE");

	report_prefix_push("console");
	report((info->console & KVMRUN_CONSOLE_WRITE_OP) && (info->console & KVMRUN_CONSOLE_NO_FLOW),
	       "kvmrun offers the line op and no flow control (console 0x%x)", info->console);
	report(!(info->console & KVMRUN_CONSOLE_THR_COALESCED) || info->cap_coalesced_pio > 0,
	       "THR coalesced only with KVM_CAP_COALESCED_PIO (%d)", info->cap_coalesced_pio);
	if (env)
		report_skip("path at boot: CONSOLE=%s chose it", env);
	else
		report(console_path() == CONSOLE_LINE, "path at boot: %s",
		       console_path_name(console_path()));
	test_console_line();
	test_console_uart(info, CONSOLE_THR);
	test_console_uart(info, CONSOLE_UART);
	report(console_set_path(CONSOLE_AUTO) == CONSOLE_LINE, "auto picks the line path again");
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
	test_console(&info);
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
