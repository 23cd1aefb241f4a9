// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "env.h"
#include "util/hostfacts.h"
#include "util/kvmrunopts.h"
#include "util/util.h"
#include "kvmrun_proto.h"

static bool key_char(char c, bool first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (!first && c >= '0' && c <= '9');
}

static bool reserved_key(const char *k, size_t len)
{
	return (len == 3 && !strncmp(k, "VMM", 3)) ||
	       (len >= 4 && !strncmp(k, "KVM_", 4)) ||
	       (len >= 7 && !strncmp(k, "KVMRUN_", 7));
}

/* 0, or the line number where the key of 'line' was already set. */
static unsigned int seen_before(const char *text, const unsigned int *key_lines,
				const size_t *key_offs, const size_t *key_lens,
				unsigned int nkeys, const char *k, size_t len)
{
	unsigned int i;

	for (i = 0; i < nkeys; i++)
		if (key_lens[i] == len && !memcmp(text + key_offs[i], k, len))
			return key_lines[i];
	return 0;
}

#define MAX_KEYS 512

int env_parse(const char *name, const char *text, size_t len, struct sbuf *out,
	      char *err, size_t errlen)
{
	static unsigned int key_lines[MAX_KEYS];
	static size_t key_offs[MAX_KEYS], key_lens[MAX_KEYS];
	unsigned int line = 0, nkeys = 0, prev;
	size_t pos = 0, i;

	while (pos < len) {
		const char *l = text + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos, klen;

		line++;
		pos += n + 1;
		for (i = 0; i < n; i++) {
			unsigned char c = l[i];

			if (c == '\r')
				return errf_at(err, errlen, name, line,
					    "carriage return (use Unix line ends)");
			if (c != '\t' && (c < 0x20 || c >= 0x7f))
				return errf_at(err, errlen, name, line,
					    "unexpected byte 0x%02x (values are printable ASCII)", c);
		}
		if (!n || l[0] == '#' || strspn(l, " \t") == n)
			continue;
		for (klen = 0; klen < n && key_char(l[klen], klen == 0); klen++)
			;
		if (klen == n || l[klen] != '=')
			return errf_at(err, errlen, name, line, "want KEY=VALUE with KEY made of "
				    "letters, digits and '_' (not starting with a digit)");
		if (!klen)
			return errf_at(err, errlen, name, line, "empty key");
		if (reserved_key(l, klen))
			return errf_at(err, errlen, name, line, "%.*s is set by kvmrun "
				    "(VMM, KVM_* and KVMRUN_* are reserved)", (int)klen, l);
		prev = seen_before(text, key_lines, key_offs, key_lens, nkeys, l, klen);
		if (prev)
			return errf_at(err, errlen, name, line, "%.*s is already set on line %u",
				    (int)klen, l, prev);
		if (nkeys == MAX_KEYS)
			return errf_at(err, errlen, name, line, "more than %d keys", MAX_KEYS);
		key_lines[nkeys] = line;
		key_offs[nkeys] = (size_t)(l - text);
		key_lens[nkeys++] = klen;
		sb_add(out, l, n);
		sb_add(out, "\n", 1);
	}
	return 0;
}

int env_load_file(const char *path, struct sbuf *out, char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int ret;

	if (read_file(path, ENV_MAX_FILE_SIZE, &buf, &len, err, errlen))
		return -1;
	if (memchr(buf, 0, len)) {
		unsigned int line = 1;
		const char *p;

		for (p = buf; *p; p++)
			line += *p == '\n';
		free(buf);
		return errf_at(err, errlen, path, line, "NUL byte");
	}
	ret = env_parse(path, buf, len, out, err, errlen);
	free(buf);
	return ret;
}

void env_read_host(const char *sysfs, struct env_host *h)
{
	h->ignore_msrs = hostfacts_param_flag(sysfs, "kvm", "ignore_msrs");
	h->force_emulation_prefix = hostfacts_param_flag(sysfs, "kvm", "force_emulation_prefix");
	h->enable_apicv = hostfacts_param_flag(sysfs, "kvm_intel", "enable_apicv");
	if (h->enable_apicv < 0)
		h->enable_apicv = hostfacts_param_flag(sysfs, "kvm_amd", "avic");
	h->vendor_module = hostfacts_vendor_module(sysfs);
	h->kernel = uname(&h->uts) ? "unknown" : h->uts.release;
}

static void add_known(struct sbuf *out, const char *key, int val)
{
	if (val >= 0)
		sb_printf(out, "%s=%d\n", key, val);
}

void env_add_harness(struct sbuf *out, const struct env_run *r, const struct env_host *h)
{
	const char *base = NULL;

	if (r->filter) {
		base = strrchr(r->filter, '/');
		base = base ? base + 1 : r->filter;
	}
	sb_printf(out, "VMM=kvmrun\n");
	sb_printf(out, "KVMRUN_PROTO=%d\n", KVMRUN_PROTO_VERSION);
	sb_printf(out, "KVMRUN_CTRL_PORT=0x%x\n", KVMRUN_CTRL_PORT);
	sb_printf(out, "KVMRUN_SMP=%u\n", r->smp);
	sb_printf(out, "KVMRUN_IRQCHIP=%s\n", irqchip_name(r->irqchip));
	sb_printf(out, "KVMRUN_X2APIC_CPUID=%d\n", r->x2apic_cpuid);
	sb_printf(out, "KVMRUN_CPUID=%s\n", r->cpuid ? r->cpuid : "default");
	sb_printf(out, "KVMRUN_EXIT_MASK=%d\n", r->exit_mask < 0 ? 0 : r->exit_mask);
	sb_printf(out, "KVMRUN_FILTER=%s\n", base ? base : "none");
	if (base) {
		sb_printf(out, "KVMRUN_FILTER_WHEN=%s\n", r->filter_when);
		sb_printf(out, "KVMRUN_FILTER_ERRNO=%s\n", r->filter_errno);
	}
	add_known(out, "KVM_IGNORE_MSRS", h->ignore_msrs);
	add_known(out, "KVM_FORCE_EMULATION_PREFIX", h->force_emulation_prefix);
	add_known(out, "KVM_ENABLE_APICV", h->enable_apicv);
	sb_printf(out, "KVM_VENDOR_MODULE=%s\n", h->vendor_module);
	/* The model's kernel-version table (doc/abi.md §11.3) reads it. */
	if (h->kernel)
		sb_printf(out, "KVM_HOST_KERNEL=%s\n", h->kernel);
	sb_printf(out, "KVM_CAP_X86_MSR_FILTER=%d\n", r->cap_msr_filter);
	sb_printf(out, "KVM_CAP_X86_USER_SPACE_MSR=%d\n", r->cap_user_space_msr);
	sb_printf(out, "KVM_CAP_COALESCED_PIO=%d\n", r->cap_coalesced_pio);
}
