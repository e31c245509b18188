/* Archive members on the command line and in output: their display names
 * and the --member globs. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The CLI may exit on no memory; the library never does. */
static char *alloc(size_t size)
{
	char *p = malloc(size);

	if (p == NULL) {
		fputs("interpfix: out of memory\n", stderr);
		exit(EXIT_ERROR);
	}
	return p;
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
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
	/* overlong forms, surrogates, beyond U+10FFFF, C1 controls */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
		return 0;
	return len;
}

char *cli_member_display(const char *path, const char *member)
{
	const unsigned char *s = (const unsigned char *)member;
	size_t n = strlen(member), plen = strlen(path), at;
	char *out = alloc(plen + 2 + 4 * n + 1);

	memcpy(out, path, plen);
	out[plen] = '!';
	at = plen + 1;
	for (size_t i = 0; i < n;) {
		size_t len = utf8_len(s + i, n - i);

		if (len == 0 || s[i] < 0x20 || s[i] == 0x7f || s[i] == '\\') {
			at += (size_t)sprintf(out + at, s[i] == '\\' ? "\\\\" : "\\x%02x", s[i]);
			i++;
			continue;
		}
		memcpy(out + at, s + i, len);
		at += len;
		i += len;
	}
	out[at] = '\0';
	return out;
}

bool cli_members_add(struct cli_members *m, const char *glob)
{
	const char **grown = reallocarray(m->globs, m->count + 1, sizeof(*grown));

	if (grown == NULL)
		return false;
	m->globs = grown;
	m->globs[m->count++] = glob;
	return true;
}

void cli_members_free(struct cli_members *m)
{
	free(m->globs);
	m->globs = NULL;
	m->count = 0;
}

bool cli_scan_archive(int dirfd, const char *name, bool follow,
		      const struct ifx_archive_options *opts, struct ifx_archive_result *res,
		      struct ifx_error *err, enum ifx_status *st)
{
	int fd = -1;

	if (ifx_open_regular(dirfd, name, follow, &fd, err) != IFX_OK)
		return false;
	*st = ifx_archive_scan(fd, opts, res, err);
	close(fd);
	if (*st == IFX_ERR_NOT_ELF) {
		ifx_archive_result_free(res);
		return false;
	}
	return true;
}

static bool shell_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_./:=@%+,-", c) != NULL;
}

/* s as one shell word: bare when safe, '...' when printable, else $'...'
 * with \xNN for the bytes a terminal would act on. */
static char *shell_quote(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	bool bare = p[0] != '\0', printable = true;
	size_t n = strlen(s), at = 0;
	char *out = alloc(4 * n + 4);

	for (size_t i = 0; i < n; i++) {
		bare = bare && shell_safe(p[i]);
		printable = printable && p[i] >= 0x20 && p[i] != 0x7f;
	}
	if (bare) {
		memcpy(out, s, n + 1);
		return out;
	}
	if (printable) {
		out[at++] = '\'';
		for (size_t i = 0; i < n; i++) {
			if (p[i] == '\'') {
				memcpy(out + at, "'\\''", 4);
				at += 4;
			} else {
				out[at++] = (char)p[i];
			}
		}
		out[at++] = '\'';
		out[at] = '\0';
		return out;
	}
	out[at++] = '$';
	out[at++] = '\'';
	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '\'' || p[i] == '\\')
			at += (size_t)sprintf(out + at, "\\x%02x", p[i]);
		else
			out[at++] = (char)p[i];
	}
	out[at++] = '\'';
	out[at] = '\0';
	return out;
}

char *cli_member_operand(const char *path, const char *member)
{
	size_t n = strlen(member), at = 0;
	char *glob = alloc(2 * n + 1), *qglob, *qpath, *out;

	/* the member is a glob: its own *, ? and [ are literal */
	for (size_t i = 0; i < n; i++) {
		if (strchr("*?[\\", member[i]) != NULL)
			glob[at++] = '\\';
		glob[at++] = member[i];
	}
	glob[at] = '\0';
	qglob = shell_quote(glob);
	qpath = shell_quote(path);
	out = alloc(strlen(qglob) + strlen(qpath) + 16);
	sprintf(out, "--member %s %s", qglob, qpath);
	free(glob);
	free(qglob);
	free(qpath);
	return out;
}
