/* Looking up the standard loader, and telling what kind of interpreter
 * path a binary names: the standard one, Linuxbrew's, a Nix store path,
 * musl under another prefix, relative, or something else. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "internal.h"

#define NIX_STORE "/nix/store/"
#define NIX_HASH_LEN 32
#define BREW_PLACEHOLDER "@@HOMEBREW_PREFIX@@"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
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
	if (info == NULL)
		return NULL;
	for (size_t i = 0; i < ifx__loader_table_count; i++)
		if (ifx__loader_table[i].libc == libc && row_matches(&ifx__loader_table[i], info))
			return ifx__loader_table[i].path;
	return NULL;
}

/* glibc's loader names (shlib-versions) and Linuxbrew's ld.so, a glibc. */
enum ifx_libc ifx_loader_libc_by_name(const char *path)
{
	const char *name;

	if (path == NULL)
		return IFX_LIBC_UNKNOWN;
	name = ifx__names_base(path);
	if (ifx__names_starts_with(name, "ld-musl-"))
		return IFX_LIBC_MUSL;
	if (ifx__names_starts_with(name, "ld-linux") || ifx__names_starts_with(name, "ld64.so.") ||
	    strcmp(name, "ld.so.1") == 0 || strcmp(name, "ld.so") == 0)
		return IFX_LIBC_GLIBC;
	return IFX_LIBC_UNKNOWN;
}

/* ^/nix/store/[0-9a-df-np-sv-z]{32}-[^/]+/ : nix-base32 is the digits and
 * lowercase letters without e, o, t, u (NixOS/nix src/libutil/base-nix-32). */
static bool is_nix_store(const char *path)
{
	static const char alphabet[] = "0123456789abcdfghijklmnpqrsvwxyz";
	const char *h = path + strlen(NIX_STORE), *name;

	if (!ifx__names_starts_with(path, NIX_STORE))
		return false;
	for (int i = 0; i < NIX_HASH_LEN; i++)
		if (h[i] == '\0' || strchr(alphabet, h[i]) == NULL)
			return false;
	if (h[NIX_HASH_LEN] != '-')
		return false;
	name = h + NIX_HASH_LEN + 1;
	return name[0] != '/' && name[0] != '\0' && strchr(name, '/') != NULL;
}

/* Whether the first len bytes of s contain word, ignoring case. */
static bool has_word(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);

	for (size_t i = 0; i + n <= len; i++)
		if (strncasecmp(s + i, word, n) == 0)
			return true;
	return false;
}

static bool brewish(const char *prefix, size_t len)
{
	return has_word(prefix, len, "linuxbrew") || has_word(prefix, len, "homebrew");
}

/* Linuxbrew: $PREFIX/lib/ld.so (brew's symlink_ld_so), and brewed glibc
 * named directly: $PREFIX/opt/glibc/... (legacy-linuxbrew#677) or its keg
 * $PREFIX/Cellar/glibc/... A brew prefix is one whose path says so. */
static bool is_linuxbrew(const char *path)
{
	const char *glibc = strstr(path, "/opt/glibc/");

	if (glibc == NULL)
		glibc = strstr(path, "/Cellar/glibc/");
	if (glibc != NULL && brewish(path, (size_t)(glibc - path)))
		return true;
	return ends_with(path, "/lib/ld.so") &&
	       brewish(path, strlen(path) - strlen("/lib/ld.so"));
}

static bool is_any_standard(const char *path)
{
	for (size_t i = 0; i < ifx__loader_table_count; i++)
		if (strcmp(ifx__loader_table[i].path, path) == 0)
			return true;
	return false;
}

/* The standard path for this binary's own libc; either libc when the
 * binary does not say which it links. */
static bool is_own_standard(const struct ifx_elf_info *info, const char *p)
{
	const char *glibc = ifx_standard_loader(info, IFX_LIBC_GLIBC);
	const char *musl = ifx_standard_loader(info, IFX_LIBC_MUSL);

	if (info->libc != IFX_LIBC_MUSL && glibc != NULL && strcmp(p, glibc) == 0)
		return true;
	return info->libc != IFX_LIBC_GLIBC && musl != NULL && strcmp(p, musl) == 0;
}

/* Go's go1.19 Linuxdynld defaults (riscv64 /lib/ld.so.1, s390x and mips64
 * /lib64/ld64.so.1, loong64 /lib64/ld.so.1) need no rule of their own:
 * they are another arch's path (OTHER_STANDARD) or nobody's (CUSTOM). */
enum ifx_loader_kind ifx_loader_kind(const struct ifx_elf_info *info)
{
	const char *p = info->interp;

	if (!info->has_interp || p == NULL)
		return IFX_LOADER_NONE;
	if (is_own_standard(info, p))
		return IFX_LOADER_STANDARD;
	if (ifx__names_starts_with(p, BREW_PLACEHOLDER))
		return IFX_LOADER_BREW_PLACEHOLDER;
	if (p[0] != '/')
		return IFX_LOADER_RELATIVE;
	if (is_any_standard(p))
		return IFX_LOADER_OTHER_STANDARD;
	if (is_nix_store(p))
		return IFX_LOADER_NIX;
	if (is_linuxbrew(p))
		return IFX_LOADER_LINUXBREW;
	if (ifx__names_starts_with(ifx__names_base(p), "ld-musl-") && ends_with(p, ".so.1"))
		return IFX_LOADER_MUSL_PREFIX;
	return IFX_LOADER_CUSTOM;
}
