/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Facts about the KVM this host runs, read from sysfs: the one reader
 * that kvmrun (the guest's KVM_* environment) and the runner
 * (results.json, known-failures conditions) share, so that both say the
 * same thing about the same host.
 */
#ifndef HOST_UTIL_HOSTFACTS_H
#define HOST_UTIL_HOSTFACTS_H

#include <stdbool.h>
#include <stddef.h>

/* The vendor modules KVM can run on, in the order they are looked for. */
extern const char *const hostfacts_vendors[];
extern const size_t hostfacts_nvendors;

/* The loaded vendor module (kvm_intel, kvm_amd, kvm_pvm), or "none". */
const char *hostfacts_vendor_module(const char *sysfs);

/*
 * MODULE's parameter PARAM as sysfs shows it, blanks trimmed, in buf;
 * false when the module or the parameter is absent (or unreadable).
 */
bool hostfacts_param(const char *sysfs, const char *module, const char *param,
		     char *buf, size_t len);

/* The same read as a flag: Y/y or an odd number 1, N/n or even 0, else -1. */
int hostfacts_param_flag(const char *sysfs, const char *module, const char *param);

#endif
