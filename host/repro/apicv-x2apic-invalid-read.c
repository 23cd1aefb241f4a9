// SPDX-License-Identifier: GPL-2.0-only
/*
 * repro-apicv-x2apic-invalid-read: kvm_intel with APICv before 6.3 lets
 * the CPU answer guest reads of write-only and non-existent x2APIC
 * registers from the virtual-APIC page, where KVM must raise #GP or, with
 * KVM_MSR_EXIT_REASON_INVAL, exit to userspace.
 *
 * Standalone: libc and <linux/kvm.h> only, its own tiny VMM.
 *
 * In 6.1, vmx_update_msr_bitmap_x2apic() -> vmx_reset_x2apic_msrs() clears
 * the read-intercept bit of every MSR 0x800-0x8ff once the vCPU is in
 * x2APIC mode with APICv active, so RDMSR of EOI (0x80b), DFR (0x80e),
 * ICR2 (0x831), SELF_IPI (0x83f) and 0x840-0x8ff never reaches KVM.
 * Fixed in 6.3 by c39857ce8daa "KVM: VMX: Always intercept accesses to
 * unsupported "extended" x2APIC regs" and 02efd818a6c0 "KVM: VMX:
 * Intercept reads to invalid and write-only x2APIC registers".
 *
 * The VMM creates an in-kernel irqchip and enables
 * KVM_MSR_EXIT_REASON_INVAL; a 32-bit flat guest switches its LAPIC to
 * x2APIC mode and reads each index of the table the VMM put at 0x3000.
 * The first, 0x803 (version), is a valid register: it must read without
 * an exit, proving x2APIC mode.  Each invalid one must give an INVAL exit
 * (answered with error 0 and a marker value, so the guest needs no IDT);
 * a read that returns without an exit is the bug.
 *
 * Exit status: 1 bug seen, 0 every invalid read exited (fixed, or not
 * reached: kvm_amd, APICv off; the verdict says which), 4 cannot run (no
 * usable KVM device, missing capability), 3 unexpected guest behaviour,
 * 2 usage.  Options: --kvm-device PATH (or KVM_DEVICE=PATH).
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

#define NAME		"repro-apicv-x2apic-invalid-read"
#define MEM_SIZE	0x10000
#define CODE_GPA	0x1000
#define TABLE_GPA	0x3000
#define MARKER		0x5a5a5a5a5a5a5a5aull	/* what the VMM answers an exit with */

/* Guest ports: OUT from the guest, read by the VMM. */
#define PORT_STEP	0xe0	/* eax = index about to be read */
#define PORT_RLO	0xe3	/* value RDMSR returned, low/high */
#define PORT_RHI	0xe4
#define PORT_DONE	0xef

/* The valid control first, then the registers no x2APIC read may reach. */
static const uint32_t probes[] = {
	0x803, 0x80b, 0x80e, 0x831, 0x83f, 0x840, 0x8ff,
};
#define NPROBES (sizeof(probes) / sizeof(probes[0]))

/*
 * The guest, 32-bit flat protected mode, no paging, interrupts off:
 * x2APIC on, then RDMSR of each index at TABLE_GPA until a 0.
 */
extern const uint8_t guest_start[], guest_end[];
__asm__(
	".pushsection .rodata\n"
	".code32\n"
	"guest_start:\n"
	"	mov $0x1b, %ecx\n"		/* APIC_BASE: EN | EXTD */
	"	rdmsr\n"
	"	or $0xc00, %eax\n"
	"	wrmsr\n"
	"	mov $0x3000, %esi\n"
	"1:	mov (%esi), %ecx\n"
	"	test %ecx, %ecx\n"
	"	jz 2f\n"
	"	mov %ecx, %eax\n"
	"	out %eax, $0xe0\n"
	"	rdmsr\n"
	"	out %eax, $0xe3\n"
	"	mov %edx, %eax\n"
	"	out %eax, $0xe4\n"
	"	add $4, %esi\n"
	"	jmp 1b\n"
	"2:	out %eax, $0xef\n"
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

/* What the guest saw for one probe. */
struct probe {
	int exits;		/* MSR exits for this index */
	unsigned reason;	/* reason of the last one */
	int reported;		/* the guest reported a value */
	uint64_t value;
};

static void run_guest(struct probe *res)
{
	struct kvm_cpuid2 *cpuid;
	struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR };
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_segment seg;
	struct kvm_run *run;
	uint8_t *mem;
	int vm, vcpu, mmap_size, cur = -1;
	unsigned i;

	vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		cannot_run("KVM_CREATE_VM: %s", strerror(errno));
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		cannot_run("mmap: %s", strerror(errno));
	memcpy(mem + CODE_GPA, guest_start, guest_end - guest_start);
	memcpy(mem + TABLE_GPA, probes, sizeof(probes));	/* 0-terminated: mem is zeroed */
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		cannot_run("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	/* APICv needs the in-kernel LAPIC; nothing here inhibits it (no PIT). */
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0))
		cannot_run("KVM_CREATE_IRQCHIP: %s", strerror(errno));
	/* FILTER and UNKNOWN too, so that an exit of another kind shows. */
	cap.args[0] = KVM_MSR_EXIT_REASON_INVAL | KVM_MSR_EXIT_REASON_UNKNOWN |
		      KVM_MSR_EXIT_REASON_FILTER;
	if (ioctl(vm, KVM_ENABLE_CAP, &cap))
		cannot_run("KVM_ENABLE_CAP(X86_USER_SPACE_MSR): %s", strerror(errno));

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		cannot_run("KVM_CREATE_VCPU: %s", strerror(errno));
	mmap_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		cannot_run("mmap(vcpu): %s", strerror(errno));

	/* KVM's CPUID, plus x2APIC in leaf 1 ECX. */
	cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
	cpuid->nent = 256;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
		cannot_run("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	for (i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function == 1)
			cpuid->entries[i].ecx |= 1u << 21;
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
			case PORT_STEP:
				for (cur = 0; cur < (int)NPROBES && probes[cur] != v; cur++)
					;
				if (cur == (int)NPROBES)
					unexpected("guest reports index %#x", v);
				break;
			case PORT_RLO:
				res[cur].value = v;
				break;
			case PORT_RHI:
				res[cur].value |= (uint64_t)v << 32;
				res[cur].reported = 1;
				break;
			case PORT_DONE:
				goto done;
			default:
				unexpected("OUT to port %#x", run->io.port);
			}
			break;
		}
		case KVM_EXIT_X86_RDMSR:
			if (cur < 0 || run->msr.index != probes[cur])
				unexpected("RDMSR exit for %#x (reason %u) outside the probes",
					   run->msr.index, run->msr.reason);
			res[cur].exits++;
			res[cur].reason = run->msr.reason;
			run->msr.error = 0;
			run->msr.data = MARKER;
			break;
		case KVM_EXIT_X86_WRMSR:
			unexpected("WRMSR exit for %#x (reason %u)", run->msr.index,
				   run->msr.reason);
		case KVM_EXIT_SHUTDOWN:
			unexpected("guest shut down (triple fault)");
		case KVM_EXIT_INTERNAL_ERROR:
			unexpected("KVM internal error, suberror %u", run->internal.suberror);
		default:
			unexpected("exit reason %u", run->exit_reason);
		}
	}
done:
	munmap(run, mmap_size);
	close(vcpu);
	close(vm);
	munmap(mem, MEM_SIZE);
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
	struct probe res[NPROBES];
	struct utsname u;
	int maj = 0, min = 0, intel, amd, apicv, leaked = 0, bad = 0;
	unsigned i;

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
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) <= 0)
		cannot_run("no KVM_CAP_IRQCHIP");
	signal(SIGALRM, on_alarm);
	alarm(20);

	uname(&u);
	sscanf(u.release, "%d.%d", &maj, &min);
	intel = param_yes("/sys/module/kvm_intel/parameters/ept") >= 0;
	amd = param_yes("/sys/module/kvm_amd/parameters/npt") >= 0;
	apicv = intel ? param_yes("/sys/module/kvm_intel/parameters/enable_apicv") > 0 :
		amd ? param_yes("/sys/module/kvm_amd/parameters/avic") > 0 : 0;
	printf("  kernel %s, %s", u.release, intel ? "kvm_intel" : amd ? "kvm_amd" : "other KVM");
	if (intel || amd)
		printf(", %s=%c", intel ? "enable_apicv" : "avic", apicv ? 'Y' : 'N');
	printf("\n");

	memset(res, 0, sizeof(res));
	run_guest(res);
	for (i = 0; i < NPROBES; i++) {
		struct probe *p = &res[i];

		printf("  RDMSR %#x%s: ", probes[i], i ? "" : " (valid, control)");
		if (!p->reported)
			printf("no value reported\n");
		else if (p->exits)
			printf("exit, reason %s (%u)\n",
			       p->reason == KVM_MSR_EXIT_REASON_INVAL ? "INVAL" :
			       p->reason == KVM_MSR_EXIT_REASON_UNKNOWN ? "UNKNOWN" :
			       p->reason == KVM_MSR_EXIT_REASON_FILTER ? "FILTER" : "?",
			       p->reason);
		else
			printf("no exit, value %#llx\n", (unsigned long long)p->value);
		if (!p->reported || p->exits > 1)
			bad = 1;
		else if (i == 0 && p->exits)
			bad = 1;	/* not in x2APIC mode: proves nothing */
		else if (i > 0 && !p->exits)
			leaked++;
		else if (i > 0 && p->reason != KVM_MSR_EXIT_REASON_INVAL)
			bad = 1;
	}
	if (bad && !leaked)
		unexpected("neither the bug nor the fixed behaviour (see above: the control "
			   "must read without an exit, each invalid read must exit INVAL)");
	if (leaked) {
		printf(NAME ": BUG: %d of %zu invalid x2APIC reads returned a value with no "
		       "exit (%s %d.%d%s)\n", leaked, NPROBES - 1,
		       intel ? "kvm_intel" : amd ? "kvm_amd" : "KVM", maj, min,
		       apicv ? ", APICv on" : "");
		return 1;
	}
	if (intel && apicv)
		printf(NAME ": OK: fixed: kvm_intel with APICv intercepts every invalid "
		       "x2APIC read (INVAL exits)\n");
	else
		printf(NAME ": OK: not reached: %s, so KVM intercepts every x2APIC read "
		       "(INVAL exits)\n",
		       intel ? "kvm_intel with APICv off" :
		       amd ? "kvm_amd, the bug is kvm_intel's APICv MSR bitmap" :
		       "not kvm_intel, the bug is kvm_intel's APICv MSR bitmap");
	return 0;
}
