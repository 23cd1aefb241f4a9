/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest environment kvmrun passes as the first multiboot module:
 * KEY=VALUE lines from --env FILE, then the harness's own (VMM=kvmrun, the
 * protocol version, the run's settings, KVM facts).  Pure apart from
 * reading files, so the unit tests use a fake sysfs directory.
 */
#ifndef HOST_KVMRUN_ENV_H
#define HOST_KVMRUN_ENV_H

#include <stddef.h>
#include <sys/utsname.h>

#include "util/util.h"

#define ENV_MAX_FILE_SIZE	32768

/*
 * Validate the --env file at 'path' and append its KEY=VALUE lines to out
 * (comments and blank lines dropped).  Lines: KEY=VALUE with KEY matching
 * [A-Za-z_][A-Za-z0-9_]*, VALUE printable ASCII; '#' at the start of a line
 * begins a comment.  A key may appear once, and VMM, KVM_* and KVMRUN_*
 * belong to the harness.  Returns 0, or -1 with "path:line: message".
 */
int env_load_file(const char *path, struct sbuf *out, char *err, size_t errlen);
/* The same on a buffer named 'name'. */
int env_parse(const char *name, const char *text, size_t len, struct sbuf *out,
	      char *err, size_t errlen);

/* Host facts from <sysfs>/module (-1 = not available). */
struct env_host {
	int ignore_msrs;		/* kvm.ignore_msrs */
	int force_emulation_prefix;	/* kvm.force_emulation_prefix, bit 0 */
	int enable_apicv;		/* kvm_intel.enable_apicv / kvm_amd.avic */
	const char *vendor_module;	/* kvm_intel, kvm_amd, kvm_pvm, none */
	const char *kernel;		/* uname -r: the kernel KVM is part of */
	struct utsname uts;		/* kernel points into it */
};

/* 'sysfs' is "/sys" except in tests. */
void env_read_host(const char *sysfs, struct env_host *h);

struct env_run {
	unsigned int smp;
	int irqchip;			/* KVMRUN_IRQCHIP_* */
	int x2apic_cpuid;		/* 0 / 1 */
	const char *cpuid;		/* --cpuid as given, NULL if none */
	int exit_mask;			/* -1 = not set (KVM's default, 0) */
	const char *filter;		/* path or NULL */
	const char *filter_when;
	const char *filter_errno;	/* errno name of the --filter ioctl */
	int cap_msr_filter, cap_user_space_msr, cap_coalesced_pio;
};

/* Append the harness's lines. */
void env_add_harness(struct sbuf *out, const struct env_run *r, const struct env_host *h);

#endif
