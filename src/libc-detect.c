/* Which libc a binary links: NEEDED names and GLIBC_* version needs are
 * what the linker recorded, so they outweigh the interpreter name, which
 * anyone can have changed (auditwheel's lddtree cross-checks the same way). */
#include "config.h"

#include <string.h>

#include "internal.h"

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* glibc's psABI loader names (glibc sysdeps/unix/sysv/linux/ * /shlib-versions)
 * and Linuxbrew's ld.so, which is glibc's. */
static bool is_glibc_loader_name(const char *name)
{
	return starts_with(name, "ld-linux") || starts_with(name, "ld64.so.") ||
	       strcmp(name, "ld.so.1") == 0 || strcmp(name, "ld.so") == 0;
}

static enum ifx_libc libc_from_needed(const struct ifx_elf_info *info)
{
	bool glibc = false, musl = false;

	for (size_t i = 0; i < info->needed_count; i++) {
		const char *n = info->needed[i];

		if (strcmp(n, "libc.so.6") == 0)
			glibc = true;
		else if (strcmp(n, "libc.so") == 0 || starts_with(n, "libc.musl-"))
			musl = true;
	}
	for (size_t i = 0; i < info->versions_needed_count; i++)
		for (size_t j = 0; j < info->versions_needed[i].count; j++)
			if (starts_with(info->versions_needed[i].names[j], "GLIBC_"))
				glibc = true;
	if (glibc && !musl)
		return IFX_LIBC_GLIBC;
	if (musl && !glibc)
		return IFX_LIBC_MUSL;
	return IFX_LIBC_UNKNOWN;
}

static enum ifx_libc libc_from_interp(const char *interp)
{
	const char *name = base_name(interp);

	if (starts_with(name, "ld-musl-"))
		return IFX_LIBC_MUSL;
	if (is_glibc_loader_name(name))
		return IFX_LIBC_GLIBC;
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
		return libc_from_interp(info->interp);
	/* A static program carries its libc inside: nothing to load. */
	if (info->linkage == IFX_LINK_STATIC || info->linkage == IFX_LINK_STATIC_PIE)
		return IFX_LIBC_NONE;
	if (info->needed_count == 0 && info->linkage == IFX_LINK_SHARED_LIB)
		return IFX_LIBC_NONE;
	return IFX_LIBC_UNKNOWN;
}
