/* File names, interpreter paths and library names are data: in text they
 * are shown with every byte that is not printable UTF-8 escaped, so a name
 * can never start a line of its own, forge an annotation or move the
 * cursor; in JSON they are valid UTF-8, with the raw bytes beside them
 * when they were not. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

size_t cli_utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* C1 controls (U+0080..U+009F) are valid UTF-8 but move terminals too. */
static bool printable_at(const unsigned char *s, size_t len, bool keep_backslash)
{
	if (len == 1)
		return s[0] >= 0x20 && s[0] != 0x7f && (keep_backslash || s[0] != '\\');
	return !(len == 2 && s[0] == 0xc2 && s[1] < 0xa0);
}

bool cli_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		size_t len = cli_utf8_len(p + i, n - i);

		if (len == 0)
			return false;
		i += len;
	}
	return true;
}

static char *escape(const char *s, bool keep_backslash)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), at = 0;
	char *out = malloc(4 * n + 1);

	if (out == NULL)
		cli_out_of_memory();
	for (size_t i = 0; i < n;) {
		size_t len = cli_utf8_len(p + i, n - i);

		if (len == 0 || !printable_at(p + i, len, keep_backslash)) {
			/* a whole C1 sequence is escaped byte by byte */
			size_t k = len == 2 ? 2 : 1;

			for (size_t b = 0; b < k; b++)
				at += (size_t)sprintf(out + at, p[i + b] == '\\' ? "\\\\" : "\\x%02x",
						      p[i + b]);
			i += k;
			continue;
		}
		memcpy(out + at, p + i, len);
		at += len;
		i += len;
	}
	out[at] = '\0';
	return out;
}

char *cli_escape(const char *s)
{
	return escape(s, false);
}

/* A ring of results, so that one printf can show several names; each is
 * freed when its slot comes round again (and at exit, by the OS). */
#define RING 16

static const char *ring_escape(const char *s, bool keep_backslash)
{
	static char *ring[RING];
	static size_t next;
	char *e;

	if (s == NULL)
		return "-";
	e = escape(s, keep_backslash);
	free(ring[next]);
	ring[next] = e;
	next = (next + 1) % RING;
	return e;
}

const char *cli_safe(const char *s)
{
	return ring_escape(s, false);
}

/* Advice is a command whose names cli_shell_quote made safe: its
 * backslashes are the shell's ($'\x0a') and stay as they are. */
const char *cli_safe_advice(const char *s)
{
	return ring_escape(s, true);
}
