// SPDX-License-Identifier: GPL-2.0-only
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hostfacts.h"
#include "util.h"

const char *const hostfacts_vendors[] = { "kvm_intel", "kvm_amd", "kvm_pvm" };
const size_t hostfacts_nvendors = sizeof(hostfacts_vendors) / sizeof(hostfacts_vendors[0]);

const char *hostfacts_vendor_module(const char *sysfs)
{
	char path[512];
	struct stat st;
	size_t i;

	for (i = 0; i < hostfacts_nvendors; i++) {
		snprintf(path, sizeof(path), "%s/module/%s", sysfs, hostfacts_vendors[i]);
		if (!stat(path, &st) && S_ISDIR(st.st_mode))
			return hostfacts_vendors[i];
	}
	return "none";
}

bool hostfacts_param(const char *sysfs, const char *module, const char *param,
		     char *buf, size_t len)
{
	char path[512];
	size_t n, skip;
	FILE *f;

	if (!len)
		return false;
	snprintf(path, sizeof(path), "%s/module/%s/parameters/%s", sysfs, module, param);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	while (n && strchr(" \t\n", buf[n - 1]))
		buf[--n] = 0;
	skip = strspn(buf, " \t\n");
	memmove(buf, buf + skip, n - skip + 1);
	return true;
}

int hostfacts_param_flag(const char *sysfs, const char *module, const char *param)
{
	char buf[32];
	uint64_t v;

	if (!hostfacts_param(sysfs, module, param, buf, sizeof(buf)))
		return -1;
	if (!strcmp(buf, "Y") || !strcmp(buf, "y"))
		return 1;
	if (!strcmp(buf, "N") || !strcmp(buf, "n"))
		return 0;
	if (parse_uint(buf, UINT64_MAX, &v))
		return -1;
	return (int)(v & 1);
}
