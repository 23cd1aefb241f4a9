// SPDX-License-Identifier: GPL-2.0-only
/*
 * Facts about the host a run describes, gathered once for results.json and
 * the known-failures conditions: suite version, kernel, CPU, the KVM vendor
 * module and the KVM module parameters that change what the MSR tests see
 * (ignore_msrs turns a #GP into a silent 0, force_emulation_prefix enables
 * the forced-emulation probes, APIC virtualization changes which x2APIC
 * accesses ever exit), and the QEMU version when a test used QEMU.
 * Nothing here decides a test's status: a test probes what it needs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner.h"
#include "util/hostfacts.h"

/* module/parameter pairs recorded as "module.parameter" when present */
static const char *const kvm_params[][2] = {
	{ "kvm", "ignore_msrs" },
	{ "kvm", "report_ignored_msrs" },
	{ "kvm", "force_emulation_prefix" },
	{ "kvm", "enable_pmu" },
	{ "kvm_intel", "enable_apicv" },
	{ "kvm_intel", "flexpriority" },
	{ "kvm_intel", "enable_ipiv" },
	{ "kvm_intel", "preemption_timer" },
	{ "kvm_intel", "nested" },
	{ "kvm_intel", "ept" },
	{ "kvm_amd", "avic" },
	{ "kvm_amd", "enable_apicv" },
	{ "kvm_amd", "nested" },
	/*
	 * What kvm_amd found in the CPU's SVM features (CPUID 0x8000000A:EDX)
	 * and kept: nrips=0 (no NRIP save) makes it skip every instruction it
	 * completes through its emulator and, since 6.18, refuse its exit
	 * fastpath, so an emulated CPU without it hides fastpath behaviour.
	 */
	{ "kvm_amd", "nrips" },
	{ "kvm_amd", "npt" },
	{ "kvm_amd", "vgif" },
	{ "kvm_amd", "vls" },
	{ "kvm_amd", "lbrv" },
	{ "kvm_amd", "tsc_scaling" },
	{ "kvm_amd", "vnmi" },
};
_Static_assert(sizeof(kvm_params) / sizeof(kvm_params[0]) <= HOST_MAX_PARAMS,
	       "struct host_facts holds every parameter of kvm_params[]");

bool host_param_name_known(const char *name)
{
	size_t i, n;

	for (i = 0; i < sizeof(kvm_params) / sizeof(kvm_params[0]); i++) {
		n = strlen(kvm_params[i][0]);
		if (!strncmp(name, kvm_params[i][0], n) && name[n] == '.' &&
		    !strcmp(name + n + 1, kvm_params[i][1]))
			return true;
	}
	return false;
}

const char *host_param(const struct host_facts *h, const char *name)
{
	int i;

	for (i = 0; i < h->nparams; i++)
		if (!strcmp(h->param_names[i], name))
			return h->param_values[i];
	return NULL;
}

static char *trim(char *s)
{
	size_t n;

	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = 0;
	return s;
}

/* First line printed by argv on stdout (stderr discarded), or NULL. */
static char *first_line_of(char *const argv[])
{
	char buf[512];
	int st = run_capture(argv, false, 0, buf, sizeof(buf));

	buf[strcspn(buf, "\n")] = 0;
	if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) || !*trim(buf))
		return NULL;
	return xstrdup(trim(buf));
}

static char *suite_version(struct runner *r)
{
	char *argv[] = { "git", "-C", r->srcdir, "describe", "--always", "--dirty",
			 "--tags", NULL };
	char *path = xasprintf("%s/VERSION", r->srcdir), err[256], *v, *t;

	/* An installed copy has no .git: make install wrote VERSION. */
	v = read_small_file(path, 256, err, sizeof(err));
	free(path);
	if (v && *(t = trim(v))) {
		t = xstrdup(t);
		free(v);
		return t;
	}
	free(v);
	v = first_line_of(argv);
	return v ? v : xstrdup("unknown");
}

static void cpu_facts(struct host_facts *h)
{
	char err[256], *text = read_small_file("/proc/cpuinfo", 1 << 22, err, sizeof(err));
	char *line, *next;

	for (line = text; line && *line && !(h->cpu_vendor && h->cpu_model); line = next) {
		size_t n = strcspn(line, "\n");
		char *colon;

		next = line + n + (line[n] == '\n');
		line[n] = 0;
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = 0;
		if (!h->cpu_vendor && !strcmp(trim(line), "vendor_id"))
			h->cpu_vendor = xstrdup(trim(colon + 1));
		else if (!h->cpu_model && !strcmp(trim(line), "model name"))
			h->cpu_model = xstrdup(trim(colon + 1));
	}
	free(text);
}

void host_probe(struct runner *r)
{
	struct host_facts *h = &r->host;
	/* RUNNER_SYSFS: another /sys, for the runner's own tests */
	const char *sysfs = getenv("RUNNER_SYSFS") ?: "/sys";
	struct utsname u;
	bool have_uname = !uname(&u);
	size_t i;

	h->kernel = xstrdup(have_uname ? u.release : "unknown");
	h->hostname = xstrdup(have_uname ? u.nodename : "unknown");
	/* Only a lane that booted the kernel knows where it came from. */
	if (getenv("KERNEL_SOURCE") && *getenv("KERNEL_SOURCE"))
		h->kernel_source = xstrdup(getenv("KERNEL_SOURCE"));
	/* ... and which emulator stood in for the CPU under that kernel. */
	if (getenv("LANE_EMULATOR") && *getenv("LANE_EMULATOR"))
		h->emulator = xstrdup(getenv("LANE_EMULATOR"));
	h->suite_version = suite_version(r);
	cpu_facts(h);
	h->kvm_module = hostfacts_vendor_module(sysfs);
	for (i = 0; i < sizeof(kvm_params) / sizeof(kvm_params[0]); i++) {
		char v[256];

		if (!hostfacts_param(sysfs, kvm_params[i][0], kvm_params[i][1], v, sizeof(v)))
			continue;
		h->param_names[h->nparams] = xasprintf("%s.%s", kvm_params[i][0],
						       kvm_params[i][1]);
		h->param_values[h->nparams++] = xstrdup(v);
	}
}

const char *host_qemu_version(struct runner *r, const char *cmd)
{
	char *argv[] = { (char *)cmd, "--version", NULL };

	if (!r->host.qemu_probed) {
		r->host.qemu_probed = true;
		r->host.qemu_version = first_line_of(argv);
	}
	return r->host.qemu_version;
}
