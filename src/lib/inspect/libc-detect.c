/* Which libc a binary links: NEEDED names and GLIBC_* version needs are
 * what the linker recorded, so they outweigh the interpreter name, which
 * anyone can have changed (auditwheel's lddtree cross-checks the same way). */
#include "config.h"

#include <string.h>

#include "internal.h"

static enum ifx_libc libc_from_needed(const struct ifx_elf_info *info)
{
	bool glibc = false, musl = false;

	for (size_t i = 0; i < info->needed_count; i++) {
		const char *n = info->needed[i];

		if (strcmp(n, "libc.so.6") == 0)
			glibc = true;
		else if (strcmp(n, "libc.so") == 0 || ifx__names_starts_with(n, "libc.musl-"))
			musl = true;
	}
	for (size_t i = 0; i < info->versions_needed_count; i++)
		for (size_t j = 0; j < info->versions_needed[i].count; j++)
			if (ifx__names_starts_with(info->versions_needed[i].names[j], "GLIBC_"))
				glibc = true;
	if (glibc && !musl)
		return IFX_LIBC_GLIBC;
	if (musl && !glibc)
		return IFX_LIBC_MUSL;
	return IFX_LIBC_UNKNOWN;
}

enum ifx_libc ifx__libc_detect(const struct ifx_elf_info *info)
{
	enum ifx_libc from_needed;

	if (info->os == IFX_OS_ANDROID)
		return info->linkage == IFX_LINK_STATIC ? IFX_LIBC_NONE : IFX_LIBC_BIONIC;
	/* FreeBSD's libc is libc.so.7 (and was libc.so.6): neither glibc nor musl */
	if (info->os != IFX_OS_LINUX && info->os != IFX_OS_UNKNOWN)
		return info->linkage == IFX_LINK_STATIC ? IFX_LIBC_NONE : IFX_LIBC_UNKNOWN;
	from_needed = libc_from_needed(info);

	if (from_needed != IFX_LIBC_UNKNOWN)
		return from_needed;
	if (info->has_interp)
		return ifx_loader_libc_by_name(info->interp);
	/* A static program carries its libc inside: nothing to load. */
	if (info->linkage == IFX_LINK_STATIC || info->linkage == IFX_LINK_STATIC_PIE)
		return IFX_LIBC_NONE;
	if (info->needed_count == 0 && info->linkage == IFX_LINK_SHARED_LIB)
		return IFX_LIBC_NONE;
	return IFX_LIBC_UNKNOWN;
}
