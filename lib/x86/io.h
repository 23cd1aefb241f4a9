/* SPDX-License-Identifier: GPL-2.0-only */
/* Port I/O and the console/exit ports of the boot contract (design.md). */
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

void serial_init(void);

#endif
