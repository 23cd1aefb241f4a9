// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MSR filter that accelerated QEMU installs itself.
 *
 * QEMU 7.2 and newer, when KVM offers KVM_CAP_X86_USER_SPACE_MSR, enables
 * the FILTER exit reason only and installs a DEFAULT_ALLOW filter with one
 * READ range denying MSR_CORE_THREAD_COUNT (0x35); it answers that read
 * from userspace with the -smp topology (target/i386/kvm/kvm.c,
 * kvm_arch_init -> kvm_filter_msr(MSR_CORE_THREAD_COUNT,
 * kvm_rdmsr_core_thread_count)): threads per package in bits 15:0, cores
 * per package in bits 31:16.  7.2 computes nr_threads * nr_cores and
 * nr_cores, later versions threads_per_socket and cores_per_socket: the
 * same numbers with one die per socket, which is what our stanzas use.
 *
 * The filter and mask are built in the model exactly as QEMU installs
 * them; KVM itself does not know 0x35 (baseline UNKNOWN).  So the model
 * says RDMSR exits FILTER (QEMU answers: the guest sees the topology) and
 * WRMSR is allowed by the filter and then unknown to KVM with no UNKNOWN
 * exit enabled: #GP (or dropped with kvm.ignore_msrs=1).
 *
 * The guest learns the topology from its command line, never from a
 * constant: "cores=C threads=T" (the stanza passes the same numbers to
 * -smp).  Only meaningful under QEMU with KVM: the stanzas say
 * vmm = qemu and accel = kvm, so the runner reports SKIP with that reason
 * elsewhere (under TCG QEMU emulates 0x35 itself, no filter involved).
 */
#include "libcflat.h"
#include "desc.h"
#include "msrfilter.h"

#define MSR_CORE_THREAD_COUNT	0x35u

static bool arg_u64(int argc, char **argv, const char *key, u64 *val)
{
	size_t n = strlen(key);
	int i;

	for (i = 1; i < argc; i++)
		if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
			return !parse_u64(argv[i] + n + 1, val);
	return false;
}

/* QEMU's own filter, as kvm_arch_init() installs it. */
static void qemu_ctx(struct msrf_ctx *ctx, struct msrf_filter *f)
{
	msrf_filter_init(f, 0);	/* DEFAULT_ALLOW */
	msrf_add_range(f, MSR_CORE_THREAD_COUNT, 1, MSRF_READ, false);
	memset(ctx, 0, sizeof(*ctx));
	ctx->filter = f;
	ctx->apic_mode = MSRF_APIC_XAPIC;
	ctx->irqchip = MSRF_IRQCHIP_FULL;
	ctx->exit_mask = MSRF_EXIT_FILTER;
	ctx->ignore_msrs = env_enabled("KVM_IGNORE_MSRS");
}

int main(int argc, char **argv, char **envp)
{
	static struct msrf_filter qemu_filter;
	struct msrf_ctx ctx;
	enum msrf_outcome want;
	u64 cores, threads, topo, val = 0;
	int vec;

	report_prefix_push("qemu_msr");
	if (!arg_u64(argc, argv, "cores", &cores) || !arg_u64(argc, argv, "threads", &threads) ||
	    !cores || !threads || cores > 0xffff || cores * threads > 0xffff)
		report_abort("usage: cores=C threads=T (the -smp topology, one die per socket)");
	topo = (cores << 16) | (cores * threads);
	report_prefix_pushf("cores=%lu threads=%lu", (unsigned long)cores,
			    (unsigned long)threads);
	qemu_ctx(&ctx, &qemu_filter);

	want = msrf_outcome(&ctx, MSR_CORE_THREAD_COUNT, MSRF_ACCESS_READ, MSRF_KVM_UNKNOWN);
	vec = rdmsr_safe(MSR_CORE_THREAD_COUNT, &val);
	if (want == MSRF_X_FILTER)
		report(!vec && val == topo,
		       "RDMSR 0x35: FILTER exit answered by QEMU: 0x%lx, want 0x%lx (vector %d)",
		       (unsigned long)val, (unsigned long)topo, vec);
	else
		report_fail("the model no longer says RDMSR 0x35 exits FILTER (%s)",
			    msrf_outcome_name(want));

	want = msrf_outcome_write(&ctx, MSR_CORE_THREAD_COUNT, topo, MSRF_KVM_UNKNOWN);
	vec = wrmsr_safe(MSR_CORE_THREAD_COUNT, topo);
	report(want == MSRF_GP ? vec == GP_VECTOR : (want == MSRF_IGNORED && !vec),
	       "WRMSR 0x35: %s (vector %d)", msrf_outcome_name(want), vec);
	return report_summary();
}
