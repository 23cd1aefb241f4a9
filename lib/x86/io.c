// SPDX-License-Identifier: GPL-2.0-only
/*
 * Polled 16550 console on COM1 and the exit port.
 *
 * With the FIFO enabled, THRE means "FIFO empty", so one LSR poll covers 16
 * bytes: every port access is a VM exit, and the poll would otherwise double
 * the cost of each byte.  Polling is bounded: when nobody drains the UART
 * (QEMU's chardev blocked on an unread pipe) the console gives up waiting
 * and keeps writing, so a guest never hangs on its own output.
 */
#include "libcflat.h"
#include "io.h"
#include "processor.h"

#define UART_THR	0
#define UART_IER	1
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_LSR_THRE	0x20
#define UART_FIFO_SIZE	16
#define UART_MAX_POLLS	100000

static bool uart_stuck;

void serial_init(void)
{
	outb(0x00, COM1_PORT + UART_IER);	/* no interrupts */
	outb(0x80, COM1_PORT + UART_LCR);	/* DLAB: divisor 1 = 115200 */
	outb(0x01, COM1_PORT + 0);
	outb(0x00, COM1_PORT + 1);
	outb(0x03, COM1_PORT + UART_LCR);	/* 8N1 */
	outb(0x07, COM1_PORT + UART_FCR);	/* enable and clear FIFOs */
	outb(0x03, COM1_PORT + UART_MCR);	/* DTR | RTS */
}

static void uart_wait_fifo_empty(void)
{
	unsigned int i;

	if (uart_stuck)
		return;
	for (i = 0; i < UART_MAX_POLLS; i++) {
		if (inb(COM1_PORT + UART_LSR) & UART_LSR_THRE)
			return;
		cpu_relax();
	}
	uart_stuck = true;
}

void console_write(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % UART_FIFO_SIZE == 0)
			uart_wait_fifo_empty();
		outb(buf[i], COM1_PORT + UART_THR);
	}
}

void exit(int code)
{
	outl(code, EXIT_PORT);
	/* No exit device: say so, then stop for good. */
	printf("ABORT: exit(%d) through port 0x%x did not stop the VM\n", code, EXIT_PORT);
	for (;;)
		asm volatile("cli; hlt");
}

void abort(void)
{
	exit(EXIT_ABORT);
}
