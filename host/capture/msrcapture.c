// SPDX-License-Identifier: GPL-2.0-only
/*
 * LD_PRELOAD shim (build/msrcapture.so): records every
 * KVM_X86_SET_MSR_FILTER and every KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR)
 * a VMM makes, as filter files in the project's format (host/util/filterfile.h)
 * in $MSRCAPTURE_DIR: filter-N.filter per filter call, numbered from 1 in
 * call order, with the process, the ioctl's result and the exit mask in
 * force at that moment as comments ("# Exit mask: N", which --audit takes
 * as its default).  Every call still goes to the kernel unchanged; a call
 * KVM rejected is recorded too (its errno in a comment).  Used by
 * scripts/capture-filter.sh.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Not in every uapi header this builds against (doc/abi.md §1). */
#ifndef KVM_CAP_X86_USER_SPACE_MSR
#define KVM_CAP_X86_USER_SPACE_MSR	188
#endif

static int (*real_ioctl)(int, unsigned long, ...);
static int nfilters;
static long exit_mask = -1;	/* -1: never set by this process */

static int bit(const __u8 *bm, __u32 n)
{
	return bm[n / 8] >> (n % 8) & 1;
}

static void write_range(FILE *f, const struct kvm_msr_filter_range *r)
{
	__u32 n, start;
	const char *fl = r->flags == 1 ? "r" : r->flags == 2 ? "w" : r->flags == 3 ? "rw" : NULL;

	if (fl)
		fprintf(f, "range 0x%x 0x%x %s\n", r->base, r->nmsrs, fl);
	else
		fprintf(f, "range 0x%x 0x%x 0x%x\n", r->base, r->nmsrs, r->flags);
	if (!r->bitmap) {
		fprintf(f, "\tbitmap null\n");
		return;
	}
	if (r->nmsrs > 0x3000)
		return;	/* KVM rejects it; the format cannot list its bits */
	fprintf(f, "\tdeny all\n");
	/* Runs of allowed MSRs, as absolute indices. */
	for (n = 0; n < r->nmsrs; n++) {
		if (!bit(r->bitmap, n))
			continue;
		start = n;
		while (n + 1 < r->nmsrs && bit(r->bitmap, n + 1))
			n++;
		if (start == n)
			fprintf(f, "\tallow 0x%x\n", r->base + start);
		else
			fprintf(f, "\tallow 0x%x-0x%x\n", r->base + start, r->base + n);
	}
}

static void record_filter(const struct kvm_msr_filter *kf, int ret, int err)
{
	const char *dir = getenv("MSRCAPTURE_DIR");
	char path[4096], comm[64] = "?";
	FILE *f, *c;
	int i;

	if (!dir || !kf)
		return;
	snprintf(path, sizeof(path), "%s/filter-%d.filter", dir, ++nfilters);
	f = fopen(path, "w");
	if (!f)
		return;
	c = fopen("/proc/self/comm", "r");
	if (c) {
		if (fgets(comm, sizeof(comm), c))
			comm[strcspn(comm, "\n")] = 0;
		fclose(c);
	}
	fprintf(f, "# Captured by scripts/capture-filter.sh: KVM_X86_SET_MSR_FILTER call %d of "
		"%s (pid %d)\n", nfilters, comm, (int)getpid());
	if (exit_mask >= 0)
		fprintf(f, "# Exit mask: %ld\n", exit_mask);
	else
		fprintf(f, "# Exit mask: 0 (KVM_CAP_X86_USER_SPACE_MSR not enabled before this call)\n");
	fprintf(f, "# Expected: %s\n", ret ? (err == EFAULT ? "EFAULT" : "EINVAL") : "accepted");
	if (ret)
		fprintf(f, "# KVM returned errno %d (%s)\n", err, strerror(err));
	if (kf->flags & ~1u)
		fprintf(f, "flags 0x%x\n", kf->flags);
	else
		fprintf(f, "default %s\n", kf->flags & 1 ? "deny" : "allow");
	for (i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++)
		if (kf->ranges[i].nmsrs || kf->ranges[i].flags || kf->ranges[i].base)
			write_range(f, &kf->ranges[i]);
	fclose(f);
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret, err;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real_ioctl)
		real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	ret = real_ioctl(fd, req, arg);
	err = errno;
	if (req == KVM_X86_SET_MSR_FILTER)
		record_filter(arg, ret, err);
	if (req == KVM_ENABLE_CAP && arg) {
		const struct kvm_enable_cap *cap = arg;

		if (cap->cap == KVM_CAP_X86_USER_SPACE_MSR && ret == 0)
			exit_mask = (long)cap->args[0];
	}
	errno = err;
	return ret;
}
