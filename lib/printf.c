// SPDX-License-Identifier: GPL-2.0-only
/*
 * printf family for the guest: C99 conversions minus floating point.
 *
 * One formatter writes through a small "sink": vsnprintf's sink stores into
 * the caller's buffer with C99 truncation, vprintf's sink is a bounded stack
 * buffer flushed to console_write() whenever it fills, so output of any
 * length costs a fixed amount of stack.
 *
 * Supported: %d %i %u %o %x %X %c %s %p %%; length modifiers hh h l ll z j
 * t; flags - 0 + space #; field width and precision, both also as '*'.
 * %p prints 0x-prefixed lower-case hex (also for NULL), %s of NULL prints
 * "(null)".  %n is deliberately unsupported: an unknown conversion is
 * copied to the output verbatim so the mistake is visible.
 */
#include "libcflat.h"

#define PRINTF_CHUNK	256	/* vprintf's stack buffer */
#define FIELD_MAX	0x7fffffff	/* width/precision saturate here */

#define F_LEFT	(1u << 0)	/* '-' */
#define F_ZERO	(1u << 1)	/* '0' */
#define F_PLUS	(1u << 2)	/* '+' */
#define F_SPACE	(1u << 3)	/* ' ' */
#define F_ALT	(1u << 4)	/* '#' */

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T };

struct sink {
	char *buf;
	size_t size;	/* capacity of buf */
	size_t len;	/* characters held in buf */
	size_t total;	/* characters produced, stored or not */
	bool flush;	/* vprintf: hand full buffers to console_write() */
};

struct spec {
	unsigned int flags;
	int width;	/* 0: none */
	int prec;	/* -1: none */
};

static void put(struct sink *s, char c)
{
	s->total++;
	if (s->flush) {
		if (s->len == s->size) {
			console_write(s->buf, s->len);
			s->len = 0;
		}
		s->buf[s->len++] = c;
	} else if (s->len + 1 < s->size) {
		/* keep one byte for the terminating NUL */
		s->buf[s->len++] = c;
	}
}

static void put_n(struct sink *s, char c, long n)
{
	while (n-- > 0)
		put(s, c);
}

static void put_str(struct sink *s, const char *str, size_t n)
{
	while (n--)
		put(s, *str++);
}

/* Write 'n' characters of 'str' padded to the field width. */
static void put_field(struct sink *s, const char *str, size_t n,
		      const struct spec *sp)
{
	long pad = (long)sp->width - (long)n;

	if (!(sp->flags & F_LEFT))
		put_n(s, ' ', pad);
	put_str(s, str, n);
	if (sp->flags & F_LEFT)
		put_n(s, ' ', pad);
}

/*
 * An integer conversion: 'sign' is '-', '+', ' ' or 0, 'prefix' is "0x",
 * "0X" or "".  C99 7.19.6.1: the precision is the minimum number of digits
 * (0 with value 0 prints no digits) and disables the '0' flag.
 */
static void put_int(struct sink *s, u64 v, unsigned int base, bool upper,
		    char sign, const char *prefix, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];	/* 2^64 - 1 has 22 octal digits */
	long ndig = 0, nzero, plen = strlen(prefix), body, pad;

	while (v) {
		tmp[ndig++] = digits[v % base];
		v /= base;
	}
	if (ndig == 0 && sp->prec != 0)
		tmp[ndig++] = '0';

	nzero = sp->prec > ndig ? sp->prec - ndig : 0;
	/* '#' with %o: force a leading zero, by raising the precision. */
	if (base == 8 && (sp->flags & F_ALT) && nzero == 0 &&
	    (ndig == 0 || tmp[ndig - 1] != '0'))
		nzero = 1;

	body = (sign ? 1 : 0) + plen + nzero + ndig;
	pad = (long)sp->width - body;
	if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO && sp->prec < 0 &&
	    pad > 0) {
		nzero += pad;
		pad = 0;
	}

	if (!(sp->flags & F_LEFT))
		put_n(s, ' ', pad);
	if (sign)
		put(s, sign);
	put_str(s, prefix, plen);
	put_n(s, '0', nzero);
	while (ndig)
		put(s, tmp[--ndig]);
	if (sp->flags & F_LEFT)
		put_n(s, ' ', pad);
}

/* Parse a decimal field width or precision, saturating instead of wrapping. */
static int parse_field(const char **fmt)
{
	int v = 0;

	while (isdigit(**fmt)) {
		int d = *(*fmt)++ - '0';

		v = v > (FIELD_MAX - d) / 10 ? FIELD_MAX : v * 10 + d;
	}
	return v;
}

static const char *parse_flags(const char *fmt, struct spec *sp)
{
	for (;; fmt++) {
		switch (*fmt) {
		case '-': sp->flags |= F_LEFT; break;
		case '0': sp->flags |= F_ZERO; break;
		case '+': sp->flags |= F_PLUS; break;
		case ' ': sp->flags |= F_SPACE; break;
		case '#': sp->flags |= F_ALT; break;
		default: return fmt;
		}
	}
}

static const char *parse_length(const char *fmt, enum length *len)
{
	switch (*fmt) {
	case 'h':
		if (fmt[1] == 'h') {
			*len = LEN_HH;
			return fmt + 2;
		}
		*len = LEN_H;
		return fmt + 1;
	case 'l':
		if (fmt[1] == 'l') {
			*len = LEN_LL;
			return fmt + 2;
		}
		*len = LEN_L;
		return fmt + 1;
	case 'z': *len = LEN_Z; return fmt + 1;
	case 'j': *len = LEN_J; return fmt + 1;
	case 't': *len = LEN_T; return fmt + 1;
	default: *len = LEN_NONE; return fmt;
	}
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	while (*fmt) {
		const char *start = fmt;
		struct spec sp = { .flags = 0, .width = 0, .prec = -1 };
		enum length len;
		unsigned int base = 10;
		bool upper = false;
		const char *prefix = "";
		char sign = 0, c;
		u64 u;
		s64 v;

		if (*fmt != '%') {
			put(s, *fmt++);
			continue;
		}
		fmt = parse_flags(fmt + 1, &sp);
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			fmt++;
			if (sp.width < 0) {
				/* C99: a negative '*' width is '-' plus width */
				sp.flags |= F_LEFT;
				sp.width = sp.width == -FIELD_MAX - 1 ?
					   FIELD_MAX : -sp.width;
			}
		} else {
			sp.width = parse_field(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				sp.prec = va_arg(ap, int);
				fmt++;
				if (sp.prec < 0)	/* as if omitted */
					sp.prec = -1;
			} else {
				sp.prec = parse_field(&fmt);
			}
		}
		fmt = parse_length(fmt, &len);

		switch (c = *fmt++) {
		case '%':
			put(s, '%');
			continue;
		case 'c': {
			char ch = (char)va_arg(ap, int);

			put_field(s, &ch, 1, &sp);
			continue;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);

			if (!str)
				str = "(null)";
			/* strnlen: never read past the precision */
			put_field(s, str, sp.prec < 0 ? strlen(str) :
				  strnlen(str, (size_t)sp.prec), &sp);
			continue;
		}
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			put_int(s, u, 16, false, 0, "0x", &sp);
			continue;
		case 'd':
		case 'i':
			switch (len) {
			case LEN_HH: v = (signed char)va_arg(ap, int); break;
			case LEN_H: v = (short)va_arg(ap, int); break;
			case LEN_L: v = va_arg(ap, long); break;
			case LEN_LL: v = va_arg(ap, long long); break;
			case LEN_Z: v = va_arg(ap, ptrdiff_t); break;
			case LEN_J: v = va_arg(ap, intmax_t); break;
			case LEN_T: v = va_arg(ap, ptrdiff_t); break;
			default: v = va_arg(ap, int); break;
			}
			/* 0 - u is the magnitude even for INT64_MIN */
			u = v < 0 ? 0 - (u64)v : (u64)v;
			if (v < 0)
				sign = '-';
			else if (sp.flags & F_PLUS)
				sign = '+';
			else if (sp.flags & F_SPACE)
				sign = ' ';
			put_int(s, u, 10, false, sign, "", &sp);
			continue;
		case 'X':
			upper = true;
			/* fall through */
		case 'x':
			base = 16;
			goto unsigned_conv;
		case 'o':
			base = 8;
			/* fall through */
		case 'u':
unsigned_conv:
			switch (len) {
			case LEN_HH: u = (unsigned char)va_arg(ap, unsigned int); break;
			case LEN_H: u = (unsigned short)va_arg(ap, unsigned int); break;
			case LEN_L: u = va_arg(ap, unsigned long); break;
			case LEN_LL: u = va_arg(ap, unsigned long long); break;
			case LEN_Z: u = va_arg(ap, size_t); break;
			case LEN_J: u = va_arg(ap, uintmax_t); break;
			case LEN_T: u = va_arg(ap, ptrdiff_t); break;
			default: u = va_arg(ap, unsigned int); break;
			}
			if (base == 16 && (sp.flags & F_ALT) && u)
				prefix = upper ? "0X" : "0x";
			put_int(s, u, base, upper, 0, prefix, &sp);
			continue;
		default:
			/* Unknown (or %n, or a '%' ending the string): copy it. */
			if (!c)
				fmt--;
			put_str(s, start, (size_t)(fmt - start));
			continue;
		}
	}
}

static int clamp_total(size_t total)
{
	return total > 0x7fffffff ? 0x7fffffff : (int)total;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { .buf = buf, .size = size };

	format(&s, fmt, ap);
	if (size)
		buf[s.len] = '\0';
	return clamp_total(s.total);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return r;
}

int vprintf(const char *fmt, va_list ap)
{
	char chunk[PRINTF_CHUNK];
	struct sink s = { .buf = chunk, .size = sizeof(chunk), .flush = true };

	format(&s, fmt, ap);
	if (s.len)
		console_write(chunk, s.len);
	return clamp_total(s.total);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vprintf(fmt, ap);
	va_end(ap);
	return r;
}

int puts(const char *s)
{
	return printf("%s\n", s);
}
