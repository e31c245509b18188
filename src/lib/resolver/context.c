/*
 * The context: what a run knows of a host or a root filesystem, instead of
 * process-wide state. The root, its ld.so.cache and ld.so.conf (read once),
 * the loader environments of the kinds of binary met, and what resolving
 * dependencies learnt, so that `check /usr` reads each directory and each
 * library once: directory listings (a candidate absent from its directory's
 * listing needs no open) and the facts of every library judged (keyed by
 * the path the loader opens). A context is used by one thread at a time;
 * separate contexts share nothing. Free it to forget (a long-running
 * process makes a new one when the system may have changed).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define LISTING_MAX 200000 /* entries; a larger directory is not listed */

struct slot {
	char *key;
	void *value;
};

struct map {
	struct slot *slots;
	size_t size, used; /* size is a power of two */
};

struct listing {
	bool listed;       /* false: unreadable, judge candidates by opening them */
	bool exists;       /* the directory is there */
	char **names;      /* sorted */
	size_t count;
};

/* The loader environments met so far: one per kind of binary (machine,
 * class, byte order, ABI, libc) and interpreter, as they depend on nothing
 * else. A run over /usr meets a handful. */
struct env_entry {
	unsigned machine;
	int elf_class, data;
	enum ifx_abi abi;
	enum ifx_libc libc;
	char *interp;
	struct loader_env env;
};

struct ifx_context {
	char *root;
	struct ld_cache *ld_cache;  /* NULL until asked for */
	bool ld_cache_read;
	struct dir_list glibc_conf;
	bool glibc_conf_read;
	struct map dirs;   /* loader-view directory -> struct listing */
	struct map files;  /* loader-view path -> struct dep_candidate */
	struct env_entry *envs;
	size_t env_count;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct slot *map_find(struct map *m, const char *key)
{
	if (m->size == 0)
		return NULL;
	for (size_t i = hash(key) & (m->size - 1);; i = (i + 1) & (m->size - 1)) {
		if (m->slots[i].key == NULL || strcmp(m->slots[i].key, key) == 0)
			return &m->slots[i];
	}
}

static int map_grow(struct map *m)
{
	struct map bigger = { NULL, m->size ? m->size * 2 : 256, 0 };

	bigger.slots = calloc(bigger.size, sizeof(*bigger.slots));
	if (bigger.slots == NULL)
		return -1;
	for (size_t i = 0; i < m->size; i++) {
		if (m->slots[i].key != NULL) {
			*map_find(&bigger, m->slots[i].key) = m->slots[i];
			bigger.used++;
		}
	}
	free(m->slots);
	*m = bigger;
	return 0;
}

/* Store value under key (the map takes both); -1 when out of memory. */
static int map_put(struct map *m, char *key, void *value)
{
	struct slot *s;

	if ((m->used + 1) * 2 > m->size && map_grow(m) < 0)
		return -1;
	s = map_find(m, key);
	s->key = key;
	s->value = value;
	m->used++;
	return 0;
}

static void map_free(struct map *m, void (*free_value)(void *))
{
	for (size_t i = 0; i < m->size; i++) {
		if (m->slots[i].key == NULL)
			continue;
		free(m->slots[i].key);
		free_value(m->slots[i].value);
	}
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void listing_free(void *p)
{
	struct listing *l = p;

	if (l != NULL)
		ifx__strlist_free(l->names, l->count);
	free(l);
}

static void candidate_free(void *p)
{
	struct dep_candidate *c = p;

	if (c == NULL)
		return;
	free(c->host);
	free(c->problem);
	ifx_elf_info_free(&c->info);
	free(c);
}

static struct listing *read_listing(const char *root, const char *dir)
{
	struct listing *l = calloc(1, sizeof(*l));
	char *host = NULL;
	struct dirent *e;
	DIR *d;

	if (l == NULL)
		return NULL;
	if (root[0] == '\0')
		host = strdup(dir);
	else if (ifx__root_path_resolve(root, dir, &host, NULL) != IFX_OK)
		return l; /* not there: exists = false */
	if (host == NULL) {
		l->exists = true; /* out of memory: open each candidate */
		return l;
	}
	d = opendir(host);
	free(host);
	if (d == NULL) {
		/* there but unreadable: open each candidate */
		l->exists = errno != ENOENT && errno != ENOTDIR;
		return l;
	}
	l->exists = l->listed = true;
	while ((e = readdir(d)) != NULL) {
		if (l->count >= LISTING_MAX) {
			l->listed = false;
			break;
		}
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    ifx__strlist_push(&l->names, &l->count, e->d_name) < 0) {
			l->listed = false;
			break;
		}
	}
	closedir(d);
	if (l->listed)
		qsort(l->names, l->count, sizeof(*l->names), compare_names);
	return l;
}

struct ifx_context *ifx_context_new(const char *root)
{
	struct ifx_context *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->root = strdup(root != NULL && strcmp(root, "/") != 0 ? root : "");
	if (c->root == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void ifx_context_free(struct ifx_context *c)
{
	if (c == NULL)
		return;
	map_free(&c->dirs, listing_free);
	map_free(&c->files, candidate_free);
	ifx__ld_cache_free(c->ld_cache);
	ifx__dir_list_free(&c->glibc_conf);
	for (size_t i = 0; i < c->env_count; i++) {
		free(c->envs[i].interp);
		ifx__loader_env_free(&c->envs[i].env);
	}
	free(c->envs);
	free(c->root);
	free(c);
}

const struct loader_env *ifx__context_env(struct ifx_context *c, const struct ifx_elf_info *bin,
				      enum ifx_libc libc)
{
	const char *interp = bin->interp != NULL ? bin->interp : "";
	struct env_entry *e, *grown;

	for (size_t i = 0; i < c->env_count; i++) {
		e = &c->envs[i];
		if (e->machine == bin->machine && e->elf_class == bin->elf_class &&
		    e->data == bin->data && e->abi == bin->abi && e->libc == libc &&
		    strcmp(e->interp, interp) == 0)
			return &e->env;
	}
	grown = reallocarray(c->envs, c->env_count + 1, sizeof(*grown));
	if (grown == NULL)
		return NULL;
	c->envs = grown;
	e = &c->envs[c->env_count];
	e->interp = strdup(interp);
	if (e->interp == NULL)
		return NULL;
	e->machine = bin->machine;
	e->elf_class = bin->elf_class;
	e->data = bin->data;
	e->abi = bin->abi;
	e->libc = libc;
	ifx__loader_env_init(&e->env, c->root, bin, libc);
	c->env_count++;
	return &e->env;
}

const struct ld_cache *ifx__context_ld_cache(struct ifx_context *c)
{
	if (!c->ld_cache_read) {
		c->ld_cache = ifx__ld_cache_load(c->root);
		c->ld_cache_read = true;
	}
	return c->ld_cache;
}

const struct dir_list *ifx__context_glibc_conf(struct ifx_context *c)
{
	if (!c->glibc_conf_read) {
		ifx__ld_conf_glibc_dirs(c->root, &c->glibc_conf);
		c->glibc_conf_read = true;
	}
	return &c->glibc_conf;
}

const char *ifx__context_root(const struct ifx_context *c)
{
	return c->root;
}

/* Whether dir/name may exist: false only when dir's listing says it does
 * not (the common case, and no system call). */
bool ifx__context_may_exist(struct ifx_context *c, const char *dir, const char *name)
{
	struct slot *s = map_find(&c->dirs, dir);
	struct listing *l = s != NULL && s->key != NULL ? s->value : NULL;
	char *key;

	if (l == NULL) {
		l = read_listing(c->root, dir);
		key = strdup(dir);
		if (l == NULL || key == NULL || map_put(&c->dirs, key, l) < 0) {
			free(key);
			listing_free(l);
			return true;
		}
	}
	if (!l->exists)
		return false;
	if (!l->listed)
		return true;
	return bsearch(&name, l->names, l->count, sizeof(*l->names), compare_names) != NULL;
}

/* The judged candidate at path, or NULL: judge it with dep_judge and keep
 * it with ifx__context_keep. */
const struct dep_candidate *ifx__context_lookup(struct ifx_context *c, const char *path)
{
	struct slot *s = map_find(&c->files, path);

	return s != NULL && s->key != NULL ? s->value : NULL;
}

const struct dep_candidate *ifx__context_keep(struct ifx_context *c, const char *path,
					   struct dep_candidate *cand)
{
	char *key = strdup(path);

	if (key == NULL || map_put(&c->files, key, cand) < 0) {
		free(key);
		candidate_free(cand);
		return NULL;
	}
	return cand;
}
