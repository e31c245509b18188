/*
 * fix --target: the loader the deploy targets have for a binary, and the
 * refusal when one of them cannot run it, naming what it lacks. The
 * judgement is target-judge.c's, the same check --target reports.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "targets.h"

static enum ifx_status no_arch(const struct ifx_elf_info *info, const struct ifx_target *t,
			       struct ifx_error *err)
{
	ifx__error_set(err, IFX_REFUSED, "%s does not offer this %s binary's architecture "
		       "(it has %s)", t->name,
		       ifx_machine_name(info->machine, info->elf_class, info->data), t->arches);
	ifx__error_advise(err, "build it for one of %s's architectures (--force does not "
			  "override this)", t->name);
	return IFX_REFUSED;
}

enum ifx_status ifx__deploy_loader(const struct ifx_elf_info *info,
				   const struct ifx_target_options *opts, char *loader, size_t size,
				   struct ifx_error *err)
{
	const struct ifx_target *first = NULL;
	char other[PATH_MAX];

	for (size_t i = 0; i < opts->deploy_count; i++) {
		const struct ifx_target *t = opts->deploy[i];
		const char *ld = first == NULL ? ifx_target_loader(t, info, loader, size)
					       : ifx_target_loader(t, info, other, sizeof(other));

		if (ld == NULL)
			return no_arch(info, t, err);
		if (first != NULL && strcmp(loader, ld) != 0) {
			ifx__error_set(err, IFX_ERR_USAGE, "the deploy targets name different "
				       "loaders for this binary: %s for %s, %s for %s", loader,
				       first->name, ld, t->name);
			ifx__error_advise(err, "fix it once per target, into separate copies");
			return IFX_ERR_USAGE;
		}
		first = first != NULL ? first : t;
	}
	return IFX_OK;
}

/* "sym@VER (lib, since R), ..." as many as fit. */
static void list_gaps(const struct ifx__target_verdict *v, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < v->gap_count && used + 5 < size; i++) {
		const struct ifx_version_gap *g = &v->gaps[i];
		int w = snprintf(out + used, size - used, "%s%s%s%s (%s%s%s)", i ? ", " : "",
				 g->symbol ? g->symbol : "version ", g->symbol ? "@" : "", g->version,
				 g->library,
				 g->since ? ", since " : "", g->since ? g->since : "");

		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (used >= size - 1)
		strcpy(out + size - 5, "...");
}

enum ifx_status ifx__deploy_vet(const struct ifx_elf_info *info,
				const struct ifx_target_options *opts, struct ifx_error *err)
{
	for (size_t i = 0; i < opts->deploy_count; i++) {
		const struct ifx_target *t = opts->deploy[i];
		struct ifx__target_verdict v;
		char list[IFX_MSG_MAX / 2];

		if (ifx__target_judge(info, t, &v) != IFX_OK)
			return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
		if (!v.arch_offered) {
			ifx__target_verdict_free(&v);
			return no_arch(info, t, err);
		}
		if (opts->force) {
			ifx__target_verdict_free(&v);
			continue;
		}
		if (v.libc_differs) {
			ifx__target_verdict_free(&v);
			ifx__error_set(err, IFX_REFUSED, "the binary links %s, and %s's C library "
				       "is %s %s", ifx_libc_name(info->libc), t->name,
				       ifx_libc_name(t->libc), t->libc_version);
			ifx__error_advise(err, "%s; --force overrides",
					  info->go != NULL ? ifx__go_static_advice(info->go)
							   : "rebuild it against the target's libc, "
							     "or link it statically");
			return IFX_REFUSED;
		}
		if (v.gap_count > 0) {
			list_gaps(&v, list, sizeof(list));
			ifx__error_set(err, IFX_REFUSED, "%s lacks %zu symbol version%s the binary "
				       "needs: %s", t->name, v.gap_count, v.gap_count == 1 ? "" : "s",
				       list);
			ifx__error_advise(err, "interpfix check --target %s on the file says what "
					  "to do for each (an older toolchain, static libstdc++/libgcc, "
					  "or another target); --force overrides", t->name);
			ifx__target_verdict_free(&v);
			return IFX_REFUSED;
		}
		ifx__target_verdict_free(&v);
	}
	return IFX_OK;
}
