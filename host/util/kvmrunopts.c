// SPDX-License-Identifier: GPL-2.0-only
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kvmrunopts.h"
#include "util.h"
#include "kvmrun_proto.h"

const char kvmrun_usage[] =
"Usage: kvmrun [options] IMAGE [guest args...]\n"
"Run a multiboot ELF32 image in a KVM VM; COM1 goes to stdout.\n"
"\n"
"  --smp N                  vCPUs (1-64, default 1); APs start through the\n"
"                           control port (common/kvmrun_proto.h)\n"
"  --mem MIB                guest RAM in MiB (2-3072, default 64)\n"
"  --timeout SECONDS        stop the VM after SECONDS (0 = never, default)\n"
"  --irqchip full|split|none  in-kernel irqchip (default full)\n"
"  --cpuid [+-]NAME[,...]   CPUID changes: x2apic, arch_capabilities (force the\n"
"                           bit on/off; default as KVM says), -kvm_pv (no KVM PV\n"
"                           leaves), +pv_enforce (KVM_CAP_ENFORCE_PV_FEATURE_CPUID)\n"
"  --filter FILE            install the MSR filter described in FILE\n"
"  --filter-when before-irqchip|before-vcpu|after-vcpu\n"
"                           when to install it (default before-vcpu)\n"
"  --filter-expect-errno NAME|0\n"
"                           the errno the --filter ioctl must give (a\n"
"                           mismatch stops with status 70); without it a\n"
"                           rejected filter stops with status 2\n"
"  --exit-mask MASK         KVM_CAP_X86_USER_SPACE_MSR reason mask (0-7)\n"
"  --env FILE               KEY=VALUE lines added to the guest environment\n"
"  --kvm-device PATH        default /dev/kvm\n"
"  --stats                  at the end, print the VM exits by kind on stderr\n"
"                           (one 'kvmrun: stats: ' line)\n"
"  --no-coalesced-pio       do not queue COM1 data bytes in KVM's coalesced\n"
"                           ring: every byte the guest writes there exits\n"
"  -h, --help               this text\n"
"\n"
"Exit status: (code << 1) | 1 for a guest exit through port 0xf4 (as QEMU's\n"
"isa-debug-exit); 2 usage or setup error; 64 guest shutdown (triple fault);\n"
"66 unexpected exit, unhandled I/O or MMIO, internal error; 68 KVM_RUN\n"
"failed; 70 --filter-expect-errno mismatch; 77 SKIP (no KVM or a required\n"
"capability missing); 124 timeout; 128+N killed by signal N.  Every end\n"
"other than the guest's own prints one 'kvmrun: reason' line on stderr.\n";

static int bad(char *err, size_t errlen, const char *opt, const char *val, const char *want)
{
	snprintf(err, errlen, "bad value '%s' for %s (want %s)", val, opt, want);
	return -1;
}

static int parse_num(const char *opt, const char *val, uint64_t min, uint64_t max,
		     unsigned int *out, char *err, size_t errlen)
{
	char want[64];
	uint64_t v;

	if (parse_uint(val, max, &v) || v < min) {
		snprintf(want, sizeof(want), "%llu-%llu", (unsigned long long)min,
			 (unsigned long long)max);
		return bad(err, errlen, opt, val, want);
	}
	*out = (unsigned int)v;
	return 0;
}

static int pick(const char *opt, const char *val, const char *const *names, int n,
		const char *want, int *out, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(val, names[i])) {
			*out = i;
			return 0;
		}
	}
	return bad(err, errlen, opt, val, want);
}

static const char *const irqchips[] = {
	[KVMRUN_IRQCHIP_NONE] = "none",
	[KVMRUN_IRQCHIP_SPLIT] = "split",
	[KVMRUN_IRQCHIP_FULL] = "full",
};

static const char *const whens[] = {
	[FILTER_BEFORE_IRQCHIP] = "before-irqchip",
	[FILTER_BEFORE_VCPU] = "before-vcpu",
	[FILTER_AFTER_VCPU] = "after-vcpu",
};

const char *irqchip_name(int irqchip)
{
	return irqchip >= 0 && irqchip < 3 ? irqchips[irqchip] : "?";
}

const char *filter_when_name(enum filter_when w)
{
	return (unsigned int)w < 3 ? whens[w] : "?";
}

/*
 * --cpuid WORD[,WORD...], each +NAME or -NAME: x2apic and
 * arch_capabilities force CPUID.1:ECX.x2APIC / CPUID.7.0:EDX.ARCH_CAPABILITIES
 * on or off (default: as KVM says); tsc_deadline forces CPUID.1:ECX.TSC_DEADLINE
 * (default: offered with an in-kernel LAPIC only; +tsc_deadline with
 * irqchip none is a VMM whose userspace LAPIC claims the timer); -kvm_pv drops the KVM PV leaves
 * 0x40000000-0x400000ff (+kvm_pv: keep them, the default); +pv_enforce
 * enables KVM_CAP_ENFORCE_PV_FEATURE_CPUID on each vCPU.
 */
static int parse_cpuid(struct kvmrun_opts *o, const char *opt, const char *val,
		       char *err, size_t errlen)
{
	static const char want[] = "a comma-separated list of +NAME or -NAME, NAME one of "
				   "x2apic, arch_capabilities, tsc_deadline, kvm_pv, pv_enforce";
	const char *p = val;

	if (!*p)
		return bad(err, errlen, opt, val, want);
	while (*p) {
		size_t n = strcspn(p, ",");
		bool on = *p == '+';

		if ((*p != '+' && *p != '-') || n < 2)
			return bad(err, errlen, opt, val, want);
		if (n - 1 == 6 && !strncmp(p + 1, "x2apic", 6))
			o->cpuid_x2apic = on;
		else if (n - 1 == 17 && !strncmp(p + 1, "arch_capabilities", 17))
			o->cpuid_arch_caps = on;
		else if (n - 1 == 12 && !strncmp(p + 1, "tsc_deadline", 12))
			o->cpuid_tsc_deadline = on;
		else if (n - 1 == 6 && !strncmp(p + 1, "kvm_pv", 6))
			o->cpuid_no_kvm_pv = !on;
		else if (n - 1 == 10 && !strncmp(p + 1, "pv_enforce", 10))
			o->pv_enforce = on;
		else
			return bad(err, errlen, opt, val, want);
		p += n;
		if (*p == ',' && *++p == '\0')
			return bad(err, errlen, opt, val, want);
	}
	o->cpuid_spec = val;
	return 0;
}

static int set_opt(struct kvmrun_opts *o, const char *opt, const char *val,
		   char *err, size_t errlen)
{
	unsigned int u;
	int i;

	if (!strcmp(opt, "--smp"))
		return parse_num(opt, val, 1, KVMRUN_MAX_SMP, &o->smp, err, errlen);
	if (!strcmp(opt, "--mem"))
		return parse_num(opt, val, KVMRUN_MIN_MEM_MIB, KVMRUN_MAX_MEM_MIB,
				 &o->mem_mib, err, errlen);
	if (!strcmp(opt, "--timeout"))
		return parse_num(opt, val, 0, KVMRUN_MAX_TIMEOUT, &o->timeout, err, errlen);
	if (!strcmp(opt, "--irqchip"))
		return pick(opt, val, irqchips, 3, "full, split or none", &o->irqchip,
			    err, errlen);
	if (!strcmp(opt, "--filter-when")) {
		if (pick(opt, val, whens, 3, "before-irqchip, before-vcpu or after-vcpu",
			 &i, err, errlen))
			return -1;
		o->filter_when = (enum filter_when)i;
		return 0;
	}
	if (!strcmp(opt, "--cpuid"))
		return parse_cpuid(o, opt, val, err, errlen);
	if (!strcmp(opt, "--exit-mask")) {
		if (parse_num(opt, val, 0, 7, &u, err, errlen))
			return -1;
		o->exit_mask = (int)u;
		return 0;
	}
	if (!strcmp(opt, "--filter-expect-errno")) {
		i = errno_parse(val);
		if (i < 0)
			return bad(err, errlen, opt, val, "0 or an errno name such as EINVAL");
		o->filter_expect_set = true;
		o->filter_expect_errno = i;
		return 0;
	}
	if (!*val) {
		snprintf(err, errlen, "empty value for %s", opt);
		return -1;
	}
	if (!strcmp(opt, "--filter"))
		o->filter = val;
	else if (!strcmp(opt, "--env"))
		o->env_file = val;
	else if (!strcmp(opt, "--kvm-device"))
		o->kvm_device = val;
	else
		return snprintf(err, errlen, "unknown option '%s' (see kvmrun --help)", opt), -1;
	return 0;
}

static const char *const valued[] = {
	"--smp", "--mem", "--timeout", "--irqchip", "--cpuid", "--filter",
	"--filter-when", "--filter-expect-errno", "--exit-mask", "--env",
	"--kvm-device",
};

/* Options without a value. */
static bool set_flag(struct kvmrun_opts *o, const char *opt)
{
	if (!strcmp(opt, "--stats"))
		o->stats = true;
	else if (!strcmp(opt, "--no-coalesced-pio"))
		o->no_coalesced_pio = true;
	else
		return false;
	return true;
}

static bool takes_value(const char *opt, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(valued) / sizeof(valued[0]); i++)
		if (strlen(valued[i]) == len && !strncmp(valued[i], opt, len))
			return true;
	return false;
}

int kvmrun_parse_opts(int argc, char **argv, struct kvmrun_opts *o,
		      char *err, size_t errlen)
{
	char name[64];
	int i;

	*o = (struct kvmrun_opts){
		.smp = 1, .mem_mib = 64, .irqchip = KVMRUN_IRQCHIP_FULL,
		.cpuid_x2apic = -1, .cpuid_arch_caps = -1, .cpuid_tsc_deadline = -1, .filter_when = FILTER_BEFORE_VCPU,
		.exit_mask = -1, .kvm_device = "/dev/kvm",
	};
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *val;
		size_t len;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			o->help = true;
			return 0;
		}
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		if (set_flag(o, a))
			continue;
		eq = strchr(a, '=');
		len = eq ? (size_t)(eq - a) : strlen(a);
		if (strncmp(a, "--", 2) || !takes_value(a, len)) {
			snprintf(err, errlen, "unknown option '%.*s' (see kvmrun --help)",
				 (int)(len < 48 ? len : 48), a);
			return -1;
		}
		snprintf(name, sizeof(name), "%.*s", (int)len, a);
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			snprintf(err, errlen, "option %s needs a value", name);
			return -1;
		}
		if (set_opt(o, name, val, err, errlen))
			return -1;
	}
	if (i >= argc) {
		snprintf(err, errlen, "no IMAGE given (see kvmrun --help)");
		return -1;
	}
	o->image = argv[i];
	o->nargs = argc - i - 1;
	o->args = argv + i + 1;
	if (o->filter_expect_set && !o->filter) {
		snprintf(err, errlen, "--filter-expect-errno needs --filter");
		return -1;
	}
	return 0;
}
