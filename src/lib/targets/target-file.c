/*
 * Targets from a JSON file (the format is in docs/targets.md): in-house
 * platforms beside the built-in table. Parsed with jansson; every value is
 * checked as the built-in table's are, and anything unexpected (an unknown
 * key, an arch no target could name, a relative loader path) is an error
 * naming the file and the place, so a typo never becomes a silent default.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "targets.h"

/* A target file is a few kilobytes; this bounds what a wrong file costs. */
#define TARGET_FILE_MAX (1024 * 1024)
#define NAME_MAX_LEN 64

enum { S_NAME, S_FAMILY, S_BASE, S_ARCHES, S_LIBC_VERSION, S_GLIBCXX, S_CXXABI, S_GCC,
       S_LOADERS, S_NOTE, S_SOURCE };

void ifx__target_free_loaded(struct ifx__loaded_target *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < sizeof(t->strings) / sizeof(t->strings[0]); i++)
		free(t->strings[i]);
	free(t);
}

struct reader {
	const char *path;
	size_t index; /* of the target being read */
	struct ifx_error *err;
};

static enum ifx_status bad(struct reader *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum ifx_status bad(struct reader *r, const char *key, const char *fmt, ...)
{
	char why[IFX_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ifx__error_set(r->err, IFX_ERR_MALFORMED, "%s: targets[%zu]%s%s%s: %s", r->path, r->index,
		       key ? ".\"" : "", key ? key : "", key ? "\"" : "", why);
	ifx__error_advise(r->err, "see docs/targets.md for the format (or man interpfix, "
			  "TARGET FILES)");
	return IFX_ERR_MALFORMED;
}

/* Lowercase letters, digits and . _ -, starting with a letter or digit. */
static bool good_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN || !isalnum((unsigned char)s[0]))
		return false;
	for (; *s != '\0'; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
		      *s == '.' || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* "2.31", "3.4.28": digits and single dots. */
static bool good_number(const char *s)
{
	bool digit = false;

	for (; *s != '\0'; s++) {
		if (isdigit((unsigned char)*s))
			digit = true;
		else if (*s == '.' && digit)
			digit = false;
		else
			return false;
	}
	return digit;
}

static enum ifx_status take_string(struct reader *r, struct ifx__loaded_target *t, json_t *obj,
				   const char *key, int slot, bool required, bool number)
{
	json_t *v = json_object_get(obj, key);
	const char *s;

	if (v == NULL) {
		if (required)
			return bad(r, key, "missing (required)");
		t->strings[slot] = strdup("");
		return t->strings[slot] ? IFX_OK : IFX_ERR_NOMEM;
	}
	if (!json_is_string(v))
		return bad(r, key, "must be a string");
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return bad(r, key, "holds a NUL byte");
	if (number && strcmp(s, "none") != 0 && !good_number(s))
		return bad(r, key, "'%s' is not a version like 2.31 (or \"none\")", s);
	t->strings[slot] = strdup(s);
	return t->strings[slot] ? IFX_OK : IFX_ERR_NOMEM;
}

/* Words joined by spaces into a new string (the public view's lists). */
static char *joined(char **words, size_t n, char **extra)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < n; i++)
		len += strlen(words[i]) + 1 + (extra ? strlen(extra[i]) + 1 : 0);
	if ((out = calloc(1, len)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, " ");
		strcat(out, words[i]);
		if (extra) {
			strcat(out, ":");
			strcat(out, extra[i]);
		}
	}
	return out;
}

static enum ifx_status take_arches(struct reader *r, struct ifx__loaded_target *t, json_t *obj)
{
	json_t *v = json_object_get(obj, "arches"), *e;
	char **words = NULL;
	size_t n = 0, i;
	enum ifx_status st = IFX_OK;

	if (v == NULL)
		return bad(r, "arches", "missing (required)");
	if (!json_is_array(v) || json_array_size(v) == 0)
		return bad(r, "arches", "must be a non-empty array of arch names");
	json_array_foreach(v, i, e) {
		const char *a = json_is_string(e) ? json_string_value(e) : NULL;

		if (a == NULL || !ifx__target_arch_known(a)) {
			st = bad(r, "arches", "'%s' is not an arch a target can name (x86_64 i386 "
				 "aarch64 armhf armel ppc64le ppc64 s390x riscv64 mips64el mipsel "
				 "mips loongarch64)", a ? a : "(not a string)");
			break;
		}
		for (size_t k = 0; k < n; k++)
			if (strcmp(words[k], a) == 0)
				st = bad(r, "arches", "'%s' twice", a);
		if (st != IFX_OK)
			break;
		if (ifx__strlist_push(&words, &n, a) != 0) {
			st = IFX_ERR_NOMEM;
			break;
		}
	}
	if (st == IFX_OK && (t->strings[S_ARCHES] = joined(words, n, NULL)) == NULL)
		st = IFX_ERR_NOMEM;
	ifx__strlist_free(words, n);
	return st;
}

/* What the values of an arch map may be. */
static bool version_value(json_t *e)
{
	return json_is_string(e) && good_number(json_string_value(e));
}

/* what ifx_check_target_path wants of a path (safety.c, a module after
 * this one): absolute, shorter than PATH_MAX; and no space, which
 * separates the pairs of the public "arch:/path" list */
static bool loader_value(json_t *e)
{
	const char *p = json_is_string(e) ? json_string_value(e) : NULL;

	return p != NULL && strlen(p) == json_string_length(e) && p[0] == '/' &&
	       strlen(p) < PATH_MAX && strchr(p, ' ') == NULL;
}

/* An object {"arch": value} (the "gcc" and "loaders" forms): each arch one
 * of the target's, each value one ok() accepts (else "the NOUN for ARCH
 * COMPLAINT"); appended to *arch and *val. */
static enum ifx_status take_arch_map(struct reader *r, struct ifx__loaded_target *t, json_t *v,
				     const char *field, bool (*ok)(json_t *), const char *noun,
				     const char *complaint, char ***arch, size_t *n, char ***val,
				     size_t *m)
{
	const char *key;
	json_t *e;

	json_object_foreach(v, key, e) {
		if (!ifx_target_offers(&t->pub, key))
			return bad(r, field, "'%s' is not one of the target's arches", key);
		if (!ok(e))
			return bad(r, field, "the %s for %s %s", noun, key, complaint);
		if (ifx__strlist_push(arch, n, key) != 0 ||
		    ifx__strlist_push(val, m, json_string_value(e)) != 0)
			return IFX_ERR_NOMEM;
	}
	return IFX_OK;
}

/* "gcc": one version for every arch, or {"arch": "version"} for some. */
static enum ifx_status take_gcc(struct reader *r, struct ifx__loaded_target *t, json_t *obj)
{
	json_t *v = json_object_get(obj, "gcc");
	char **arch = NULL, **ver = NULL;
	size_t n = 0, m = 0;
	enum ifx_status st = IFX_OK;

	if (v == NULL) {
		t->strings[S_GCC] = strdup("");
		return t->strings[S_GCC] ? IFX_OK : IFX_ERR_NOMEM;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v), *p = t->strings[S_ARCHES];

		if (strcmp(s, "none") == 0) {
			t->strings[S_GCC] = strdup("none");
			return t->strings[S_GCC] ? IFX_OK : IFX_ERR_NOMEM;
		}
		if (!good_number(s))
			return bad(r, "gcc", "'%s' is not a version like 7.0.0", s);
		while (*p != '\0' && st == IFX_OK) {
			size_t len = strcspn(p, " ");
			char *a = strndup(p, len);

			if (a == NULL || ifx__strlist_push(&arch, &n, a) != 0 ||
			    ifx__strlist_push(&ver, &m, s) != 0)
				st = IFX_ERR_NOMEM;
			free(a);
			p += len + (p[len] == ' ');
		}
	} else if (json_is_object(v)) {
		st = take_arch_map(r, t, v, "gcc", version_value, "value",
				   "is not a version like 7.0.0", &arch, &n, &ver, &m);
	} else {
		st = bad(r, "gcc", "must be a version string or an object of arch: version");
	}
	if (st == IFX_OK && (t->strings[S_GCC] = joined(arch, n < m ? n : m, ver)) == NULL)
		st = IFX_ERR_NOMEM;
	ifx__strlist_free(arch, n);
	ifx__strlist_free(ver, m);
	return st;
}

/* "loaders": {"arch": "/absolute/path"} for arches whose loader is not
 * the psABI one. */
static enum ifx_status take_loaders(struct reader *r, struct ifx__loaded_target *t, json_t *obj)
{
	json_t *v = json_object_get(obj, "loaders");
	char **arch = NULL, **path = NULL;
	size_t n = 0, m = 0;
	enum ifx_status st = IFX_OK;

	if (v == NULL) {
		t->strings[S_LOADERS] = strdup("");
		return t->strings[S_LOADERS] ? IFX_OK : IFX_ERR_NOMEM;
	}
	if (!json_is_object(v))
		return bad(r, "loaders", "must be an object of arch: loader path");
	st = take_arch_map(r, t, v, "loaders", loader_value, "loader",
			   "must be an absolute path without spaces", &arch, &n, &path, &m);
	if (st == IFX_OK && (t->strings[S_LOADERS] = joined(arch, n < m ? n : m, path)) == NULL)
		st = IFX_ERR_NOMEM;
	ifx__strlist_free(arch, n);
	ifx__strlist_free(path, m);
	return st;
}

static const char *const known_keys[] = {
	"name", "family", "base", "arches", "libc", "libc_version", "glibcxx", "cxxabi",
	"gcc", "loaders", "note", "source",
};

static enum ifx_status read_target(struct reader *r, const struct ifx_target_set *set,
				   json_t *obj, struct ifx__loaded_target **out)
{
	struct ifx__loaded_target *t;
	const char *key, *libc;
	enum ifx_status st;
	json_t *v;

	if (!json_is_object(obj))
		return bad(r, NULL, "a target must be an object");
	json_object_foreach(obj, key, v) {
		bool known = false;

		for (size_t i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
			known = known || strcmp(key, known_keys[i]) == 0;
		if (!known)
			return bad(r, key, "unknown key");
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return IFX_ERR_NOMEM;
	st = take_string(r, t, obj, "name", S_NAME, true, false);
	if (st == IFX_OK && !good_name(t->strings[S_NAME]))
		st = bad(r, "name", "'%s' is not a name (lowercase letters, digits, '.', '_' and "
			 "'-', at most 64)", t->strings[S_NAME]);
	if (st == IFX_OK && ifx__target_find(set, t->strings[S_NAME]) != NULL)
		st = bad(r, "name", "'%s' is already a target", t->strings[S_NAME]);
	/* a name wins over a family in --target: "ubuntu" would hide them all */
	if (st == IFX_OK && ifx__target_family_known(set, t->strings[S_NAME]))
		st = bad(r, "name", "'%s' is a family's name (--target %s selects all of it)",
			 t->strings[S_NAME], t->strings[S_NAME]);
	if (st == IFX_OK)
		st = take_string(r, t, obj, "family", S_FAMILY, false, false);
	if (st == IFX_OK && t->strings[S_FAMILY][0] == '\0') {
		/* as the built-in names: up to the first '-' or '_' */
		free(t->strings[S_FAMILY]);
		t->strings[S_FAMILY] = strndup(t->strings[S_NAME],
					       strcspn(t->strings[S_NAME], "-_"));
		st = t->strings[S_FAMILY] ? IFX_OK : IFX_ERR_NOMEM;
	}
	if (st == IFX_OK)
		st = take_string(r, t, obj, "base", S_BASE, false, false);
	if (st == IFX_OK)
		st = take_arches(r, t, obj);
	if (st == IFX_OK) {
		v = json_object_get(obj, "libc");
		libc = json_is_string(v) ? json_string_value(v) : NULL;
		if (v == NULL)
			st = bad(r, "libc", "missing (required)");
		else if (libc != NULL && strcmp(libc, "glibc") == 0)
			t->pub.libc = IFX_LIBC_GLIBC;
		else if (libc != NULL && strcmp(libc, "musl") == 0)
			t->pub.libc = IFX_LIBC_MUSL;
		else
			st = bad(r, "libc", "must be \"glibc\" or \"musl\"");
	}
	if (st == IFX_OK)
		st = take_string(r, t, obj, "libc_version", S_LIBC_VERSION, true, true);
	if (st == IFX_OK && strcmp(t->strings[S_LIBC_VERSION], "none") == 0)
		st = bad(r, "libc_version", "must be a version like 2.31");
	if (st == IFX_OK)
		st = take_string(r, t, obj, "glibcxx", S_GLIBCXX, false, true);
	if (st == IFX_OK)
		st = take_string(r, t, obj, "cxxabi", S_CXXABI, false, true);
	t->pub.arches = t->strings[S_ARCHES]; /* take_gcc and take_loaders ask it */
	if (st == IFX_OK)
		st = take_gcc(r, t, obj);
	if (st == IFX_OK)
		st = take_loaders(r, t, obj);
	if (st == IFX_OK)
		st = take_string(r, t, obj, "note", S_NOTE, false, false);
	if (st == IFX_OK)
		st = take_string(r, t, obj, "source", S_SOURCE, false, false);
	if (st != IFX_OK) {
		ifx__target_free_loaded(t);
		return st;
	}
	t->pub.name = t->strings[S_NAME];
	t->pub.family = t->strings[S_FAMILY];
	t->pub.base = t->strings[S_BASE];
	t->pub.libc_version = t->strings[S_LIBC_VERSION];
	t->pub.glibcxx = t->strings[S_GLIBCXX];
	t->pub.cxxabi = t->strings[S_CXXABI];
	t->pub.gcc = t->strings[S_GCC];
	t->pub.loaders = t->strings[S_LOADERS];
	t->pub.note = t->strings[S_NOTE];
	t->pub.source = t->strings[S_SOURCE][0] != '\0' ? t->strings[S_SOURCE] : "target file";
	*out = t;
	return IFX_OK;
}

/* The whole file, at most TARGET_FILE_MAX bytes; never a FIFO or device. */
static enum ifx_status slurp(const char *path, char **buf, size_t *len, struct ifx_error *err)
{
	enum ifx_status st;
	size_t room = 4096, used = 0;
	char *b;
	int fd;

	st = ifx_open_regular(AT_FDCWD, path, true, &fd, err);
	if (st != IFX_OK) {
		/* "is a FIFO" alone would not say which file */
		if (err != NULL) {
			char why[IFX_MSG_MAX / 2];

			snprintf(why, sizeof(why), "%.*s", (int)sizeof(why) - 1, err->message);
			snprintf(err->message, sizeof(err->message), "%.*s: %s",
				 (int)(sizeof(err->message) - sizeof(why) - 2), path, why);
		}
		return st;
	}
	if ((b = malloc(room)) == NULL) {
		close(fd);
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	}
	for (;;) {
		ssize_t n;

		if (used > TARGET_FILE_MAX) {
			free(b);
			close(fd);
			return ifx__error_set(err, IFX_ERR_MALFORMED, "%s: a target file is at "
					      "most 1 MiB", path);
		}
		if (used == room) {
			/* one byte past the limit tells a longer file from one of 1 MiB */
			size_t more = room * 2 > TARGET_FILE_MAX ? TARGET_FILE_MAX + 1 : room * 2;
			char *grown = realloc(b, more);

			if (grown == NULL) {
				free(b);
				close(fd);
				return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
			}
			b = grown;
			room = more;
		}
		n = read(fd, b + used, room - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(b);
			close(fd);
			return ifx__error_set_errno(err, e, "%s: cannot read", path);
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	*buf = b;
	*len = used;
	return IFX_OK;
}

enum ifx_status ifx_target_set_load(struct ifx_target_set *set, const char *path,
				    struct ifx_error *err)
{
	struct ifx__loaded_target **got = NULL;
	struct reader r = { path, 0, err };
	json_t *doc, *list, *e;
	json_error_t jerr;
	const char *key;
	enum ifx_status st;
	size_t len, n = 0, i;
	char *buf;

	if (set == NULL || path == NULL)
		return ifx__error_set(err, IFX_ERR_USAGE, "ifx_target_set_load: NULL argument");
	if ((st = slurp(path, &buf, &len, err)) != IFX_OK)
		return st;
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	if (doc == NULL) {
		ifx__error_set(err, IFX_ERR_MALFORMED, "%s: line %d column %d: %s", path,
			       jerr.line, jerr.column, jerr.text);
		ifx__error_advise(err, "a target file is JSON: see docs/targets.md");
		return IFX_ERR_MALFORMED;
	}
	list = json_object_get(doc, "targets");
	if (!json_is_object(doc) || !json_is_array(list)) {
		json_decref(doc);
		ifx__error_set(err, IFX_ERR_MALFORMED, "%s: not a target file: wants an object "
			       "with a \"targets\" array", path);
		ifx__error_advise(err, "see docs/targets.md for the format");
		return IFX_ERR_MALFORMED;
	}
	json_object_foreach(doc, key, e)
		if (strcmp(key, "targets") != 0 && strcmp(key, "schema_version") != 0 &&
		    strcmp(key, "$schema") != 0 && strcmp(key, "comment") != 0) {
			/* key lives in doc: said before doc goes */
			ifx__error_set(err, IFX_ERR_MALFORMED, "%s: unknown key \"%s\"", path, key);
			ifx__error_advise(err, "see docs/targets.md for the format");
			json_decref(doc);
			return IFX_ERR_MALFORMED;
		}
	st = IFX_OK;
	if ((got = calloc(json_array_size(list) + 1, sizeof(*got))) == NULL)
		st = IFX_ERR_NOMEM;
	json_array_foreach(list, i, e) {
		if (st != IFX_OK)
			break;
		r.index = i;
		st = read_target(&r, set, e, &got[n]);
		for (size_t k = 0; st == IFX_OK && k < n; k++)
			if (strcmp(got[k]->pub.name, got[n]->pub.name) == 0) {
				st = bad(&r, "name", "'%s' twice in the file", got[n]->pub.name);
				ifx__target_free_loaded(got[n]);
			}
		if (st == IFX_OK)
			n++;
	}
	json_decref(doc);
	if (st == IFX_OK) {
		const struct ifx_target **t = reallocarray(set->targets, set->count + n, sizeof(*t));
		struct ifx__loaded_target **l = t ? reallocarray(set->loaded, set->loaded_count + n,
								 sizeof(*l)) : NULL;

		if (t != NULL)
			set->targets = t;
		if (l == NULL) {
			st = IFX_ERR_NOMEM;
		} else {
			set->loaded = l;
			for (size_t k = 0; k < n; k++) {
				set->targets[set->count++] = &got[k]->pub;
				set->loaded[set->loaded_count++] = got[k];
			}
			n = 0;
		}
	}
	for (size_t k = 0; k < n; k++)
		ifx__target_free_loaded(got[k]);
	free(got);
	if (st == IFX_ERR_NOMEM)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	return st;
}
