/* Looking up the standard loader, and telling what kind of interpreter
 * path a binary names: the standard one, Linuxbrew's, a Nix store path,
 * musl under another prefix, relative, or something else. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "internal.h"

#define NIX_HASH_LEN 32

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool row_matches(const struct loader_row *r, const struct ifx_elf_info *info)
{
	if (r->machine != info->machine || r->elf_class != info->elf_class ||
	    r->data != info->data)
		return false;
	if (r->abi != IFX_ABI_NONE && r->abi != info->abi)
		return false;
	return r->nan2008 < 0 || r->nan2008 == (info->mips_nan2008 ? 1 : 0);
}

const char *ifx_standard_loader(const struct ifx_elf_info *info, enum ifx_libc libc)
{
	for (size_t i = 0; i < loader_table_count; i++)
		if (loader_table[i].libc == libc && row_matches(&loader_table[i], info))
			return loader_table[i].path;
	return NULL;
}

/* glibc's loader names (shlib-versions) and Linuxbrew's ld.so, a glibc. */
enum ifx_libc ifx_loader_libc_by_name(const char *path)
{
	const char *name = base_name(path);

	if (starts_with(name, "ld-musl-"))
		return IFX_LIBC_MUSL;
	if (starts_with(name, "ld-linux") || starts_with(name, "ld64.so.") ||
	    strcmp(name, "ld.so.1") == 0 || strcmp(name, "ld.so") == 0)
		return IFX_LIBC_GLIBC;
	return IFX_LIBC_UNKNOWN;
}

/* /nix/store/<32 chars of nix-base32>-name/ (NixOS/nix base-nix-32: the
 * digits and lowercase letters without e, o, u, t). */
static bool is_nix_store(const char *path)
{
	static const char alphabet[] = "0123456789abcdfghijklmnpqrsvwxyz";
	const char *h = path + strlen("/nix/store/");

	if (!starts_with(path, "/nix/store/"))
		return false;
	for (int i = 0; i < NIX_HASH_LEN; i++)
		if (h[i] == '\0' || strchr(alphabet, h[i]) == NULL)
			return false;
	return h[NIX_HASH_LEN] == '-' && strchr(h + NIX_HASH_LEN + 1, '/') != NULL;
}

static bool contains_nocase(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++)
		if (strncasecmp(s, word, n) == 0)
			return true;
	return false;
}

/* Linuxbrew: $PREFIX/lib/ld.so (brew's symlink_ld_so), and the legacy
 * $PREFIX/opt/glibc/lib/ld-linux-*.so.* of brewed glibc. */
static bool is_linuxbrew(const char *path)
{
	bool brewish = contains_nocase(path, "linuxbrew") || contains_nocase(path, "homebrew");

	if (!brewish)
		return false;
	return strcmp(base_name(path), "ld.so") == 0 || strstr(path, "/opt/glibc/") != NULL;
}

static bool is_any_standard(const char *path)
{
	for (size_t i = 0; i < loader_table_count; i++)
		if (strcmp(loader_table[i].path, path) == 0)
			return true;
	return false;
}

enum ifx_loader_kind ifx_loader_kind(const struct ifx_elf_info *info)
{
	const char *p = info->interp;
	const char *glibc, *musl;

	if (!info->has_interp || p == NULL)
		return IFX_LOADER_NONE;
	glibc = ifx_standard_loader(info, IFX_LIBC_GLIBC);
	musl = ifx_standard_loader(info, IFX_LIBC_MUSL);
	if ((info->libc != IFX_LIBC_MUSL && glibc && strcmp(p, glibc) == 0) ||
	    (info->libc != IFX_LIBC_GLIBC && musl && strcmp(p, musl) == 0))
		return IFX_LOADER_STANDARD;
	if (starts_with(p, "@@HOMEBREW_PREFIX@@"))
		return IFX_LOADER_BREW_PLACEHOLDER;
	if (p[0] != '/')
		return IFX_LOADER_RELATIVE;
	if (is_any_standard(p))
		return IFX_LOADER_OTHER_STANDARD;
	if (is_linuxbrew(p))
		return IFX_LOADER_LINUXBREW;
	if (is_nix_store(p))
		return IFX_LOADER_NIX;
	if (starts_with(base_name(p), "ld-musl-"))
		return IFX_LOADER_MUSL_PREFIX;
	return IFX_LOADER_CUSTOM;
}
