/*
 * One binary against one deploy target: the architecture, the libc
 * family, the loader, and every symbol version the binary needs
 * (DT_VERNEED, what the loader checks) that the target's glibc, libstdc++
 * or libgcc_s lack, each with the symbols bound to it. What check, fix
 * and show say about targets is all built from this.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "targets.h"

const char *ifx__target_ceiling(const struct ifx_target *t, enum ifx__runtime rt,
				const char *arch, char *buf, size_t size)
{
	const char *figure = NULL;

	switch (rt) {
	case IFX__RT_GLIBC:
		figure = t->libc == IFX_LIBC_GLIBC ? t->libc_version : NULL;
		break;
	case IFX__RT_GLIBCXX:
		figure = t->glibcxx;
		break;
	case IFX__RT_CXXABI:
		figure = t->cxxabi;
		break;
	case IFX__RT_GCC:
		if (arch == NULL || t->gcc == NULL || !ifx__target_pair(t->gcc, arch, buf, size))
			return NULL;
		figure = buf;
		break;
	case IFX__RT_NONE:
		return NULL;
	}
	/* "none": no system copy to bound it (it ships with the binary);
	 * "": not known */
	if (figure == NULL || figure[0] == '\0' || strcmp(figure, "none") == 0)
		return NULL;
	return figure;
}

void ifx__version_gaps_free(struct ifx_version_gap *gaps, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(gaps[i].symbol);
		free(gaps[i].version);
		free(gaps[i].library);
		free(gaps[i].since);
	}
	free(gaps);
}

struct gap_list {
	struct ifx_version_gap *gaps;
	size_t count, room;
};

static bool add_gap(struct gap_list *l, const char *symbol, const char *version,
		    const char *library)
{
	struct ifx_version_gap *g;

	if (l->count == l->room) {
		size_t room = l->room ? l->room * 2 : 8;
		struct ifx_version_gap *grown = reallocarray(l->gaps, room, sizeof(*grown));

		if (grown == NULL)
			return false;
		l->gaps = grown;
		l->room = room;
	}
	g = &l->gaps[l->count];
	*g = (struct ifx_version_gap){ NULL, NULL, NULL, NULL };
	g->symbol = symbol != NULL ? strdup(symbol) : NULL;
	g->version = strdup(version);
	g->library = strdup(library);
	g->since = ifx__release_with(version);
	l->count++;
	return (symbol == NULL || g->symbol != NULL) && g->version != NULL && g->library != NULL;
}

/* Every needed node of the file beyond the target's figure for it. */
static bool collect_gaps(const struct ifx_elf_info *info, const struct ifx_target *t,
			 const char *arch, struct gap_list *l)
{
	for (size_t i = 0; i < info->versions_needed_count; i++) {
		const struct ifx_version_need *vn = &info->versions_needed[i];

		for (size_t j = 0; j < vn->count; j++) {
			const char *node = vn->names[j], *number, *limit;
			enum ifx__runtime rt = ifx__runtime_of(node, &number);
			char buf[32];
			size_t bound = 0;

			if (rt == IFX__RT_NONE ||
			    (limit = ifx__target_ceiling(t, rt, arch, buf, sizeof(buf))) == NULL ||
			    ifx__version_compare(number, limit) <= 0)
				continue;
			for (size_t k = 0; k < info->symbol_versions_count; k++) {
				const struct ifx_symbol_version *sv = &info->symbol_versions[k];

				if (strcmp(sv->version, node) != 0 || strcmp(sv->file, vn->file) != 0)
					continue;
				bound++;
				if (!add_gap(l, sv->symbol, node, vn->file))
					return false;
			}
			/* needed with no symbol bound to it (or symbols not read):
			 * the loader refuses it all the same */
			if (bound == 0 && !add_gap(l, NULL, node, vn->file))
				return false;
		}
	}
	return true;
}

/* Everything of the verdict but the gaps: the arch, the libc family, the
 * loader; shared with fit_of, so check and show cannot disagree. */
static void judge_basics(const struct ifx_elf_info *info, const struct ifx_target *t,
			 struct ifx__target_verdict *v)
{
	*v = (struct ifx__target_verdict){ 0 };
	v->arch = ifx_target_arch(info);
	v->arch_offered = ifx_target_offers(t, v->arch);
	v->dynamic = info->has_interp || info->needed_count > 0;
	if (!v->dynamic)
		return;
	v->libc_differs = (info->libc == IFX_LIBC_GLIBC || info->libc == IFX_LIBC_MUSL) &&
			  info->libc != t->libc;
	if (!v->arch_offered || v->libc_differs)
		return;
	v->loader = ifx_target_loader(t, info, v->loader_buf, sizeof(v->loader_buf));
	v->interp_differs = info->has_interp && v->loader != NULL &&
			    strcmp(info->interp, v->loader) != 0;
}

enum ifx_status ifx__target_judge(const struct ifx_elf_info *info, const struct ifx_target *t,
				  struct ifx__target_verdict *v)
{
	struct gap_list l = { NULL, 0, 0 };

	judge_basics(info, t, v);
	if (!v->dynamic || !v->arch_offered || v->libc_differs)
		return IFX_OK;
	if (!collect_gaps(info, t, v->arch, &l)) {
		ifx__version_gaps_free(l.gaps, l.count);
		return IFX_ERR_NOMEM;
	}
	v->gaps = l.gaps;
	v->gap_count = l.count;
	return IFX_OK;
}

void ifx__target_verdict_free(struct ifx__target_verdict *v)
{
	ifx__version_gaps_free(v->gaps, v->gap_count);
	v->gaps = NULL;
	v->gap_count = 0;
}

/* The newest node of a runtime the file needs, or NULL. */
static char *newest(const struct ifx_elf_info *info, const struct ifx__shipped *ship,
		    enum ifx__runtime want, bool *nomem)
{
	const char *best = NULL;
	char *copy;

	/* the file (k == 0), then each library shipped with it */
	for (size_t k = 0; k <= (ship != NULL ? ship->count : 0); k++) {
		const struct ifx_elf_info *in = k == 0 ? info : &ship->libs[k - 1].info;

		for (size_t i = 0; i < in->versions_needed_count; i++)
			for (size_t j = 0; j < in->versions_needed[i].count; j++) {
				const char *number;

				if (ifx__runtime_of(in->versions_needed[i].names[j], &number) == want &&
				    (best == NULL || ifx__version_compare(number, best) > 0))
					best = number;
			}
	}
	if (best == NULL)
		return NULL;
	if ((copy = strdup(best)) == NULL)
		*nomem = true;
	return copy;
}

/* How a target fits, from the newest node of each runtime the file needs
 * (req): a node is beyond a figure exactly when the newest of its runtime
 * is, so no gap list is built (show judges every file against every
 * target). The same verdict as ifx__target_judge's. */
static enum ifx_fit fit_of(const struct ifx_elf_info *info, const struct ifx_target *t,
			   const struct ifx_requirements *req)
{
	const char *newest[] = { [IFX__RT_GLIBC] = req->glibc, [IFX__RT_GLIBCXX] = req->glibcxx,
				 [IFX__RT_CXXABI] = req->cxxabi, [IFX__RT_GCC] = req->gcc };
	struct ifx__target_verdict v;
	char buf[32];

	judge_basics(info, t, &v);
	if (!v.arch_offered)
		return IFX_FIT_ARCH;
	if (!v.dynamic)
		return IFX_FIT_RUNS;
	if (v.libc_differs)
		return IFX_FIT_LIBC;
	if (v.loader == NULL)
		return IFX_FIT_ARCH;
	for (enum ifx__runtime rt = IFX__RT_GLIBC; rt <= IFX__RT_GCC; rt++) {
		const char *limit = ifx__target_ceiling(t, rt, v.arch, buf, sizeof(buf));

		if (newest[rt] != NULL && limit != NULL && ifx__version_compare(newest[rt], limit) > 0)
			return IFX_FIT_VERSIONS;
	}
	return IFX_FIT_RUNS;
}

static enum ifx_status requirements(const struct ifx_elf_info *info,
				    const struct ifx__shipped *ship,
				    const struct ifx_target_set *set,
				    struct ifx_requirements *out, struct ifx_error *err)
{
	bool nomem = false;

	out->arch = ifx_target_arch(info);
	out->libc = info->has_interp || info->needed_count > 0 ? info->libc : IFX_LIBC_NONE;
	out->glibc = newest(info, ship, IFX__RT_GLIBC, &nomem);
	out->glibcxx = newest(info, ship, IFX__RT_GLIBCXX, &nomem);
	out->cxxabi = newest(info, ship, IFX__RT_CXXABI, &nomem);
	out->gcc = newest(info, ship, IFX__RT_GCC, &nomem);
	out->shipped_count = ship != NULL ? ship->count : 0;
	if (out->glibcxx != NULL) {
		char node[64];

		snprintf(node, sizeof(node), "GLIBCXX_%s", out->glibcxx);
		out->glibcxx_since = ifx__release_with(node);
	}
	out->fit = calloc(set->count ? set->count : 1, sizeof(*out->fit));
	nomem = nomem || out->fit == NULL;
	for (size_t i = 0; i < set->count && !nomem; i++)
		out->fit[i] = fit_of(info, set->targets[i], out);
	out->target_count = set->count;
	if (nomem) {
		ifx_requirements_free(out);
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	}
	return IFX_OK;
}

enum ifx_status ifx_target_requirements(const struct ifx_elf_info *info,
					const struct ifx_target_set *set,
					struct ifx_requirements *out, struct ifx_error *err)
{
	enum ifx_status st = IFX__SIZED_OUT(out, err);

	if (st != IFX_OK)
		return st;
	if (info == NULL || set == NULL)
		return ifx__error_set(err, IFX_ERR_USAGE, "ifx_target_requirements: NULL argument");
	return requirements(info, NULL, set, out, err);
}

enum ifx_status ifx_target_requirements_path(const char *path, const struct ifx_elf_info *info,
					     const char *root, struct ifx_context *context,
					     const struct ifx_target_set *set,
					     struct ifx_requirements *out, struct ifx_error *err)
{
	enum ifx_status st = IFX__SIZED_OUT(out, err);
	struct ifx__shipped ship;

	if (st != IFX_OK)
		return st;
	if (path == NULL || info == NULL || set == NULL)
		return ifx__error_set(err, IFX_ERR_USAGE,
				      "ifx_target_requirements_path: NULL argument");
	if (ifx__shipped_read(path, info, root, context, &ship) != IFX_OK)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	st = requirements(info, &ship, set, out, err);
	ifx__shipped_free(&ship);
	return st;
}

void ifx_requirements_free(struct ifx_requirements *req)
{
	if (req == NULL)
		return;
	free(req->glibc);
	free(req->glibcxx);
	free(req->cxxabi);
	free(req->gcc);
	free(req->glibcxx_since);
	free(req->fit);
	IFX__SIZED_CLEAR(req);
}

const char *ifx_fit_name(enum ifx_fit fit)
{
	switch (fit) {
	case IFX_FIT_RUNS: return "runs";
	case IFX_FIT_ARCH: return "arch";
	case IFX_FIT_LIBC: return "libc";
	case IFX_FIT_VERSIONS: return "versions";
	}
	return "unknown";
}

enum ifx_status ifx__glibc_gaps(const struct ifx_elf_info *info, const char *release,
				struct ifx_version_gap **gaps, size_t *count)
{
	/* a target with nothing but a glibc release */
	const struct ifx_target only = { .name = "", .family = "", .base = "", .arches = "",
		.libc = IFX_LIBC_GLIBC, .libc_version = release, .glibcxx = "", .cxxabi = "",
		.gcc = "", .loaders = "", .note = "", .source = "" };
	struct gap_list l = { NULL, 0, 0 };

	*gaps = NULL;
	*count = 0;
	if (!collect_gaps(info, &only, NULL, &l)) {
		ifx__version_gaps_free(l.gaps, l.count);
		return IFX_ERR_NOMEM;
	}
	*gaps = l.gaps;
	*count = l.count;
	return IFX_OK;
}
