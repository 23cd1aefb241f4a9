// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest library tests itself from inside a guest: formatting, argv and
 * environment passing, the IDT and exception fixups (also after GS_BASE and
 * KERNEL_GS_BASE change, the trap that bites kvm-unit-tests' MSR tests),
 * and the report counters.
 *
 * Arguments: "argcheck WORD..." checks that the words after "argcheck"
 * arrived as given in unittests.cfg: the stanza passes
 *   argcheck "two words" x=1
 * and a deliberately broken stanza passes something else.
 * "softint" runs only the software-interrupt check (INT $0x80 through the
 * IDT), in its own stanza: a VMM that cannot run it (kvm_pvm emulates INT n
 * in protected mode and fails) then stops that stanza, not every check.
 * "spin" never returns: the selftest-spin stanza checks that a VMM's
 * timeout ends such a guest and the run goes on (TIMEOUT, known-failures).
 */
#include "libcflat.h"
#include "desc.h"
#include "multiboot.h"
#include "msr.h"
#include "percpu.h"
#include "processor.h"

static void check_fmt(const char *expect, const char *fmt, ...) __printf(2, 3);
static void check_fmt(const char *expect, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	report(!strcmp(buf, expect) && n == (int)strlen(expect),
	       "\"%s\" gives \"%s\"", fmt, expect);
	if (strcmp(buf, expect))
		report_info("got \"%s\" (%d chars)", buf, n);
}

/* Hidden from gcc's format checker, which rejects a literal NULL %s. */
static const char *volatile null_str;

static void test_printf(void)
{
	report_prefix_push("printf");
	check_fmt("42 -7 4294967295", "%d %i %u", 42, -7, 0xffffffffu);
	check_fmt("ff FF 0x1234", "%x %X %p", 255, 255, (void *)0x1234);
	check_fmt("ffffffffffffffff", "%lx", ~0ul);
	check_fmt("123456789abcdef0", "%llx", 0x123456789abcdef0ull);
	check_fmt("-9223372036854775808", "%lld", (long long)(-0x7fffffffffffffffll - 1));
	check_fmt("[   ab][ab   ][000ab]", "[%5s][%-5s][%05x]", "ab", "ab", 0xab);
	check_fmt("c=z s=(null)", "c=%c s=%s", 'z', null_str);
	check_fmt("100%", "%d%%", 100);
	report_prefix_pop();
}

static void test_args(int argc, char **argv)
{
	static const char *const expect[] = { "two words", "x=1" };
	unsigned int i;
	bool ok;

	report_prefix_push("argv");
	if (argc < 2 || strcmp(argv[1], "argcheck")) {
		report_skip("no \"argcheck\" argument: nothing to compare");
		report_prefix_pop();
		return;
	}
	report(argc == 2 + (int)ARRAY_SIZE(expect), "argc is %d", 2 + (int)ARRAY_SIZE(expect));
	for (i = 0; i < ARRAY_SIZE(expect); i++) {
		ok = 2 + (int)i < argc && !strcmp(argv[2 + i], expect[i]);
		report(ok, "argv[%u] is \"%s\"", 2 + i, expect[i]);
		if (!ok && 2 + (int)i < argc)
			report_info("argv[%u] is \"%s\"", 2 + i, argv[2 + i]);
	}
	report(argv[argc] == NULL, "argv[argc] is NULL");
	report_prefix_pop();
}

static void test_env(char **envp)
{
	const char *vmm = getenv("VMM");
	unsigned int n = 0;
	bool clean = true;

	report_prefix_push("env");
	for (; envp[n]; n++)
		clean &= strchr(envp[n], '=') && !strchr(envp[n], '\n') &&
			 !strchr(envp[n], '\r');
	report(n > 0 && clean, "%u KEY=VALUE entries, none with a line break", n);
	report(vmm && (!strcmp(vmm, "qemu") || !strcmp(vmm, "kvmrun")),
	       "VMM is qemu or kvmrun");
	report(getenv("TEST") && *getenv("TEST"), "TEST names the test");
	report(!getenv("NO_SUCH_VARIABLE"), "an unset variable is NULL");
	report_prefix_pop();
}

static volatile unsigned int soft_int_seen;
static volatile u64 soft_int_vector;

static void soft_int_handler(struct ex_regs *regs)
{
	soft_int_seen++;
	soft_int_vector = regs->vector;
}

static void test_exceptions(const char *when)
{
	u32 err = 0xdead;
	u64 val = 0;
	int vec;

	report_prefix_push(when);
	vec = rdmsr_safe_err(MSR_FABRICATED, &val, &err);
	report(vec == GP_VECTOR && err == 0,
	       "rdmsr 0x%x: #GP(0)", MSR_FABRICATED);
	if (vec != GP_VECTOR || err)
		report_info("vector %d error code 0x%x", vec, err);
	vec = wrmsr_safe_err(MSR_FABRICATED, 0, &err);
	report(vec == GP_VECTOR && err == 0, "wrmsr 0x%x: #GP(0)", MSR_FABRICATED);
	report(ud2_safe() == UD_VECTOR, "ud2: #UD");
	vec = read_safe_err((void *)0x8000000000000000ul, &val, &err);
	report(vec == GP_VECTOR && err == 0, "load from a non-canonical address: #GP(0)");
	vec = rdmsr_safe(MSR_EFER, &val);
	report(vec == 0 && (val & EFER_LME), "rdmsr EFER: no fault, LME set");
	report(this_cpu()->magic == PERCPU_MAGIC, "per-CPU area found from RSP");
	report_prefix_pop();
}

static void test_soft_int(void)
{
	report_prefix_push("idt");
	handle_exception(0x80, soft_int_handler);
	asm volatile("int $0x80" ::: "memory");
	report(soft_int_seen == 1 && soft_int_vector == 0x80,
	       "handler for vector 0x80 runs once with its vector");
	handle_exception(0x80, NULL);
	report_prefix_pop();
}

/* kvm-unit-tests keeps fixup state GS-relative; ours must not care. */
static void test_fixups_with_gs(void)
{
	u64 gs = rdmsr(MSR_GS_BASE), kgs = rdmsr(MSR_KERNEL_GS_BASE);
	u64 v = 0;

	wrmsr(MSR_GS_BASE, 0xffff800012340000ull);
	wrmsr(MSR_KERNEL_GS_BASE, 0x0000123456789000ull);
	test_exceptions("after GS_BASE change");
	rdmsr_safe(MSR_GS_BASE, &v);
	wrmsr(MSR_GS_BASE, gs);
	wrmsr(MSR_KERNEL_GS_BASE, kgs);
	report(v == 0xffff800012340000ull, "GS_BASE read back while changed");
}

static void test_cpu(void)
{
	struct cpuid c = cpuid(0);

	report_prefix_push("cpu");
	report(c.a >= 1 && c.b && c.c && c.d, "CPUID leaf 0: max leaf %u, vendor set", c.a);
	report(read_cr0() & X86_CR0_PG && read_cr4() & X86_CR4_PAE, "paging and PAE on");
	report(!(read_rflags() & X86_EFLAGS_IF), "interrupts off at entry");
	report(mb_ram_size() >= (16ul << 20), "multiboot RAM size %lu MiB",
	       (unsigned long)(mb_ram_size() >> 20));
	report_prefix_pop();
}

static void test_report_counts(void)
{
	struct report_counts before = report_get_counts(), after;

	report_prefix_push("report");
	report_skip("a skip is counted");
	report_xfail(true, false, "an expected failure is counted");
	after = report_get_counts();
	report(after.total == before.total + 2 && after.skipped == before.skipped + 1 &&
	       after.xfailed == before.xfailed + 1 && after.failed == before.failed,
	       "counters: +2 total, +1 skipped, +1 xfail, +0 failed");
	report_prefix_pop();
}

int main(int argc, char **argv, char **envp)
{
	report_prefix_push("selftest");
	if (argc >= 2 && !strcmp(argv[1], "spin")) {
		/*
		 * A guest that never exits again (interrupts off, no I/O):
		 * only the VMM's timeout can end it, and a lane must survive
		 * that and go on with the next test.
		 */
		printf("INFO: selftest: spinning until the VMM's timeout\n");
		for (;;)
			asm volatile("jmp ." ::: "memory");
	}
	if (argc >= 2 && !strcmp(argv[1], "softint")) {
		test_soft_int();
		return report_summary();
	}
	test_printf();
	test_args(argc, argv);
	test_env(envp);
	test_cpu();
	test_exceptions("fixups");
	test_fixups_with_gs();
	test_report_counts();
	return report_summary();
}
