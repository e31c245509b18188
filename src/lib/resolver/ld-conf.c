/* The directories the loaders search: /etc/ld.so.conf (what ldconfig
 * indexes into ld.so.cache) and musl's /etc/ld-musl-ARCH.path. */
#include "config.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CONF_DEPTH_MAX 4

void ifx__dir_list_add(struct dir_list *d, const char *dir)
{
	for (size_t i = 0; i < d->count; i++)
		if (strcmp(d->items[i], dir) == 0)
			return;
	ifx__strlist_push(&d->items, &d->count, dir);
}

void ifx__dir_list_add_dup(struct dir_list *d, const char *dir)
{
	ifx__strlist_push(&d->items, &d->count, dir);
}

/* A configuration file inside root, through the root's own symlinks:
 * never out to the host's files. NULL when it is not there. */
static FILE *open_in_root(const char *root, const char *path)
{
	char *host = NULL;
	FILE *f;

	if (ifx__root_path_resolve(root, path, &host, NULL) != IFX_OK)
		return NULL;
	f = fopen(host, "r");
	free(host);
	return f;
}

/* Directories of /etc/ld.so.conf inside root, "include" globs followed. */
static void read_conf(const char *root, const char *conf, struct dir_list *d,
		      int depth)
{
	char line[4096];
	FILE *f = depth < CONF_DEPTH_MAX ? open_in_root(root, conf) : NULL;

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = line + strspn(line, " \t");
		glob_t g;

		s[strcspn(s, "#\r\n")] = '\0';
		if (strncmp(s, "include", 7) == 0 && (s[7] == ' ' || s[7] == '\t')) {
			char pattern[4096];

			s += 8 + strspn(s + 8, " \t");
			snprintf(pattern, sizeof(pattern), "%s%s", root, s);
			if (glob(pattern, 0, NULL, &g) == 0) {
				for (size_t i = 0; i < g.gl_pathc; i++)
					read_conf(root, g.gl_pathv[i] + strlen(root),
						  d, depth + 1);
				globfree(&g);
			}
		} else if (s[0] == '/') {
			s[strcspn(s, " \t")] = '\0';
			ifx__dir_list_add(d, s);
		}
	}
	fclose(f);
}

/* musl reads its search path from PREFIX/etc/ld-musl-ARCH.path, PREFIX
 * being its own path minus the last two components (ldso/dynlink.c). */
void ifx__ld_conf_musl_dirs(const char *root, const char *prefix, const char *arch,
		       struct dir_list *d)
{
	char path[4096], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/etc/ld-musl-%s.path", prefix ? prefix : "", arch);
	f = open_in_root(root, path);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *save = NULL, *tok = strtok_r(line, ":\n \t", &save);

		for (; tok != NULL; tok = strtok_r(NULL, ":\n \t", &save))
			if (tok[0] == '/')
				ifx__dir_list_add(d, tok);
	}
	fclose(f);
}

/* The directories of root's /etc/ld.so.conf, "include" globs followed. */
void ifx__ld_conf_glibc_dirs(const char *root, struct dir_list *d)
{
	read_conf(root != NULL ? root : "", "/etc/ld.so.conf", d, 0);
}

void ifx__dir_list_free(struct dir_list *d)
{
	ifx__strlist_free(d->items, d->count);
	d->items = NULL;
	d->count = 0;
}
