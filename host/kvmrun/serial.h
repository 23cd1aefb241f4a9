/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * COM1 for kvmrun: a write-only 16550 whose THR bytes go to an output fd
 * (stdout), CR stripped, buffered and flushed at each line end and at exit.
 * LSR reads 0x60 (transmitter empty), IIR reads 0x01 (no interrupt), other
 * registers accept writes and read 0.  DLAB is tracked so that divisor
 * writes through port 0x3f8 are not taken for output.
 *
 * With KVM_CAP_COALESCED_PIO the THR port is registered as coalesced: KVM
 * queues those bytes in a ring instead of exiting.  The ring is drained
 * (under the same lock) before any other exit is handled and at exit, so
 * the output keeps its order relative to everything else the guest does.
 *
 * serial_write() is the console fast path (KVMRUN_OP_CONSOLE_WRITE): a
 * whole line in one request, treated exactly as that many THR bytes, after
 * whatever the ring still holds.
 */
#ifndef HOST_KVMRUN_SERIAL_H
#define HOST_KVMRUN_SERIAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#define COM1_BASE	0x3f8
#define COM1_END	0x3ff
#define SERIAL_BUF_SIZE	4096

struct serial {
	pthread_mutex_t lock;
	int fd;				/* output; writes stop after an error */
	bool broken;
	uint8_t lcr, ier, mcr, scr;
	size_t len;
	char buf[SERIAL_BUF_SIZE];
	struct kvm_coalesced_mmio_ring *ring;	/* NULL without coalesced PIO */
	uint32_t ring_max;			/* entries in the ring */
	uint64_t write_bytes;			/* taken by serial_write() */
	uint64_t ring_bytes;			/* taken from the ring */
};

void serial_init(struct serial *s, int fd);
/* Use the coalesced ring of page size 'page' (after registering the zone). */
void serial_set_ring(struct serial *s, struct kvm_coalesced_mmio_ring *ring, size_t page);

/* One byte access at port COM1_BASE..COM1_END; returns the read value. */
uint8_t serial_io(struct serial *s, uint16_t port, bool write, uint8_t val);
/* len bytes written to the data port (DLAB ignored), after the ring. */
void serial_write(struct serial *s, const uint8_t *buf, size_t len);
/* Bytes taken so far by serial_write() and from the ring. */
void serial_counts(struct serial *s, uint64_t *write_bytes, uint64_t *ring_bytes);
/* Move queued coalesced bytes to the output, in order. */
void serial_drain(struct serial *s);
/* Drain and write out everything buffered. */
void serial_flush(struct serial *s);

#endif
