// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of kvmrun's COM1 (host/kvmrun/serial.c): CR stripping, line
 * buffering, register reads, DLAB, the coalesced-PIO ring (order, wrap,
 * DLAB state at the time of the write), a full buffer, a closed output,
 * and serial_write() (the console fast path): same output as the same
 * bytes through the data port, after the ring, counted.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvmrun/serial.h"
#include "test-kvmrun.h"

#define PAGE 4096

static struct serial s;
static char path[] = "/tmp/test-kvmrun-serial.XXXXXX";
static int fd;

static void out_str(const char *str)
{
	for (; *str; str++)
		serial_io(&s, COM1_BASE, true, (uint8_t)*str);
}

/* What has reached the output file so far. */
static const char *output(void)
{
	static char buf[16384];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static void reset(void)
{
	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET))
		perror("truncate");
	serial_init(&s, fd);
}

static void push(struct kvm_coalesced_mmio_ring *r, uint32_t max, uint16_t port, uint8_t b)
{
	struct kvm_coalesced_mmio *e = &r->coalesced_mmio[r->last];

	memset(e, 0, sizeof(*e));
	e->phys_addr = port;
	e->len = 1;
	e->pio = 1;
	e->data[0] = b;
	r->last = (r->last + 1) % max;
}

static void test_direct(void)
{
	reset();
	out_str("ab\r\nc");
	check_str("serial: a line is written at its end, CR dropped", "ab\n", output());
	serial_flush(&s);
	check_str("serial: the rest at the flush", "ab\nc", output());
	check_u64("serial: LSR reads 0x60", 0x60, serial_io(&s, COM1_BASE + 5, false, 0));
	check_u64("serial: IIR reads 0x01", 0x01, serial_io(&s, COM1_BASE + 2, false, 0));
	check_u64("serial: RBR reads 0", 0, serial_io(&s, COM1_BASE, false, 0));
	check_u64("serial: MSR reads 0", 0, serial_io(&s, COM1_BASE + 6, false, 0));

	reset();
	serial_io(&s, COM1_BASE + 3, true, 0x80);	/* DLAB */
	serial_io(&s, COM1_BASE, true, 0x01);		/* divisor low */
	serial_io(&s, COM1_BASE + 1, true, 0x00);	/* divisor high */
	serial_io(&s, COM1_BASE + 3, true, 0x03);
	out_str("x\n");
	check_str("serial: divisor writes under DLAB are not output", "x\n", output());
}

static void test_ring(void)
{
	struct kvm_coalesced_mmio_ring *r = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t max = (PAGE - sizeof(*r)) / sizeof(r->coalesced_mmio[0]);
	const char *w = "wrap\n";

	reset();
	serial_set_ring(&s, r, PAGE);
	check_u64("serial: ring capacity for a 4 KiB page", 170, s.ring_max);
	push(r, max, COM1_BASE, 'h');
	push(r, max, COM1_BASE, 'i');
	serial_io(&s, COM1_BASE, true, '!');
	push(r, max, COM1_BASE, '\n');
	serial_drain(&s);
	check_str("serial: queued bytes come before the next direct access", "hi!\n", output());
	check_u64("serial: ring drained", r->last, r->first);

	reset();
	serial_set_ring(&s, r, PAGE);
	r->first = r->last = max - 2;
	for (; *w; w++)
		push(r, max, COM1_BASE, (uint8_t)*w);
	serial_drain(&s);
	check_str("serial: ring wrap-around keeps the order", "wrap\n", output());
	check_u64("serial: first follows last across the wrap", 3, r->first);

	reset();
	serial_set_ring(&s, r, PAGE);
	serial_io(&s, COM1_BASE + 3, true, 0x80);
	push(r, max, COM1_BASE, 0x01);			/* divisor, queued */
	serial_io(&s, COM1_BASE + 3, true, 0x03);	/* drains first: DLAB still set */
	push(r, max, COM1_BASE, 'y');
	push(r, max, COM1_BASE, '\n');
	serial_flush(&s);
	check_str("serial: a queued divisor byte is not output", "y\n", output());
	munmap(r, PAGE);
}

static void write_str(const char *str)
{
	serial_write(&s, (const uint8_t *)str, strlen(str));
}

static void test_write(void)
{
	struct kvm_coalesced_mmio_ring *r = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t max = (PAGE - sizeof(*r)) / sizeof(r->coalesced_mmio[0]);
	char direct[64], *big;
	uint64_t wb, rb;

	reset();
	out_str("one\r\ntwo");
	serial_flush(&s);
	snprintf(direct, sizeof(direct), "%s", output());
	reset();
	write_str("one\r\ntw");
	check_str("serial_write: a line is written at its end, CR dropped", "one\n", output());
	write_str("o");
	serial_flush(&s);
	check_str("serial_write: same output as through the data port", direct, output());

	reset();
	serial_set_ring(&s, r, PAGE);
	r->first = r->last = 0;
	push(r, max, COM1_BASE, '1');
	push(r, max, COM1_BASE, '2');
	write_str("3\n");
	push(r, max, COM1_BASE, '4');
	serial_io(&s, COM1_BASE, true, '5');
	write_str("6\n");
	check_str("serial_write: in order with ring bytes and direct writes", "123\n456\n",
		  output());
	serial_counts(&s, &wb, &rb);
	check_true("serial_write: bytes counted per path", wb == 4 && rb == 3);

	reset();
	serial_io(&s, COM1_BASE + 3, true, 0x80);	/* DLAB: not for the fast path */
	write_str("d\n");
	check_str("serial_write: DLAB does not apply", "d\n", output());
	serial_io(&s, COM1_BASE + 3, true, 0x03);

	reset();
	big = malloc(SERIAL_BUF_SIZE + 10);
	memset(big, 'w', SERIAL_BUF_SIZE + 10);
	serial_write(&s, (const uint8_t *)big, SERIAL_BUF_SIZE + 10);
	check_u64("serial_write: more than the buffer: the full buffer is written",
		  SERIAL_BUF_SIZE, strlen(output()));
	serial_flush(&s);
	check_u64("serial_write: and the rest at the flush", SERIAL_BUF_SIZE + 10,
		  strlen(output()));
	free(big);
	munmap(r, PAGE);
}

static void test_full_and_broken(void)
{
	int p[2], i;

	reset();
	for (i = 0; i < SERIAL_BUF_SIZE + 10; i++)
		serial_io(&s, COM1_BASE, true, 'z');
	check_u64("serial: a full buffer is written without a line end", SERIAL_BUF_SIZE,
		  strlen(output()));
	serial_flush(&s);
	check_u64("serial: and the rest at the flush", SERIAL_BUF_SIZE + 10, strlen(output()));

	if (pipe(p)) {
		pass_fail(false, "serial: pipe");
		return;
	}
	close(p[0]);
	serial_init(&s, p[1]);
	out_str("lost\n");
	out_str("lost too\n");
	serial_flush(&s);
	check_true("serial: a closed output drops output without stopping", s.broken);
	close(p[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);	/* as kvmrun does */
	fd = mkstemp(path);
	if (fd < 0) {
		pass_fail(false, "serial: mkstemp");
		return test_exit();
	}
	unlink(path);
	test_direct();
	test_ring();
	test_write();
	test_full_and_broken();
	close(fd);
	return test_exit();
}
