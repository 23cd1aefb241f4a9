/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Port I/O and the console/exit ports of the boot contract (doc/architecture.md),
 * and the console's paths (lib/x86/io.c says why there are three).
 */
#ifndef X86_IO_H
#define X86_IO_H

#include "libcflat.h"

#define COM1_PORT	0x3f8
#define EXIT_PORT	0xf4	/* QEMU isa-debug-exit, and kvmrun */

static inline void outb(u8 v, u16 port)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 v, u16 port)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u32 v, u16 port)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Program COM1 and pick the cheapest console path the VMM offers. */
void serial_init(void);

enum console_path {
	CONSOLE_UART,	/* 16550 with bounded LSR polling: any VMM */
	CONSOLE_THR,	/* data port only, no polling: kvmrun (no flow control) */
	CONSOLE_LINE,	/* one KVMRUN_OP_CONSOLE_WRITE per line: kvmrun */
	CONSOLE_AUTO,	/* for console_set_path(): the cheapest offered */
};

/* The path in use. */
enum console_path console_path(void);
/*
 * Switch paths (what is buffered goes out first).  A path the VMM does not
 * offer falls back to CONSOLE_UART; returns the path now in use.
 */
enum console_path console_set_path(enum console_path p);
/* "uart", "thr", "line", "auto"; parse: the inverse, -1 for junk. */
const char *console_path_name(enum console_path p);
int console_path_parse(const char *name);
/* Write out a partial line held by CONSOLE_LINE (exit() does). */
void console_flush(void);

#endif
