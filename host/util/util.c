// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static void sbuf_reserve(struct sbuf *b, size_t more)
{
	size_t need = b->len + more + 1;

	if (need <= b->cap)
		return;
	b->cap = need < 256 ? 256 : need * 2;
	b->p = realloc(b->p, b->cap);
	if (!b->p) {
		fputs("kvmrun: out of memory\n", stderr);
		exit(66);
	}
}

void sbuf_add(struct sbuf *b, const char *s, size_t len)
{
	sbuf_reserve(b, len);
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = 0;
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sbuf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sbuf_free(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int read_file(const char *path, size_t max, char **buf, size_t *len,
	      char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t got = 0;
	char *p;

	*buf = NULL;
	*len = 0;
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, errlen, "%s: %lld bytes, more than the %zu allowed", path,
			 (long long)st.st_size, max);
		close(fd);
		return -1;
	}
	p = malloc((size_t)st.st_size + 1);
	if (!p) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, p + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s: read error: %s", path,
				 n ? strerror(errno) : "file shrank while reading");
			free(p);
			close(fd);
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	p[got] = 0;
	*buf = p;
	*len = got;
	return 0;
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
