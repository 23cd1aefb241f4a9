/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Strict parser for unittests.cfg (kvm-unit-tests stanza syntax).
 *
 *   # comment (whole lines only; '#' inside a value is literal)
 *   [name]                 name: [A-Za-z0-9_.+-]+, unique in the file
 *   key = value            value: rest of the line after '=', trimmed
 *   key = long value \     a trailing backslash continues the value on the
 *         more value       next line (joined with one blank)
 *   key = """a \           kvm-unit-tests' multi-line value, any key: up to
 *     b c"""               the first later line ending with """ (blanks may
 *                          follow it); lines as written, a line ending with
 *                          an odd number of backslashes joins the next with
 *                          nothing between; any other line break is an
 *                          error unless only blanks follow it (see
 *                          read_quoted() in cfg.c); the result is trimmed
 *
 * Keys: file (required), test_args, smp, groups, accel, timeout,
 * qemu_params (or its old name extra_params, not both), vmm, filter,
 * exit_mask, irqchip, cpuid, kvmrun_params.
 * 'check' is recognised and rejected as unsupported.  Every error is
 * reported as "FILE:LINE: message" and parsing stops at the first one.
 *
 * The parser works on a memory buffer (it never reads past 'len', NUL
 * bytes included) so fuzzers can drive cfg_parse() directly.
 */
#ifndef HOST_CFG_H
#define HOST_CFG_H

#include <stdbool.h>
#include <stddef.h>

#define CFG_MAX_LINE	4096		/* longest physical line, bytes */
#define CFG_MAX_VALUE	16384		/* longest value after continuations */
#define CFG_MAX_TESTS	4096
#define CFG_MAX_FILE	(4 << 20)	/* cfg_load() refuses bigger files */
#define CFG_SMP_MAX	64
#define CFG_TIMEOUT_MAX	86400		/* seconds */
#define CFG_DEFAULT_TIMEOUT 30		/* seconds, when a stanza has none */

enum cfg_vmm { CFG_VMM_ANY, CFG_VMM_KVMRUN, CFG_VMM_QEMU };
enum cfg_accel { CFG_ACCEL_ANY, CFG_ACCEL_KVM, CFG_ACCEL_TCG };
enum cfg_irqchip { CFG_IRQCHIP_UNSET, CFG_IRQCHIP_FULL, CFG_IRQCHIP_SPLIT,
		   CFG_IRQCHIP_NONE };

struct cfg_test {
	char *name;
	int line;		/* line of the [name] header */
	char *file;		/* image name, relative to x86/ */
	char *test_args;	/* raw, as written (may be "") */
	int smp;		/* 1 when unset */
	char **groups;		/* NULL-terminated, never NULL itself */
	int ngroups;
	enum cfg_accel accel;
	int timeout;		/* seconds; 0 = unset (use the default) */
	char *qemu_params;	/* raw QEMU-only arguments, or NULL */
	enum cfg_vmm vmm;
	char *filter;		/* file name relative to filters/, or NULL */
	int exit_mask;		/* -1 = unset */
	enum cfg_irqchip irqchip;
	char *cpuid;		/* kvmrun --cpuid spec, or NULL */
	char *kvmrun_params;	/* raw extra kvmrun options, or NULL */
	/*
	 * expected_end = shutdown: the guest may end in a shutdown it
	 * announced with a SHUTDOWN-EXPECTED line (a VM-abort test).
	 */
	bool shutdown_ok;
	/* lines of the keys checked after parsing (runner/validate.c) */
	int file_line, filter_line, cpuid_line, kvmrun_params_line;
};

struct cfg {
	struct cfg_test *tests;
	int ntests;
};

/*
 * Parse 'len' bytes of 'text'; 'path' only names the file in messages.
 * Returns 0, or -1 with "path:line: message" in err (always NUL-terminated).
 * On failure 'out' is left empty (nothing to free, but cfg_free is safe).
 */
int cfg_parse(const char *path, const char *text, size_t len,
	      struct cfg *out, char *err, size_t errlen);
/* Read a file and cfg_parse() it; I/O errors are "path: strerror". */
int cfg_load(const char *path, struct cfg *out, char *err, size_t errlen);
void cfg_free(struct cfg *cfg);

bool cfg_in_group(const struct cfg_test *t, const char *group);
const char *cfg_vmm_name(enum cfg_vmm vmm);
const char *cfg_accel_name(enum cfg_accel accel);
const char *cfg_irqchip_name(enum cfg_irqchip irqchip);

/*
 * Split a parameter string into words, the way the guest splits its
 * command line: blanks separate, '...' is literal, "..." groups with
 * backslash escaping the next character, and a backslash outside quotes
 * escapes the next character.  'raw' keeps quotes and backslashes in the
 * words (for passing guest arguments through a VMM that joins its argv
 * with blanks).  Returns a NULL-terminated array (free with
 * cfg_free_words) and stores the count, or NULL with a message in err
 * (unterminated quote, trailing backslash).  Never NULL for valid input.
 */
char **cfg_split_words(const char *s, bool raw, int *count,
		       char *err, size_t errlen);
void cfg_free_words(char **words);

#endif
