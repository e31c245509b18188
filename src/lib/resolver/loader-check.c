/* Whether a file is really a loader for a binary, read without running it.
 * A file at the standard path is no proof: NixOS puts a static stub there
 * (stub-ld), Alpine's gcompat a glibc-named front for musl. So a glibc
 * loader must be a shared object whose SONAME is a glibc loader name and
 * which defines GLIBC_* versions; musl's is its libc.so, which has neither
 * PT_INTERP nor NEEDED nor versions. */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static bool defines_glibc_versions(const struct ifx_elf_info *info)
{
	for (size_t i = 0; i < info->versions_defined_count; i++)
		if (strncmp(info->versions_defined[i], "GLIBC_2.", 8) == 0)
			return true;
	return false;
}

static bool looks_like_musl_libc(const char *path, const struct ifx_elf_info *info)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	if (info->has_interp || info->needed_count != 0 ||
	    info->versions_defined_count != 0)
		return false;
	if (info->soname != NULL)
		return strncmp(info->soname, "libc.musl-", 10) == 0;
	return strncmp(base, "ld-musl-", 8) == 0 || strcmp(base, "libc.so") == 0;
}

/* The loader's libc, or IFX_LIBC_UNKNOWN with err saying why it is none. */
static enum ifx_libc classify(const char *path, struct loader_facts *f,
			      struct ifx_error *err)
{
	const struct ifx_elf_info *li = &f->info;

	if (li->type == ET_DYN && li->soname != NULL &&
	    ifx_loader_libc_by_name(li->soname) == IFX_LIBC_GLIBC &&
	    defines_glibc_versions(li))
		return IFX_LIBC_GLIBC;
	if (li->type == ET_DYN && looks_like_musl_libc(f->host_path, li))
		return IFX_LIBC_MUSL;
	/* gcompat: a program that execs musl's loader with libgcompat preloaded. */
	if (li->linkage == IFX_LINK_DYNAMIC && li->libc == IFX_LIBC_MUSL) {
		f->gcompat = true;
		return IFX_LIBC_MUSL;
	}
	if (li->linkage == IFX_LINK_STATIC || li->linkage == IFX_LINK_STATIC_PIE)
		ifx__error_set(err, IFX_ERR_UNSUPPORTED,
			  "%s is a static program, not a loader (no loader SONAME, "
			  "no GLIBC_* versions); NixOS puts such a stub at the standard path",
			  path);
	else
		ifx__error_set(err, IFX_ERR_UNSUPPORTED,
			  "%s is not a loader (no loader SONAME and no GLIBC_* versions, "
			  "and not musl's libc)", path);
	return IFX_LIBC_UNKNOWN;
}

static enum ifx_status check_machine(const char *path,
				     const struct ifx_elf_info *bin,
				     const struct ifx_elf_info *li,
				     struct ifx_error *err)
{
	const char *bm = ifx_machine_name(bin->machine, bin->elf_class, bin->data);
	const char *lm = ifx_machine_name(li->machine, li->elf_class, li->data);

	if (bin->machine != li->machine || bin->elf_class != li->elf_class ||
	    bin->data != li->data)
		return ifx__error_set(err, IFX_REFUSED,
				 "%s is a loader for %s (ELF%d %s), the binary is %s (ELF%d %s)",
				 path, lm, li->elf_class, li->data == ELFDATA2MSB ? "MSB" : "LSB",
				 bm, bin->elf_class, bin->data == ELFDATA2MSB ? "MSB" : "LSB");
	if (bin->abi != li->abi && bin->abi != IFX_ABI_NONE && li->abi != IFX_ABI_NONE)
		return ifx__error_set(err, IFX_REFUSED,
				 "%s is a loader for the %s ABI, the binary uses %s",
				 path, ifx_abi_name(li->abi), ifx_abi_name(bin->abi));
	if (bin->mips_nan2008 != li->mips_nan2008)
		return ifx__error_set(err, IFX_REFUSED,
				 "%s uses %s NaN encoding, the binary %s", path,
				 li->mips_nan2008 ? "IEEE 754-2008" : "legacy",
				 bin->mips_nan2008 ? "IEEE 754-2008" : "legacy");
	return IFX_OK;
}

enum ifx_status ifx__loader_check(const char *root, const char *path,
			     const struct ifx_elf_info *bin,
			     struct loader_facts *out, struct ifx_error *caller_err)
{
	/* callers read sys_errno (ENOENT: missing): always fill a struct */
	struct ifx_error local, *err = caller_err != NULL ? caller_err : &local;
	enum ifx_status st;

	memset(out, 0, sizeof(*out));
	out->info.size = sizeof(out->info);
	st = ifx__root_path_resolve(root, path, &out->host_path, err);
	if (st != IFX_OK)
		return st;
	st = ifx_inspect_path(AT_FDCWD, out->host_path, false, &out->info, err);
	if (st == IFX_ERR_NOT_ELF || st == IFX_ERR_NOT_REGULAR) {
		char why[IFX_MSG_MAX];

		/* not err->message itself: source and target of one snprintf */
		snprintf(why, sizeof(why), "%s", err->message);
		return ifx__error_set(err, IFX_ERR_UNSUPPORTED, "%s is not a loader: %s",
				      path, why);
	}
	if (st != IFX_OK)
		return st;
	st = check_machine(path, bin, &out->info, err);
	if (st != IFX_OK)
		return st;
	out->libc = classify(path, out, err);
	return out->libc == IFX_LIBC_UNKNOWN ? IFX_ERR_UNSUPPORTED : IFX_OK;
}

void ifx__loader_facts_free(struct loader_facts *facts)
{
	free(facts->host_path);
	ifx_elf_info_free(&facts->info);
	memset(facts, 0, sizeof(*facts));
}

/* "2.31" -> 231: digits, a dot, digits, nothing else (sscanf would take
 * "2.31x" and "2.-1"). */
IFX_API bool ifx_parse_glibc_release(const char *text, unsigned *release)
{
	unsigned major = 0, minor = 0;
	const char *p = text;

	if (text == NULL || *p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9' && major < 100)
		major = major * 10 + (unsigned)(*p++ - '0');
	if (*p++ != '.' || *p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9' && minor < 100)
		minor = minor * 10 + (unsigned)(*p++ - '0');
	if (*p != '\0' || major >= 100 || minor >= 100)
		return false;
	*release = major * 100 + minor;
	return true;
}

unsigned ifx__glibc_version_number(const char *name)
{
	unsigned major, minor = 0;

	if (sscanf(name, "GLIBC_%u.%u", &major, &minor) < 1)
		return 0;
	return major * 100 + minor;
}

static bool in_list(char **list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* The versions a glibc library beside the loader defines; false when that
 * library is not there (a missing library is `check`'s finding, not ours). */
static bool library_versions(const char *root, const char *loader_dir,
			     const char *file, struct ifx_elf_info *lib)
{
	static const char *const dirs[] = { "/lib64", "/lib", "/usr/lib64", "/usr/lib" };
	char *candidate, *host;
	struct ifx_error ignored;

	if (asprintf(&candidate, "%s/%s", loader_dir, file) >= 0) {
		enum ifx_status st = ifx_inspect_path(AT_FDCWD, candidate, false, lib, &ignored);
		free(candidate);
		if (st == IFX_OK)
			return true;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (asprintf(&candidate, "%s/%s", dirs[i], file) < 0)
			continue;
		if (ifx__root_path_resolve(root, candidate, &host, &ignored) == IFX_OK) {
			enum ifx_status st = ifx_inspect_path(AT_FDCWD, host, false, lib, &ignored);
			free(host);
			if (st == IFX_OK) {
				free(candidate);
				return true;
			}
		}
		free(candidate);
	}
	return false;
}

static bool needs_glibc_version(const struct ifx_version_need *vn)
{
	for (size_t k = 0; k < vn->count; k++)
		if (strncmp(vn->names[k], "GLIBC_", 6) == 0)
			return true;
	return false;
}

static enum ifx_status add_missing(const struct ifx_elf_info *bin,
				   const char *file, const char *version,
				   char ***missing, size_t *count,
				   unsigned *newest)
{
	bool named = false;
	char *line;

	for (size_t i = 0; i < bin->symbol_versions_count; i++) {
		const struct ifx_symbol_version *sv = &bin->symbol_versions[i];

		if (strcmp(sv->file, file) != 0 || strcmp(sv->version, version) != 0)
			continue;
		if (asprintf(&line, "%s@%s (%s)", sv->symbol, version, file) < 0)
			return IFX_ERR_NOMEM;
		named = true;
		if (ifx__strlist_push(missing, count, line) < 0) {
			free(line);
			return IFX_ERR_NOMEM;
		}
		free(line);
	}
	if (!named) {
		if (asprintf(&line, "%s (%s)", version, file) < 0)
			return IFX_ERR_NOMEM;
		if (ifx__strlist_push(missing, count, line) < 0) {
			free(line);
			return IFX_ERR_NOMEM;
		}
		free(line);
	}
	if (ifx__glibc_version_number(version) > *newest)
		*newest = ifx__glibc_version_number(version);
	return IFX_OK;
}

enum ifx_status ifx__loader_missing_versions(const char *root,
					const struct loader_facts *loader,
					const struct ifx_elf_info *bin,
					char ***missing, size_t *count,
					unsigned *newest, struct ifx_error *err)
{
	char *dir_copy = strdup(loader->host_path);
	const char *dir;

	*missing = NULL;
	*count = 0;
	*newest = 0;
	if (dir_copy == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	dir = dirname(dir_copy);
	for (size_t i = 0; i < bin->versions_needed_count; i++) {
		const struct ifx_version_need *vn = &bin->versions_needed[i];
		struct ifx_elf_info lib = IFX_INIT(ifx_elf_info);
		bool is_loader = ifx_loader_libc_by_name(vn->file) == IFX_LIBC_GLIBC;

		if (!needs_glibc_version(vn))
			continue;
		if (is_loader)
			lib = loader->info; /* the loader defines its own versions */
		else if (!library_versions(root, dir, vn->file, &lib))
			continue;
		for (size_t k = 0; k < vn->count; k++)
			if (!in_list(lib.versions_defined, lib.versions_defined_count,
				     vn->names[k]) &&
			    add_missing(bin, vn->file, vn->names[k], missing, count,
					newest) != IFX_OK) {
				free(dir_copy);
				return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
			}
		if (!is_loader)
			ifx_elf_info_free(&lib);
	}
	free(dir_copy);
	return IFX_OK;
}
