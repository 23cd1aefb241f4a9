// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioctl-test: host-only checks of KVM_X86_SET_MSR_FILTER and
 * KVM_CAP_X86_USER_SPACE_MSR against the ABI document
 * (doc/abi.md §2), in the style of the KVM
 * selftests' negative ioctl tests: each check prints
 *   PASS: ioctl: NAME (errno EINVAL)
 *   FAIL: ioctl: NAME (expected EINVAL, got EFAULT)
 * and without a usable KVM it prints one SKIP line with the reason and
 * exits 77 (the automake convention for "skipped", which make check knows).
 *
 * The expected errno of every filter that struct msrf_filter can describe
 * comes from the reference model (msrf_validate() in common/msrfilter.c); the
 * table also carries the ABI document's value and a disagreement between
 * the two is a FAIL of its own.  Cases outside the model (argument
 * pointer, fd type, ioctl size, caps) use the document's value.
 *
 * The last checks prove that a rejected call leaves the previous filter in
 * force, with a guest access: a few bytes of 32-bit code loop over
 * "rdmsr 0x1FC; out 0x80".  With a filter denying 0x1FC and the FILTER
 * exit enabled, KVM_RUN returns KVM_EXIT_X86_RDMSR reason FILTER; without
 * it the next exit is the OUT.  The same access follows every call of the
 * "each of the N bits" checks, which try every bit of the exit mask
 * (KVM_ENABLE_CAP args[0], 64 bits), of kvm_msr_filter.flags and of a
 * range's flags (32 bits each) alone, as the KVM selftest does.
 *
 * Usage: ioctl-test [--kvm-device PATH]; exit status 1 if any check failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/kvm.h"
#include "util/util.h"
#include "msrfilter.h"

#define GUEST_MEM	0x10000
#define GUEST_CODE	0x1000
#define PROBE_MSR	0x1fc		/* MSR_IA32_POWER_CTL: emulated by every KVM */
#define PAGE		4096

struct ctx {
	int sys_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	uint8_t *mem;
	struct kfilter_mem km;
	uint8_t *edge;			/* a readable page, then PROT_NONE */
	int failures;
};

struct check {
	const char *name;
	int (*run)(struct ctx *c, const struct check *k);
	unsigned long arg;
	int doc_errno;			/* ABI document's errno (or value) */
};

static const char *ename(int e)
{
	static char buf[2][32];
	static int n;

	n ^= 1;
	return errno_str(e, buf[n], sizeof(buf[n]));
}

static void result(struct ctx *c, const char *name, int expected, int got)
{
	if (expected == got) {
		printf("PASS: ioctl: %s (errno %s)\n", name, ename(got));
	} else {
		printf("FAIL: ioctl: %s (expected %s, got %s)\n", name, ename(expected),
		       ename(got));
		c->failures++;
	}
}

static int set_filter_fd(int fd, void *arg)
{
	return ioctl(fd, KVM_X86_SET_MSR_FILTER, arg) ? errno : 0;
}

/* ---- filters the model can describe ------------------------------------ */

/* A valid one-MSR range denying PROBE_MSR. */
static void deny_probe(struct msrf_filter *f, unsigned int slot)
{
	f->ranges[slot].flags = MSRF_READ | MSRF_WRITE;
	f->ranges[slot].nmsrs = 1;
	f->ranges[slot].base = PROBE_MSR;
}

static void build(struct msrf_filter *f, unsigned long which)
{
	unsigned int i;

	memset(f, 0, sizeof(*f));
	switch (which) {
	case 0:	/* flags bit 1 */
		f->flags = 2;
		deny_probe(f, 0);
		break;
	case 1:	/* flags bit 31 */
		f->flags = 0x80000000u;
		deny_probe(f, 0);
		break;
	case 2:	/* flags 3 */
		f->flags = 3;
		deny_probe(f, 0);
		break;
	case 3:	/* flags bit 1, no ranges */
		f->flags = 2;
		break;
	case 4:	/* empty + DEFAULT_DENY */
		f->flags = MSRF_DEFAULT_DENY;
		break;
	case 5:	/* empty + DEFAULT_ALLOW */
		break;
	case 6:	/* range flags 0 */
		deny_probe(f, 0);
		f->ranges[0].flags = 0;
		break;
	case 7:	/* range flags 4 */
		deny_probe(f, 0);
		f->ranges[0].flags = 4;
		break;
	case 8:	/* range flags 0xffffffff */
		deny_probe(f, 0);
		f->ranges[0].flags = 0xffffffffu;
		break;
	case 9:	/* 12288 MSRs: the largest bitmap */
		deny_probe(f, 0);
		f->ranges[0].base = 0;
		f->ranges[0].nmsrs = MSRF_MAX_NMSRS;
		break;
	case 10: /* 12289 MSRs */
		deny_probe(f, 0);
		f->ranges[0].base = 0;
		f->ranges[0].nmsrs = MSRF_MAX_NMSRS + 1;
		break;
	case 11: /* 0xffffffff MSRs */
		deny_probe(f, 0);
		f->ranges[0].base = 0;
		f->ranges[0].nmsrs = 0xffffffffu;
		break;
	case 12: /* NULL bitmap */
		deny_probe(f, 0);
		f->ranges[0].bitmap_kind = MSRF_BITMAP_NULL;
		break;
	case 13: /* unmapped bitmap */
		deny_probe(f, 0);
		f->ranges[0].bitmap_kind = MSRF_BITMAP_UNMAPPED;
		break;
	case 14: /* 1-byte bitmap ending at a guard page: KVM copies 8 */
		deny_probe(f, 0);
		f->ranges[0].bitmap_kind = MSRF_BITMAP_EDGE;
		break;
	case 15: /* 8-byte bitmap ending at a guard page: fine */
		deny_probe(f, 0);
		f->ranges[0].nmsrs = 64;
		f->ranges[0].bitmap_kind = MSRF_BITMAP_EDGE;
		break;
	case 16: /* 9-byte bitmap ending at a guard page: KVM copies 16 */
		deny_probe(f, 0);
		f->ranges[0].nmsrs = 65;
		f->ranges[0].bitmap_kind = MSRF_BITMAP_EDGE;
		break;
	case 17: /* range 0 NULL bitmap, range 1 bad flags: first decides */
		deny_probe(f, 0);
		f->ranges[0].bitmap_kind = MSRF_BITMAP_NULL;
		deny_probe(f, 1);
		f->ranges[1].flags = 0;
		break;
	case 18: /* range 0 bad flags, range 1 NULL bitmap */
		deny_probe(f, 0);
		f->ranges[0].flags = 0;
		deny_probe(f, 1);
		f->ranges[1].bitmap_kind = MSRF_BITMAP_NULL;
		break;
	case 19: /* bad flags and NULL bitmap in one range: flags first */
		deny_probe(f, 0);
		f->ranges[0].flags = 0;
		f->ranges[0].bitmap_kind = MSRF_BITMAP_NULL;
		break;
	case 20: /* oversize and NULL bitmap: size before the copy */
		deny_probe(f, 0);
		f->ranges[0].nmsrs = MSRF_MAX_NMSRS + 1;
		f->ranges[0].bitmap_kind = MSRF_BITMAP_NULL;
		break;
	case 21: /* zero-length junk range between valid ones */
		deny_probe(f, 0);
		f->ranges[1].flags = 0xffffffffu;
		f->ranges[1].base = 0x1234;
		f->ranges[1].bitmap_kind = MSRF_BITMAP_NULL;
		deny_probe(f, 2);
		break;
	case 22: /* 16 zero-length junk ranges + ALLOW */
	case 23: /* the same + DENY: counts as empty */
		f->flags = which == 23 ? MSRF_DEFAULT_DENY : 0;
		for (i = 0; i < MSRF_MAX_RANGES; i++) {
			f->ranges[i].flags = 0xffffffffu;
			f->ranges[i].bitmap_kind = MSRF_BITMAP_NULL;
		}
		break;
	case 24: /* base + nmsrs wraps */
		deny_probe(f, 0);
		f->ranges[0].base = 0xffffffffu;
		f->ranges[0].nmsrs = 2;
		break;
	case 25:
		deny_probe(f, 0);
		f->ranges[0].base = 0xffffff00u;
		f->ranges[0].nmsrs = 0x200;
		break;
	case 26: /* 16 identical ranges */
		for (i = 0; i < MSRF_MAX_RANGES; i++)
			deny_probe(f, i);
		break;
	}
}

static int check_model(struct ctx *c, const struct check *k)
{
	static struct msrf_filter f;
	struct kvm_msr_filter kf;
	int model;

	build(&f, k->arg);
	model = msrf_validate(&f);
	if (model != k->doc_errno) {
		printf("FAIL: ioctl: %s (model msrf_validate() says %s, the ABI document %s)\n",
		       k->name, ename(model), ename(k->doc_errno));
		c->failures++;
		return 0;
	}
	kfilter_from_msrf(&f, &kf, &c->km);
	result(c, k->name, model, set_filter_fd(c->vm_fd, &kf));
	return 0;
}

/* ---- outside the model: argument, fds, ioctl number ------------------- */

static void valid_filter(struct ctx *c, struct kvm_msr_filter *kf)
{
	static struct msrf_filter f;

	memset(&f, 0, sizeof(f));
	deny_probe(&f, 0);
	kfilter_from_msrf(&f, kf, &c->km);
}

static int check_struct_ptr(struct ctx *c, const struct check *k)
{
	void *p = (void *)k->arg;

	if (k->arg == 1)
		p = c->km.unmapped;
	result(c, k->name, k->doc_errno, set_filter_fd(c->vm_fd, p));
	return 0;
}

static int check_fd(struct ctx *c, const struct check *k)
{
	struct kvm_msr_filter kf;

	valid_filter(c, &kf);
	result(c, k->name, k->doc_errno,
	       set_filter_fd(k->arg ? c->vcpu_fd : c->sys_fd, &kf));
	return 0;
}

static int check_compat_number(struct ctx *c, const struct check *k)
{
	struct kvm_msr_filter kf;

	valid_filter(c, &kf);
	result(c, k->name, k->doc_errno,
	       ioctl(c->vm_fd, KVM_X86_SET_MSR_FILTER_COMPAT, &kf) ? errno : 0);
	return 0;
}

/* A bitmap of 'nmsrs' bits whose pointer leaves 8 readable bytes. */
static int check_eight_left(struct ctx *c, const struct check *k)
{
	struct kvm_msr_filter kf;

	valid_filter(c, &kf);
	kf.ranges[0].nmsrs = (uint32_t)k->arg;
	kf.ranges[0].base = 0;
	kf.ranges[0].bitmap = c->edge + PAGE - 8;
	result(c, k->name, k->doc_errno, set_filter_fd(c->vm_fd, &kf));
	return 0;
}

/* ---- KVM_CAP_X86_USER_SPACE_MSR / KVM_CAP_X86_MSR_FILTER --------------- */

static int enable_cap(int fd, uint32_t cap, uint32_t flags, uint64_t arg0)
{
	struct kvm_enable_cap ec = { .cap = cap, .flags = flags, .args = { arg0 } };

	return ioctl(fd, KVM_ENABLE_CAP, &ec) ? errno : 0;
}

static int check_mask(struct ctx *c, const struct check *k)
{
	result(c, k->name, k->doc_errno,
	       enable_cap(c->vm_fd, KVM_CAP_X86_USER_SPACE_MSR, 0, k->arg));
	return 0;
}

static int check_mask_flags(struct ctx *c, const struct check *k)
{
	result(c, k->name, k->doc_errno,
	       enable_cap(c->vm_fd, KVM_CAP_X86_USER_SPACE_MSR, (uint32_t)k->arg, 0));
	return 0;
}

static int check_enable_filter_cap(struct ctx *c, const struct check *k)
{
	result(c, k->name, k->doc_errno, enable_cap(c->vm_fd, KVM_CAP_X86_MSR_FILTER, 0, 0));
	return 0;
}

static int check_extension(struct ctx *c, const struct check *k)
{
	int fd = k->arg & 1 ? c->vm_fd : c->sys_fd;
	long cap = k->arg & 2 ? KVM_CAP_X86_USER_SPACE_MSR : KVM_CAP_X86_MSR_FILTER;
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	if (r == k->doc_errno) {
		printf("PASS: ioctl: %s (returned %d)\n", k->name, r);
	} else {
		printf("FAIL: ioctl: %s (expected %d, got %d%s%s)\n", k->name, k->doc_errno,
		       r, r < 0 ? ", errno " : "", r < 0 ? ename(errno) : "");
		c->failures++;
	}
	return 0;
}

/* ---- a rejected call keeps the old filter: seen by a guest access ------ */

/* 'rdmsr PROBE_MSR; out 0x80, al' in a loop; returns the exit it saw. */
enum probe { PROBE_FILTER_EXIT, PROBE_NO_EXIT, PROBE_OTHER };

static enum probe probe_guest(struct ctx *c, char *what, size_t len)
{
	struct kvm_run *run = c->run;
	bool msr_exit = false;
	uint32_t reason = 0;

	for (;;) {
		if (ioctl(c->vcpu_fd, KVM_RUN, 0)) {
			snprintf(what, len, "KVM_RUN: %s", ename(errno));
			return PROBE_OTHER;
		}
		if (run->exit_reason == KVM_EXIT_X86_RDMSR && !msr_exit &&
		    run->msr.index == PROBE_MSR) {
			msr_exit = true;
			reason = run->msr.reason;
			run->msr.error = 0;
			run->msr.data = 0;
			continue;
		}
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0x80)
			break;
		snprintf(what, len, "exit reason %u", run->exit_reason);
		return PROBE_OTHER;
	}
	if (!msr_exit) {
		snprintf(what, len, "no MSR exit");
		return PROBE_NO_EXIT;
	}
	snprintf(what, len, "RDMSR exit, reason %u", reason);
	return reason == KVM_MSR_EXIT_REASON_FILTER ? PROBE_FILTER_EXIT : PROBE_OTHER;
}

static void probe_result(struct ctx *c, const char *name, enum probe want)
{
	static const char *const names[] = {
		[PROBE_FILTER_EXIT] = "RDMSR exit, reason FILTER",
		[PROBE_NO_EXIT] = "no MSR exit",
		[PROBE_OTHER] = "?",
	};
	char what[64];
	enum probe got = probe_guest(c, what, sizeof(what));

	if (got == want) {
		printf("PASS: ioctl: %s (%s)\n", name, names[want]);
	} else {
		printf("FAIL: ioctl: %s (expected %s, got %s)\n", name, names[want], what);
		c->failures++;
	}
}

static int check_atomic(struct ctx *c, const struct check *k)
{
	static struct msrf_filter f;
	struct kvm_msr_filter kf;
	int e;

	switch (k->arg) {
	case 0:	/* the deny filter works */
		e = enable_cap(c->vm_fd, KVM_CAP_X86_USER_SPACE_MSR, 0,
			       KVM_MSR_EXIT_REASON_FILTER);
		memset(&f, 0, sizeof(f));
		deny_probe(&f, 0);
		kfilter_from_msrf(&f, &kf, &c->km);
		if (!e)
			e = set_filter_fd(c->vm_fd, &kf);
		if (e) {
			result(c, k->name, 0, e);
			return 0;
		}
		probe_result(c, k->name, PROBE_FILTER_EXIT);
		break;
	case 1:	/* a rejected filter that would allow it changes nothing */
		memset(&f, 0, sizeof(f));
		deny_probe(&f, 0);
		f.ranges[0].bitmap[0] = 1;		/* allow 0x1FC ... */
		deny_probe(&f, 1);
		f.ranges[1].bitmap_kind = MSRF_BITMAP_NULL;	/* ... but EFAULT */
		kfilter_from_msrf(&f, &kf, &c->km);
		e = set_filter_fd(c->vm_fd, &kf);
		if (e != EFAULT) {
			result(c, k->name, EFAULT, e);
			return 0;
		}
		probe_result(c, k->name, PROBE_FILTER_EXIT);
		break;
	case 2:	/* empty + EINVAL: same */
		memset(&f, 0, sizeof(f));
		f.flags = MSRF_DEFAULT_DENY;
		kfilter_from_msrf(&f, &kf, &c->km);
		e = set_filter_fd(c->vm_fd, &kf);
		if (e != EINVAL) {
			result(c, k->name, EINVAL, e);
			return 0;
		}
		probe_result(c, k->name, PROBE_FILTER_EXIT);
		break;
	case 3:	/* an accepted allow-all replaces it */
		memset(&f, 0, sizeof(f));
		kfilter_from_msrf(&f, &kf, &c->km);
		e = set_filter_fd(c->vm_fd, &kf);
		if (e) {
			result(c, k->name, 0, e);
			return 0;
		}
		probe_result(c, k->name, PROBE_NO_EXIT);
		break;
	}
	return 0;
}

/* ---- every flag bit (the KVM selftest's loops), each then a guest access -- */

enum bit_family { BITS_EXIT_MASK, BITS_FILTER_FLAGS, BITS_RANGE_FLAGS };

/* Mask FILTER and a filter denying PROBE_MSR: check_atomic's starting point. */
static int install_deny(struct ctx *c)
{
	static struct msrf_filter f;
	struct kvm_msr_filter kf;
	int e;

	e = enable_cap(c->vm_fd, KVM_CAP_X86_USER_SPACE_MSR, 0, KVM_MSR_EXIT_REASON_FILTER);
	if (e)
		return e;
	memset(&f, 0, sizeof(f));
	deny_probe(&f, 0);
	kfilter_from_msrf(&f, &kf, &c->km);
	return set_filter_fd(c->vm_fd, &kf);
}

/*
 * The call with only 'bit' set in the family's field; *expect gets the
 * model's errno.  The filters allow PROBE_MSR, so one that got installed
 * after all shows as "no MSR exit", and a stored exit mask without FILTER
 * as a #GP (which this guest, having no IDT, turns into a shutdown).
 */
static int try_bit(struct ctx *c, enum bit_family family, unsigned int bit, int *expect)
{
	static struct msrf_filter f;
	struct kvm_msr_filter kf;

	if (family == BITS_EXIT_MASK) {
		*expect = msrf_exit_mask_errno(1ull << bit);
		return enable_cap(c->vm_fd, KVM_CAP_X86_USER_SPACE_MSR, 0, 1ull << bit);
	}
	memset(&f, 0, sizeof(f));
	deny_probe(&f, 0);
	f.ranges[0].bitmap[0] = 1;		/* allow PROBE_MSR */
	if (family == BITS_FILTER_FLAGS)
		f.flags = 1u << bit;
	else
		f.ranges[0].flags = 1u << bit;
	*expect = msrf_validate(&f);
	kfilter_from_msrf(&f, &kf, &c->km);
	return set_filter_fd(c->vm_fd, &kf);
}

/*
 * Every bit of the field alone: the model's errno, and afterwards (an
 * accepted call is undone first) the guest's RDMSR must still exit with
 * reason FILTER, i.e. the deny filter and mask FILTER are both in force.
 * One line when all is well, one FAIL line per wrong bit otherwise.
 */
static int check_every_bit(struct ctx *c, const struct check *k)
{
	enum bit_family family = (enum bit_family)k->arg;
	unsigned int bit, nbits = family == BITS_EXIT_MASK ? 64 : 32;
	unsigned int rejected = 0, accepted = 0, bad = 0;
	int expect, got, e;
	char what[64];

	e = install_deny(c);
	if (e) {
		result(c, k->name, 0, e);
		return 0;
	}
	for (bit = 0; bit < nbits; bit++) {
		got = try_bit(c, family, bit, &expect);
		if (got != expect && ++bad)
			printf("FAIL: ioctl: %s: bit %u (expected %s, got %s)\n", k->name, bit,
			       ename(expect), ename(got));
		if (got) {
			rejected++;
		} else {
			accepted++;
			e = install_deny(c);
			if (e) {
				printf("FAIL: ioctl: %s: bit %u: reinstalling the deny filter: %s\n",
				       k->name, bit, ename(e));
				c->failures++;
				return 0;
			}
		}
		if (probe_guest(c, what, sizeof(what)) != PROBE_FILTER_EXIT && ++bad)
			printf("FAIL: ioctl: %s: after bit %u (%s): expected RDMSR exit, reason "
			       "FILTER, got %s\n", k->name, bit, got ? "rejected" : "accepted",
			       what);
	}
	if (bad) {
		c->failures++;
		return 0;
	}
	printf("PASS: ioctl: %s (%u rejected, %u accepted, as the model says; the deny "
	       "filter and mask FILTER in force after each)\n", k->name, rejected, accepted);
	return 0;
}

#define MODEL(n, arg, e)	{ n, check_model, arg, e }

static const struct check checks[] = {
	{ "struct NULL", check_struct_ptr, 0, EFAULT },
	{ "struct at 0x1000", check_struct_ptr, 0x1000, EFAULT },
	{ "struct at a kernel address", check_struct_ptr, 0xffff800000000000ul, EFAULT },
	{ "struct in an unmapped page", check_struct_ptr, 1, EFAULT },
	MODEL("flags bit 1", 0, EINVAL),
	MODEL("flags bit 31", 1, EINVAL),
	MODEL("flags 3", 2, EINVAL),
	MODEL("flags bit 1 with no ranges", 3, EINVAL),
	MODEL("no ranges + DEFAULT_DENY", 4, EINVAL),
	MODEL("no ranges + DEFAULT_ALLOW", 5, 0),
	MODEL("range flags 0", 6, EINVAL),
	MODEL("range flags 4", 7, EINVAL),
	MODEL("range flags 0xffffffff", 8, EINVAL),
	MODEL("nmsrs 12288 (0x600-byte bitmap)", 9, 0),
	MODEL("nmsrs 12289", 10, EINVAL),
	MODEL("nmsrs 0xffffffff", 11, EINVAL),
	MODEL("NULL bitmap", 12, EFAULT),
	MODEL("unmapped bitmap", 13, EFAULT),
	MODEL("nmsrs 1, bitmap byte last before a guard page", 14, EFAULT),
	MODEL("nmsrs 64, 8 bitmap bytes before a guard page", 15, 0),
	MODEL("nmsrs 65, 9 bitmap bytes before a guard page", 16, EFAULT),
	{ "nmsrs 65, 8 readable bytes", check_eight_left, 65, EFAULT },
	{ "nmsrs 64, 8 readable bytes", check_eight_left, 64, 0 },
	{ "nmsrs 1, 8 readable bytes", check_eight_left, 1, 0 },
	MODEL("range 0 NULL bitmap, range 1 flags 0", 17, EFAULT),
	MODEL("range 0 flags 0, range 1 NULL bitmap", 18, EINVAL),
	MODEL("flags 0 and NULL bitmap in one range", 19, EINVAL),
	MODEL("nmsrs 12289 and NULL bitmap in one range", 20, EINVAL),
	MODEL("zero-length range with junk flags and NULL bitmap", 21, 0),
	MODEL("16 zero-length junk ranges + DEFAULT_ALLOW", 22, 0),
	MODEL("16 zero-length junk ranges + DEFAULT_DENY", 23, EINVAL),
	MODEL("base 0xffffffff nmsrs 2 (wraps)", 24, 0),
	MODEL("base 0xffffff00 nmsrs 0x200 (wraps)", 25, 0),
	MODEL("16 identical ranges", 26, 0),
	{ "on the /dev/kvm fd", check_fd, 0, EINVAL },
	{ "on a vCPU fd", check_fd, 1, EINVAL },
	{ "ioctl number of the 260-byte compat struct", check_compat_number, 0, ENOTTY },
	{ "USER_SPACE_MSR mask 0", check_mask, 0, 0 },
	{ "USER_SPACE_MSR mask 1", check_mask, 1, 0 },
	{ "USER_SPACE_MSR mask 2", check_mask, 2, 0 },
	{ "USER_SPACE_MSR mask 3", check_mask, 3, 0 },
	{ "USER_SPACE_MSR mask 4", check_mask, 4, 0 },
	{ "USER_SPACE_MSR mask 5", check_mask, 5, 0 },
	{ "USER_SPACE_MSR mask 6", check_mask, 6, 0 },
	{ "USER_SPACE_MSR mask 7", check_mask, 7, 0 },
	{ "USER_SPACE_MSR mask 8", check_mask, 8, EINVAL },
	{ "USER_SPACE_MSR mask 0x80000000", check_mask, 0x80000000ul, EINVAL },
	{ "USER_SPACE_MSR mask bit 32", check_mask, 1ul << 32, EINVAL },
	{ "USER_SPACE_MSR cap.flags 1", check_mask_flags, 1, EINVAL },
	{ "CHECK_EXTENSION(MSR_FILTER) on /dev/kvm", check_extension, 0, 1 },
	{ "CHECK_EXTENSION(MSR_FILTER) on the VM", check_extension, 1, 1 },
	{ "CHECK_EXTENSION(USER_SPACE_MSR) on /dev/kvm", check_extension, 2, 1 },
	{ "CHECK_EXTENSION(USER_SPACE_MSR) on the VM", check_extension, 3, 1 },
	{ "ENABLE_CAP(MSR_FILTER)", check_enable_filter_cap, 0, EINVAL },
	{ "deny filter: guest RDMSR exits with FILTER", check_atomic, 0, 0 },
	{ "rejected (EFAULT) allow filter: the deny stays in force", check_atomic, 1, 0 },
	{ "rejected (EINVAL) empty filter: the deny stays in force", check_atomic, 2, 0 },
	{ "USER_SPACE_MSR args[0], each of the 64 bits", check_every_bit, BITS_EXIT_MASK, 0 },
	{ "filter flags, each of the 32 bits", check_every_bit, BITS_FILTER_FLAGS, 0 },
	{ "range flags, each of the 32 bits", check_every_bit, BITS_RANGE_FLAGS, 0 },
	{ "accepted allow-all filter: no more MSR exit", check_atomic, 3, 0 },
};

/* 'mov ecx, 0x1fc; rdmsr; out 0x80, al; jmp back' */
static const uint8_t guest_code[] = {
	0xb9, PROBE_MSR & 0xff, PROBE_MSR >> 8, 0, 0, 0x0f, 0x32, 0xe6, 0x80, 0xeb, 0xf5,
};

static int setup_vcpu(struct ctx *c, char *why, size_t len)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = GUEST_MEM,
	};
	struct kvm_cpuid2 *cpuid;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int size;

	c->mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->mem == MAP_FAILED)
		return snprintf(why, len, "mmap: %s", strerror(errno)), -1;
	memcpy(c->mem + GUEST_CODE, guest_code, sizeof(guest_code));
	region.userspace_addr = (uintptr_t)c->mem;
	if (ioctl(c->vm_fd, KVM_SET_USER_MEMORY_REGION, &region))
		return snprintf(why, len, "KVM_SET_USER_MEMORY_REGION: %s", ename(errno)), -1;
	c->vcpu_fd = ioctl(c->vm_fd, KVM_CREATE_VCPU, 0);
	size = ioctl(c->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (c->vcpu_fd < 0 || size <= 0)
		return snprintf(why, len, "KVM_CREATE_VCPU: %s", ename(errno)), -1;
	c->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, c->vcpu_fd, 0);
	if (c->run == MAP_FAILED)
		return snprintf(why, len, "mmap of kvm_run: %s", strerror(errno)), -1;
	cpuid = kvm_supported_cpuid(c->sys_fd);
	if (!cpuid || ioctl(c->vcpu_fd, KVM_SET_CPUID2, cpuid))
		return snprintf(why, len, "CPUID setup: %s", ename(errno)), -1;
	free(cpuid);
	if (ioctl(c->vcpu_fd, KVM_GET_SREGS, &sregs))
		return snprintf(why, len, "KVM_GET_SREGS: %s", ename(errno)), -1;
	x86_entry_sregs(&sregs);
	x86_entry_regs(&regs, GUEST_CODE, 0, 0);
	if (ioctl(c->vcpu_fd, KVM_SET_SREGS, &sregs) || ioctl(c->vcpu_fd, KVM_SET_REGS, &regs))
		return snprintf(why, len, "vCPU register setup: %s", ename(errno)), -1;
	return 0;
}

/* 0, or -1 with the reason every check is skipped. */
static int setup(struct ctx *c, const char *dev, char *why, size_t len)
{
	c->sys_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (c->sys_fd < 0)
		return snprintf(why, len, "no %s: %s", dev, strerror(errno)), -1;
	if (ioctl(c->sys_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return snprintf(why, len, "%s is not a KVM device", dev), -1;
	if (ioctl(c->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_MSR_FILTER) <= 0)
		return snprintf(why, len, "KVM lacks KVM_CAP_X86_MSR_FILTER"), -1;
	if (ioctl(c->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) <= 0)
		return snprintf(why, len, "KVM lacks KVM_CAP_X86_USER_SPACE_MSR"), -1;
	c->vm_fd = ioctl(c->sys_fd, KVM_CREATE_VM, 0);
	if (c->vm_fd < 0)
		return snprintf(why, len, "KVM_CREATE_VM: %s", ename(errno)), -1;
	if (kfilter_mem_init(&c->km))
		return snprintf(why, len, "guard pages: %s", strerror(errno)), -1;
	c->edge = mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->edge == MAP_FAILED || mprotect(c->edge, PAGE, PROT_READ | PROT_WRITE))
		return snprintf(why, len, "guard pages: %s", strerror(errno)), -1;
	return setup_vcpu(c, why, len);
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/kvm";
	struct ctx c = { .sys_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
	char why[256];
	size_t i;

	if (argc == 3 && !strcmp(argv[1], "--kvm-device")) {
		dev = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: ioctl-test [--kvm-device PATH]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setup(&c, dev, why, sizeof(why))) {
		/* One line: no check can run, and 77 tells make check so. */
		printf("SKIP: ioctl: all %zu checks (%s)\n",
		       sizeof(checks) / sizeof(checks[0]), why);
		return 77;
	}
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		checks[i].run(&c, &checks[i]);
	return c.failures ? 1 : 0;
}
