/* A streaming JSON writer: just enough for our reports, always valid, and
 * always UTF-8: a byte that is not part of a valid UTF-8 sequence (a file
 * name or an interpreter from a hostile file) is written U+FFFD, and
 * json_name gives the raw bytes beside the string when there were any. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void json_init(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->need_comma[0] = false;
	j->after_key = false;
}

/* Before any value: a comma when a sibling came before, unless a key did. */
static void json_value_prefix(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->need_comma[j->depth])
		fputc(',', j->out);
	j->need_comma[j->depth] = true;
}

static void json_open(struct json *j, char c)
{
	json_value_prefix(j);
	fputc(c, j->out);
	if (j->depth + 1 < (int)(sizeof(j->need_comma) / sizeof(j->need_comma[0])))
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void json_close(struct json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	fputc(c, j->out);
}

void json_begin_object(struct json *j) { json_open(j, '{'); }
void json_end_object(struct json *j) { json_close(j, '}'); }
void json_begin_array(struct json *j) { json_open(j, '['); }
void json_end_array(struct json *j) { json_close(j, ']'); }

static void json_escaped(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fprintf(out, "\\u%04x", *p);
			} else if (*p >= 0x80) {
				size_t len = cli_utf8_len(p, strlen((const char *)p));

				if (len == 0) {
					fputs("\\ufffd", out);
				} else {
					fwrite(p, 1, len, out);
					p += len - 1;
				}
			} else {
				fputc(*p, out);
			}
		}
	}
	fputc('"', out);
}

void json_key(struct json *j, const char *key)
{
	json_value_prefix(j);
	json_escaped(j->out, key);
	fputc(':', j->out);
	j->after_key = true;
}

void json_string(struct json *j, const char *s)
{
	if (s == NULL) {
		json_null(j);
		return;
	}
	json_value_prefix(j);
	json_escaped(j->out, s);
}

static void json_hex(struct json *j, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(s);
	char *h = malloc(2 * n + 1);

	if (h == NULL)
		cli_out_of_memory();
	for (size_t i = 0; i < n; i++) {
		h[2 * i] = hex[(unsigned char)s[i] >> 4];
		h[2 * i + 1] = hex[(unsigned char)s[i] & 15];
	}
	h[2 * n] = '\0';
	json_string(j, h);
	free(h);
}

static void json_bytes_key(struct json *j, const char *key)
{
	char bytes_key[64];

	snprintf(bytes_key, sizeof(bytes_key), "%s_bytes", key);
	json_key(j, bytes_key);
}

void json_name(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
	if (s == NULL || cli_utf8_valid(s))
		return;
	json_bytes_key(j, key);
	json_hex(j, s);
}

void json_name_list(struct json *j, const char *key, char **items, size_t n)
{
	bool all_valid = true;

	json_key(j, key);
	json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		json_string(j, items[i]);
		all_valid = all_valid && cli_utf8_valid(items[i]);
	}
	json_end_array(j);
	if (all_valid)
		return;
	json_bytes_key(j, key);
	json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		if (cli_utf8_valid(items[i]))
			json_null(j);
		else
			json_hex(j, items[i]);
	}
	json_end_array(j);
}

void json_uint(struct json *j, uint64_t v)
{
	json_value_prefix(j);
	fprintf(j->out, "%" PRIu64, v);
}

void json_int(struct json *j, long long v)
{
	json_value_prefix(j);
	fprintf(j->out, "%lld", v);
}

void json_bool(struct json *j, bool v)
{
	json_value_prefix(j);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j)
{
	json_value_prefix(j);
	fputs("null", j->out);
}

void json_finish(struct json *j)
{
	fputc('\n', j->out);
	fflush(j->out);
}
