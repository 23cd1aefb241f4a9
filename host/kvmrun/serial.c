// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "serial.h"

#define UART_LCR_DLAB	0x80

void serial_init(struct serial *s, int fd)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->fd = fd;
}

void serial_set_ring(struct serial *s, struct kvm_coalesced_mmio_ring *ring, size_t page)
{
	pthread_mutex_lock(&s->lock);
	s->ring = ring;
	s->ring_max = (uint32_t)((page - sizeof(*ring)) / sizeof(ring->coalesced_mmio[0]));
	pthread_mutex_unlock(&s->lock);
}

/* Called with the lock held. */
static void write_out(struct serial *s)
{
	size_t done = 0;

	while (done < s->len && !s->broken) {
		ssize_t n = write(s->fd, s->buf + done, s->len - done);

		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			/* A closed pipe or full disk: drop output, keep the VM's status. */
			s->broken = true;
			break;
		}
		done += (size_t)n;
	}
	s->len = 0;
}

static void put_byte(struct serial *s, uint8_t c)
{
	if (c == '\r')
		return;
	s->buf[s->len++] = (char)c;
	if (c == '\n' || s->len == sizeof(s->buf))
		write_out(s);
}

static uint8_t uart_access(struct serial *s, uint16_t port, bool write, uint8_t val)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (port - COM1_BASE) {
	case 0:
		if (write && !dlab)
			put_byte(s, val);
		return 0;
	case 1:
		if (write && !dlab)
			s->ier = val;
		return 0;
	case 2:
		return write ? 0 : 0x01;	/* IIR: no interrupt pending */
	case 3:
		if (write)
			s->lcr = val;
		return 0;
	case 4:
		if (write)
			s->mcr = val;
		return 0;
	case 5:
		return write ? 0 : 0x60;	/* LSR: THR and transmitter empty */
	case 7:
		if (write)
			s->scr = val;
		return 0;
	default:
		return 0;
	}
}

/* Called with the lock held. */
static void drain_locked(struct serial *s)
{
	struct kvm_coalesced_mmio_ring *r = s->ring;
	uint32_t first, last;

	if (!r)
		return;
	first = r->first;
	last = __atomic_load_n(&r->last, __ATOMIC_ACQUIRE);
	while (first != last) {
		struct kvm_coalesced_mmio *e = &r->coalesced_mmio[first % s->ring_max];
		uint32_t i, len = e->len < sizeof(e->data) ? e->len : sizeof(e->data);

		/* Only the THR port is registered; each byte in order. */
		for (i = 0; i < len; i++)
			uart_access(s, (uint16_t)(e->phys_addr + i), true, e->data[i]);
		s->ring_bytes += len;
		first = (first + 1) % s->ring_max;
		__atomic_store_n(&r->first, first, __ATOMIC_RELEASE);
	}
}

void serial_drain(struct serial *s)
{
	if (!s->ring)
		return;
	pthread_mutex_lock(&s->lock);
	drain_locked(s);
	pthread_mutex_unlock(&s->lock);
}

uint8_t serial_io(struct serial *s, uint16_t port, bool write, uint8_t val)
{
	uint8_t ret;

	pthread_mutex_lock(&s->lock);
	/* Bytes queued before this access were written before it. */
	drain_locked(s);
	ret = uart_access(s, port, write, val);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

void serial_write(struct serial *s, const uint8_t *buf, size_t len)
{
	size_t i;

	pthread_mutex_lock(&s->lock);
	drain_locked(s);
	for (i = 0; i < len; i++)
		put_byte(s, buf[i]);
	s->write_bytes += len;
	pthread_mutex_unlock(&s->lock);
}

void serial_counts(struct serial *s, uint64_t *write_bytes, uint64_t *ring_bytes)
{
	pthread_mutex_lock(&s->lock);
	*write_bytes = s->write_bytes;
	*ring_bytes = s->ring_bytes;
	pthread_mutex_unlock(&s->lock);
}

void serial_flush(struct serial *s)
{
	pthread_mutex_lock(&s->lock);
	drain_locked(s);
	write_out(s);
	pthread_mutex_unlock(&s->lock);
}
