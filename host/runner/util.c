// SPDX-License-Identifier: GPL-2.0-only
/* Small helpers for the runner: memory, strings, quoting, files. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runner.h"

double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Quote for a POSIX shell only when needed, so reproducers stay readable. */
void sb_shell_quote(struct sbuf *sb, const char *s)
{
	const char *p;

	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789_-+=.,/:@%^") == strlen(s)) {
		sb_puts(sb, s);
		return;
	}
	sb_puts(sb, "'");
	for (p = s; *p; p++) {
		if (*p == '\'')
			sb_puts(sb, "'\\''");
		else
			sb_add(sb, p, 1);
	}
	sb_puts(sb, "'");
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static int utf8_len(const unsigned char *s)
{
	int n, i;
	unsigned int cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	cp = s[0] & (0x3f >> (n - 1));
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* JSON string: control bytes escaped, invalid UTF-8 replaced by U+FFFD. */
void sb_json_str(struct sbuf *sb, const char *s)
{
	sb_puts(sb, "\"");
	for (; *s; s++) {
		unsigned char c = *s;
		int n;

		if (c == '"' || c == '\\') {
			sb_puts(sb, c == '"' ? "\\\"" : "\\\\");
		} else if (c == '\n') {
			sb_puts(sb, "\\n");
		} else if (c == '\t') {
			sb_puts(sb, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			sb_printf(sb, "\\u%04x", c);
		} else if (c >= 0x80) {
			n = utf8_len((const unsigned char *)s);
			if (n) {
				sb_add(sb, s, n);
				s += n - 1;
			} else {
				sb_puts(sb, "\\ufffd");
			}
		} else {
			sb_add(sb, s, 1);
		}
	}
	sb_puts(sb, "\"");
}

/* "key": "value", or "key": null */
void sb_json_key_str(struct sbuf *sb, const char *key, const char *val)
{
	sb_printf(sb, "\"%s\": ", key);
	if (val)
		sb_json_str(sb, val);
	else
		sb_puts(sb, "null");
}

void sb_xml_str(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '<': sb_puts(sb, "&lt;"); break;
		case '>': sb_puts(sb, "&gt;"); break;
		case '&': sb_puts(sb, "&amp;"); break;
		case '"': sb_puts(sb, "&quot;"); break;
		case '\'': sb_puts(sb, "&apos;"); break;
		default:
			/* XML 1.0 forbids most control characters. */
			if (c >= 0x80 && utf8_len((const unsigned char *)s) &&
			    /* nor U+FFFE and U+FFFF */
			    !(c == 0xef && (unsigned char)s[1] == 0xbf &&
			      (unsigned char)s[2] >= 0xbe)) {
				int n = utf8_len((const unsigned char *)s);

				sb_add(sb, s, n);
				s += n - 1;
			} else if ((c < 0x20 && c != '\t' && c != '\n') || c >= 0x7f) {
				sb_puts(sb, "\xef\xbf\xbd");	/* U+FFFD */
			} else {
				sb_add(sb, (const char *)&c, 1);
			}
		}
	}
}

char *shell_join(char *const *argv)
{
	struct sbuf sb = { 0 };
	int i;

	for (i = 0; argv[i]; i++) {
		if (i)
			sb_puts(&sb, " ");
		sb_shell_quote(&sb, argv[i]);
	}
	return sb_steal(&sb);
}

const char *signal_name(int sig)
{
	static char buf[32];
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, sizeof(buf), "SIG%s", abbrev);
	else
		snprintf(buf, sizeof(buf), "signal %d", sig);
	return buf;
}

int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

int write_file(const char *path, const char *text, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write_all(fd, text, strlen(text)) || close(fd)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

int copy_file(const char *src, const char *dst, mode_t mode, char *err, size_t errlen)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1;
	const char *bad = src;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		goto fail;
	bad = dst;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out < 0)
		goto fail;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			bad = src;
			goto fail;
		}
		if (write_all(out, buf, (size_t)n))
			goto fail;
	}
	close(in);
	in = -1;
	if (close(out)) {
		out = -1;
		goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", bad, strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0) {
		close(out);
		unlink(dst);
	}
	return -1;
}

/* Resolve a command like execvp() would; NULL when not found. */
const char *find_in_path(const char *name, char *buf, size_t size)
{
	const char *path = getenv("PATH"), *p, *e;

	if (strchr(name, '/')) {
		if (access(name, X_OK))
			return NULL;
		snprintf(buf, size, "%s", name);
		return buf;
	}
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = e + 1) {
		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		if (e == p)
			snprintf(buf, size, "./%s", name);
		else
			snprintf(buf, size, "%.*s/%s", (int)(e - p), p, name);
		if (!access(buf, X_OK))
			return buf;
		if (!*e)
			return NULL;
	}
}

/*
 * Run argv (stdin from /dev/null) and collect up to size - 1 bytes of its
 * stdout, and of its stderr too when 'with_stderr' (else discarded),
 * NUL-terminated in buf.  A child still running after 'limit' seconds
 * gets SIGALRM.  Returns the wait status, or -1 when it could not start.
 */
int run_capture(char *const argv[], bool with_stderr, unsigned int limit,
		char *buf, size_t size)
{
	size_t len = 0;
	int fds[2], st;
	ssize_t n;
	pid_t pid;

	buf[0] = 0;
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(fds[1], 1);
		dup2(with_stderr ? fds[1] : null, 2);
		alarm(limit);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while (len < size - 1 && (n = read(fds[0], buf + len, size - 1 - len)) > 0)
		len += n;
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	buf[len] = 0;
	return st;
}
