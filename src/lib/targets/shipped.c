/*
 * The libraries shipped with a file: those the loader would find through
 * the file's own RPATH or RUNPATH (lib/ beside an app, an $ORIGIN
 * rpath). A deploy target runs their needs too; the libraries found in
 * the system's own directories are the target's own there, not this
 * host's, and are not read.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "targets.h"

static bool through_rpath(const struct ifx_dep *d)
{
	for (size_t k = 0; k < d->search->step_count; k++) {
		const struct ifx_search_step *s = &d->search->steps[k];

		if (strcmp(s->verdict, "found") == 0)
			return strncmp(s->source, "DT_RPATH", 8) == 0 ||
			       strcmp(s->source, "DT_RUNPATH") == 0;
	}
	return false;
}

enum ifx_status ifx__shipped_read(const char *path, const struct ifx_elf_info *info,
				  const char *root, struct ifx_context *context,
				  struct ifx__shipped *ship)
{
	struct ifx_dep_tree t = IFX_INIT(ifx_dep_tree);

	ship->libs = NULL;
	ship->count = 0;
	/* a static program loads nothing; this host's loader never loads
	 * another machine's libraries, so only a root says where they are */
	if (path == NULL || info->linkage == IFX_LINK_STATIC ||
	    info->linkage == IFX_LINK_STATIC_PIE ||
	    (root == NULL && !ifx__loader_env_native(info)))
		return IFX_OK;
	/* without a path list of its own, what it loads comes from the
	 * system's directories (and their own packages' RPATHs): nothing of it
	 * is shipped with it, and most files of a system are so */
	if (info->rpath == NULL && info->runpath == NULL)
		return IFX_OK;
	if (ifx_resolve_deps(path, info, root, context, &t, NULL) != IFX_OK)
		return IFX_OK; /* nothing resolved, nothing shipped known */
	ship->libs = calloc(t.count ? t.count : 1, sizeof(*ship->libs));
	if (ship->libs == NULL) {
		ifx_dep_tree_free(&t);
		return IFX_ERR_NOMEM;
	}
	for (size_t i = 1; i < t.count; i++) {
		const struct ifx_dep *d = t.deps[i];
		struct ifx__shipped_lib *l = &ship->libs[ship->count];
		char *host = NULL;

		if (d->state != IFX_DEP_FOUND || d->path == NULL || !through_rpath(d) ||
		    ifx__root_path_resolve(root, d->path, &host, NULL) != IFX_OK)
			continue;
		l->info.size = sizeof(l->info);
		if (ifx_inspect_path(AT_FDCWD, host, true, &l->info, NULL) == IFX_OK) {
			if ((l->path = strdup(d->path)) == NULL) {
				ifx_elf_info_free(&l->info);
				free(host);
				ifx_dep_tree_free(&t);
				ifx__shipped_free(ship);
				return IFX_ERR_NOMEM;
			}
			ship->count++;
		}
		free(host);
	}
	ifx_dep_tree_free(&t);
	return IFX_OK;
}

void ifx__shipped_free(struct ifx__shipped *ship)
{
	for (size_t i = 0; i < ship->count; i++) {
		free(ship->libs[i].path);
		ifx_elf_info_free(&ship->libs[i].info);
	}
	free(ship->libs);
	ship->libs = NULL;
	ship->count = 0;
}
