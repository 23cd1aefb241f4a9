// SPDX-License-Identifier: GPL-2.0-only
/*
 * The run: one thread per started vCPU, the main thread as watchdog.
 *
 * Every end goes through vm_end() (first caller wins): a guest exit through
 * port 0xf4, an unexpected exit, a KVM_RUN error, the timeout, a signal.
 * The main thread then sets immediate_exit in every kvm_run and kicks the
 * vCPU threads with SIGUSR1 (KVM_RUN returns EINTR whether the signal lands
 * inside it or immediate_exit is seen on entry), joins them, drains and
 * flushes the console and prints the reason: nothing the guest wrote is
 * lost on any path.  No polling anywhere.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "kvmrun.h"
#include "crash.h"
#include "util/util.h"
#include "kvmrun_proto.h"

#define KICK_SIGNAL SIGUSR1

/*
 * Legacy ports a guest may poke without a device model behind them (the
 * guest library masks the PIC; code written for PCs touches the others):
 * reads give all-ones, writes are dropped.  Anything else ends the run
 * with status 66, so a stray access shows up as a bug.
 */
static bool legacy_port(uint16_t port)
{
	switch (port) {
	case 0x20: case 0x21: case 0xa0: case 0xa1:	/* PIC (split/none irqchip) */
	case 0x40: case 0x41: case 0x42: case 0x43:	/* PIT */
	case 0x61:					/* PC speaker / NMI status */
	case 0x70: case 0x71:				/* CMOS / RTC */
	case 0x80:					/* POST code, I/O delay */
	case 0x92:					/* A20 gate */
		return true;
	}
	return false;
}

static bool stopping(struct vm *vm)
{
	return __atomic_load_n(&vm->ending, __ATOMIC_ACQUIRE);
}

/* Called with vm->lock held. */
static void end_locked(struct vm *vm, int status, bool print, const char *msg)
{
	if (vm->ending)
		return;
	vm->end_status = status;
	vm->end_print = print;
	snprintf(vm->end_reason, sizeof(vm->end_reason), "%s", msg);
	__atomic_store_n(&vm->ending, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&vm->cond);
}

void vm_end(struct vm *vm, int status, const char *fmt, ...)
{
	char msg[sizeof(vm->end_reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&vm->lock);
	end_locked(vm, status, true, msg);
	pthread_mutex_unlock(&vm->lock);
}

/*
 * The guest's own end.  Like isa-debug-exit the status is (code << 1) | 1
 * truncated to 8 bits; when that folds the code (over 127), say so.
 */
static void vm_end_guest(struct vm *vm, uint32_t code)
{
	int status = (int)(((code << 1) | 1) & 0xff);
	char msg[128];

	snprintf(msg, sizeof(msg), "guest exit code %u (0x%x) folds into status %d",
		 code, code, status);
	pthread_mutex_lock(&vm->lock);
	end_locked(vm, status, code > 127, msg);
	pthread_mutex_unlock(&vm->lock);
}

static uint64_t vcpu_rip(struct vcpu *v)
{
	struct kvm_regs regs;

	return ioctl(v->fd, KVM_GET_REGS, &regs) ? ~0ull : regs.rip;
}

static int ctrl_port(struct vcpu *v, bool write, uint8_t size, uint8_t *data)
{
	uint32_t val = KVMRUN_CTRL_MAGIC;

	if (!write) {
		memcpy(data, &val, size);	/* narrower reads: the low bytes */
		return 0;
	}
	if (size != 4) {
		vm_end(v->vm, KVMRUN_EXIT_INTERNAL, "control port 0x%x: OUT of %u bytes on "
		       "vCPU %u (a request is a 32-bit OUT of the block's address)",
		       KVMRUN_CTRL_PORT, size, v->index);
		return 1;
	}
	memcpy(&val, data, 4);
	ctrl_request(v->vm, v, val);
	return 0;
}

/* One I/O access of 'size' bytes; nonzero ends this vCPU's loop. */
static int port_access(struct vcpu *v, uint16_t port, bool write, uint8_t size, uint8_t *data)
{
	struct vm *vm = v->vm;
	uint32_t code = 0;
	unsigned int i;

	if (port >= COM1_BASE && port + size - 1 <= COM1_END) {
		for (i = 0; i < size; i++)
			data[i] = serial_io(&vm->serial, (uint16_t)(port + i), write,
					    write ? data[i] : 0);
		return 0;
	}
	if (port == KVMRUN_DEBUG_EXIT_PORT && write) {
		memcpy(&code, data, size);
		vm_end_guest(vm, code);
		return 1;
	}
	if (port == KVMRUN_CTRL_PORT)
		return ctrl_port(v, write, size, data);
	if (legacy_port(port) || port == KVMRUN_DEBUG_EXIT_PORT) {
		if (!write)
			memset(data, 0xff, size);
		return 0;
	}
	vm_end(vm, KVMRUN_EXIT_INTERNAL, "unhandled I/O: %s of %u bytes at port 0x%x "
	       "(vCPU %u, RIP 0x%llx)", write ? "OUT" : "IN", size, port, v->index,
	       (unsigned long long)vcpu_rip(v));
	return 1;
}

static int handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool write = run->io.direction == KVM_EXIT_IO_OUT;
	uint32_t i;

	if (run->io.size != 1 && run->io.size != 2 && run->io.size != 4) {
		vm_end(v->vm, KVMRUN_EXIT_INTERNAL, "I/O exit with size %u", run->io.size);
		return 1;
	}
	for (i = 0; i < run->io.count; i++, data += run->io.size)
		if (port_access(v, run->io.port, write, run->io.size, data))
			return 1;
	return 0;
}

static void handle_msr(struct vcpu *v, bool write)
{
	struct kvm_run *run = v->run;
	uint64_t data = run->msr.data;
	uint8_t error;

	msrx_answer(&v->vm->msrx, v->index, write, run->msr.reason, run->msr.index,
		    &data, &error);
	run->msr.error = error;
	if (!write && !error)
		run->msr.data = data;
}

/*
 * HLT reaches userspace only without an in-kernel irqchip, and then
 * nothing can ever wake the vCPU: it waits for the end, and if no vCPU is
 * left running that end is now.
 */
static void handle_hlt(struct vcpu *v)
{
	struct vm *vm = v->vm;
	unsigned int i, running = 0;

	pthread_mutex_lock(&vm->lock);
	v->state = VCPU_HALTED;
	for (i = 0; i < vm->nvcpus; i++)
		running += vm->vcpus[i].state == VCPU_RUNNING;
	if (!running)
		end_locked(vm, KVMRUN_EXIT_INTERNAL, true, "every vCPU halted with no "
			   "in-kernel irqchip (--irqchip none): nothing can wake them");
	while (!vm->ending)
		pthread_cond_wait(&vm->cond, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
}

static const char *system_event_name(uint32_t type)
{
	switch (type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		return "shutdown";
	case KVM_SYSTEM_EVENT_RESET:
		return "reset";
	case KVM_SYSTEM_EVENT_CRASH:
		return "crash";
	}
	return "other";
}

/* Nonzero: this vCPU stops. */
static int handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct vm *vm = v->vm;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(v);
	case KVM_EXIT_X86_RDMSR:
	case KVM_EXIT_X86_WRMSR:
		handle_msr(v, run->exit_reason == KVM_EXIT_X86_WRMSR);
		return 0;
	case KVM_EXIT_INTR:
	case KVM_EXIT_IOAPIC_EOI:	/* split irqchip: no level-triggered device */
		return 0;
	case KVM_EXIT_HLT:
		handle_hlt(v);
		return 1;
	case KVM_EXIT_SHUTDOWN:
		vm_end(vm, KVMRUN_EXIT_SHUTDOWN, "guest shutdown (triple fault) on vCPU %u",
		       v->index);
		return 1;
	case KVM_EXIT_SYSTEM_EVENT:
		vm_end(vm, KVMRUN_EXIT_SHUTDOWN, "guest system event %u (%s) on vCPU %u",
		       run->system_event.type, system_event_name(run->system_event.type),
		       v->index);
		return 1;
	case KVM_EXIT_MMIO:
		vm_end(vm, KVMRUN_EXIT_INTERNAL, "unhandled MMIO: %s of %u bytes at 0x%llx "
		       "(vCPU %u, RIP 0x%llx)", run->mmio.is_write ? "write" : "read",
		       run->mmio.len, (unsigned long long)run->mmio.phys_addr, v->index,
		       (unsigned long long)vcpu_rip(v));
		return 1;
	case KVM_EXIT_INTERNAL_ERROR:
		vm_end(vm, KVMRUN_EXIT_INTERNAL, "KVM internal error, suberror %u%s (vCPU %u, "
		       "RIP 0x%llx)", run->internal.suberror,
		       run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
		       " (emulation failure)" : "", v->index, (unsigned long long)vcpu_rip(v));
		return 1;
	case KVM_EXIT_FAIL_ENTRY:
		vm_end(vm, KVMRUN_EXIT_INTERNAL, "VM entry failed, hardware reason 0x%llx "
		       "(vCPU %u)", (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
		       v->index);
		return 1;
	}
	vm_end(vm, KVMRUN_EXIT_INTERNAL, "unexpected exit reason %u (vCPU %u, RIP 0x%llx)",
	       run->exit_reason, v->index, (unsigned long long)vcpu_rip(v));
	return 1;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	char name[16];

	snprintf(name, sizeof(name), "vCPU %u", v->index);
	crash_thread(name);
	while (!stopping(vm)) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vm_end(vm, KVMRUN_EXIT_RUN_ERROR, "KVM_RUN on vCPU %u: %s (RIP 0x%llx)",
			       v->index, strerror(errno), (unsigned long long)vcpu_rip(v));
			break;
		}
		exits_inc(&v->exits, exit_kind(v->run, vm->ram, vm->ram_size));
		/* Console bytes queued before this exit come first. */
		serial_drain(&vm->serial);
		if (handle_exit(v))
			break;
	}
	pthread_mutex_lock(&vm->lock);
	v->state = VCPU_DONE;
	pthread_mutex_unlock(&vm->lock);
	return NULL;
}

/* Start vCPU v's thread (BSP at startup, APs from START_AP). */
static int vcpu_start(struct vcpu *v)
{
	struct vm *vm = v->vm;
	int e;

	pthread_mutex_lock(&vm->lock);
	if (vm->ending || v->state != VCPU_PARKED) {
		pthread_mutex_unlock(&vm->lock);
		errno = vm->ending ? ECANCELED : EBUSY;
		return -1;
	}
	v->state = VCPU_RUNNING;
	e = pthread_create(&v->thread, NULL, vcpu_thread, v);
	if (e)
		v->state = VCPU_PARKED;
	else
		v->has_thread = true;
	pthread_mutex_unlock(&vm->lock);
	errno = e;
	return e ? -1 : 0;
}

static void kick_handler(int sig)
{
	(void)sig;	/* only there to make KVM_RUN return EINTR */
}

static const char *signame(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	}
	return "a signal";
}

static sigset_t term_signals;

/* SIGINT/SIGTERM/SIGHUP end the run like anything else: output is kept. */
static void *signal_thread(void *arg)
{
	struct vm *vm = arg;
	int sig;

	crash_thread("signals");
	if (!sigwait(&term_signals, &sig))
		vm_end(vm, 128 + sig, "terminated by %s", signame(sig));
	return NULL;
}

static void setup_signals(struct vm *vm)
{
	struct sigaction sa;
	pthread_t t;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;	/* no SA_RESTART: interrupt KVM_RUN */
	sigemptyset(&sa.sa_mask);
	sigaction(KICK_SIGNAL, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a closed stdout drops output, not the run */
	sigemptyset(&term_signals);
	sigaddset(&term_signals, SIGINT);
	sigaddset(&term_signals, SIGTERM);
	sigaddset(&term_signals, SIGHUP);
	/* Blocked here, inherited by every thread, taken by sigwait only. */
	pthread_sigmask(SIG_BLOCK, &term_signals, NULL);
	if (pthread_create(&t, NULL, signal_thread, vm) == 0)
		pthread_detach(t);
}

static void wait_for_end(struct vm *vm)
{
	unsigned int timeout = vm->opts->timeout;
	struct timespec deadline;
	char msg[64];

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;
	pthread_mutex_lock(&vm->lock);
	while (!vm->ending) {
		if (!timeout) {
			pthread_cond_wait(&vm->cond, &vm->lock);
		} else if (pthread_cond_timedwait(&vm->cond, &vm->lock, &deadline) == ETIMEDOUT) {
			snprintf(msg, sizeof(msg), "TIMEOUT after %u s", timeout);
			end_locked(vm, KVMRUN_EXIT_TIMEOUT, true, msg);
		}
	}
	pthread_mutex_unlock(&vm->lock);
}

static void stop_vcpus(struct vm *vm)
{
	unsigned int i;

	pthread_mutex_lock(&vm->lock);
	for (i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->has_thread)
			continue;
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELEASE);
		pthread_kill(v->thread, KICK_SIGNAL);
	}
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	/* No thread is created once ending is set: has_thread is final. */
	for (i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].has_thread)
			pthread_join(vm->vcpus[i].thread, NULL);
}

/* Where the vCPUs were stopped, for a timeout's reason line. */
static const char *where_vcpus(struct vm *vm)
{
	static char buf[256];
	size_t n = 0;
	unsigned int i;

	buf[0] = 0;
	for (i = 0; i < vm->nvcpus && n < sizeof(buf) - 48; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (v->has_thread)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%svCPU %u at RIP 0x%llx",
					      i ? ", " : "", i, (unsigned long long)vcpu_rip(v));
		else
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%svCPU %u not started",
					      i ? ", " : "", i);
	}
	return buf;
}

/* --stats: after the guest's output, before the end reason. */
static void print_stats(struct vm *vm)
{
	struct kvmrun_exits e;
	char line[512];

	vm_get_exits(vm, &e);
	exits_format(&e, line, sizeof(line));
	fprintf(stderr, "kvmrun: stats: %s\n", line);
}

int vm_run(struct vm *vm)
{
	setup_signals(vm);
	vm->start_vcpu = vcpu_start;
	if (vcpu_start(&vm->vcpus[0]))
		vm_end(vm, KVMRUN_EXIT_INTERNAL, "cannot start the BSP thread: %s",
		       strerror(errno));
	wait_for_end(vm);
	stop_vcpus(vm);
	serial_flush(&vm->serial);
	if (vm->opts->stats)
		print_stats(vm);
	if (vm->end_print && vm->end_status == KVMRUN_EXIT_TIMEOUT)
		fprintf(stderr, "kvmrun: %s (%s)\n", vm->end_reason, where_vcpus(vm));
	else if (vm->end_print)
		fprintf(stderr, "kvmrun: %s\n", vm->end_reason);
	return vm->end_status;
}
