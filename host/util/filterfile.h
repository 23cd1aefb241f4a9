/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Filter descriptions (filters/NAME.filter): a strict line format parsed into
 * struct msrf_filter (common/msrfilter.h), the input of KVM_X86_SET_MSR_FILTER.
 * The format can express invalid filters on purpose: the tests need the
 * kernel to reject them.
 *
 *   # comment: from '#' to the end of the line; blank lines are ignored
 *   default deny          filter flags = KVM_MSR_FILTER_DEFAULT_DENY
 *   default allow         filter flags = 0 (DEFAULT_ALLOW)
 *   flags 0x2             raw filter flags instead of 'default' (invalid
 *                         variants); exactly one 'default' or 'flags' line
 *   range BASE NMSRS FLAGS
 *                         next range slot, in priority order, at most 16;
 *                         FLAGS is r, w, rw or a raw number (0, 0x4, ...)
 *     deny all            every bit of the range denied (the initial state)
 *     allow all           every bit of the range allowed
 *     allow IDX           one MSR (an absolute index inside the range)
 *     deny FIRST-LAST     an inclusive sub-range (no blanks around '-')
 *     bitmap KIND         where the bitmap pointer points: data (default,
 *                         the bits above), null, unmapped (nothing mapped:
 *                         EFAULT), edge (the bitmap ends right before an
 *                         unmapped page: KVM's 8-byte copy faults)
 *
 * Numbers are decimal or 0x-hex, 32-bit.  allow/deny/bitmap lines belong
 * to the range above them and apply in order (later lines win).  Indenting
 * them is customary, not required.  BASE + NMSRS may wrap (KVM accepts it
 * and the range matches nothing); allow/deny then only name indices from
 * BASE to 0xffffffff.  A range over 12288 MSRs (over KVM's 0x600-byte
 * bitmap limit) is accepted for the oversize variant but cannot have
 * allow/deny lines.  More than 16 ranges is an error: the ioctl cannot
 * express it.
 *
 * Every error is "FILE:LINE: message".
 */
#ifndef HOST_FILTER_H
#define HOST_FILTER_H

#include <stddef.h>
#include "msrfilter.h"

/* Largest filter file accepted, in bytes. */
#define FILTER_MAX_FILE_SIZE	(1u << 20)

/*
 * Parse 'len' bytes of 'text' (no NUL needed; a NUL byte is an error)
 * named 'name' in messages.  Returns the number of 'range' lines (0-16),
 * or -1 with "name:line: message" in err.  *f is completely overwritten
 * either way; unused range slots are all zero (nmsrs 0: KVM skips them).
 */
int filter_parse(const char *name, const char *text, size_t len,
		 struct msrf_filter *f, char *err, size_t errlen);

/* filter_parse() on the contents of the file at 'path'. */
int filter_load(const char *path, struct msrf_filter *f, char *err, size_t errlen);

#endif
