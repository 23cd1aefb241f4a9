// SPDX-License-Identifier: GPL-2.0-only
/*
 * repro-tsc-deadline-fastpath: KVM's WRMSR fastpath applies a guest write
 * of IA32_TSC_DEADLINE (0x6e0) without asking the userspace MSR filter.
 *
 * Standalone: libc and <linux/kvm.h> only, its own tiny VMM.
 *
 * The fastpath (x86.c handle_fastpath_set_msr_irqoff() before 6.18,
 * __handle_fastpath_wrmsr() since) runs straight from the VM exit and
 * calls kvm_set_lapic_tscdeadline_msr() with no kvm_msr_allowed() check.
 * Before 6.18 it is taken only when kvm_can_use_hv_timer(), i.e. kvm_intel
 * with a usable VMX preemption timer; since 0a94b2042419 "KVM: x86:
 * Unconditionally handle MSR_IA32_TSC_DEADLINE in fastpath exits" (6.18)
 * always, from kvm_intel and from kvm_amd when the CPU supplies next_rip.
 *
 * The VMM denies WRITE of 0x6e0 (one range, reads allowed, default allow)
 * and enables KVM_MSR_EXIT_REASON_FILTER.  A 32-bit flat guest writes a
 * far-future deadline to 0x6e0 and reads it back.  Two cases:
 *   lapic:   in-kernel irqchip, guest in x2APIC mode, LVTT in TSC-deadline
 *            mode (masked): the denied value lands in the LAPIC timer and
 *            RDMSR 0x6e0 returns it.
 *   nolapic: no KVM_CREATE_IRQCHIP, CPUID still offers TSC_DEADLINE: the
 *            fastpath has no LAPIC check, so the write vanishes (no exit,
 *            no #GP) where the filter demands a FILTER exit.
 * The VMM answers a FILTER exit with error 0 (write "handled", dropped):
 * the question is only whether KVM asked, and a #GP would need an IDT.
 *
 * Exit status: 1 bug seen, 0 filter honoured (fixed, or the fastpath is
 * not reached here: the verdict says which it thinks and why), 4 cannot
 * run (no usable KVM device, missing capability), 3 unexpected guest
 * behaviour, 2 usage.  Options: --kvm-device PATH (or KVM_DEVICE=PATH).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#define NAME		"repro-tsc-deadline-fastpath"
#define MSR_TSC_DEADLINE 0x6e0
#define MEM_SIZE	0x10000
#define CODE_GPA	0x1000

/* Guest ports: OUT from the guest, read by the VMM. */
#define PORT_STEP	0xe0	/* eax = step reached */
#define PORT_WLO	0xe1	/* value about to be written, low/high */
#define PORT_WHI	0xe2
#define PORT_RLO	0xe3	/* value RDMSR returned, low/high */
#define PORT_RHI	0xe4
#define PORT_DONE	0xef

/*
 * The guest, 32-bit flat protected mode, no paging, interrupts off.
 * EBX != 0: switch the in-kernel LAPIC to x2APIC mode and put LVTT in
 * TSC-deadline mode (masked: no interrupt either way).  The deadline is
 * TSC + 2^40, far beyond the few seconds this runs, so the timer cannot
 * fire and clear it.
 */
extern const uint8_t guest_start[], guest_end[];
__asm__(
	".pushsection .rodata\n"
	".code32\n"
	"guest_start:\n"
	"	test %ebx, %ebx\n"
	"	jz 1f\n"
	"	mov $0x1b, %ecx\n"		/* APIC_BASE: EN | EXTD */
	"	rdmsr\n"
	"	or $0xc00, %eax\n"
	"	wrmsr\n"
	"	mov $0x832, %ecx\n"		/* x2APIC LVTT */
	"	mov $0x500ef, %eax\n"		/* TSC-deadline | masked | vector 0xef */
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"1:	rdtsc\n"
	"	add $0x100, %edx\n"		/* + 2^40 */
	"	mov %eax, %esi\n"
	"	mov %edx, %edi\n"
	"	out %eax, $0xe1\n"
	"	mov %edi, %eax\n"
	"	out %eax, $0xe2\n"
	"	mov %esi, %eax\n"
	"	mov %edi, %edx\n"
	"	mov $0x6e0, %ecx\n"
	"	wrmsr\n"			/* the write the filter denies */
	"	mov $1, %eax\n"
	"	out %eax, $0xe0\n"
	"	mov $0x6e0, %ecx\n"
	"	rdmsr\n"			/* reads are allowed */
	"	out %eax, $0xe3\n"
	"	mov %edx, %eax\n"
	"	out %eax, $0xe4\n"
	"	out %eax, $0xef\n"
	"	hlt\n"
	"guest_end:\n"
	".code64\n"
	".popsection\n");

static int kvm_fd = -1;

static void __attribute__((noreturn, format(printf, 1, 2)))
cannot_run(const char *fmt, ...)
{
	va_list ap;

	printf(NAME ": CANNOT RUN: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(4);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
unexpected(const char *fmt, ...)
{
	va_list ap;

	printf(NAME ": UNEXPECTED: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(3);
}

static void on_alarm(int sig)
{
	static const char msg[] = NAME ": UNEXPECTED: guest did not finish in 20 s\n";

	(void)sig;
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(3);
}

/* What one run of the guest showed. */
struct result {
	int filter_exits;	/* FILTER exits for a write of 0x6e0 */
	int other_exits;	/* any other MSR exit */
	int step;		/* last step the guest reported */
	uint64_t written, readback;
};

static int run_case(int lapic, int deny_it, struct result *r)
{
	struct kvm_cpuid2 *cpuid;
	struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR };
	struct kvm_userspace_memory_region region;
	struct kvm_msr_filter filter;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_segment seg;
	struct kvm_run *run;
	uint8_t deny = !deny_it; /* bit 0 clear: the one MSR in the range is denied */
	uint8_t *mem;
	int vm, vcpu, mmap_size, i;

	memset(r, 0, sizeof(*r));
	vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		cannot_run("KVM_CREATE_VM: %s", strerror(errno));
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		cannot_run("mmap: %s", strerror(errno));
	memcpy(mem + CODE_GPA, guest_start, guest_end - guest_start);
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		cannot_run("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	if (lapic && ioctl(vm, KVM_CREATE_IRQCHIP, 0))
		cannot_run("KVM_CREATE_IRQCHIP: %s", strerror(errno));
	cap.args[0] = KVM_MSR_EXIT_REASON_FILTER;
	if (ioctl(vm, KVM_ENABLE_CAP, &cap))
		cannot_run("KVM_ENABLE_CAP(X86_USER_SPACE_MSR): %s", strerror(errno));
	memset(&filter, 0, sizeof(filter));
	filter.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
	filter.ranges[0].flags = KVM_MSR_FILTER_WRITE;
	filter.ranges[0].nmsrs = 1;
	filter.ranges[0].base = MSR_TSC_DEADLINE;
	filter.ranges[0].bitmap = &deny;
	if (ioctl(vm, KVM_X86_SET_MSR_FILTER, &filter))
		cannot_run("KVM_X86_SET_MSR_FILTER: %s", strerror(errno));

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		cannot_run("KVM_CREATE_VCPU: %s", strerror(errno));
	mmap_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		cannot_run("mmap(vcpu): %s", strerror(errno));

	/* KVM's CPUID, plus x2APIC and TSC_DEADLINE in leaf 1 ECX. */
	cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
	cpuid->nent = 256;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
		cannot_run("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	for (i = 0; i < (int)cpuid->nent; i++)
		if (cpuid->entries[i].function == 1)
			cpuid->entries[i].ecx |= (1u << 21) | (1u << 24);
	if (ioctl(vcpu, KVM_SET_CPUID2, cpuid))
		cannot_run("KVM_SET_CPUID2: %s", strerror(errno));
	free(cpuid);

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		cannot_run("KVM_GET_SREGS: %s", strerror(errno));
	seg = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = 0x10, .type = 3,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = seg;
	seg.selector = 0x8;
	seg.type = 11;
	sregs.cs = seg;
	sregs.cr0 = 0x11;	/* PE | ET */
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		cannot_run("KVM_SET_SREGS: %s", strerror(errno));
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rflags = 2;
	regs.rsp = MEM_SIZE - 16;
	regs.rbx = lapic;
	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		cannot_run("KVM_SET_REGS: %s", strerror(errno));

	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) && errno != EINTR)
			unexpected("KVM_RUN: %s", strerror(errno));
		switch (run->exit_reason) {
		case KVM_EXIT_IO: {
			uint32_t v;

			if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4)
				unexpected("I/O exit on port %#x", run->io.port);
			memcpy(&v, (uint8_t *)run + run->io.data_offset, 4);
			switch (run->io.port) {
			case PORT_STEP: r->step = v; break;
			case PORT_WLO: r->written |= v; break;
			case PORT_WHI: r->written |= (uint64_t)v << 32; break;
			case PORT_RLO: r->readback |= v; break;
			case PORT_RHI: r->readback |= (uint64_t)v << 32; break;
			case PORT_DONE: goto done;
			default: unexpected("OUT to port %#x", run->io.port);
			}
			break;
		}
		case KVM_EXIT_X86_WRMSR:
			if (run->msr.index == MSR_TSC_DEADLINE &&
			    run->msr.reason == KVM_MSR_EXIT_REASON_FILTER)
				r->filter_exits++;
			else
				r->other_exits++;
			printf("  %-7s exit: WRMSR %#x data %#llx reason %u\n",
			       lapic ? "lapic" : "nolapic", run->msr.index,
			       (unsigned long long)run->msr.data, run->msr.reason);
			run->msr.error = 0;	/* handled: the write is dropped */
			break;
		case KVM_EXIT_X86_RDMSR:
			r->other_exits++;
			printf("  %-7s exit: RDMSR %#x reason %u\n",
			       lapic ? "lapic" : "nolapic", run->msr.index, run->msr.reason);
			run->msr.error = 0;
			run->msr.data = 0;
			break;
		case KVM_EXIT_SHUTDOWN:
			unexpected("%s: guest shut down (triple fault) at step %d",
				   lapic ? "lapic" : "nolapic", r->step);
		case KVM_EXIT_INTERNAL_ERROR:
			unexpected("%s: KVM internal error, suberror %u",
				   lapic ? "lapic" : "nolapic", run->internal.suberror);
		default:
			unexpected("%s: exit reason %u", lapic ? "lapic" : "nolapic",
				   run->exit_reason);
		}
	}
done:
	munmap(run, mmap_size);
	close(vcpu);
	close(vm);
	munmap(mem, MEM_SIZE);
	if (r->step != 1)
		unexpected("guest did not get past the WRMSR (step %d)", r->step);
	return r->filter_exits == 0;	/* 1: the denied write went unasked */
}

/* "1" or "Y" in a module parameter file; -1 when there is no such file. */
static int param_yes(const char *path)
{
	char buf[8] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return buf[0] == 'Y' || buf[0] == '1';
}

int main(int argc, char **argv)
{
	const char *dev = getenv("KVM_DEVICE");
	struct result a, b;
	struct utsname u;
	int bug_a, bug_b, maj = 0, min = 0, new_fastpath, intel, amd, ptimer, nrips;
	char why[256];

	if (!dev || !*dev)
		dev = "/dev/kvm";
	if (argc == 3 && !strcmp(argv[1], "--kvm-device")) {
		dev = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: " NAME " [--kvm-device PATH] (or KVM_DEVICE=PATH)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	kvm_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		cannot_run("open %s: %s", dev, strerror(errno));
	if (ioctl(kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		cannot_run("%s is not a KVM device (KVM_GET_API_VERSION: %s)", dev,
			   strerror(errno));
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) <= 0)
		cannot_run("no KVM_CAP_X86_USER_SPACE_MSR");
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_MSR_FILTER) <= 0)
		cannot_run("no KVM_CAP_X86_MSR_FILTER");
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) <= 0)
		cannot_run("no KVM_CAP_IRQCHIP");
	signal(SIGALRM, on_alarm);
	alarm(20);

	uname(&u);
	sscanf(u.release, "%d.%d", &maj, &min);
	intel = param_yes("/sys/module/kvm_intel/parameters/ept") >= 0;
	amd = param_yes("/sys/module/kvm_amd/parameters/npt") >= 0;
	ptimer = param_yes("/sys/module/kvm_intel/parameters/preemption_timer");
	nrips = param_yes("/sys/module/kvm_amd/parameters/nrips");
	new_fastpath = maj > 6 || (maj == 6 && min >= 18);
	printf("  kernel %s, %s", u.release, intel ? "kvm_intel" : amd ? "kvm_amd" : "other KVM");
	if (intel)
		printf(", preemption_timer=%c", ptimer > 0 ? 'Y' : 'N');
	if (amd)
		printf(", nrips=%c", nrips > 0 ? 'Y' : 'N');
	printf("\n");

	/*
	 * Control: the same guest with the write allowed must store the
	 * deadline, or a "fixed" verdict below would prove nothing.
	 */
	run_case(1, 0, &a);
	printf("  control: WRMSR 0x6e0 <- %#llx allowed: RDMSR 0x6e0 -> %#llx\n",
	       (unsigned long long)a.written, (unsigned long long)a.readback);
	if (a.filter_exits || a.readback != a.written)
		unexpected("the allowed write did not arm the TSC-deadline timer");

	bug_a = run_case(1, 1, &a);
	printf("  lapic:   WRMSR 0x6e0 <- %#llx under write-deny: %d FILTER exit(s); "
	       "RDMSR 0x6e0 -> %#llx (%s)\n", (unsigned long long)a.written, a.filter_exits,
	       (unsigned long long)a.readback,
	       a.readback == a.written ? "the denied value" :
	       a.readback == 0 ? "unchanged" : "other");
	bug_b = run_case(0, 1, &b);
	printf("  nolapic: WRMSR 0x6e0 <- %#llx under write-deny: %d FILTER exit(s)%s\n",
	       (unsigned long long)b.written, b.filter_exits,
	       b.filter_exits ? "" : " (the write vanished: no exit, no #GP)");
	if (a.other_exits || b.other_exits)
		unexpected("MSR exits other than the FILTER exit for 0x6e0 (listed above)");
	if (!bug_a && a.readback != 0)
		unexpected("FILTER exit seen, yet RDMSR 0x6e0 returned %#llx",
			   (unsigned long long)a.readback);

	if (bug_a || bug_b) {
		printf(NAME ": BUG: a filter-denied WRMSR 0x6e0 bypassed the filter "
		       "(lapic: %s, nolapic: %s)\n",
		       bug_a ? (a.readback == a.written ? "no exit, value applied" : "no exit")
			     : "FILTER exit",
		       bug_b ? "no exit, write vanished" : "FILTER exit");
		return 1;
	}
	/* Honoured: say whether this kernel would take the fastpath at all. */
	if (intel && ptimer > 0)
		snprintf(why, sizeof(why), "fixed: kvm_intel with the VMX preemption timer "
			 "takes the TSC_DEADLINE fastpath, and it asked the filter");
	else if (new_fastpath && (intel || (amd && nrips > 0)))
		snprintf(why, sizeof(why), "fixed (or this CPU gives no next_rip): %s >= 6.18 "
			 "takes the TSC_DEADLINE fastpath, and it asked the filter",
			 intel ? "kvm_intel" : "kvm_amd");
	else if (intel)
		snprintf(why, sizeof(why), "not reached: kvm_intel before 6.18 without the "
			 "VMX preemption timer has no TSC_DEADLINE fastpath");
	else if (amd && new_fastpath)
		snprintf(why, sizeof(why), "not reached: kvm_amd with nrips=N has no fastpath");
	else if (amd)
		snprintf(why, sizeof(why), "not reached: kvm_amd before 6.18 has no "
			 "TSC_DEADLINE fastpath (it needs a VMX preemption timer)");
	else
		snprintf(why, sizeof(why), "fixed, or not reached: neither kvm_intel nor kvm_amd");
	printf(NAME ": OK: the filter was honoured in both cases; %s\n", why);
	return 0;
}
