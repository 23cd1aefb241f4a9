// SPDX-License-Identifier: GPL-2.0-only
/* IDT setup, exception dispatch and the exception-fixup table. */
#include "libcflat.h"
#include "desc.h"
#include "percpu.h"
#include "processor.h"

struct idt_entry {
	u16 offset0;
	u16 selector;
	u8 ist;
	u8 type_attr;	/* P=1, DPL=0, type 0xE: 64-bit interrupt gate */
	u16 offset1;
	u32 offset2;
	u32 reserved;
} __attribute__((packed));

struct ex_table_entry {
	u64 from, to;
};

extern const u64 isr_table[256];
extern const struct ex_table_entry __start_ex_table[], __stop_ex_table[];

static struct idt_entry idt[256] __attribute__((aligned(16)));
static ex_handler_t handlers[256];

static const char *const ex_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "RSV15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "RSV22", "RSV23",
	"RSV24", "RSV25", "RSV26", "RSV27", "#HV", "#VC", "#SX", "RSV31",
};

const char *exception_name(unsigned int vector)
{
	return vector < 32 ? ex_names[vector] : "IRQ";
}

void load_idt(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (u64)idt };

	asm volatile("lidt %0" : : "m"(idtr));
}

void setup_idt(void)
{
	unsigned int i;

	for (i = 0; i < 256; i++) {
		u64 a = isr_table[i];

		idt[i] = (struct idt_entry){
			.offset0 = a & 0xffff,
			.selector = KERNEL_CS,
			.type_attr = 0x8e,
			.offset1 = (a >> 16) & 0xffff,
			.offset2 = a >> 32,
		};
	}
	load_idt();
}

void handle_exception(u8 vector, ex_handler_t handler)
{
	handlers[vector] = handler;
}

void ex_record_clear(void)
{
	struct percpu *pc = this_cpu();

	pc->ex_vector = EX_NONE;
	pc->ex_error_code = 0;
	pc->ex_rip = 0;
}

struct ex_record ex_record_get(void)
{
	struct percpu *pc = this_cpu();

	return (struct ex_record){ pc->ex_vector, pc->ex_error_code, pc->ex_rip };
}

static bool apply_fixup(struct ex_regs *regs)
{
	const struct ex_table_entry *e;

	for (e = __start_ex_table; e < __stop_ex_table; e++) {
		if (e->from != regs->rip)
			continue;
		this_cpu()->ex_vector = regs->vector;
		this_cpu()->ex_error_code = regs->error_code;
		this_cpu()->ex_rip = regs->rip;
		regs->rip = e->to;
		return true;
	}
	return false;
}

static void __noreturn unhandled(struct ex_regs *regs)
{
	u64 cr2;

	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	printf("ABORT: unhandled exception %s (vector %lu) error code 0x%lx on cpu %u\n",
	       exception_name(regs->vector), regs->vector, regs->error_code, smp_id());
	printf("  rip=%016lx rsp=%016lx rflags=%016lx cr2=%016lx\n",
	       regs->rip, regs->rsp, regs->rflags, cr2);
	printf("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n",
	       regs->rax, regs->rbx, regs->rcx, regs->rdx);
	printf("  rsi=%016lx rdi=%016lx rbp=%016lx\n", regs->rsi, regs->rdi, regs->rbp);
	exit(EXIT_ABORT);
}

void do_handle_exception(struct ex_regs *regs);
void do_handle_exception(struct ex_regs *regs)
{
	ex_handler_t h = handlers[regs->vector & 0xff];

	/* A fixup is the caller's explicit intent at that RIP: it wins. */
	if (regs->vector < 32 && apply_fixup(regs))
		return;
	if (h) {
		h(regs);
		return;
	}
	unhandled(regs);
}

int rdmsr_safe_err(u32 index, u64 *val, u32 *err)
{
	u32 lo = 0, hi = 0;
	struct ex_record r;

	ex_record_clear();
	asm volatile("1: rdmsr\n2:\n\t" ASM_EXTABLE(1b, 2b)
		     : "+a"(lo), "+d"(hi) : "c"(index) : "memory");
	r = ex_record_get();
	if (err)
		*err = r.error_code;
	if (r.vector == EX_NONE)
		*val = lo | ((u64)hi << 32);
	return ex_vector(r);
}

int wrmsr_safe_err(u32 index, u64 val, u32 *err)
{
	struct ex_record r;

	ex_record_clear();
	asm volatile("1: wrmsr\n2:\n\t" ASM_EXTABLE(1b, 2b)
		     : : "a"((u32)val), "d"((u32)(val >> 32)), "c"(index)
		     : "memory");
	r = ex_record_get();
	if (err)
		*err = r.error_code;
	return ex_vector(r);
}

int ud2_safe(void)
{
	ex_record_clear();
	asm volatile("1: ud2\n2:\n\t" ASM_EXTABLE(1b, 2b) ::: "memory");
	return ex_vector(ex_record_get());
}

int read_safe_err(const void *addr, u64 *val, u32 *err)
{
	struct ex_record r;
	u64 v = 0;

	ex_record_clear();
	asm volatile("1: movq (%1), %0\n2:\n\t" ASM_EXTABLE(1b, 2b)
		     : "+r"(v) : "r"(addr) : "memory");
	r = ex_record_get();
	if (err)
		*err = r.error_code;
	if (r.vector == EX_NONE)
		*val = v;
	return ex_vector(r);
}
