// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE	/* vasprintf */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

const char *prog_name = "host";
int prog_internal_status = 2;

void die(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die(prog_internal_status, "out of memory");
	return p;
}

void *xmalloc(size_t n)
{
	return xrealloc(NULL, n);
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static char *vxasprintf(const char *fmt, va_list ap, size_t *len)
{
	char *s;
	int n = vasprintf(&s, fmt, ap);

	if (n < 0)
		die(prog_internal_status, "out of memory");
	*len = (size_t)n;
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	size_t n;
	char *s;

	va_start(ap, fmt);
	s = vxasprintf(fmt, ap, &n);
	va_end(ap);
	return s;
}

void sb_add(struct sbuf *sb, const char *s, size_t n)
{
	if (sb->len + n + 1 > sb->cap) {
		sb->cap = (sb->len + n + 1) * 2;
		sb->s = xrealloc(sb->s, sb->cap);
	}
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = 0;
}

void sb_puts(struct sbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	size_t n;
	char *s;

	va_start(ap, fmt);
	s = vxasprintf(fmt, ap, &n);
	va_end(ap);
	sb_add(sb, s, n);
	free(s);
}

char *sb_steal(struct sbuf *sb)
{
	char *s = sb->s ? sb->s : xstrdup("");

	sb->s = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void sb_free(struct sbuf *sb)
{
	free(sb->s);
	sb->s = NULL;
	sb->len = sb->cap = 0;
}

void strv_push(char ***v, int *n, const char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

void strv_free(char **v)
{
	char **p;

	if (!v)
		return;
	for (p = v; *p; p++)
		free(*p);
	free(v);
}

int read_file(const char *path, size_t max, char **buf, size_t *len,
	      char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t got = 0;
	ssize_t n = 0;
	char *p = NULL;

	*buf = NULL;
	*len = 0;
	if (fd < 0 || fstat(fd, &st))
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	/* st_size is 0 for /proc files: read up to max + 1 to see the end. */
	p = malloc(max + 1);
	if (!p) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	while (got <= max && (n = read(fd, p + got, max + 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		got += (size_t)n;
	}
	close(fd);
	if (got > max) {
		snprintf(err, errlen, "%s: bigger than %zu bytes", path, max);
		free(p);
		return -1;
	}
	p[got] = 0;
	*buf = p;
	*len = got;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(p);
	return -1;
}

char *read_small_file(const char *path, size_t max, char *err, size_t errlen)
{
	char *buf;
	size_t len;

	if (read_file(path, max, &buf, &len, err, errlen))
		return NULL;
	if (strlen(buf) != len) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		free(buf);
		return NULL;
	}
	return buf;
}

#define E(x) { x, #x }
static const struct {
	int num;
	const char *name;
} errnos[] = {
	{ 0, "0" }, E(EPERM), E(ENOENT), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST),
	E(ENODEV), E(EINVAL), E(ENOSPC), E(ENOTTY), E(ERANGE), E(ENOSYS),
	E(EOPNOTSUPP), E(ENOTSUP), E(EOVERFLOW),
};

const char *errno_name(int e)
{
	size_t i;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].num == e)
			return errnos[i].name;
	return NULL;
}

const char *errno_str(int e, char *buf, size_t size)
{
	const char *n = errno_name(e);

	if (n)
		return n;
	snprintf(buf, size, "errno %d", e);
	return buf;
}

int errno_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(errnos[i].name, name))
			return errnos[i].num;
	return -1;
}

int verrf_at(char *err, size_t errlen, const char *file, unsigned int line,
	     const char *fmt, va_list ap)
{
	int n = line ? snprintf(err, errlen, "%s:%u: ", file, line) :
		       snprintf(err, errlen, "%s: ", file);

	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - n, fmt, ap);
	return -1;
}

int errf_at(char *err, size_t errlen, const char *file, unsigned int line,
	    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrf_at(err, errlen, file, line, fmt, ap);
	va_end(ap);
	return -1;
}

int parse_uint(const char *s, uint64_t max, uint64_t *val)
{
	unsigned int base = 10;
	uint64_t v = 0;
	int digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s; s++, digits++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return -1;
		if (d > max || v > (max - d) / base)
			return -1;
		v = v * base + d;
	}
	if (!digits)
		return -1;
	*val = v;
	return 0;
}

/* Optimal string alignment distance, capped: only small ones matter. */
static unsigned int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned int d[3][65], best;

	if (la > 64 || lb > 64)
		return ~0u;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned int)j;
	for (i = 1; i <= la; i++) {
		unsigned int *cur = d[i % 3], *prev = d[(i - 1) % 3];
		unsigned int *prev2 = d[(i + 1) % 3];	/* row i - 2 */

		cur[0] = (unsigned int)i;
		for (j = 1; j <= lb; j++) {
			unsigned int cost = a[i - 1] != b[j - 1];

			best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (prev[j - 1] + cost < best)
				best = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
	}
	return d[la % 3][lb];
}

const char *closest_name(const char *word, const char *(*get)(const void *v, int i),
			 const void *v, int n)
{
	unsigned int best = ~0u, limit = strlen(word) / 2, d;
	const char *pick = NULL;
	int i;

	if (limit > 2)
		limit = 2;
	for (i = 0; i < n; i++) {
		const char *c = get(v, i);

		d = edit_distance(word, c);
		if (d && d <= limit && d < best) {
			best = d;
			pick = c;
		}
	}
	return pick;
}
