// SPDX-License-Identifier: GPL-2.0-only
/*
 * The console on COM1, and the exit port.
 *
 * Every port access is a VM exit, so the console has three paths and
 * picks the cheapest the VMM offers, once, at boot (kvmrun_info.console;
 * common/kvmrun_proto.h):
 *
 *   CONSOLE_UART  a real 16550 (QEMU): with the FIFO enabled, THRE means
 *                 "FIFO empty", so one LSR poll covers 16 bytes.  Polling
 *                 is bounded: when nobody drains the UART (QEMU's chardev
 *                 blocked on an unread pipe) the console gives up waiting
 *                 and keeps writing, so a guest never hangs on its output.
 *   CONSOLE_THR   kvmrun never needs flow control, so the LSR polls (each
 *                 an exit to user space) go; with coalesced PIO each byte
 *                 is still an exit to KVM, just not to kvmrun.
 *   CONSOLE_LINE  kvmrun's KVMRUN_OP_CONSOLE_WRITE: bytes collect in a
 *                 buffer that goes out in one request at the end of a
 *                 write holding a newline, when it is full, and in exit():
 *                 one exit per line of up to 1 KiB.  Cheaper than the THR
 *                 path even with coalesced PIO (make bench measures it).  A
 *                 partial line still buffered when the VM dies without
 *                 exit() (triple fault, timeout) is lost; report() and the
 *                 library's messages print whole lines.
 *
 * All three print the same bytes.  CONSOLE_LINE's buffer is shared by the
 * CPUs under a lock held for one console_write() call, so a call's bytes
 * stay together (the UART paths write byte by byte and can interleave
 * concurrent calls, as they always did; report() lines are whole anyway,
 * under its own lock).  A CPU re-entering console_write() from an
 * exception handler cannot wait for itself: it writes to the data port
 * directly.
 */
#include "libcflat.h"
#include "ctrl.h"
#include "io.h"
#include "percpu.h"
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

/* Longer than any report() line (512), so a line is one request. */
#define LINE_BUF	1024

static bool uart_stuck;
static enum console_path path = CONSOLE_UART;
static u32 offered;		/* kvmrun_info.console; 0 without kvmrun */

static char line_buf[LINE_BUF] __attribute__((aligned(64)));
static size_t line_len;
static u32 line_owner;		/* smp_id() + 1 of the CPU holding it, or 0 */

void serial_init(void)
{
	struct kvmrun_info info;

	outb(0x00, COM1_PORT + UART_IER);	/* no interrupts */
	outb(0x80, COM1_PORT + UART_LCR);	/* DLAB: divisor 1 = 115200 */
	outb(0x01, COM1_PORT + 0);
	outb(0x00, COM1_PORT + 1);
	outb(0x03, COM1_PORT + UART_LCR);	/* 8N1 */
	outb(0x07, COM1_PORT + UART_FCR);	/* enable and clear FIFOs */
	outb(0x03, COM1_PORT + UART_MCR);	/* DTR | RTS */
	/* Two exits at boot; under QEMU one IN that reads all-ones. */
	if (kvmrun_present() && kvmrun_info(&info) == KVMRUN_ST_OK)
		offered = info.console;
	console_set_path(CONSOLE_AUTO);
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

static void uart_write(const char *buf, size_t len, bool poll)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (poll && i % UART_FIFO_SIZE == 0)
			uart_wait_fifo_empty();
		outb(buf[i], COM1_PORT + UART_THR);
	}
}

/*
 * Returns false when this CPU already holds the lock (an exception handler
 * printing while its CPU was inside console_write()).
 */
static bool line_lock(void)
{
	u32 me = smp_id() + 1, free;

	if (__atomic_load_n(&line_owner, __ATOMIC_RELAXED) == me)
		return false;
	for (;;) {
		free = 0;
		if (__atomic_compare_exchange_n(&line_owner, &free, me, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
		cpu_relax();
	}
}

static void line_unlock(bool locked)
{
	if (locked)
		__atomic_store_n(&line_owner, 0, __ATOMIC_RELEASE);
}

/*
 * Send line_buf[0, n) and keep the rest.  Should kvmrun refuse the request
 * (it never does for a buffer in RAM), the bytes go to the UART instead
 * and so does everything after: nothing is lost.
 */
static void line_send(size_t n)
{
	if (kvmrun_console_write(line_buf, n) != KVMRUN_ST_OK) {
		path = CONSOLE_UART;
		uart_write(line_buf, n, true);
	}
	memmove(line_buf, line_buf + n, line_len - n);
	line_len -= n;
}

static void line_write(const char *buf, size_t len)
{
	size_t i, end = 0;	/* line_buf[0, end) ends in a newline */

	for (i = 0; i < len; i++) {
		if (line_len == LINE_BUF) {
			line_send(line_len);
			end = 0;
		}
		line_buf[line_len++] = buf[i];
		if (buf[i] == '\n')
			end = line_len;
	}
	/* One request for all the call's complete lines; a partial one waits. */
	if (end)
		line_send(end);
}

void console_write(const char *buf, size_t len)
{
	bool locked;

	switch (path) {
	case CONSOLE_LINE:
		locked = line_lock();
		if (!locked) {
			uart_write(buf, len, false);	/* kvmrun: no flow control */
			return;
		}
		/* Another CPU may have switched paths meanwhile. */
		if (path == CONSOLE_LINE)
			line_write(buf, len);
		else
			uart_write(buf, len, path == CONSOLE_UART);
		line_unlock(locked);
		return;
	case CONSOLE_THR:
		uart_write(buf, len, false);
		return;
	default:
		uart_write(buf, len, true);
		return;
	}
}

void console_flush(void)
{
	bool locked;

	if (path != CONSOLE_LINE)
		return;
	/* Re-entered (exit() from an exception handler): flush anyway. */
	locked = line_lock();
	if (line_len)
		line_send(line_len);
	line_unlock(locked);
}

enum console_path console_path(void)
{
	return path;
}

static bool offers(enum console_path p)
{
	switch (p) {
	case CONSOLE_LINE:
		return offered & KVMRUN_CONSOLE_WRITE_OP;
	case CONSOLE_THR:
		return offered & KVMRUN_CONSOLE_NO_FLOW;
	default:
		return p == CONSOLE_UART;
	}
}

enum console_path console_set_path(enum console_path p)
{
	bool locked;

	if (p == CONSOLE_AUTO)
		p = offers(CONSOLE_LINE) ? CONSOLE_LINE :
		    offers(CONSOLE_THR) ? CONSOLE_THR : CONSOLE_UART;
	else if (!offers(p))
		p = CONSOLE_UART;
	locked = line_lock();
	if (path == CONSOLE_LINE && line_len)
		line_send(line_len);
	path = p;
	line_unlock(locked);
	return p;
}

static const char *const path_names[] = {
	[CONSOLE_UART] = "uart",
	[CONSOLE_THR] = "thr",
	[CONSOLE_LINE] = "line",
	[CONSOLE_AUTO] = "auto",
};

const char *console_path_name(enum console_path p)
{
	return (unsigned int)p < ARRAY_SIZE(path_names) ? path_names[p] : "?";
}

int console_path_parse(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(path_names); i++)
		if (!strcmp(name, path_names[i]))
			return (int)i;
	return -1;
}

void exit(int code)
{
	console_flush();
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
