// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of kvmrun's command line (host/util/kvmrunopts.c) and guest
 * environment (host/kvmrun/env.c): every option and its bad values with
 * the exact message, the --env file rules, host facts read from a fake
 * sysfs tree, and the exact harness lines.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvmrun/env.h"
#include "util/kvmrunopts.h"
#include "kvmrun/virt.h"
#include "kvmrun_proto.h"
#include "test-kvmrun.h"

#define MAXARGS 40

/* Split 'line' on blanks into argv (argv[0] = "kvmrun"). */
static int split(char *line, char **argv)
{
	int argc = 0;
	char *tok;

	argv[argc++] = "kvmrun";
	for (tok = strtok(line, " "); tok && argc < MAXARGS - 1; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return argc;
}

static const struct {
	const char *args;
	const char *error;
} bad_opts[] = {
	{ "", "no IMAGE given (see kvmrun --help)" },
	{ "--smp 2", "no IMAGE given (see kvmrun --help)" },
	{ "--bogus img", "unknown option '--bogus' (see kvmrun --help)" },
	{ "-x img", "unknown option '-x' (see kvmrun --help)" },
	{ "--smp", "option --smp needs a value" },
	{ "--smp 0 img", "bad value '0' for --smp (want 1-64)" },
	{ "--smp 65 img", "bad value '65' for --smp (want 1-64)" },
	{ "--smp 2x img", "bad value '2x' for --smp (want 1-64)" },
	{ "--smp= img", "bad value '' for --smp (want 1-64)" },
	{ "--mem 1 img", "bad value '1' for --mem (want 2-3072)" },
	{ "--mem 3073 img", "bad value '3073' for --mem (want 2-3072)" },
	{ "--mem 99999999999999999999999 img", "bad value '99999999999999999999999' for --mem "
	  "(want 2-3072)" },
	{ "--timeout -1 img", "bad value '-1' for --timeout (want 0-86400)" },
	{ "--timeout 1.5 img", "bad value '1.5' for --timeout (want 0-86400)" },
	{ "--irqchip kernel img", "bad value 'kernel' for --irqchip (want full, split or none)" },
	{ "--cpuid x2apic img", "bad value 'x2apic' for --cpuid (want a comma-separated list of +NAME or -NAME, NAME one of x2apic, arch_capabilities, tsc_deadline, kvm_pv, pv_enforce)" },
	{ "--cpuid +x2apic, img", "bad value '+x2apic,' for --cpuid (want a comma-separated list of +NAME or -NAME, NAME one of x2apic, arch_capabilities, tsc_deadline, kvm_pv, pv_enforce)" },
	{ "--cpuid +x2apic,-kvm img", "bad value '+x2apic,-kvm' for --cpuid (want a comma-separated list of +NAME or -NAME, NAME one of x2apic, arch_capabilities, tsc_deadline, kvm_pv, pv_enforce)" },
	{ "--cpuid -x2apicx img", "bad value '-x2apicx' for --cpuid (want a comma-separated list of +NAME or -NAME, NAME one of x2apic, arch_capabilities, tsc_deadline, kvm_pv, pv_enforce)" },
	{ "--exit-mask 8 img", "bad value '8' for --exit-mask (want 0-7)" },
	{ "--filter-when never img", "bad value 'never' for --filter-when (want "
	  "before-irqchip, before-vcpu or after-vcpu)" },
	{ "--filter f --filter-expect-errno EWHAT img", "bad value 'EWHAT' for "
	  "--filter-expect-errno (want 0 or an errno name such as EINVAL)" },
	{ "--filter-expect-errno EINVAL img", "--filter-expect-errno needs --filter" },
	{ "--filter= img", "empty value for --filter" },
	{ "--env= img", "empty value for --env" },
	{ "--kvm-device= img", "empty value for --kvm-device" },
	{ "--smpx 2 img", "unknown option '--smpx' (see kvmrun --help)" },
	{ "--stats=1 img", "unknown option '--stats' (see kvmrun --help)" },
	{ "--no-coalesced-pio=yes img", "unknown option '--no-coalesced-pio' (see kvmrun --help)" },
	{ "--statsx img", "unknown option '--statsx' (see kvmrun --help)" },
};

static void test_bad_opts(void)
{
	struct kvmrun_opts o;
	char line[256], err[256], name[300], *argv[MAXARGS];
	size_t i;

	for (i = 0; i < sizeof(bad_opts) / sizeof(bad_opts[0]); i++) {
		int argc;

		snprintf(line, sizeof(line), "%s", bad_opts[i].args);
		argc = split(line, argv);
		snprintf(name, sizeof(name), "opts: rejects '%s'", bad_opts[i].args);
		check_str(name, bad_opts[i].error,
			  kvmrun_parse_opts(argc, argv, &o, err, sizeof(err)) ? err : "(accepted)");
	}
}

static void test_good_opts(void)
{
	char line[512], err[256], *argv[MAXARGS];
	struct kvmrun_opts o;
	int argc, r;

	snprintf(line, sizeof(line), "img");
	argc = split(line, argv);
	r = kvmrun_parse_opts(argc, argv, &o, err, sizeof(err));
	check_true("opts: defaults", !r && o.smp == 1 && o.mem_mib == 64 && o.timeout == 0 &&
		   o.irqchip == KVMRUN_IRQCHIP_FULL && o.cpuid_x2apic == -1 && !o.filter &&
		   o.filter_when == FILTER_BEFORE_VCPU && !o.filter_expect_set &&
		   o.exit_mask == -1 && !o.env_file && !strcmp(o.kvm_device, "/dev/kvm") &&
		   !o.help && !strcmp(o.image, "img") && o.nargs == 0 && !o.stats &&
		   !o.no_coalesced_pio);

	snprintf(line, sizeof(line), "--stats --smp 2 --no-coalesced-pio img --stats");
	argc = split(line, argv);
	r = kvmrun_parse_opts(argc, argv, &o, err, sizeof(err));
	check_true("opts: flags --stats and --no-coalesced-pio", !r && o.stats &&
		   o.no_coalesced_pio && o.smp == 2 && o.nargs == 1 &&
		   !strcmp(o.args[0], "--stats"));

	snprintf(line, sizeof(line), "--smp 4 --mem=128 --timeout 0x10 --irqchip split "
		 "--cpuid -x2apic --filter f.filter --filter-when after-vcpu "
		 "--filter-expect-errno EFAULT --exit-mask 0x7 --env e --kvm-device /dev/x "
		 "img.flat a -b --c");
	argc = split(line, argv);
	r = kvmrun_parse_opts(argc, argv, &o, err, sizeof(err));
	check_true("opts: every option", !r && o.smp == 4 && o.mem_mib == 128 &&
		   o.timeout == 16 && o.irqchip == KVMRUN_IRQCHIP_SPLIT && o.cpuid_x2apic == 0 &&
		   !strcmp(o.filter, "f.filter") && o.filter_when == FILTER_AFTER_VCPU &&
		   o.filter_expect_set && o.filter_expect_errno == 14 && o.exit_mask == 7 &&
		   !strcmp(o.env_file, "e") && !strcmp(o.kvm_device, "/dev/x") &&
		   !strcmp(o.image, "img.flat") && o.nargs == 3 && !strcmp(o.args[1], "-b"));

	snprintf(line, sizeof(line), "--cpuid +x2apic --irqchip none --filter f "
		 "--filter-expect-errno 0 --filter-when before-irqchip -- -img x");
	argc = split(line, argv);
	r = kvmrun_parse_opts(argc, argv, &o, err, sizeof(err));
	check_true("opts: '--' ends the options", !r && o.cpuid_x2apic == 1 &&
		   o.irqchip == KVMRUN_IRQCHIP_NONE && o.filter_expect_errno == 0 &&
		   o.filter_when == FILTER_BEFORE_IRQCHIP && !strcmp(o.image, "-img") &&
		   o.nargs == 1);

	snprintf(line, sizeof(line), "--cpuid +x2apic,-arch_capabilities,-kvm_pv,+pv_enforce img");
	argc = split(line, argv);
	r = kvmrun_parse_opts(argc, argv, &o, err, sizeof(err));
	check_true("opts: --cpuid list", !r && o.cpuid_x2apic == 1 && o.cpuid_arch_caps == 0 &&
		   o.cpuid_no_kvm_pv && o.pv_enforce &&
		   !strcmp(o.cpuid_spec, "+x2apic,-arch_capabilities,-kvm_pv,+pv_enforce"));

	snprintf(line, sizeof(line), "--cpuid +arch_capabilities,+kvm_pv img");
	argc = split(line, argv);
	r = kvmrun_parse_opts(argc, argv, &o, err, sizeof(err));
	check_true("opts: --cpuid +arch_capabilities,+kvm_pv", !r && o.cpuid_x2apic == -1 &&
		   o.cpuid_arch_caps == 1 && !o.cpuid_no_kvm_pv && !o.pv_enforce);

	snprintf(line, sizeof(line), "--cpuid +tsc_deadline img");
	argc = split(line, argv);
	r = kvmrun_parse_opts(argc, argv, &o, err, sizeof(err));
	check_true("opts: --cpuid +tsc_deadline", !r && o.cpuid_tsc_deadline == 1 &&
		   o.cpuid_x2apic == -1 && o.cpuid_arch_caps == -1);

	snprintf(line, sizeof(line), "--cpuid -tsc_deadline img");
	argc = split(line, argv);
	r = kvmrun_parse_opts(argc, argv, &o, err, sizeof(err));
	check_true("opts: --cpuid -tsc_deadline", !r && o.cpuid_tsc_deadline == 0);

	snprintf(line, sizeof(line), "img");
	argc = split(line, argv);
	r = kvmrun_parse_opts(argc, argv, &o, err, sizeof(err));
	check_true("opts: TSC_DEADLINE in CPUID as the irqchip says by default",
		   !r && o.cpuid_tsc_deadline == -1);

	snprintf(line, sizeof(line), "--smp 2 -h --bogus");
	argc = split(line, argv);
	r = kvmrun_parse_opts(argc, argv, &o, err, sizeof(err));
	check_true("opts: -h wins", !r && o.help);

	snprintf(line, sizeof(line), "img --smp 2");
	argc = split(line, argv);
	r = kvmrun_parse_opts(argc, argv, &o, err, sizeof(err));
	check_true("opts: options after IMAGE go to the guest", !r && o.smp == 1 &&
		   o.nargs == 2 && !strcmp(o.args[0], "--smp"));
}

static const struct {
	const char *name, *text, *out, *error;
} envs[] = {
	{ "KEY=VALUE lines kept, comments and blank lines dropped",
	  "# c\nA=1\n\n  \nB_2=x y=z\n", "A=1\nB_2=x y=z\n", NULL },
	{ "no newline at the end", "A=1", "A=1\n", NULL },
	{ "empty value", "A=\n", "A=\n", NULL },
	{ "no '='", "A=1\nJUNK\n", NULL, "e:2: want KEY=VALUE with KEY made of letters, digits "
	  "and '_' (not starting with a digit)" },
	{ "empty key", "=1\n", NULL, "e:1: empty key" },
	{ "key starting with a digit", "1A=1\n", NULL, "e:1: want KEY=VALUE with KEY made of "
	  "letters, digits and '_' (not starting with a digit)" },
	{ "blank in the key", "A B=1\n", NULL, "e:1: want KEY=VALUE with KEY made of letters, "
	  "digits and '_' (not starting with a digit)" },
	{ "duplicate key", "A=1\nB=2\nA=3\n", NULL, "e:3: A is already set on line 1" },
	{ "VMM is the harness's", "VMM=qemu\n", NULL, "e:1: VMM is set by kvmrun (VMM, KVM_* "
	  "and KVMRUN_* are reserved)" },
	{ "KVMRUN_* is the harness's", "KVMRUN_SMP=3\n", NULL, "e:1: KVMRUN_SMP is set by kvmrun "
	  "(VMM, KVM_* and KVMRUN_* are reserved)" },
	{ "KVM_* is the harness's", "KVM_IGNORE_MSRS=1\n", NULL, "e:1: KVM_IGNORE_MSRS is set by "
	  "kvmrun (VMM, KVM_* and KVMRUN_* are reserved)" },
	{ "VMMX is not reserved", "VMMX=1\nKVMX=2\n", "VMMX=1\nKVMX=2\n", NULL },
	{ "carriage return", "A=1\r\n", NULL, "e:1: carriage return (use Unix line ends)" },
	{ "control byte", "A=\x01\n", NULL, "e:1: unexpected byte 0x01 (values are printable "
	  "ASCII)" },
	{ "non-ASCII", "A=\xc3\xa9\n", NULL, "e:1: unexpected byte 0xc3 (values are printable "
	  "ASCII)" },
};

static void test_env_parse(void)
{
	char err[256], name[300];
	size_t i;

	for (i = 0; i < sizeof(envs) / sizeof(envs[0]); i++) {
		struct sbuf out = { 0 };
		int r = env_parse("e", envs[i].text, strlen(envs[i].text), &out, err, sizeof(err));

		snprintf(name, sizeof(name), "env: %s", envs[i].name);
		if (envs[i].error)
			check_str(name, envs[i].error, r ? err : "(accepted)");
		else
			check_str(name, envs[i].out, r ? err : (out.s ? out.s : ""));
		sb_free(&out);
	}
}

static char tmpdir[64];

static void write_bytes(const char *rel, const char *text, size_t len)
{
	char path[256], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	for (slash = strchr(path + strlen(tmpdir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = 0;
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (f) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
}

static void write_file(const char *rel, const char *text)
{
	write_bytes(rel, text, strlen(text));
}

static void test_env_file(void)
{
	struct sbuf out = { 0 };
	char path[256], err[512], want[512];

	write_file("env.txt", "A=1\nB\n");
	snprintf(path, sizeof(path), "%s/env.txt", tmpdir);
	snprintf(want, sizeof(want), "%s:2: want KEY=VALUE with KEY made of letters, digits and "
		 "'_' (not starting with a digit)", path);
	check_str("env: a bad --env file names file:line", want,
		  env_load_file(path, &out, err, sizeof(err)) ? err : "(accepted)");
	sb_free(&out);
	write_bytes("nul.txt", "A=1\nB=2\0\n", 9);
	snprintf(path, sizeof(path), "%s/nul.txt", tmpdir);
	out.len = 0;
	snprintf(want, sizeof(want), "%s:2: NUL byte", path);
	check_str("env: a NUL byte", want,
		  env_load_file(path, &out, err, sizeof(err)) ? err : "(accepted)");
	sb_free(&out);
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	check_str("env: a missing --env file", want,
		  env_load_file(path, &out, err, sizeof(err)) ? err : "(accepted)");
	sb_free(&out);
}

static void test_env_host(void)
{
	struct env_host h;

	env_read_host(tmpdir, &h);
	check_true("env: empty sysfs: nothing known",
		   h.ignore_msrs == -1 && h.force_emulation_prefix == -1 &&
		   h.enable_apicv == -1 && !strcmp(h.vendor_module, "none"));
	write_file("module/kvm/parameters/ignore_msrs", "Y\n");
	write_file("module/kvm/parameters/force_emulation_prefix", "3\n");
	write_file("module/kvm_amd/parameters/avic", "0\n");
	env_read_host(tmpdir, &h);
	check_true("env: kvm_amd host", h.ignore_msrs == 1 && h.force_emulation_prefix == 1 &&
		   h.enable_apicv == 0 && !strcmp(h.vendor_module, "kvm_amd"));
	write_file("module/kvm/parameters/ignore_msrs", "N\n");
	write_file("module/kvm/parameters/force_emulation_prefix", "N\n");
	write_file("module/kvm_intel/parameters/enable_apicv", "Y\n");
	env_read_host(tmpdir, &h);
	check_true("env: kvm_intel host (kvm_intel first)", h.ignore_msrs == 0 &&
		   h.force_emulation_prefix == 0 && h.enable_apicv == 1 &&
		   !strcmp(h.vendor_module, "kvm_intel"));
	write_file("module/kvm/parameters/ignore_msrs", "maybe\n");
	env_read_host(tmpdir, &h);
	check_true("env: an odd value is unknown", h.ignore_msrs == -1);
}

/* Which x2APIC writes the CPU handles (kvmrun-virt.c). */
static void test_x2apic_virt(void)
{
	const uint64_t tpr = VIRT_CTLS_TPR_SHADOW, x2 = VIRT_CTLS2_X2APIC_MODE;
	const uint32_t K = KVMRUN_X2APIC_VIRT_KNOWN, T = KVMRUN_X2APIC_VIRT_TPR,
		       V = KVMRUN_X2APIC_VIRT_VID;
	struct virt_vmx_ctls both = { true, tpr, x2 }, none = { false, 0, 0 };
	struct virt_vmx_ctls no_x2 = { true, tpr, 0 }, no_tpr = { true, 0, x2 };
	struct env_host h = { .enable_apicv = 1, .vendor_module = "kvm_intel" };

	check_u64("virt: kvm_intel, APICv, TPR shadow + x2APIC mode", K | T | V,
		  virt_x2apic_decide(&h, &both));
	check_u64("virt: kvm_intel, no VMX controls (nested=0): unknown", 0,
		  virt_x2apic_decide(&h, &none));
	check_u64("virt: kvm_intel without virtualize x2APIC mode", K,
		  virt_x2apic_decide(&h, &no_x2));
	check_u64("virt: kvm_intel without TPR shadow", K, virt_x2apic_decide(&h, &no_tpr));
	h.enable_apicv = 0;
	check_u64("virt: kvm_intel, APICv off: TPR only", K | T, virt_x2apic_decide(&h, &both));
	h.enable_apicv = -1;
	check_u64("virt: kvm_intel, enable_apicv unreadable: unknown", 0,
		  virt_x2apic_decide(&h, &both));
	h.vendor_module = "kvm_amd";
	h.enable_apicv = 0;
	check_u64("virt: kvm_amd without AVIC: nothing", K, virt_x2apic_decide(&h, &none));
	h.enable_apicv = 1;
	check_u64("virt: kvm_amd with AVIC: unknown", 0, virt_x2apic_decide(&h, &none));
	h.vendor_module = "kvm_pvm";
	check_u64("virt: kvm_pvm: nothing", K, virt_x2apic_decide(&h, &both));
	h.vendor_module = "none";
	check_u64("virt: unknown module: unknown", 0, virt_x2apic_decide(&h, &both));
}

static void test_env_harness(void)
{
	struct env_host h = { .ignore_msrs = 0, .force_emulation_prefix = -1,
			      .enable_apicv = 1, .vendor_module = "kvm_pvm" };
	struct env_run r = {
		.smp = 2, .irqchip = KVMRUN_IRQCHIP_SPLIT, .x2apic_cpuid = 1, .exit_mask = -1,
		.filter = "filters/deny-all.filter", .filter_when = "before-vcpu",
		.filter_errno = "EINVAL", .cap_msr_filter = 1, .cap_user_space_msr = 1,
		.cap_coalesced_pio = 1,
	};
	struct sbuf out = { 0 };

	env_add_harness(&out, &r, &h);
	check_str("env: harness lines", "VMM=kvmrun\nKVMRUN_PROTO=1\nKVMRUN_CTRL_PORT=0x7e0\n"
		  "KVMRUN_SMP=2\nKVMRUN_IRQCHIP=split\nKVMRUN_X2APIC_CPUID=1\nKVMRUN_CPUID=default\n"
		  "KVMRUN_EXIT_MASK=0\nKVMRUN_FILTER=deny-all.filter\n"
		  "KVMRUN_FILTER_WHEN=before-vcpu\nKVMRUN_FILTER_ERRNO=EINVAL\n"
		  "KVM_IGNORE_MSRS=0\nKVM_ENABLE_APICV=1\nKVM_VENDOR_MODULE=kvm_pvm\n"
		  "KVM_CAP_X86_MSR_FILTER=1\nKVM_CAP_X86_USER_SPACE_MSR=1\n"
		  "KVM_CAP_COALESCED_PIO=1\n", out.s);
	sb_free(&out);
	r.filter = NULL;
	r.exit_mask = 4;
	env_add_harness(&out, &r, &h);
	check_true("env: no filter, exit mask 4",
		   strstr(out.s, "\nKVMRUN_FILTER=none\n") && !strstr(out.s, "FILTER_WHEN") &&
		   strstr(out.s, "\nKVMRUN_EXIT_MASK=4\n"));
	sb_free(&out);
}

int main(void)
{
	char cmd[128];
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	test_bad_opts();
	test_good_opts();
	test_env_parse();
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-kvmrun-opts.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		pass_fail(false, "opts: mkdtemp");
		return test_exit();
	}
	test_env_file();
	test_env_host();
	test_x2apic_virt();
	test_env_harness();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	r = system(cmd);
	(void)r;
	return test_exit();
}
