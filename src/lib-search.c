/* Finding a NEEDED library as the loader would, and saying where it looked
 * and why each place did not do (libtree's "paths considered" is the model).
 * glibc's order is in ld.so(8) and elf/dl-load.c; musl's in ldso/dynlink.c. */
#include "config.h"

#include <elf.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static int add_step(struct ifx_lib_search *s, const char *path,
		    const char *source, const char *verdict)
{
	struct ifx_search_step *grown;

	grown = realloc(s->steps, (s->step_count + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	s->steps = grown;
	grown[s->step_count].path = strdup(path);
	grown[s->step_count].source = strdup(source);
	grown[s->step_count].verdict = strdup(verdict);
	s->step_count++;
	return 0;
}

/* Whether the file at root/path is a library this binary can load: only
 * its ELF header is read, as ld.so checks class and machine first. */
static const char *judge(const struct ifx_elf_info *bin, const char *root,
			 const char *path, char **host_out)
{
	const char *verdict = "found";
	char *host = NULL;
	struct stat sb;
	GElf_Ehdr eh;
	Elf *elf;
	int fd;

	*host_out = NULL;
	/* On the host the kernel resolves the path; only a sysroot needs
	 * symlinks reinterpreted component by component. */
	if (root == NULL || root[0] == '\0' || strcmp(root, "/") == 0)
		host = strdup(path);
	else if (root_path_resolve(root, path, &host, NULL) != IFX_OK)
		return "does not exist";
	if (host == NULL)
		return "does not exist";
	if (access(host, F_OK) < 0) {
		free(host);
		return "does not exist";
	}
	if (ifx_open_regular(AT_FDCWD, host, false, &fd, NULL) != IFX_OK) {
		free(host);
		return "is not a readable regular file";
	}
	if (fstat(fd, &sb) < 0 || elf_open_fd(fd, (uint64_t)sb.st_size, &elf, NULL) != IFX_OK) {
		verdict = "is not ELF";
	} else {
		gelf_getehdr(elf, &eh);
		if ((eh.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32) != bin->elf_class)
			verdict = "wrong ELF class (skipped by the loader)";
		else if (eh.e_machine != bin->machine || eh.e_ident[EI_DATA] != bin->data)
			verdict = "another architecture (skipped by the loader)";
		elf_end(elf);
	}
	close(fd);
	if (strcmp(verdict, "found") == 0)
		*host_out = host;
	else
		free(host);
	return verdict;
}

/* Expand $ORIGIN / ${ORIGIN} with the binary's directory. */
static char *expand_origin(const char *dir, const char *origin)
{
	char out[PATH_MAX];
	size_t o = 0;

	for (const char *p = dir; *p != '\0' && o < sizeof(out) - 1;) {
		size_t skip = strncmp(p, "$ORIGIN", 7) == 0 ? 7
			    : strncmp(p, "${ORIGIN}", 9) == 0 ? 9 : 0;
		if (skip == 0) {
			out[o++] = *p++;
			continue;
		}
		for (const char *q = origin; *q != '\0' && o < sizeof(out) - 1; q++)
			out[o++] = *q;
		p += skip;
	}
	out[o] = '\0';
	return strdup(out);
}

/* Try name in each directory of a colon-separated list. */
static bool try_dirs(const struct ifx_elf_info *bin, const char *root,
		     const char *list, const char *origin, const char *name,
		     const char *source, struct ifx_lib_search *s)
{
	char *copy = strdup(list ? list : ""), *save = NULL;

	for (char *dir = strtok_r(copy, ":", &save); dir != NULL && s->found == NULL;
	     dir = strtok_r(NULL, ":", &save)) {
		char *expanded = expand_origin(dir, origin), *path, *host;
		const char *verdict;

		if (expanded == NULL || asprintf(&path, "%s/%s", expanded, name) < 0) {
			free(expanded);
			break;
		}
		verdict = judge(bin, root, path, &host);
		add_step(s, path, source, verdict);
		s->found = host;
		free(path);
		free(expanded);
	}
	free(copy);
	return s->found != NULL;
}

static bool try_list(const struct ifx_elf_info *bin, const char *root,
		     const struct dir_list *d, const char *origin, const char *name,
		     const char *source, struct ifx_lib_search *s)
{
	for (size_t i = 0; i < d->count && s->found == NULL; i++)
		try_dirs(bin, root, d->items[i], origin, name, source, s);
	return s->found != NULL;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* musl answers these names with itself (ldso/dynlink.c, "reserved"). */
static bool musl_reserved(const char *name)
{
	static const char *const reserved[] = { "libc.", "libpthread.", "librt.",
						 "libm.", "libdl.", "libutil.", "libxnet." };

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (starts_with(name, reserved[i]))
			return true;
	return false;
}

static void glibc_order(const struct ifx_elf_info *bin, const char *root,
			const char *origin, const char *name,
			struct ifx_lib_search *s)
{
	static const char *const defaults64 = "/lib64:/usr/lib64:/lib:/usr/lib";
	static const char *const defaults32 = "/lib:/usr/lib";
	struct dir_list conf = { NULL, 0 };

	if (bin->rpath != NULL && bin->runpath != NULL)
		add_step(s, bin->rpath, "DT_RPATH", "ignored: DT_RUNPATH is present");
	else if (bin->rpath != NULL && try_dirs(bin, root, bin->rpath, origin, name,
						"DT_RPATH", s))
		return;
	if (bin->runpath != NULL &&
	    try_dirs(bin, root, bin->runpath, origin, name, "DT_RUNPATH", s))
		return;
	/* ld.so.cache holds full paths; without one, what it would index. */
	if (ld_cache_lookup(root, name, &conf)) {
		for (size_t i = 0; i < conf.count && s->found == NULL; i++) {
			char *host;
			const char *verdict = judge(bin, root, conf.items[i], &host);

			add_step(s, conf.items[i], "ld.so.cache", verdict);
			s->found = host;
		}
		if (conf.count == 0)
			add_step(s, name, "ld.so.cache", "no entry");
	} else {
		ld_conf_glibc_dirs(root, &conf);
		try_list(bin, root, &conf, origin, name, "ld.so.conf", s);
	}
	if (s->found == NULL)
		try_dirs(bin, root, bin->elf_class == 64 ? defaults64 : defaults32,
			 origin, name, "default", s);
	dir_list_free(&conf);
}

static void musl_order(const struct ifx_elf_info *bin, const char *root,
		       const char *origin, const char *name,
		       struct ifx_lib_search *s)
{
	const char *std = ifx_standard_loader(bin, IFX_LIBC_MUSL);
	struct dir_list conf = { NULL, 0 };
	char arch[64] = "";

	if (std != NULL) {
		const char *b = strrchr(std, '/') + 1 + strlen("ld-musl-");
		snprintf(arch, sizeof(arch), "%.*s", (int)strcspn(b, "."), b);
	}
	if (bin->rpath != NULL &&
	    try_dirs(bin, root, bin->rpath, origin, name, "DT_RPATH", s))
		return;
	if (bin->runpath != NULL &&
	    try_dirs(bin, root, bin->runpath, origin, name, "DT_RUNPATH", s))
		return;
	ld_conf_musl_dirs(root, arch, &conf);
	if (conf.count > 0)
		try_list(bin, root, &conf, origin, name, "ld-musl path file", s);
	else
		try_dirs(bin, root, "/lib:/usr/local/lib:/usr/lib", origin, name,
			 "musl default", s);
	dir_list_free(&conf);
}

enum ifx_status ifx_find_library(const struct ifx_elf_info *bin,
				 const char *bin_path, const char *name,
				 const char *root, struct ifx_lib_search *out,
				 struct ifx_error *err)
{
	char *real = realpath(bin_path, NULL), *origin;

	memset(out, 0, sizeof(out[0]));
	if (real == NULL)
		return error_set(err, IFX_ERR_IO, "cannot resolve %s", bin_path);
	origin = dirname(real);
	if (strchr(name, '/') != NULL) {
		const char *verdict = judge(bin, root, name, &out->found);
		add_step(out, name, "path in DT_NEEDED", verdict);
	} else if (bin->libc == IFX_LIBC_MUSL && musl_reserved(name)) {
		add_step(out, name, "musl", "provided by musl's loader itself");
		out->found = strdup(bin->interp ? bin->interp : "musl");
	} else if (bin->libc == IFX_LIBC_MUSL) {
		musl_order(bin, root, origin, name, out);
	} else {
		glibc_order(bin, root, origin, name, out);
	}
	free(real);
	return IFX_OK;
}

void ifx_lib_search_free(struct ifx_lib_search *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->step_count; i++) {
		free(s->steps[i].path);
		free(s->steps[i].source);
		free(s->steps[i].verdict);
	}
	free(s->steps);
	free(s->found);
	memset(s, 0, sizeof(*s));
}
