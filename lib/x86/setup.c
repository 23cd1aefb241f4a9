// SPDX-License-Identifier: GPL-2.0-only
/*
 * C side of the boot: called by x86/cstart64.S in long mode, before main().
 * Brings up the console and IDT first, so that anything going wrong later
 * (a bad multiboot info included) is reported instead of triple-faulting.
 */
#include "libcflat.h"
#include "desc.h"
#include "io.h"
#include "multiboot.h"
#include "percpu.h"

/* Stored by cstart64.S from EAX / EBX at entry. */
u32 mb_magic;
u32 mb_info_addr;

static u64 ram_size;

u64 mb_ram_size(void)
{
	return ram_size;
}

/* Multiboot puts everything below 4 GiB, which is identity-mapped. */
static const void *phys(u32 addr)
{
	return (const void *)(unsigned long)addr;
}

static void mask_legacy_pic(void)
{
	outb(0xff, 0x21);
	outb(0xff, 0xa1);
}

static size_t strcspn_blank(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ')
		n++;
	return n;
}

static void setup_multiboot(void)
{
	const struct mb_info *mbi = phys(mb_info_addr);
	const char *cmdline = "";
	static char progname[64];
	size_t i;

	if (mb_magic != MULTIBOOT_BOOTLOADER_MAGIC)
		report_abort("bad multiboot magic 0x%x in EAX", mb_magic);
	if (mbi->flags & MB_INFO_MEM)
		ram_size = ((u64)mbi->mem_upper << 10) + (1ul << 20);
	/*
	 * Both QEMU and kvmrun pass "<image path> <args...>": the first word
	 * becomes argv[0].
	 */
	if (mbi->flags & MB_INFO_CMDLINE)
		cmdline = phys(mbi->cmdline);
	while (*cmdline == ' ')
		cmdline++;
	for (i = 0; cmdline[i] && cmdline[i] != ' ' && i < sizeof(progname) - 1; i++)
		progname[i] = cmdline[i];
	progname[i] = 0;
	setup_args(progname, cmdline + strcspn_blank(cmdline));
	if ((mbi->flags & MB_INFO_MODS) && mbi->mods_count) {
		const struct mb_module *m = phys(mbi->mods_addr);

		if (m->end < m->start)
			report_abort("bad multiboot module 0x%x-0x%x", m->start, m->end);
		setup_env(phys(m->start), m->end - m->start);
	}
}

/*
 * CONSOLE=auto|line|thr|uart in the environment picks a console path
 * (lib/x86/io.c), e.g. uart to compare a run against the plain 16550 path;
 * a path the VMM lacks falls back to uart.
 */
static void setup_console_env(void)
{
	const char *s = getenv("CONSOLE");
	int p;

	if (!s)
		return;
	p = console_path_parse(s);
	if (p < 0)
		report_abort("CONSOLE=%s: want auto, line, thr or uart", s);
	console_set_path((enum console_path)p);
}

void x86_setup(void);
void x86_setup(void)
{
	percpu_init(this_cpu(), 0);
	serial_init();
	setup_idt();
	mask_legacy_pic();
	setup_multiboot();
	setup_console_env();
}
