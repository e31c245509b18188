/*
 * Finding one NEEDED library the way the loader does, and saying where it
 * looked and why each place did not do (libtree's "paths considered" is the
 * model). glibc: elf/dl-load.c (_dl_map_object, open_path, open_verify) and
 * elf/get-dynamic-info.h (an object with DT_RUNPATH has no DT_RPATH);
 * musl: ldso/dynlink.c (load_library, path_open, fixup_rpath).
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
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

	grown = reallocarray(s->steps, s->step_count + 1, sizeof(*grown));
	if (grown == NULL)
		return -1;
	s->steps = grown;
	grown[s->step_count].path = strdup(path);
	grown[s->step_count].source = strdup(source);
	grown[s->step_count].verdict = strdup(verdict);
	s->step_count++;
	return 0;
}

/* ---- Candidates: what is at a path (read once per run) ---------------- */

static void read_candidate(const char *root, const char *path, struct dep_candidate *c)
{
	struct ifx_error err;
	uint64_t flags_1;
	struct stat sb;
	GElf_Ehdr eh;
	Elf *elf = NULL;
	int fd;

	/* On the host the kernel follows the symlinks; only a sysroot needs
	 * them reinterpreted component by component. */
	if (root[0] == '\0')
		c->host = strdup(path);
	else if (ifx__root_path_resolve(root, path, &c->host, &err) != IFX_OK)
		c->open_errno = err.sys_errno ? err.sys_errno : ENOENT;
	if (c->host == NULL) {
		if (c->open_errno == 0)
			c->open_errno = ENOMEM;
		return;
	}
	fd = open(c->host, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		c->open_errno = errno;
		return;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		/* glibc reads the header and fails: "cannot read file data" */
		c->problem = strdup(S_ISDIR(sb.st_mode) ? "cannot read file data: Is a directory"
							: "not a regular file");
		goto out;
	}
	c->dev = sb.st_dev;
	c->ino = sb.st_ino;
	c->info.file_size = (uint64_t)sb.st_size;
	c->info.file_mode = sb.st_mode;
	if ((uint64_t)sb.st_size < sizeof(Elf32_Ehdr)) {
		c->problem = strdup("file too short");
		goto out;
	}
	if (ifx__elf_open_fd(fd, (uint64_t)sb.st_size, &elf, &err) != IFX_OK ||
	    gelf_getehdr(elf, &eh) == NULL) {
		c->problem = strdup("invalid ELF header");
		goto out;
	}
	memcpy(c->ident, eh.e_ident, EI_NIDENT);
	c->e_type = eh.e_type;
	c->e_machine = eh.e_machine;
	c->e_phentsize = eh.e_phentsize;
	c->info.elf_class = eh.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32;
	c->info.data = eh.e_ident[EI_DATA];
	c->info.machine = eh.e_machine;
	c->info.type = eh.e_type;
	c->info.osabi = eh.e_ident[EI_OSABI];
	c->info.flags = eh.e_flags;
	ifx__elf_abi_classify(elf, &c->info);
	if (ifx__elf_dynamic_read(elf, &c->info, &flags_1, DYN_NAMES, &err) != IFX_OK)
		c->problem = strdup(err.message);
	c->info.dt_flags_1 = flags_1;
out:
	if (elf != NULL)
		elf_end(elf);
	close(fd);
}

const struct dep_candidate *ifx__lib_candidate(struct ifx_context *cache, const char *path)
{
	const struct dep_candidate *known = ifx__context_lookup(cache, path);
	struct dep_candidate *c;

	if (known != NULL)
		return known;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	read_candidate(ifx__context_root(cache), path, c);
	return ifx__context_keep(cache, path, c);
}

enum verdict {
	V_ABSENT,      /* keep looking */
	V_SKIPPED,     /* there, but the loader passes over it: keep looking */
	V_OK,
	V_FATAL,       /* the loader stops the search with an error */
};

/* glibc's open_verify: another class or machine is passed over ("found
 * other class"); anything else wrong with an ELF file ends the search. */
static enum verdict glibc_verdict(const struct ifx_elf_info *bin,
				  const struct dep_candidate *c, const char **why)
{
	static const unsigned char magic[4] = { 0x7f, 'E', 'L', 'F' };

	if (c->open_errno != 0) {
		*why = c->open_errno == EACCES ? "permission denied" : "does not exist";
		return c->open_errno == ENOENT || c->open_errno == ENOTDIR ||
		       c->open_errno == EACCES || c->open_errno == ENAMETOOLONG ? V_ABSENT : V_FATAL;
	}
	if (c->problem != NULL && memcmp(c->ident, magic, 4) != 0) {
		*why = c->problem;
		return V_FATAL;
	}
	if (c->info.elf_class != bin->elf_class) {
		*why = "wrong ELF class (skipped by the loader)";
		return V_SKIPPED;
	}
	if (c->ident[EI_DATA] != bin->data) {
		*why = c->ident[EI_DATA] == ELFDATA2MSB ? "ELF file data encoding not little-endian"
							: "ELF file data encoding not big-endian";
		return V_FATAL;
	}
	if (c->ident[EI_OSABI] != ELFOSABI_SYSV && c->ident[EI_OSABI] != ELFOSABI_GNU) {
		*why = "ELF file OS ABI invalid";
		return V_FATAL;
	}
	if (c->e_machine != bin->machine ||
	    (bin->abi != IFX_ABI_NONE && c->info.abi != IFX_ABI_NONE && c->info.abi != bin->abi)) {
		*why = "another architecture or ABI (skipped by the loader)";
		return V_SKIPPED;
	}
	if (c->e_type != ET_DYN && c->e_type != ET_EXEC) {
		*why = "only ET_DYN and ET_EXEC can be loaded";
		return V_FATAL;
	}
	if (c->problem != NULL) {
		*why = c->problem;
		return V_FATAL;
	}
	*why = "found";
	return V_OK;
}

/* musl's path_open takes the first file it can open; map_library then
 * fails on anything that is not an ELF object of this kind. */
static enum verdict musl_verdict(const struct ifx_elf_info *bin,
				 const struct dep_candidate *c, const char **why)
{
	if (c->open_errno != 0) {
		*why = c->open_errno == EACCES ? "permission denied" : "does not exist";
		return c->open_errno == ENOENT || c->open_errno == ENOTDIR ||
		       c->open_errno == EACCES || c->open_errno == ENAMETOOLONG ? V_ABSENT : V_FATAL;
	}
	if (c->problem != NULL) {
		*why = c->problem;
		return V_FATAL;
	}
	if (c->info.elf_class != bin->elf_class || c->e_machine != bin->machine ||
	    c->ident[EI_DATA] != bin->data) {
		*why = "another architecture: musl loads the first file it finds and fails on it";
		return V_FATAL;
	}
	*why = "found";
	return V_OK;
}

/* ---- Directories ------------------------------------------------------- */

/* Expand the dynamic string tokens of one search directory: $ORIGIN for
 * both loaders, $LIB and $PLATFORM for glibc (elf/dl-load.c
 * _dl_dst_substitute). NULL when an unknown token makes glibc drop it. */
char *ifx__lib_expand_tokens(const char *dir, const char *origin,
			const struct loader_env *env)
{
	static const struct { const char *name; int which; } tokens[] = {
		{ "ORIGIN", 0 }, { "LIB", 1 }, { "PLATFORM", 2 },
	};
	char out[PATH_MAX];
	size_t o = 0;

	for (const char *p = dir; *p != '\0';) {
		const char *value = NULL;
		size_t skip = 0;

		if (*p == '$') {
			for (size_t t = 0; t < sizeof(tokens) / sizeof(tokens[0]); t++) {
				size_t n = strlen(tokens[t].name);
				bool braced = p[1] == '{' && strncmp(p + 2, tokens[t].name, n) == 0 &&
					      p[2 + n] == '}';
				bool bare = strncmp(p + 1, tokens[t].name, n) == 0 &&
					    !(p[1 + n] == '_' || (p[1 + n] >= 'A' && p[1 + n] <= 'Z') ||
					      (p[1 + n] >= 'a' && p[1 + n] <= 'z') ||
					      (p[1 + n] >= '0' && p[1 + n] <= '9'));

				if (!braced && !bare)
					continue;
				if (tokens[t].which > 0 && env->libc == IFX_LIBC_MUSL)
					break; /* musl expands $ORIGIN only */
				value = tokens[t].which == 0 ? origin
				      : tokens[t].which == 1 ? env->lib : env->platform;
				skip = braced ? n + 3 : n + 1;
				break;
			}
			if (value != NULL && value[0] == '\0' && env->libc != IFX_LIBC_MUSL)
				return NULL;
		}
		if (value == NULL) {
			if (o >= sizeof(out) - 1)
				return NULL;
			out[o++] = *p++;
			continue;
		}
		for (const char *q = value; *q != '\0'; q++) {
			if (o >= sizeof(out) - 1)
				return NULL;
			out[o++] = *q;
		}
		p += skip;
	}
	out[o] = '\0';
	return strdup(out);
}

struct lookup {
	const struct search_ctx *ctx;
	const char *name;
	struct ifx_lib_search *steps;
	struct search_result *result;
	bool done;   /* found, or the loader stopped with an error */
};

/* Judge the file at full; record a step unless quiet and nothing is there. */
static void try_file(struct lookup *lk, const char *full, const char *source,
		     bool listed_absent, bool quiet)
{
	const struct search_ctx *ctx = lk->ctx;
	const struct dep_candidate *c = NULL;
	const char *why = "does not exist";
	enum verdict v = V_ABSENT;

	if (!listed_absent) {
		c = ifx__lib_candidate(ctx->cache, full);
		if (c == NULL)
			return;
		v = ctx->env->libc == IFX_LIBC_MUSL ? musl_verdict(ctx->bin, c, &why)
						    : glibc_verdict(ctx->bin, c, &why);
	}
	if (!quiet || (c != NULL && c->open_errno != ENOENT && c->open_errno != ENOTDIR))
		add_step(lk->steps, full, source, why);
	if (v == V_OK) {
		lk->result->state = IFX_DEP_FOUND;
		lk->result->path = strdup(full);
		lk->result->file = c;
		lk->done = true;
	} else if (v == V_FATAL) {
		lk->result->state = IFX_DEP_BROKEN;
		lk->result->path = strdup(full);
		lk->result->problem = strdup(why);
		lk->done = true;
	}
}

/* dir/subdir/name, where a directory listing can tell at no cost that it
 * is not there. Capability subdirectories are recorded only when something
 * was there. */
static void try_path(struct lookup *lk, const char *dir, const char *subdir,
		     const char *source)
{
	char full[PATH_MAX * 2], where[PATH_MAX * 2];
	size_t dlen = strlen(dir);

	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	snprintf(where, sizeof(where), "%.*s%s%.*s", (int)dlen, dir,
		 dlen > 0 && dir[dlen - 1] != '/' && subdir[0] ? "/" : "",
		 (int)(subdir[0] ? strlen(subdir) - 1 : 0), subdir);
	snprintf(full, sizeof(full), "%s%s%s", where,
		 where[0] && where[strlen(where) - 1] != '/' ? "/" : "", lk->name);
	try_file(lk, full, source,
		 where[0] != '\0' && !ifx__context_may_exist(lk->ctx->cache, where, lk->name),
		 subdir[0] != '\0');
}

/* One directory of a search list, with glibc's capability subdirectories. */
static void try_dir(struct lookup *lk, const char *dir, const char *source)
{
	const struct dir_list *subdirs = &lk->ctx->env->subdirs;

	if (lk->ctx->env->libc == IFX_LIBC_MUSL || subdirs->count == 0) {
		try_path(lk, dir, "", source);
		return;
	}
	for (size_t i = 0; i < subdirs->count && !lk->done; i++)
		try_path(lk, dir, subdirs->items[i], source);
}

/* A colon-separated list (DT_RPATH, DT_RUNPATH, a path file), tokens
 * expanded with origin. glibc keeps empty entries (the current directory);
 * musl skips them. */
static void try_list(struct lookup *lk, const char *list, const char *origin,
		     const char *source)
{
	const bool musl = lk->ctx->env->libc == IFX_LIBC_MUSL;
	const char *p = list;

	while (p != NULL && !lk->done) {
		size_t n = strcspn(p, musl ? ":\n" : ":");
		char dir[PATH_MAX], *expanded;

		if (n < sizeof(dir) && (n > 0 || !musl)) {
			memcpy(dir, p, n);
			dir[n] = '\0';
			expanded = ifx__lib_expand_tokens(dir, origin, lk->ctx->env);
			if (expanded != NULL)
				try_dir(lk, expanded, source);
			else
				add_step(lk->steps, dir, source, "dropped: a token the loader cannot expand");
			free(expanded);
		}
		p = p[n] != '\0' ? p + n + 1 : NULL;
	}
}

/* musl answers these names with itself (ldso/dynlink.c: "reserved"). */
bool ifx__lib_musl_reserved(const char *name)
{
	static const char *const reserved[] = { "libc.", "libpthread.", "librt.",
						 "libm.", "libdl.", "libutil.", "libxnet." };

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (ifx__names_starts_with(name, reserved[i]))
			return true;
	return false;
}

static bool in_system_dirs(const struct loader_env *env, const char *path)
{
	for (size_t i = 0; i < env->system_dirs.count; i++) {
		size_t n = strlen(env->system_dirs.items[i]);

		if (strncmp(path, env->system_dirs.items[i], n) == 0 && path[n] == '/')
			return true;
	}
	return false;
}

/* glibc's order (ld.so(8)): DT_RPATH of the requesting object and then of
 * each object that loaded it, up to the executable, unless the requesting
 * object has DT_RUNPATH; its DT_RUNPATH; ld.so.cache; the default
 * directories. DF_1_NODEFLIB skips the cache's system entries and the
 * defaults. */
static void glibc_order(struct lookup *lk, size_t requester)
{
	const struct search_ctx *ctx = lk->ctx;
	const struct search_obj *req = &ctx->objs[requester];
	bool nodeflib = (req->info->dt_flags_1 & DF_1_NODEFLIB) != 0;
	char *cached = NULL;
	int hit;

	if (req->info->runpath == NULL) {
		bool did_main = false;

		for (size_t l = requester; l != SIZE_MAX && !lk->done; l = ctx->objs[l].loader) {
			const struct search_obj *o = &ctx->objs[l];

			if (o->info->rpath != NULL && o->info->runpath == NULL) {
				try_list(lk, o->info->rpath, o->origin,
					 l == requester ? "DT_RPATH" : "DT_RPATH of a loading object");
				did_main |= l == 0;
			}
		}
		if (!lk->done && !did_main && ctx->objs[0].info->rpath != NULL &&
		    ctx->objs[0].info->runpath == NULL)
			try_list(lk, ctx->objs[0].info->rpath, ctx->objs[0].origin,
				 "DT_RPATH of the executable");
	} else if (req->info->rpath != NULL) {
		add_step(lk->steps, req->info->rpath, "DT_RPATH", "ignored: DT_RUNPATH is present");
	}
	if (!lk->done && req->info->runpath != NULL)
		try_list(lk, req->info->runpath, req->origin, "DT_RUNPATH");
	if (lk->done)
		return;
	hit = ifx__ld_cache_best(ifx__context_ld_cache(ctx->cache), lk->name, ctx->env->cache_flags,
			    &ctx->env->hwcaps, &cached);
	if (hit == 1 && !(nodeflib && in_system_dirs(ctx->env, cached)))
		try_file(lk, cached, "ld.so.cache", false, false);
	else if (hit == 0)
		add_step(lk->steps, lk->name, "ld.so.cache", "no entry");
	free(cached);
	if (lk->done || nodeflib)
		return;
	for (size_t i = 0; i < ctx->env->system_dirs.count && !lk->done; i++)
		try_dir(lk, ctx->env->system_dirs.items[i], "default");
}

/* musl: DT_RUNPATH or else DT_RPATH of the requesting object and of each
 * object that loaded it, then /etc/ld-musl-ARCH.path beside the loader's
 * prefix, or /lib:/usr/local/lib:/usr/lib. */
static void musl_order(struct lookup *lk, size_t requester)
{
	const struct search_ctx *ctx = lk->ctx;
	const char *std = ifx_standard_loader(ctx->bin, IFX_LIBC_MUSL);
	const char *ldso = ctx->bin->interp != NULL ? ctx->bin->interp : std;
	struct dir_list conf = { NULL, 0 };
	char arch[64] = "", prefix[PATH_MAX] = "";

	for (size_t l = requester; l != SIZE_MAX && !lk->done; l = ctx->objs[l].loader) {
		const struct ifx_elf_info *o = ctx->objs[l].info;
		const char *list = o->runpath != NULL ? o->runpath : o->rpath;

		if (list != NULL)
			try_list(lk, list, ctx->objs[l].origin,
				 l == requester ? "DT_RPATH/DT_RUNPATH" : "DT_RPATH/DT_RUNPATH of a loading object");
	}
	if (lk->done)
		return;
	if (std != NULL) {
		const char *b = strrchr(std, '/') + 1 + strlen("ld-musl-");
		snprintf(arch, sizeof(arch), "%.*s", (int)strcspn(b, "."), b);
	}
	/* the loader's path minus its last two components ("/lib/ld-musl-x.so.1" -> "") */
	if (ldso != NULL && ldso[0] == '/') {
		const char *t = ldso, *z = ldso;

		for (const char *s = ldso; *s != '\0'; s++)
			if (*s == '/')
				z = t, t = s;
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(z - ldso), ldso);
	}
	ifx__ld_conf_musl_dirs(ctx->env->root, prefix, arch, &conf);
	if (conf.count > 0) {
		for (size_t i = 0; i < conf.count && !lk->done; i++)
			try_dir(lk, conf.items[i], "ld-musl path file");
	} else {
		try_list(lk, "/lib:/usr/local/lib:/usr/lib", "", "musl default");
	}
	ifx__dir_list_free(&conf);
}

void ifx__lib_search(const struct search_ctx *ctx, size_t requester, const char *name,
		struct ifx_lib_search *steps, struct search_result *result)
{
	struct lookup lk = { ctx, name, steps, result, false };

	memset(result, 0, sizeof(*result));
	result->state = IFX_DEP_MISSING;
	if (strchr(name, '/') != NULL) {
		/* opened as given (glibc expands tokens first) */
		char *expanded = ifx__lib_expand_tokens(name, ctx->objs[requester].origin, ctx->env);

		if (expanded != NULL) {
			try_file(&lk, expanded, "path in DT_NEEDED", false, false);
			free(expanded);
		}
	} else if (ctx->env->libc == IFX_LIBC_MUSL) {
		musl_order(&lk, requester);
	} else {
		glibc_order(&lk, requester);
	}
}

/* ---- ifx_find_library: one name, as if the file itself needed it ----- */

enum ifx_status ifx_find_library(const struct ifx_elf_info *bin,
				 const char *bin_path, const char *name,
				 const char *root, struct ifx_lib_search *out,
				 struct ifx_error *err)
{
	struct ifx_dep_tree tree = IFX_INIT(ifx_dep_tree);
	struct ifx_elf_info one;
	enum ifx_status st;
	char *only[1] = { (char *)name };

	st = IFX__SIZED_OUT(out, err);
	if (st != IFX_OK)
		return st;
	/* the tree of a copy that needs just this name */
	one = *bin;
	one.needed = only;
	one.needed_count = 1;
	st = ifx_resolve_deps(bin_path, &one, root, NULL, &tree, err);
	if (st != IFX_OK)
		return st;
	for (size_t i = 1; i < tree.count && out->step_count == 0; i++) {
		struct ifx_dep *d = tree.deps[i];

		if (d->needed_by == 0 && strcmp(d->name, name) == 0) {
			/* take its steps; out keeps the caller's size */
			out->found = d->search->found;
			out->steps = d->search->steps;
			out->step_count = d->search->step_count;
			IFX__SIZED_CLEAR(d->search);
		}
	}
	/* no search of its own: the interpreter answers to the name */
	if (out->step_count == 0 && tree.count > 1 && tree.deps[1]->state == IFX_DEP_PROVIDED) {
		add_step(out, tree.deps[1]->path, "program interpreter", "provided: already loaded");
		out->found = strdup(tree.deps[1]->path);
	}
	ifx_dep_tree_free(&tree);
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
	IFX__SIZED_CLEAR(s);
}
