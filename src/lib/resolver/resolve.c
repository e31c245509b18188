/* ifx_choose_loader: the right loader for a binary on this host or root. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The libc the binary really links; its loader name only when nothing
 * recorded by the linker says (ifx__libc_detect already weighs them). */
static enum ifx_libc binary_libc(const struct ifx_elf_info *info)
{
	if (info->libc == IFX_LIBC_GLIBC || info->libc == IFX_LIBC_MUSL ||
	    info->libc == IFX_LIBC_BIONIC)
		return info->libc;
	return info->has_interp ? ifx_loader_libc_by_name(info->interp)
				: IFX_LIBC_UNKNOWN;
}

/* Where else this libc's loader may live: glibc's library directories, or
 * musl's path file and the prefixes musl is commonly installed under. */
static void candidate_dirs(struct ifx_context *ctx, enum ifx_libc libc,
			   const char *standard, struct dir_list *d)
{
	static const char *const glibc_dirs[] = { "/lib64", "/lib", "/usr/lib64", "/usr/lib",
						   "/usr/local/lib" };
	static const char *const musl_dirs[] = { "/lib", "/usr/lib", "/usr/local/musl/lib",
						  "/usr/lib/musl/lib", "/opt/musl/lib" };
	const char *r = ifx__context_root(ctx);

	if (libc == IFX_LIBC_GLIBC) {
		const struct dir_list *conf = ifx__context_glibc_conf(ctx);

		for (size_t i = 0; i < conf->count; i++)
			ifx__dir_list_add(d, conf->items[i]);
		for (size_t i = 0; i < sizeof(glibc_dirs) / sizeof(glibc_dirs[0]); i++)
			ifx__dir_list_add(d, glibc_dirs[i]);
	} else {
		char arch[64];
		const char *b = ifx__names_base(standard) + strlen("ld-musl-");

		snprintf(arch, sizeof(arch), "%.*s", (int)strcspn(b, "."), b);
		ifx__ld_conf_musl_dirs(r, "", arch, d);
		for (size_t i = 0; i < sizeof(musl_dirs) / sizeof(musl_dirs[0]); i++)
			ifx__dir_list_add(d, musl_dirs[i]);
		{
			char triplet[128];

			snprintf(triplet, sizeof(triplet), "/lib/%s-linux-musl", arch);
			ifx__dir_list_add(d, triplet);
			snprintf(triplet, sizeof(triplet), "/usr/lib/%s-linux-musl", arch);
			ifx__dir_list_add(d, triplet);
		}
	}
}

static bool is_real_loader(const char *root, const char *path,
			   const struct ifx_elf_info *info, enum ifx_libc libc)
{
	struct loader_facts lf;
	bool ok = ifx__loader_check(root, path, info, &lf, NULL) == IFX_OK &&
		  lf.libc == libc && !lf.gcompat;

	ifx__loader_facts_free(&lf);
	return ok;
}

static char *find_elsewhere(struct ifx_context *ctx, const struct ifx_elf_info *info,
			    enum ifx_libc libc, const char *standard)
{
	const char *root = ifx__context_root(ctx);
	const char *names[] = { ifx__names_base(standard), libc == IFX_LIBC_MUSL ? "libc.so" : NULL };
	struct dir_list d = { NULL, 0 };
	char *found = NULL;

	/* ld.so.cache names the loader by its SONAME, with its full path. */
	if (libc == IFX_LIBC_GLIBC && ifx__ld_cache_lookup(ifx__context_ld_cache(ctx), names[0], &d)) {
		for (size_t i = 0; i < d.count && found == NULL; i++)
			if (strcmp(d.items[i], standard) != 0 &&
			    is_real_loader(root, d.items[i], info, libc))
				found = strdup(d.items[i]);
		ifx__dir_list_free(&d);
	}
	candidate_dirs(ctx, libc, standard, &d);
	for (size_t i = 0; i < d.count && found == NULL; i++)
		for (size_t k = 0; k < 2 && names[k] != NULL && found == NULL; k++) {
			char *path;

			if (asprintf(&path, "%s/%s", d.items[i], names[k]) < 0)
				continue;
			if (strcmp(path, standard) != 0 &&
			    is_real_loader(root, path, info, libc))
				found = path;
			else
				free(path);
		}
	ifx__dir_list_free(&d);
	return found;
}

/* Advice for a binary whose loader is nowhere here, best option first. */
static void advise_missing(const struct ifx_elf_info *info, enum ifx_libc libc,
			   struct ifx_error *err)
{
	if (libc == IFX_LIBC_MUSL && info->go != NULL)
		ifx__error_advise(err, "%s; or install musl (apt install musl); or "
			     "use --portable to write the standard path anyway",
			     ifx__go_static_advice(info->go));
	else if (libc == IFX_LIBC_MUSL)
		ifx__error_advise(err, "install musl (apt install musl on Debian/Ubuntu) or "
			     "rebuild against glibc; or use --portable to write the "
			     "standard path anyway");
	else if (info->go != NULL)
		ifx__error_advise(err, "%s; or use --portable, or --root DIR for another root "
			     "filesystem", ifx__go_static_advice(info->go));
	else
		ifx__error_advise(err, "use --portable to write the standard path anyway, or "
			     "--root DIR to resolve inside another root filesystem");
}

/* Linux's loaders run Linux binaries: a FreeBSD, NetBSD, OpenBSD,
 * Solaris or Hurd program (EI_OSABI or its ABI note says so) cannot run
 * here whatever PT_INTERP names, and no flag changes that. Android's are
 * Linux binaries of another libc (bionic): the libc rule judges them. */
const char *ifx__resolve_os_title(enum ifx_os os)
{
	static const char *const titles[] = { "Linux", "Android", "FreeBSD", "NetBSD", "OpenBSD",
					      "Solaris", "GNU Hurd", "non-Linux", "unknown" };

	return (size_t)os < sizeof(titles) / sizeof(titles[0]) ? titles[os] : "unknown";
}

enum ifx_status ifx__resolve_check_os(const struct ifx_elf_info *bin, struct ifx_error *err)
{
	if (bin->os == IFX_OS_LINUX || bin->os == IFX_OS_ANDROID || bin->os == IFX_OS_UNKNOWN)
		return IFX_OK;
	ifx__error_set(err, IFX_REFUSED, "it is a %s binary (EI_OSABI %u%s), not a Linux one: no "
		  "Linux loader can run it", ifx__resolve_os_title(bin->os), bin->osabi,
		  bin->osabi == 0 ? " with a non-Linux ABI note" : "");
	ifx__error_advise(err, "run it on %s, or use the Linux build of this program "
		     "(--force does not override this)", ifx__resolve_os_title(bin->os));
	return IFX_REFUSED;
}

enum ifx_status ifx_choose_loader(const struct ifx_elf_info *info,
				  const struct ifx_target_options *given,
				  struct ifx_choice *choice, struct ifx_error *err)
{
	enum ifx_libc libc = binary_libc(info);
	struct ifx_target_options local, *opts = &local;
	const char *standard;
	enum ifx_status st;

	st = IFX__SIZED_OUT(choice, err);
	if (st == IFX_OK)
		st = IFX__SIZED_IN(local, given, err);
	if (st != IFX_OK)
		return st;
	choice->libc = libc;
	if (ifx__resolve_check_os(info, err) != IFX_OK)
		return IFX_REFUSED;
	if (libc == IFX_LIBC_BIONIC) {
		ifx__error_set(err, IFX_REFUSED, "an Android (bionic) binary: its loader is Android's "
			  "%s, which no glibc or musl system has",
			  info->has_interp ? info->interp : "/system/bin/linker64");
		ifx__error_advise(err, "run it on Android (or in an Android emulator), or use a "
			     "Linux build of this program");
		return IFX_REFUSED;
	}
	if (libc != IFX_LIBC_GLIBC && libc != IFX_LIBC_MUSL) {
		ifx__error_set(err, IFX_ERR_UNSUPPORTED,
			  "cannot tell which libc this binary links (no libc in NEEDED, "
			  "no GLIBC_* versions, loader name %s)",
			  info->has_interp ? info->interp : "absent");
		ifx__error_advise(err, "name the loader with --to");
		return IFX_ERR_UNSUPPORTED;
	}
	standard = ifx_standard_loader(info, libc);
	if (standard == NULL)
		return ifx__error_set(err, IFX_ERR_UNSUPPORTED,
				 "%s has no standard loader for %s binaries",
				 ifx_libc_name(libc),
				 ifx_machine_name(info->machine, info->elf_class, info->data));
	choice->standard = strdup(standard);
	choice->exists = is_real_loader(opts->root, standard, info, libc);
	/* Already the standard path: right wherever the binary is meant to
	 * run, whether or not this host (an x86_64 one for an aarch64 binary)
	 * has that loader. Nothing to change. */
	if (choice->exists || opts->portable ||
	    (info->has_interp && strcmp(info->interp, standard) == 0)) {
		choice->target = strdup(standard);
		return IFX_OK;
	}
	if (opts->context != NULL) {
		choice->target = find_elsewhere(opts->context, info, libc, standard);
	} else {
		struct ifx_context *own = ifx_context_new(opts->root);

		choice->target = own != NULL ? find_elsewhere(own, info, libc, standard) : NULL;
		ifx_context_free(own);
	}
	if (choice->target != NULL) {
		choice->exists = true;
		choice->host_specific = true;
		return IFX_OK;
	}
	ifx_choice_free(choice); /* on failure the caller owns nothing */
	ifx__error_set(err, IFX_REFUSED, "no %s loader for %s here: %s%s does not exist "
		  "or is not a real loader, and none was found elsewhere",
		  ifx_libc_name(libc),
		  ifx_machine_name(info->machine, info->elf_class, info->data),
		  opts->root ? opts->root : "", standard);
	advise_missing(info, libc, err);
	return IFX_REFUSED;
}

void ifx_choice_free(struct ifx_choice *choice)
{
	if (choice == NULL)
		return;
	free(choice->target);
	free(choice->standard);
	IFX__SIZED_CLEAR(choice);
}
