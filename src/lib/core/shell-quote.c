/* Advice is a command to paste into a shell, so the names in it are shell
 * words that do exactly what they say: bare when every byte is safe,
 * '...' when every byte is printable ASCII, else bash's $'...' with \xNN
 * for every byte outside printable ASCII (and for ' and \), which no
 * terminal acts on and which pastes back to the same bytes. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool shell_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_./:=@%+,-", c) != NULL;
}

IFX_API char *ifx_shell_quote(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	bool bare = p[0] != '\0', ascii = true;
	size_t n = strlen(s), at = 0;
	char *out = malloc(4 * n + 4);

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		bare = bare && shell_safe(p[i]);
		ascii = ascii && p[i] >= 0x20 && p[i] < 0x7f;
	}
	if (bare) {
		memcpy(out, s, n + 1);
		return out;
	}
	if (ascii) {
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
