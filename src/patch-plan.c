/* Deciding, from headers alone, which bytes a fix writes. A path that fits
 * the existing PT_INTERP bytes is written over them, the rest padded with
 * NULs so no stale byte of the old path survives; p_filesz stays, so the
 * slot keeps its room (shrinking then growing back needs no relocation) and
 * the .interp section header stays consistent without being touched. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum ifx_status ifx_check_target_path(const char *target,
				      struct ifx_error *err)
{
	size_t len;

	if (target == NULL || target[0] == '\0')
		return error_set(err, IFX_ERR_USAGE,
				 "the new interpreter path is empty");
	if (target[0] != '/')
		return error_set(err, IFX_ERR_USAGE,
				 "the new interpreter path '%s' is not absolute "
				 "(the kernel resolves it against the caller's working directory)",
				 target);
	len = strlen(target);
	if (len >= PATH_MAX)
		return error_set(err, IFX_ERR_USAGE,
				 "the new interpreter path is %zu bytes, longer than PATH_MAX",
				 len);
	return IFX_OK;
}

static enum ifx_status plan_in_place(const struct ifx_elf_info *info,
				     const char *target,
				     struct patch_plan *plan,
				     struct ifx_error *err)
{
	struct patch_write *w;

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return error_set(err, IFX_ERR_NOMEM, "out of memory");
	w->bytes = calloc(1, info->interp_size);
	if (w->bytes == NULL) {
		free(w);
		return error_set(err, IFX_ERR_NOMEM, "out of memory");
	}
	memcpy(w->bytes, target, strlen(target));
	w->offset = info->interp_offset;
	w->len = info->interp_size;
	plan->writes = w;
	plan->count = 1;
	return IFX_OK;
}

enum ifx_status patch_plan_make(const struct ifx_elf_info *info,
				const char *target, struct patch_plan *plan,
				struct ifx_error *err)
{
	enum ifx_status st;
	size_t need;

	memset(plan, 0, sizeof(*plan));
	if (!info->has_interp)
		return error_set(err, IFX_ERR_UNSUPPORTED,
				 "no PT_INTERP to rewrite");
	st = ifx_check_target_path(target, err);
	if (st != IFX_OK)
		return st;
	need = strlen(target) + 1;
	if (need <= info->interp_size)
		return plan_in_place(info, target, plan, err);
	error_set(err, IFX_ERR_UNSUPPORTED,
		  "the new interpreter path needs %zu bytes but PT_INTERP holds %llu; "
		  "longer paths are not supported yet",
		  need, (unsigned long long)info->interp_size);
	error_advise(err, "use a path of at most %llu bytes, for example a symlink to the loader",
		     (unsigned long long)info->interp_size - 1);
	return IFX_ERR_UNSUPPORTED;
}

void patch_plan_free(struct patch_plan *plan)
{
	for (size_t i = 0; i < plan->count; i++)
		free(plan->writes[i].bytes);
	free(plan->writes);
	memset(plan, 0, sizeof(*plan));
}
