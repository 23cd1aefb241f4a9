// SPDX-License-Identifier: GPL-2.0-only
/*
 * repro-vmx-exit-store-tsc: nested VMX stores a read-denied IA32_TSC from
 * L1's VM-exit MSR-store list, where the filter demands a VM abort.
 *
 * Standalone: libc and <linux/kvm.h> only, its own tiny VMM.
 *
 * Since 653ea4489e69 "KVM: nVMX: Honor userspace MSR filter lists for
 * nested VM-Enter/VM-Exit" (6.12), an MSR that L1's VM-exit MSR-store
 * list names but the filter denies reading makes KVM synthesize a VM
 * abort (api.rst), i.e. L1 shuts down.  nested_vmx_get_vmexit_msr_value()
 * however returns IA32_TSC from the store list KVM gives the CPU for
 * vmcs02 (added because vmcs12's list has the TSC) before it reaches the
 * filtered read, so the TSC is stored whatever the filter says.
 *
 * The guest is L1: 64-bit, set up by this VMM (page tables, GDT with a
 * TSS, CR0/CR4 as VMX wants them, IA32_FEATURE_CONTROL).  It executes
 * VMXON, VMCLEAR, VMPTRLD, VMWRITEs a table of fields this VMM computed
 * from the VMX capability MSRs, and VMLAUNCHes an L2 that executes VMCALL.
 * The VM exit stores the one MSR of the store list; back in L1, the guest
 * reports the exit reason.  Three runs, KVM_MSR_EXIT_REASON_FILTER on:
 *   setup:   no filter, TSC in the list: must come back, TSC stored;
 *   control: LSTAR's read denied, LSTAR in the list: a VM abort (shutdown)
 *            on a kernel that filters the lists (6.12+), else it comes back;
 *   tsc:     IA32_TSC's read denied, TSC in the list: the bug comes back.
 *
 * Exit status: 1 bug seen, 0 filter honoured (fixed, or this kernel does
 * not filter the lists at all: the verdict says which), 4 cannot run (no
 * usable KVM device, no VMX for guests: kvm_intel.nested=0 or not Intel,
 * missing capability), 3 unexpected behaviour, 2 usage.  Options:
 * --kvm-device PATH (or KVM_DEVICE=PATH).
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

#define NAME		"repro-vmx-exit-store-tsc"
#define MSR_IA32_TSC	0x10
#define MSR_FEAT_CTL	0x3a
#define MSR_LSTAR	0xc0000082
#define MSR_VMX_BASIC	0x480

/* Guest-physical layout (2 MiB, identity-mapped by one large page). */
#define MEM_SIZE	0x200000
#define PML4_GPA	0x1000
#define PDPT_GPA	0x2000
#define PD_GPA		0x3000
#define GDT_GPA		0x4000
#define TSS_GPA		0x4100
#define PTRS_GPA	0x5000	/* +0: VMXON region address, +8: VMCS address */
#define LIST_GPA	0x5100	/* the VM-exit MSR-store list: one entry */
#define VMXON_GPA	0x6000
#define VMCS_GPA	0x7000
#define TABLE_GPA	0x8000	/* (field, value) pairs, ended by field ~0 */
#define CODE_GPA	0x10000
#define L1_STACK	0x20000
#define L2_STACK	0x30000

#define PORT_FAIL	0xe0	/* a VMX instruction failed: eax = VM-instruction error */
#define PORT_REASON	0xe1	/* back in L1 after the VM exit: eax = exit reason */

#define XSTR(x)		STR(x)
#define STR(x)		#x

/*
 * L1.  RSI = the field table.  A failed VMX instruction reports its
 * VM-instruction error (or ~0 for VMfailInvalid) on PORT_FAIL; the VM exit
 * lands at l1_back (HOST_RIP), which reports the exit reason.
 */
extern const uint8_t guest_start[], guest_end[], l1_back[], l2_code[];
__asm__(
	".pushsection .rodata\n"
	".code64\n"
	"guest_start:\n"
	"	vmxon " XSTR(PTRS_GPA) "\n"
	"	jbe 9f\n"
	"	vmclear " XSTR(PTRS_GPA) "+8\n"
	"	jbe 9f\n"
	"	vmptrld " XSTR(PTRS_GPA) "+8\n"
	"	jbe 9f\n"
	"1:	mov (%rsi), %rax\n"
	"	cmp $-1, %rax\n"
	"	je 2f\n"
	"	mov 8(%rsi), %rdx\n"
	"	vmwrite %rdx, %rax\n"
	"	jbe 9f\n"
	"	add $16, %rsi\n"
	"	jmp 1b\n"
	"2:	vmlaunch\n"
	"9:	mov $-1, %eax\n"
	"	jc 8f\n"			/* VMfailInvalid: no current VMCS */
	"	mov $0x4400, %eax\n"		/* VM-instruction error */
	"	vmread %rax, %rax\n"
	"8:	out %eax, $" XSTR(PORT_FAIL) "\n"
	"	hlt\n"
	"l1_back:\n"
	"	mov $0x4402, %eax\n"		/* exit reason */
	"	vmread %rax, %rax\n"
	"	out %eax, $" XSTR(PORT_REASON) "\n"
	"	hlt\n"
	"l2_code:\n"
	"	vmcall\n"
	"	hlt\n"
	"guest_end:\n"
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
	static const char msg[] = NAME ": UNEXPECTED: guest did not finish in 30 s\n";

	(void)sig;
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(3);
}

static uint64_t get_msr(int vcpu, uint32_t index)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = index };

	if (ioctl(vcpu, KVM_GET_MSRS, &m) != 1)
		cannot_run("KVM_GET_MSRS 0x%x: no such MSR for this vCPU (no VMX?)", index);
	return m.e.data;
}

static void set_msr(int vcpu, uint32_t index, uint64_t data)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = index, .e.data = data };

	if (ioctl(vcpu, KVM_SET_MSRS, &m) != 1)
		cannot_run("KVM_SET_MSRS 0x%x = 0x%llx refused", index, (unsigned long long)data);
}

/* A control word the CPU accepts: must-be-one bits set, may-be-one kept. */
static uint32_t adjust(int vcpu, uint32_t msr, uint32_t want)
{
	uint64_t cap = get_msr(vcpu, msr);

	return (want | (uint32_t)cap) & (uint32_t)(cap >> 32);
}

struct table {
	uint64_t *p;
};

static void field(struct table *t, uint64_t enc, uint64_t val)
{
	*t->p++ = enc;
	*t->p++ = val;
}

/* Everything L1 VMWRITEs: L1's own state as host state and L2's start. */
static void build_table(int vcpu, uint8_t *mem, uint64_t cr0, uint64_t cr4)
{
	struct table t = { (uint64_t *)(mem + TABLE_GPA) };
	int true_ctls = get_msr(vcpu, MSR_VMX_BASIC) >> 55 & 1;
	uint32_t pin = true_ctls ? 0x48d : 0x481;
	int i;

	/* controls: no MSR bitmap (L2 does no MSR access), 64-bit host and guest */
	field(&t, 0x4000, adjust(vcpu, pin, 0));
	field(&t, 0x4002, adjust(vcpu, pin + 1, 0));
	field(&t, 0x400c, adjust(vcpu, pin + 2, 1u << 9));	/* host address-space size */
	field(&t, 0x4012, adjust(vcpu, pin + 3, 1u << 9));	/* IA-32e mode guest */
	field(&t, 0x4004, 0);				/* exception bitmap */
	field(&t, 0x400a, 0);				/* CR3-target count */
	field(&t, 0x2006, LIST_GPA);			/* VM-exit MSR-store address */
	field(&t, 0x400e, 1);				/* ... count */
	field(&t, 0x2800, ~0ull);			/* VMCS link pointer */
	/* host state: L1 resumes at l1_back */
	field(&t, 0x6c00, cr0);
	field(&t, 0x6c02, PML4_GPA);
	field(&t, 0x6c04, cr4);
	for (i = 0; i < 6; i++)				/* ES, CS, SS, DS, FS, GS */
		field(&t, 0x0c00 + 2 * i, i == 1 ? 0x08 : 0x10);
	field(&t, 0x0c0c, 0x18);			/* TR */
	field(&t, 0x6c0a, TSS_GPA);
	field(&t, 0x6c0c, GDT_GPA);
	field(&t, 0x6c14, L1_STACK);
	field(&t, 0x6c16, CODE_GPA + (l1_back - guest_start));
	/* guest state: L2 at l2_code */
	field(&t, 0x6800, cr0);
	field(&t, 0x6802, PML4_GPA);
	field(&t, 0x6804, cr4);
	for (i = 0; i < 8; i++) {			/* ES, CS, SS, DS, FS, GS, LDTR, TR */
		uint32_t ar = i == 1 ? 0xa09b : i == 6 ? 0x10000 : i == 7 ? 0x8b : 0xc093;

		field(&t, 0x0800 + 2 * i, i == 1 ? 0x08 : i == 6 ? 0 : i == 7 ? 0x18 : 0x10);
		field(&t, 0x4800 + 2 * i, i == 7 ? 0x67 : i == 6 ? 0 : 0xffffffff);
		field(&t, 0x4814 + 2 * i, ar);
		field(&t, 0x6806 + 2 * i, i == 7 ? TSS_GPA : 0);
	}
	field(&t, 0x6816, GDT_GPA);
	field(&t, 0x4810, 0x27);			/* GDTR limit: 5 descriptors */
	field(&t, 0x681a, 0x400);			/* DR7 */
	field(&t, 0x2802, 0);				/* DEBUGCTL */
	field(&t, 0x681c, L2_STACK);
	field(&t, 0x681e, CODE_GPA + (l2_code - guest_start));
	field(&t, 0x6820, 2);				/* RFLAGS */
	field(&t, ~0ull, 0);
}

/* What one run showed. */
struct result {
	int shutdown;		/* L1 shut down: the VM abort */
	int fail;		/* a VMX instruction failed in L1 */
	uint32_t reason;	/* exit reason L1 saw, if it came back */
	int msr_exits;		/* exits to this VMM for MSRs (there must be none) */
	uint64_t stored;	/* the store list's value */
};

/* index: the store list's MSR; deny: deny reading it. */
static void run_case(uint32_t index, int deny, struct result *r)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR };
	struct kvm_userspace_memory_region region;
	struct kvm_msr_filter filter;
	struct kvm_cpuid2 *cpuid;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_segment seg;
	struct kvm_run *run;
	uint8_t bits = 0;	/* the one MSR of the range: denied */
	uint64_t *gdt, cr0, cr4, basic;
	uint8_t *mem;
	int vm, vcpu, mmap_size, i, vmx = 0;

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
	cap.args[0] = KVM_MSR_EXIT_REASON_FILTER;
	if (ioctl(vm, KVM_ENABLE_CAP, &cap))
		cannot_run("KVM_ENABLE_CAP(X86_USER_SPACE_MSR): %s", strerror(errno));
	if (deny) {
		memset(&filter, 0, sizeof(filter));
		filter.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
		filter.ranges[0].flags = KVM_MSR_FILTER_READ;
		filter.ranges[0].nmsrs = 1;
		filter.ranges[0].base = index;
		filter.ranges[0].bitmap = &bits;
		if (ioctl(vm, KVM_X86_SET_MSR_FILTER, &filter))
			cannot_run("KVM_X86_SET_MSR_FILTER: %s", strerror(errno));
	}

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		cannot_run("KVM_CREATE_VCPU: %s", strerror(errno));
	mmap_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		cannot_run("mmap(vcpu): %s", strerror(errno));
	cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
	cpuid->nent = 256;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
		cannot_run("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	for (i = 0; i < (int)cpuid->nent; i++)
		if (cpuid->entries[i].function == 1)
			vmx = cpuid->entries[i].ecx >> 5 & 1;
	if (!vmx)
		cannot_run("KVM offers guests no VMX (not kvm_intel, or kvm_intel.nested=0)");
	if (ioctl(vcpu, KVM_SET_CPUID2, cpuid))
		cannot_run("KVM_SET_CPUID2: %s", strerror(errno));
	free(cpuid);

	/* VMXON needs the lock bit and "VMXON outside SMX"; host writes may set them. */
	set_msr(vcpu, MSR_FEAT_CTL, 0x5);
	basic = get_msr(vcpu, MSR_VMX_BASIC);
	memcpy(mem + VMXON_GPA, &basic, 4);		/* revision identifier */
	memcpy(mem + VMCS_GPA, &basic, 4);
	((uint64_t *)(mem + PTRS_GPA))[0] = VMXON_GPA;
	((uint64_t *)(mem + PTRS_GPA))[1] = VMCS_GPA;
	cr0 = (0x80000031ull | get_msr(vcpu, 0x486)) & get_msr(vcpu, 0x487);	/* PG NE ET PE */
	cr4 = (0x2020ull | get_msr(vcpu, 0x488)) & get_msr(vcpu, 0x489);	/* VMXE PAE */
	build_table(vcpu, mem, cr0, cr4);

	((uint64_t *)(mem + PML4_GPA))[0] = PDPT_GPA | 3;
	((uint64_t *)(mem + PDPT_GPA))[0] = PD_GPA | 3;
	((uint64_t *)(mem + PD_GPA))[0] = 0x83;		/* 2 MiB page at 0 */
	gdt = (uint64_t *)(mem + GDT_GPA);
	gdt[1] = 0x00af9b000000ffffull;			/* 0x08: 64-bit code */
	gdt[2] = 0x00cf93000000ffffull;			/* 0x10: data */
	gdt[3] = 0x0000890000000067ull | (uint64_t)TSS_GPA << 16;	/* 0x18: TSS */
	gdt[4] = 0;

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		cannot_run("KVM_GET_SREGS: %s", strerror(errno));
	seg = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = 0x10, .type = 3,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = seg;
	seg.selector = 0x8;
	seg.type = 11;
	seg.db = 0;
	seg.l = 1;
	sregs.cs = seg;
	sregs.tr = (struct kvm_segment){
		.base = TSS_GPA, .limit = 0x67, .selector = 0x18, .type = 11, .present = 1,
	};
	sregs.gdt.base = GDT_GPA;
	sregs.gdt.limit = 0x27;
	sregs.cr0 = cr0;
	sregs.cr3 = PML4_GPA;
	sregs.cr4 = cr4;
	sregs.efer = 0x500;				/* LME | LMA */
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		cannot_run("KVM_SET_SREGS (64-bit, CR4.VMXE): %s", strerror(errno));
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rflags = 2;
	regs.rsp = L1_STACK;
	regs.rsi = TABLE_GPA;
	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		cannot_run("KVM_SET_REGS: %s", strerror(errno));

	((uint32_t *)(mem + LIST_GPA))[0] = index;
	for (;;) {
		uint32_t v;

		if (ioctl(vcpu, KVM_RUN, 0) && errno != EINTR)
			unexpected("KVM_RUN: %s", strerror(errno));
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4)
				unexpected("I/O exit on port %#x", run->io.port);
			memcpy(&v, (uint8_t *)run + run->io.data_offset, 4);
			if (run->io.port == PORT_FAIL) {
				r->fail = 1;
				r->reason = v;
			} else if (run->io.port == PORT_REASON) {
				r->reason = v;
			} else {
				unexpected("OUT to port %#x", run->io.port);
			}
			goto done;
		case KVM_EXIT_X86_RDMSR:
		case KVM_EXIT_X86_WRMSR:
			r->msr_exits++;
			printf("  exit to the VMM: %s %#x reason %u\n",
			       run->exit_reason == KVM_EXIT_X86_RDMSR ? "RDMSR" : "WRMSR",
			       run->msr.index, run->msr.reason);
			run->msr.error = 1;
			break;
		case KVM_EXIT_SHUTDOWN:
			r->shutdown = 1;
			goto done;
		case KVM_EXIT_INTERNAL_ERROR:
			unexpected("KVM internal error, suberror %u", run->internal.suberror);
		default:
			unexpected("exit reason %u", run->exit_reason);
		}
	}
done:
	memcpy(&r->stored, mem + LIST_GPA + 8, 8);
	munmap(run, mmap_size);
	close(vcpu);
	close(vm);
	munmap(mem, MEM_SIZE);
	if (r->fail)
		unexpected("a VMX instruction failed in L1 (VM-instruction error %d)",
			   (int)r->reason);
	if (r->msr_exits)
		unexpected("the store list made KVM exit to the VMM (listed above)");
	if (!r->shutdown && r->reason != 18)
		unexpected("L1 came back with exit reason %u, not VMCALL (18)", r->reason);
}

static const char *end_of(const struct result *r)
{
	return r->shutdown ? "VM abort (shutdown)" : "L1 resumed";
}

int main(int argc, char **argv)
{
	const char *dev = getenv("KVM_DEVICE");
	struct result s, c, t;
	struct utsname u;

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
	signal(SIGALRM, on_alarm);
	alarm(30);
	uname(&u);
	printf("  kernel %s\n", u.release);

	run_case(MSR_IA32_TSC, 0, &s);
	printf("  setup:   TSC in the store list, no filter: %s, stored %#llx\n",
	       end_of(&s), (unsigned long long)s.stored);
	if (s.shutdown || !s.stored)
		unexpected("the store list did not work without a filter");
	run_case(MSR_LSTAR, 1, &c);
	printf("  control: LSTAR in the store list, its read denied: %s\n", end_of(&c));
	run_case(MSR_IA32_TSC, 1, &t);
	printf("  tsc:     TSC in the store list, its read denied: %s%s\n", end_of(&t),
	       t.shutdown ? "" : ", stored anyway");
	if (!c.shutdown) {
		printf(NAME ": OK: not reached: this kernel does not filter the VMX MSR "
		       "lists at all (5.18-6.11: ac8d6cad3c7b), the TSC %s\n",
		       t.shutdown ? "neither (?)" : "included");
		return t.shutdown ? 3 : 0;
	}
	if (!t.shutdown) {
		printf(NAME ": BUG: a read-denied IA32_TSC in the VM-exit MSR-store list "
		       "was stored (%#llx) where LSTAR gets the VM abort\n",
		       (unsigned long long)t.stored);
		return 1;
	}
	printf(NAME ": OK: fixed: the read-denied TSC gets the VM abort like LSTAR\n");
	return 0;
}
