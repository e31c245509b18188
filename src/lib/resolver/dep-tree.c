/*
 * The whole dependency tree, breadth first, as the loader loads it: glibc's
 * _dl_map_object_deps (elf/dl-deps.c) and musl's load_deps walk the list of
 * loaded objects in load order, mapping each DT_NEEDED that is not loaded
 * yet and appending it. A name already loaded (as a NEEDED name, a SONAME,
 * the path, or for musl the file name) is not searched again; neither is a
 * file found twice under two names (same device and inode). The program
 * interpreter is loaded before anything and answers to its SONAME.
 * A missing library is recorded once, as LD_TRACE_LOADED_OBJECTS prints it
 * once, and the walk goes on, so every missing library is named.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define DEPS_MAX 4096 /* objects in one tree: a loop of absurd size stops here */

struct walk {
	const struct ifx_elf_info *bin;
	struct ifx_context *cache;
	const struct loader_env *env;
	struct ifx_dep_tree *tree;
	struct search_obj *objs;     /* parallel to tree->deps */
	size_t cap;
};

const char *ifx_dep_state_name(enum ifx_dep_state state)
{
	switch (state) {
	case IFX_DEP_FOUND: return "found";
	case IFX_DEP_PROVIDED: return "provided";
	case IFX_DEP_MISSING: return "missing";
	case IFX_DEP_BROKEN: return "broken";
	}
	return "unknown";
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Append an object; its index, or SIZE_MAX when out of memory or room. */
static size_t add_object(struct walk *w, const char *name, const char *path,
			 size_t needed_by, enum ifx_dep_state state)
{
	struct ifx_dep_tree *t = w->tree;
	size_t i = t->count;
	struct ifx_dep *d;

	if (i >= DEPS_MAX)
		return SIZE_MAX;
	if (i == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct ifx_dep **deps = reallocarray(t->deps, cap, sizeof(*deps));
		struct search_obj *objs;

		if (deps != NULL)
			t->deps = deps;
		objs = reallocarray(w->objs, cap, sizeof(*objs));
		if (objs != NULL)
			w->objs = objs;
		if (deps == NULL || objs == NULL)
			return SIZE_MAX;
		w->cap = cap;
	}
	/* one allocation per object: struct ifx_dep may grow at its end */
	d = calloc(1, sizeof(*d));
	if (d != NULL && (d->search = calloc(1, sizeof(*d->search))) == NULL) {
		free(d);
		d = NULL;
	}
	if (d == NULL)
		return SIZE_MAX;
	d->search->size = sizeof(*d->search);
	t->deps[i] = d;
	memset(&w->objs[i], 0, sizeof(w->objs[i]));
	d->name = strdup(name);
	d->path = path != NULL ? strdup(path) : NULL;
	d->needed_by = needed_by;
	d->depth = i == 0 ? 0 : t->deps[needed_by]->depth + 1;
	d->state = state;
	w->objs[i].loader = i == 0 ? SIZE_MAX : needed_by;
	ifx__strlist_push(&w->objs[i].names, &w->objs[i].name_count, name);
	t->count++;
	if (state == IFX_DEP_MISSING || state == IFX_DEP_BROKEN)
		t->missing++;
	return i;
}

/* The directory of path, for $ORIGIN ("" when it has none). */
static char *dir_of(const char *path)
{
	char *copy = strdup(path), *dir;

	if (copy == NULL)
		return NULL;
	dir = strdup(strchr(copy, '/') != NULL ? dirname(copy) : "");
	free(copy);
	return dir;
}

/* Where the file at host path sits as the loader sees it: inside root
 * when root is set, the real path otherwise. */
static char *loader_view(const char *root, const char *path, bool resolve)
{
	char *real = resolve ? realpath(path, NULL) : NULL, *rroot, *view;
	char abs[PATH_MAX];

	if (real == NULL) {
		if (path[0] == '/' || getcwd(abs, sizeof(abs)) == NULL)
			real = strdup(path);
		else if (asprintf(&real, "%s/%s", abs, path) < 0)
			real = NULL;
	}
	if (real == NULL || root[0] == '\0')
		return real;
	rroot = realpath(root, NULL);
	if (rroot != NULL && strncmp(real, rroot, strlen(rroot)) == 0 &&
	    (real[strlen(rroot)] == '/' || real[strlen(rroot)] == '\0')) {
		view = strdup(real[strlen(rroot)] ? real + strlen(rroot) : "/");
		free(real);
		real = view;
	}
	free(rroot);
	return real;
}

/* Whether the file's own search could expand $ORIGIN: only then does its
 * real directory matter (realpath costs a readlink per component). */
static bool uses_origin(const struct ifx_elf_info *info)
{
	if ((info->rpath != NULL && strchr(info->rpath, '$') != NULL) ||
	    (info->runpath != NULL && strchr(info->runpath, '$') != NULL))
		return true;
	for (size_t i = 0; i < info->needed_count; i++)
		if (strchr(info->needed[i], '$') != NULL)
			return true;
	return false;
}

/* The object that already answers to name, or SIZE_MAX. */
static size_t loaded_as(const struct walk *w, const char *name)
{
	for (size_t i = 0; i < w->tree->count; i++) {
		const struct ifx_dep *d = w->tree->deps[i];
		const struct ifx_elf_info *info = w->objs[i].info;

		for (size_t k = 0; k < w->objs[i].name_count; k++)
			if (strcmp(w->objs[i].names[k], name) == 0)
				return i;
		if (d->path == NULL)
			continue;
		if (w->env->libc == IFX_LIBC_MUSL) {
			if (i > 0 && strcmp(base_of(d->path), name) == 0)
				return i;
		} else if (strcmp(d->path, name) == 0 ||
			   (info != NULL && info->soname != NULL && strcmp(info->soname, name) == 0)) {
			return i;
		}
	}
	return SIZE_MAX;
}

static size_t same_file(const struct walk *w, const struct dep_candidate *c)
{
	for (size_t i = 1; i < w->tree->count; i++) {
		const struct dep_candidate *o = w->objs[i].file;

		if (o != NULL && o->dev == c->dev && o->ino == c->ino)
			return i;
	}
	return SIZE_MAX;
}

/* glibc's loader is in the list before anything: NEEDED ld-linux-*.so.2
 * (libc.so.6 has it) is that object. musl's loader is libc itself. */
static void add_interpreter(struct walk *w)
{
	const char *interp = w->bin->interp;
	const struct dep_candidate *c;
	size_t i;

	if (interp == NULL)
		interp = ifx_standard_loader(w->bin, w->env->libc);
	if (interp == NULL || w->bin->linkage == IFX_LINK_STATIC ||
	    w->bin->linkage == IFX_LINK_STATIC_PIE)
		return;
	c = ifx__lib_candidate(w->cache, interp);
	if (c == NULL || c->open_errno != 0 || c->problem != NULL)
		return; /* no loader here: that is the interpreter's finding */
	i = add_object(w, interp, interp, 0, IFX_DEP_PROVIDED);
	if (i == SIZE_MAX)
		return;
	w->objs[i].info = &c->info;
	w->objs[i].file = c;
	w->objs[i].origin = dir_of(interp);
	if (c->info.soname != NULL)
		ifx__strlist_push(&w->objs[i].names, &w->objs[i].name_count, c->info.soname);
}

static void load_needed(struct walk *w, size_t requester, const char *name)
{
	struct search_ctx ctx = { w->cache, w->env, w->bin, w->objs, w->tree->count };
	struct search_result r;
	struct ifx_lib_search steps = IFX_INIT(ifx_lib_search);
	size_t i, other;

	if (loaded_as(w, name) != SIZE_MAX)
		return;
	/* a path with tokens is known by its expansion ($ORIGIN/../lib/x.so) */
	if (strchr(name, '/') != NULL && strchr(name, '$') != NULL) {
		char *expanded = ifx__lib_expand_tokens(name, w->objs[requester].origin, w->env);

		if (expanded != NULL && strcmp(expanded, name) != 0) {
			load_needed(w, requester, expanded);
			free(expanded);
			return;
		}
		free(expanded);
	}
	if (w->env->libc == IFX_LIBC_MUSL && strchr(name, '/') == NULL && ifx__lib_musl_reserved(name)) {
		const char *ldso = w->bin->interp != NULL ? w->bin->interp
							 : ifx_standard_loader(w->bin, IFX_LIBC_MUSL);

		i = add_object(w, name, ldso, requester, IFX_DEP_PROVIDED);
		if (i != SIZE_MAX) {
			struct ifx_search_step *s = calloc(1, sizeof(*s));

			if (s != NULL) {
				s->path = strdup(name);
				s->source = strdup("musl");
				s->verdict = strdup("provided by musl's loader itself");
				w->tree->deps[i]->search->steps = s;
				w->tree->deps[i]->search->step_count = 1;
				w->tree->deps[i]->search->found = ldso != NULL ? strdup(ldso) : NULL;
			}
		}
		return;
	}
	ifx__lib_search(&ctx, requester, name, &steps, &r);
	if (r.state == IFX_DEP_FOUND && (other = same_file(w, r.file)) != SIZE_MAX) {
		ifx__strlist_push(&w->objs[other].names, &w->objs[other].name_count, name);
		ifx_lib_search_free(&steps);
		free(r.path);
		return;
	}
	i = add_object(w, name, r.path, requester, r.state);
	if (i == SIZE_MAX) {
		ifx_lib_search_free(&steps);
		free(r.path);
		free(r.problem);
		return;
	}
	*w->tree->deps[i]->search = steps;
	w->tree->deps[i]->search->found = r.state == IFX_DEP_FOUND ? strdup(r.path) : NULL;
	w->tree->deps[i]->problem = r.problem;
	if (r.state == IFX_DEP_FOUND) {
		w->objs[i].info = &r.file->info;
		w->objs[i].file = r.file;
		w->objs[i].origin = dir_of(r.path);
	}
	free(r.path);
}

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->tree->count; i++) {
		free(w->objs[i].origin);
		ifx__strlist_free(w->objs[i].names, w->objs[i].name_count);
	}
	free(w->objs);
}

enum ifx_status ifx_resolve_deps(const char *path, const struct ifx_elf_info *info,
				 const char *root, struct ifx_context *cache,
				 struct ifx_dep_tree *tree, struct ifx_error *err)
{
	struct ifx_context *own = NULL;
	struct walk w;
	char *view;
	enum ifx_libc libc;
	enum ifx_status st;

	st = IFX__SIZED_OUT(tree, err);
	if (st != IFX_OK)
		return st;
	memset(&w, 0, sizeof(w));
	if (cache == NULL && (cache = own = ifx_context_new(root)) == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	libc = info->libc == IFX_LIBC_MUSL ? IFX_LIBC_MUSL : IFX_LIBC_GLIBC;
	w.bin = info;
	w.cache = cache;
	w.tree = tree;
	tree->libc = libc;
	w.env = ifx__context_env(cache, info, libc);
	if (w.env == NULL) {
		ifx_context_free(own);
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	}
	/* $ORIGIN of an executable is where the kernel found it (symlinks
	 * resolved, /proc/self/exe); musl takes the path it was run as. */
	view = loader_view(ifx__context_root(cache), path,
			   libc != IFX_LIBC_MUSL && (ifx__context_root(cache)[0] != '\0' || uses_origin(info)));
	if (view == NULL || add_object(&w, path, view, 0, IFX_DEP_FOUND) == SIZE_MAX) {
		free(view);
		walk_free(&w);
		ifx_dep_tree_free(tree);
		ifx_context_free(own);
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	}
	w.objs[0].info = info;
	w.objs[0].origin = dir_of(view);
	free(view);
	add_interpreter(&w);
	for (size_t i = 0; i < tree->count; i++) {
		const struct ifx_elf_info *o = w.objs[i].info;

		if (o == NULL || tree->deps[i]->state == IFX_DEP_PROVIDED)
			continue;
		for (size_t k = 0; k < o->needed_count; k++)
			load_needed(&w, i, o->needed[k]);
	}
	walk_free(&w);
	ifx_context_free(own);
	return IFX_OK;
}

void ifx_dep_tree_free(struct ifx_dep_tree *tree)
{
	if (tree == NULL)
		return;
	for (size_t i = 0; i < tree->count; i++) {
		free(tree->deps[i]->name);
		free(tree->deps[i]->path);
		free(tree->deps[i]->problem);
		ifx_lib_search_free(tree->deps[i]->search);
		free(tree->deps[i]->search);
		free(tree->deps[i]);
	}
	free(tree->deps);
	IFX__SIZED_CLEAR(tree);
}
