/* ifx_check_swap: the rules that keep a fix from turning a binary that
 * could run into one that cannot, or into one that runs wrongly. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "targets/targets.h"

static const char *machine_of(const struct ifx_elf_info *info)
{
	return ifx_machine_name(info->machine, info->elf_class, info->data);
}

IFX_API enum ifx_status ifx_check_target_path(const char *target,
				      struct ifx_error *err)
{
	size_t len;

	if (target == NULL || target[0] == '\0')
		return ifx__error_set(err, IFX_ERR_USAGE,
				 "the new interpreter path is empty");
	if (target[0] != '/')
		return ifx__error_set(err, IFX_ERR_USAGE,
				 "the new interpreter path '%s' is not absolute "
				 "(the kernel resolves it against the caller's working directory)",
				 target);
	len = strlen(target);
	if (len >= PATH_MAX)
		return ifx__error_set(err, IFX_ERR_USAGE,
				 "the new interpreter path is %zu bytes, longer than PATH_MAX",
				 len);
	return IFX_OK;
}

/* A libc swap can even appear to run (a glibc program under musl's loader
 * did, on Debian 12), so it is refused by rule, not by trying. */
static enum ifx_status check_libc(const struct ifx_elf_info *bin,
				  enum ifx_libc bin_libc, const char *target,
				  enum ifx_libc loader_libc, bool gcompat,
				  struct ifx_error *err)
{
	const char *musl_loader;

	if (bin_libc == loader_libc || bin_libc == IFX_LIBC_UNKNOWN ||
	    loader_libc == IFX_LIBC_UNKNOWN)
		return IFX_OK;
	ifx__error_set(err, IFX_REFUSED, "%s binary to a %s loader: the binary links %s, "
		  "%s is %s", ifx_libc_name(bin_libc), ifx_libc_name(loader_libc),
		  ifx_libc_name(bin_libc), target,
		  gcompat ? "gcompat, a front for musl" : ifx_libc_name(loader_libc));
	musl_loader = ifx_standard_loader(bin, IFX_LIBC_MUSL);
	if (bin_libc == IFX_LIBC_MUSL && bin->go != NULL)
		ifx__error_advise(err, "%s; or install musl (apt install musl) and fix to %s; "
			     "--force overrides", ifx__go_static_advice(bin->go),
			     musl_loader ? musl_loader : "musl's loader");
	else if (bin_libc == IFX_LIBC_MUSL)
		ifx__error_advise(err, "install musl (apt install musl) and fix to %s, or rebuild "
			     "against glibc; --force overrides",
			     musl_loader ? musl_loader : "musl's loader");
	else
		ifx__error_advise(err, "fix to %s, or rebuild against musl; --force overrides",
			     ifx_standard_loader(bin, IFX_LIBC_GLIBC)
				     ? ifx_standard_loader(bin, IFX_LIBC_GLIBC)
				     : "glibc's loader");
	return IFX_REFUSED;
}

/* missing: the first `shown` of n lines (what the message can hold). */
static enum ifx_status refuse_versions(char **missing, size_t shown, size_t n, unsigned newest,
				       const char *where, struct ifx_error *err)
{
	char list[IFX_MSG_MAX / 2] = "";
	size_t used = 0;

	for (size_t i = 0; i < shown && used < sizeof(list) - 1; i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s",
				 i ? ", " : "", missing[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (used >= sizeof(list) - 1)
		strcpy(list + sizeof(list) - 5, "...");
	else if (shown < n && used + 5 < sizeof(list))
		strcpy(list + used, ", ...");
	ifx__error_set(err, IFX_REFUSED, "%s lacks %zu symbol version%s the binary needs: %s",
		  where, n, n == 1 ? "" : "s", list);
	ifx__error_advise(err, "it needs glibc %u.%u or newer: run it where that glibc is, "
		     "or rebuild against an older glibc; --force overrides",
		     newest / 100, newest % 100);
	return IFX_REFUSED;
}

/* Lines of missing versions kept for the message: it holds IFX_MSG_MAX / 2
 * bytes of them, and a hostile file can need a version 50000 times. */
#define SHOWN_MAX 64

/* With --portable --glibc X.Y: numbers stand in for the library's sets
 * (a feature node such as GLIBC_ABI_DT_RELR for the release that brought
 * it), as check --glibc judges them. */
static enum ifx_status check_release(const struct ifx_elf_info *bin,
				     const char *release, struct ifx_error *err)
{
	struct ifx_version_gap *gaps;
	unsigned limit, newest = 0;
	char **missing = NULL;
	size_t n = 0, shown = 0;
	enum ifx_status st = IFX_OK;

	if (!ifx_parse_glibc_release(release, &limit))
		return ifx__error_set(err, IFX_ERR_USAGE, "--glibc wants a release like 2.31, not '%s'",
				 release);
	if (ifx__glibc_gaps(bin, release, &gaps, &n) != IFX_OK)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *number = NULL;
		unsigned major = 0, minor = 0;
		char *line;

		ifx__runtime_of(gaps[i].version, &number);
		if (number != NULL && sscanf(number, "%u.%u", &major, &minor) >= 1 &&
		    major * 100 + minor > newest)
			newest = major * 100 + minor;
		if (shown < SHOWN_MAX &&
		    asprintf(&line, "%s%s%s (%s)", gaps[i].symbol ? gaps[i].symbol : "version ",
			     gaps[i].symbol ? "@" : "", gaps[i].version, gaps[i].library) >= 0) {
			ifx__strlist_push(&missing, &shown, line);
			free(line);
		}
	}
	if (n > 0) {
		char where[64];

		snprintf(where, sizeof(where), "glibc %s", release);
		st = refuse_versions(missing, shown, n, newest, where, err);
	}
	ifx__strlist_free(missing, shown);
	ifx__version_gaps_free(gaps, n);
	return st;
}

/* A setuid, setgid or file-capability program trusts its loader with its
 * privileges: the kernel's walk to the loader (every directory, every
 * symlink, recursively, and the file) must be in hands no less trusted
 * than the binary's: owned by root or the binary's owner, and no directory
 * or file writable by group or others (a symlink's own mode is meaningless;
 * its owner is not). Otherwise someone else could later swap the loader. */
struct trust {
	unsigned owner; /* the binary's owner, trusted as root is */
};

static bool trusted(const char *host, const struct stat *sb, void *ctx, struct ifx_error *err)
{
	const struct trust *t = ctx;
	const char *why = NULL;

	if (sb->st_uid != 0 && sb->st_uid != t->owner)
		why = t->owner == 0 ? "not owned by root" : "owned by neither root nor the binary's owner";
	else if (!S_ISLNK(sb->st_mode) && (sb->st_mode & (S_IWGRP | S_IWOTH)))
		why = "writable by group or others";
	if (why == NULL)
		return true;
	ifx__error_set(err, IFX_REFUSED, "privileged binary (setuid, setgid or file "
		       "capabilities): %s%s is %s; its loader, every directory and every "
		       "symlink on the way to it must be owned by root and writable by no one "
		       "else", host, S_ISLNK(sb->st_mode) ? " (a symlink)" : "", why);
	ifx__error_advise(err, "use a loader in a root-owned system directory "
			  "(--force does not override this)");
	return false;
}

static enum ifx_status check_setuid(const struct ifx_elf_info *bin, const char *root,
				    bool exists, const char *target, struct ifx_error *err)
{
	struct trust t = { bin->file_uid };
	enum ifx_status st;
	char *host = NULL;

	if (!(bin->file_mode & (S_ISUID | S_ISGID)) && !bin->file_caps)
		return IFX_OK;
	if (!exists) {
		ifx__error_set(err, IFX_REFUSED, "privileged binary (setuid, setgid or file "
			       "capabilities): its loader %s must exist here to be checked", target);
		ifx__error_advise(err, "fix it where the loader is, or with --root for that root "
				  "filesystem (--force does not override this)");
		return IFX_REFUSED;
	}
	st = ifx__root_path_walk(root, target, trusted, &t, &host, err);
	free(host);
	return st == IFX_REFUSED ? IFX_REFUSED : IFX_OK;
}

/* Without the loader file: what its name and the psABI table say. */
static enum ifx_status check_by_name(const struct ifx_elf_info *bin,
				     enum ifx_libc bin_libc, const char *target,
				     const struct ifx_target_options *opts,
				     struct ifx_error *err)
{
	enum ifx_status st;

	for (size_t i = 0; i < ifx__loader_table_count; i++) {
		const struct loader_row *r = &ifx__loader_table[i];

		if (strcmp(r->path, target) != 0)
			continue;
		if (ifx_standard_loader(bin, r->libc) != NULL &&
		    strcmp(ifx_standard_loader(bin, r->libc), target) == 0)
			break;
		if (r->machine != bin->machine || r->elf_class != bin->elf_class ||
		    r->data != bin->data) {
			ifx__error_set(err, IFX_REFUSED,
				  "%s is the standard loader of another architecture, "
				  "not of this %s binary", target, machine_of(bin));
			ifx__error_advise(err, "fix to %s (--force does not override this)",
				     ifx_standard_loader(bin, bin_libc) ? ifx_standard_loader(bin, bin_libc)
									 : "this binary's own loader");
			return IFX_REFUSED;
		}
	}
	if (!opts->force) {
		st = check_libc(bin, bin_libc, target, ifx_loader_libc_by_name(target),
				false, err);
		if (st != IFX_OK)
			return st;
		if (opts->glibc != NULL && bin_libc == IFX_LIBC_GLIBC)
			return check_release(bin, opts->glibc, err);
	}
	return IFX_OK;
}

static enum ifx_status check_with_loader(const struct ifx_elf_info *bin,
					 enum ifx_libc bin_libc,
					 const char *target,
					 const struct ifx_target_options *opts,
					 struct loader_facts *lf,
					 struct ifx_error *err)
{
	enum ifx_status st = IFX_OK;
	char **missing = NULL;
	unsigned newest = 0;
	size_t n = 0;

	if (opts->force)
		return IFX_OK;
	st = check_libc(bin, bin_libc, target, lf->libc, lf->gcompat, err);
	if (st == IFX_OK && opts->glibc != NULL && bin_libc == IFX_LIBC_GLIBC)
		st = check_release(bin, opts->glibc, err);
	if (st != IFX_OK || lf->libc != IFX_LIBC_GLIBC || bin_libc != IFX_LIBC_GLIBC)
		return st;
	st = ifx__loader_missing_versions(opts->root, lf, bin, &missing, &n, &newest, err);
	if (st == IFX_OK && n > 0)
		st = refuse_versions(missing, n, n, newest, "the glibc beside it", err);
	ifx__strlist_free(missing, n);
	return st;
}

enum ifx_status ifx_check_swap(const struct ifx_elf_info *bin, const char *target,
			       const struct ifx_target_options *given,
			       struct ifx_error *caller_err)
{
	/* The rules branch on why the loader could not be read (ENOENT is
	 * "missing", not an I/O error), so they always have a struct to read:
	 * the verdict must not depend on whether the caller passed one. */
	struct ifx_error local, *err = caller_err != NULL ? caller_err : &local;
	struct ifx_target_options vet, *opts = &vet;
	enum ifx_libc bin_libc = bin->libc;
	struct loader_facts lf;
	enum ifx_status st;

	st = IFX__SIZED_IN(vet, given, err);
	if (st == IFX_OK)
		st = ifx_check_target_path(target, err);
	if (st == IFX_OK)
		st = ifx__resolve_check_os(bin, err);
	if (st != IFX_OK)
		return st;
	/* for deploy targets their figures judge the binary, and without a
	 * root this host's loader says nothing of theirs: judged by name */
	if (opts->deploy_count > 0) {
		st = ifx__deploy_vet(bin, opts, err);
		if (st == IFX_OK && opts->root == NULL) {
			st = check_by_name(bin, bin_libc, target, opts, err);
			if (st == IFX_OK)
				st = check_setuid(bin, opts->root, false, target, err);
			return st;
		}
		if (st != IFX_OK)
			return st;
	}
	st = ifx__loader_check(opts->root, target, bin, &lf, err);
	if (st == IFX_OK) {
		st = check_with_loader(bin, bin_libc, target, opts, &lf, err);
		if (st == IFX_OK)
			st = check_setuid(bin, opts->root, true, target, err);
	} else if (st == IFX_ERR_IO && err->sys_errno == ENOENT) {
		if (!opts->portable && !opts->force) {
			ifx__error_set(err, IFX_REFUSED, "the loader %s%s does not exist here",
				  opts->root ? opts->root : "", target);
			ifx__error_advise(err, "use --portable to write it anyway (for another "
				     "machine), --root DIR for another root filesystem, or "
				     "--force");
			st = IFX_REFUSED;
		} else {
			st = check_by_name(bin, bin_libc, target, opts, err);
			if (st == IFX_OK)
				st = check_setuid(bin, opts->root, false, target, err);
		}
	} else if (st == IFX_REFUSED) {
		const char *own = ifx_standard_loader(bin, bin_libc);

		ifx__error_advise(err, "use the binary's own loader%s%s%s, with --root DIR for "
			     "its root filesystem (--force does not override this)",
			     own ? " (" : "", own ? own : "", own ? ")" : "");
	} else if (st == IFX_ERR_UNSUPPORTED) {
		/* Not a loader at all: no flag makes it one. */
		ifx__error_advise(err, "choose a real loader (--force does not override this)");
		st = IFX_REFUSED;
		if (err != NULL) /* the status returned is the status reported */
			err->status = st;
	}
	ifx__loader_facts_free(&lf);
	return st;
}
