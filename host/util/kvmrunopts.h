/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvmrun's command line (pure: host/tests/test-kvmrun-opts drives it).  In
 * host/util because the runner parses each cfg stanza's kvmrun options
 * with it before anything runs, so the two can never disagree.
 */
#ifndef HOST_KVMRUN_OPTS_H
#define HOST_KVMRUN_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#define KVMRUN_MAX_SMP		64	/* MAX_CPUS of the guest library */
#define KVMRUN_MIN_MEM_MIB	2	/* 1 MiB low memory + the image */
#define KVMRUN_MAX_MEM_MIB	3072	/* all RAM below 3 GiB: 32-bit addresses */
#define KVMRUN_MAX_TIMEOUT	86400

enum filter_when {
	FILTER_BEFORE_IRQCHIP,
	FILTER_BEFORE_VCPU,
	FILTER_AFTER_VCPU,
};

struct kvmrun_opts {
	unsigned int smp;		/* --smp, default 1 */
	unsigned int mem_mib;		/* --mem, default 64 */
	unsigned int timeout;		/* --timeout seconds, 0 = none */
	int irqchip;			/* KVMRUN_IRQCHIP_*, default FULL */
	int cpuid_x2apic;		/* --cpuid: -1 as KVM says, 0 off, 1 on */
	int cpuid_arch_caps;		/* --cpuid [+-]arch_capabilities: same */
	int cpuid_tsc_deadline;		/* --cpuid [+-]tsc_deadline: -1 default */
	bool cpuid_no_kvm_pv;		/* --cpuid -kvm_pv: no 0x4000xxxx leaves */
	bool pv_enforce;		/* --cpuid +pv_enforce */
	const char *cpuid_spec;		/* --cpuid as given, NULL if none */
	const char *filter;		/* --filter FILE or NULL */
	enum filter_when filter_when;	/* default FILTER_BEFORE_VCPU */
	bool filter_expect_set;
	int filter_expect_errno;	/* --filter-expect-errno NAME|0 */
	int exit_mask;			/* --exit-mask 0-7, -1 = not given */
	const char *env_file;		/* --env FILE or NULL */
	const char *kvm_device;		/* default /dev/kvm */
	bool stats;			/* --stats: exit counts on stderr at the end */
	bool no_coalesced_pio;		/* --no-coalesced-pio: every THR byte exits */
	bool help;			/* -h / --help: nothing else is set */
	const char *image;
	int nargs;			/* guest arguments after IMAGE */
	char **args;
};

/*
 * Parse argv[1..argc-1].  Options come before IMAGE ("--opt VALUE" or
 * "--opt=VALUE", or a flag alone; "--" ends them); everything after IMAGE
 * goes to the guest.
 * Returns 0, or -1 with a message (without the "kvmrun: " prefix) in err.
 */
int kvmrun_parse_opts(int argc, char **argv, struct kvmrun_opts *o,
		      char *err, size_t errlen);

const char *filter_when_name(enum filter_when w);
const char *irqchip_name(int irqchip);

extern const char kvmrun_usage[];

#endif
