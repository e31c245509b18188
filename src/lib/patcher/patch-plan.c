/* Deciding, from headers alone, which bytes a fix writes. A path that fits
 * the existing PT_INTERP bytes is written over them, the rest padded with
 * NULs so no stale byte of the old path survives; p_filesz stays, so the
 * slot keeps its room (shrinking then growing back needs no relocation) and
 * the .interp section header stays consistent without being touched. A
 * longer path is patch-grow.c's. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The path fits: the new string, then NULs over the rest of the old one
 * (no stale byte of it survives); what follows the old string's NUL in
 * the slot is not touched. */
static enum ifx_status plan_in_place(const struct ifx_elf_info *info,
				     const char *target,
				     struct patch_plan *plan,
				     struct ifx_error *err)
{
	size_t old_len = strlen(info->interp) + 1, new_len = strlen(target) + 1;
	size_t len = old_len > new_len ? old_len : new_len;

	if (len > info->interp_size)
		len = (size_t)info->interp_size; /* the string's NUL is inside the slot */
	char *slot = calloc(1, len);

	if (slot == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	memcpy(slot, target, strlen(target));
	if (ifx__patch_writes_add(plan, info->interp_offset, slot, len) < 0) {
		free(slot);
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	}
	free(slot);
	plan->old_size = plan->new_size = info->file_size;
	return IFX_OK;
}

enum ifx_status ifx__patch_plan_make(int fd, const struct ifx_elf_info *info,
				const char *target, struct patch_plan *plan,
				struct ifx_error *err)
{
	enum ifx_status st;

	memset(plan, 0, sizeof(*plan));
	if (!info->has_interp)
		return ifx__error_set(err, IFX_ERR_UNSUPPORTED,
				 "no PT_INTERP to rewrite");
	st = ifx_check_target_path(target, err);
	if (st != IFX_OK)
		return st;
	if (strlen(target) + 1 <= info->interp_size)
		return plan_in_place(info, target, plan, err);
	st = ifx__patch_grow_plan(fd, info, target, plan, err);
	if (st != IFX_OK) {
		ifx__patch_writes_free(plan);
		return st;
	}
	/* a write past the end (the page slack after a segment that ends the
	 * file) makes the file that long: the size a buffer must have */
	for (size_t i = 0; i < plan->count; i++)
		if (plan->writes[i].offset + plan->writes[i].len > plan->new_size)
			plan->new_size = plan->writes[i].offset + plan->writes[i].len;
	return IFX_OK;
}

